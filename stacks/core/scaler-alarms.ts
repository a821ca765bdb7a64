import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

export interface ScalerAlarmsProps {
  /** Alarm name prefix; the scaler accepts invocations from `<prefix>*` alarms. */
  readonly prefix: string;
  readonly service: string;
  readonly scalerArn: string;
  readonly scalerFunctionName: string;
  readonly apiId: string;
  readonly serviceFunctionName: string;
  readonly alertTopicArn: string;
  /** Requests per minute on the Lambda tier that count as high demand. */
  readonly highDemandPerMinute: number;
}

/**
 * Alarms that wake the scaler early (high demand and throttling on the Lambda
 * tier) and alarms that page operators (scaler errors, a stuck tier).
 * The scaler runs every minute anyway; these only shorten the reaction time.
 */
export class ScalerAlarms extends Construct {
  constructor(scope: Construct, id: string, props: ScalerAlarmsProps) {
    super(scope, id);
    if (props.highDemandPerMinute <= 0) throw new Error(`ScalerAlarms ${id}: highDemandPerMinute must be > 0, got ${props.highDemandPerMinute}`);
    // One-minute alarms where no datapoint means nothing happened.
    const perMinute = { period: 60, treatMissingData: "notBreaching" } as const;
    const page = { alarmActions: [props.alertTopicArn], okActions: [props.alertTopicArn] };
    new CloudwatchMetricAlarm(this, "high-demand", {
      alarmName: `${props.prefix}lambda-high-demand`,
      alarmDescription: "Demand on the Lambda tier is above the scale-up threshold; wakes the scaler.",
      namespace: "AWS/ApiGateway",
      metricName: "Count",
      dimensions: { ApiId: props.apiId },
      statistic: "Sum",
      evaluationPeriods: 2,
      threshold: props.highDemandPerMinute,
      comparisonOperator: "GreaterThanThreshold",
      alarmActions: [props.scalerArn],
      ...perMinute,
    });
    new CloudwatchMetricAlarm(this, "throttles", {
      alarmName: `${props.prefix}lambda-throttles`,
      alarmDescription: "The service's Lambda is throttling; wakes the scaler.",
      namespace: "AWS/Lambda",
      metricName: "Throttles",
      dimensions: { FunctionName: props.serviceFunctionName },
      statistic: "Sum",
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      alarmActions: [props.scalerArn],
      ...perMinute,
    });
    new CloudwatchMetricAlarm(this, "scaler-errors", {
      alarmName: `${props.prefix}scaler-errors`,
      alarmDescription: "The scaler failed 3 minutes in a row (git, the SSM token parameters or a bug); tier changes are not happening.",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: props.scalerFunctionName },
      statistic: "Sum",
      evaluationPeriods: 3,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      ...perMinute,
      ...page,
    });
    new CloudwatchMetricAlarm(this, "stuck", {
      alarmName: `${props.prefix}tier-stuck`,
      alarmDescription: "The scaler reports a stuck tier (warming without healthy hosts, a lagging Terraform apply, an unhealthy serving tier, or a corrupt toggle).",
      namespace: "LambdaFlex",
      metricName: "ScalerAlerts",
      dimensions: { Service: props.service },
      statistic: "Maximum",
      evaluationPeriods: 3,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      ...perMinute,
      ...page,
    });
  }
}
