import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";

export interface AlertsProps {
  readonly name: string;
  /** Subscribed by e-mail when given (the recipient must confirm). */
  readonly email?: string;
}

/** The operators' alert topic, encrypted with the AWS-managed SNS key. */
export class Alerts extends Construct {
  public readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, "topic", { name: props.name, kmsMasterKeyId: "alias/aws/sns" });
    if (props.email) {
      new SnsTopicSubscription(this, "email", { topicArn: this.topic.arn, protocol: "email", endpoint: props.email });
    }
  }
}
