import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";

export interface AlertsProps {
  readonly name: string;
  /** Subscribed by e-mail when given (the recipient must confirm). */
  readonly email?: string;
}

/**
 * The operators' alert topic, which the CloudWatch alarms publish to.
 *
 * Deliberately not encrypted at rest. CloudWatch publishes with its service
 * principal, which needs kms:GenerateDataKey* and kms:Decrypt on the topic's
 * key; the AWS-managed alias/aws/sns key's policy cannot be changed to grant
 * that, so an alarm on a topic under it fails with KMS AccessDenied and no
 * alert arrives, silently (`npm run synth:check` rejects that setup).
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * A customer-managed key would work but costs $1/month while idle, and the
 * messages carry only alarm metadata (names, states, thresholds), no data.
 */
export class Alerts extends Construct {
  public readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, "topic", { name: props.name });
    if (props.email) {
      new SnsTopicSubscription(this, "email", { topicArn: this.topic.arn, protocol: "email", endpoint: props.email });
    }
  }
}
