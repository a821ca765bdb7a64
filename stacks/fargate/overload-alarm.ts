import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

export interface OverloadAlarmProps {
  /** Must start with the prefix the scaler accepts alarm invocations from. */
  readonly name: string;
  /** The ALB's ARN suffix (`app/<name>/<id>`). */
  readonly albArnSuffix: string;
  /** The tasks' target group's ARN suffix (`targetgroup/<name>/<id>`). */
  readonly targetGroupArnSuffix: string;
  /** Requests a healthy task carries in a minute at full capacity (`requestsPerTaskPerSecond` × 60). */
  readonly capacityPerTaskPerMinute: number;
  readonly scalerArn: string;
  /** Terraform count: 1 while the tier exists. */
  readonly count: number;
}

/**
 * Wakes the scaler when the tasks get more requests per healthy target than
 * they carry (a spike at weight 100, the tasks at maxTasks, target tracking
 * still adding tasks), so it moves the excess to Lambda within a minute of the
 * datapoint instead of at the next heartbeat. One minute, one datapoint: a
 * minute overloaded is already late. While the scaler spills it looks every
 * minute by itself, so the alarm needs no OK action.
 */
export class OverloadAlarm extends Construct {
  constructor(scope: Construct, id: string, props: OverloadAlarmProps) {
    super(scope, id);
    if (!(props.capacityPerTaskPerMinute > 0))
      throw new Error(
        `OverloadAlarm ${id}: capacityPerTaskPerMinute must be > 0, got ${props.capacityPerTaskPerMinute}`,
      );
    new CloudwatchMetricAlarm(this, "alarm", {
      alarmName: props.name,
      alarmDescription:
        "The Fargate tasks get more requests per healthy target than they carry; wakes the scaler to spill to Lambda.",
      namespace: "AWS/ApplicationELB",
      // The ALB publishes it as the target group's requests divided by its healthy targets (what target tracking holds).
      metricName: "RequestCountPerTarget",
      dimensions: { LoadBalancer: props.albArnSuffix, TargetGroup: props.targetGroupArnSuffix },
      statistic: "Sum",
      period: 60,
      evaluationPeriods: 1,
      threshold: props.capacityPerTaskPerMinute,
      comparisonOperator: "GreaterThanThreshold",
      // No requests to the tasks is no overload.
      treatMissingData: "notBreaching",
      alarmActions: [props.scalerArn],
      count: props.count,
    });
  }
}
