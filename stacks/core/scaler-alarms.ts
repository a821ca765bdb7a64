import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

export interface ScalerAlarmsProps {
  /** The alarms' names; they start with the `<service>-` prefix the scaler accepts invocations from. */
  readonly demandAlarmName: string;
  readonly throttlesAlarmName: string;
  /** The scaler function's ARN: each alarm's Lambda action. */
  readonly scalerArn: string;
  readonly apiId: string;
  readonly serviceFunctionName: string;
  /** Requests per minute on the Lambda tier that count as high demand (upThresholdRps x 60). */
  readonly highDemandPerMinute: number;
}

/**
 * The two alarms that wake the scaler while the Fargate tier is off (it then
 * runs only hourly), the only alarms core bills ($0.10 each a month). Alerts
 * need no alarm: the scaler publishes each new one to the topic itself, and a
 * failed run reaches the topic through the function's on-failure destination.
 * An alarm's Lambda action fires once, on the transition to ALARM; the scaler
 * re-arms itself with one-time schedules while one stays there.
 */
export class ScalerAlarms extends Construct {
  public readonly alarms: CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: ScalerAlarmsProps) {
    super(scope, id);
    if (props.highDemandPerMinute <= 0)
      throw new Error(`ScalerAlarms ${id}: highDemandPerMinute must be > 0, got ${props.highDemandPerMinute}`);
    // One-minute alarms where no datapoint means nothing happened; each invokes the scaler.
    const wake = {
      period: 60,
      statistic: "Sum",
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [props.scalerArn],
    };
    this.alarms = [
      new CloudwatchMetricAlarm(this, "demand", {
        alarmName: props.demandAlarmName,
        alarmDescription:
          "Demand on the Lambda tier is above the scale-up threshold in 3 of 5 minutes; wakes the scaler. Count includes requests the stage throttled (429), so this covers stage throttling too.",
        namespace: "AWS/ApiGateway",
        metricName: "Count",
        dimensions: { ApiId: props.apiId },
        threshold: props.highDemandPerMinute,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        ...wake,
      }),
      new CloudwatchMetricAlarm(this, "throttles", {
        alarmName: props.throttlesAlarmName,
        alarmDescription: "The service's Lambda function is throttling; wakes the scaler.",
        namespace: "AWS/Lambda",
        metricName: "Throttles",
        dimensions: { FunctionName: props.serviceFunctionName },
        threshold: 0,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        ...wake,
      }),
    ];
  }
}
