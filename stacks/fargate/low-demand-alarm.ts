import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

export interface LowDemandAlarmProps {
  /** Must start with the prefix the scaler accepts alarm invocations from. */
  readonly name: string;
  /** The ALB's ARN suffix (`app/<name>/<id>`): alarms cannot SEARCH, so this alarm lives with the ALB. */
  readonly albArnSuffix: string;
  /** Requests per minute on the ALB below which demand is low. */
  readonly lowDemandPerMinute: number;
  /** Minutes the demand must stay low. */
  readonly minutes: number;
  readonly scalerArn: string;
  /** Terraform count: 1 while the tier exists. */
  readonly count: number;
}

/** Wakes the scaler when demand on the serving tier (ALB RequestCount) stays low. */
export class LowDemandAlarm extends Construct {
  constructor(scope: Construct, id: string, props: LowDemandAlarmProps) {
    super(scope, id);
    if (props.minutes < 1) throw new Error(`LowDemandAlarm ${id}: minutes must be >= 1, got ${props.minutes}`);
    new CloudwatchMetricAlarm(this, "alarm", {
      alarmName: props.name,
      alarmDescription: "Demand on the Fargate tier (ALB) is below the scale-down threshold; wakes the scaler.",
      namespace: "AWS/ApplicationELB",
      metricName: "RequestCount",
      dimensions: { LoadBalancer: props.albArnSuffix },
      statistic: "Sum",
      period: 60,
      evaluationPeriods: props.minutes,
      threshold: props.lowDemandPerMinute,
      comparisonOperator: "LessThanThreshold",
      // No requests means no datapoints on an ALB: that is low demand.
      treatMissingData: "breaching",
      alarmActions: [props.scalerArn],
      count: props.count,
    });
  }
}
