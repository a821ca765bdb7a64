import { SCALER_STATUS_KEY } from "../../model/status-item";
import type { ScalerSettings } from "../../scaler/settings";
import type { Statement } from "../policy";

/** The scaler's settings its statements read; not the API id, which GetMetricData (Resource "*") never needs. */
export type ScalerRoleSettings = Pick<
  ScalerSettings,
  "policy" | "git" | "wake" | "alertTopicArn" | "hostedZoneId" | "terraformCloud"
> & {
  readonly targets: Pick<ScalerSettings["targets"], "albName">;
};

export interface ScalerPolicyProps {
  /**
   * The settings, from the same scalerSettingsFrom the core stack configures the function with,
   * so the wake alarms, schedule group, scheduler role and topic the role names are the ones it uses.
   */
  readonly settings: ScalerRoleSettings;
  readonly region: string;
  /** Account id (may be a cdktf token). */
  readonly accountId: string;
  /** The scaler's log group ARN. */
  readonly logGroupArn: string;
  /** The service's table ARN (the status item lives there). */
  readonly tableArn: string;
}

/**
 * The scaler role's statements: each names its actions and scopes its
 * resources; a `*` resource only where AWS has no resource-level permission.
 */
export function scalerStatements(p: ScalerPolicyProps): Statement[] {
  const s = p.settings;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${p.region}:${p.accountId}:${resource}`;
  // The git token, and the Terraform Cloud token only when Terraform Cloud is configured.
  const weighted = s.policy.fargateSwitch === "weighted";
  const tokenNames = [s.git.tokenParameterName, ...(s.terraformCloud ? [s.terraformCloud.tokenParameterName] : [])];
  return [
    {
      Sid: "Logs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${p.logGroupArn}:*`,
    },
    // GetMetricData has no resource-level permissions; AWS requires "*".
    { Sid: "Metrics", Effect: "Allow", Action: ["cloudwatch:GetMetricData"], Resource: "*" },
    // While the tier is off: is a wake alarm still in ALARM (its Lambda action fires only on the transition)?
    {
      Sid: "WakeAlarms",
      Effect: "Allow",
      Action: ["cloudwatch:DescribeAlarms"],
      Resource: s.wake.alarmNames.map((name) => arn("cloudwatch", `alarm:${name}`)),
    },
    // ... then re-arm with a one-time schedule (ActionAfterCompletion DELETE) in its own group, run as the scheduler role.
    {
      Sid: "ReArm",
      Effect: "Allow",
      Action: ["scheduler:CreateSchedule"],
      Resource: arn("scheduler", `schedule/${s.wake.scheduleGroup}/*`),
    },
    {
      Sid: "PassSchedulerRole",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: s.wake.schedulerRoleArn,
      Condition: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
    },
    // Each new alert, published by the scaler itself, and (the function's on-failure destination) a failed run.
    { Sid: "Alerts", Effect: "Allow", Action: ["sns:Publish"], Resource: s.alertTopicArn },
    // Finds the tier's ALB and target group by name for exact metric dimensions, and reads target health
    // without CloudWatch's lag. ELBv2 Describe* actions have no resource types, so AWS requires "*":
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
    // With the weighted switch it also reads the listeners (the HTTPS one carries the weights).
    {
      Sid: "LoadBalancers",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
        ...(weighted ? ["elasticloadbalancing:DescribeListeners"] : []),
      ],
      Resource: "*",
    },
    // Weighted switch: the listener's weights are runtime state the scaler owns (canary, spill-over,
    // instant drain take seconds, not a Terraform run); only the listeners of this service's ALB.
    ...(weighted
      ? [
          {
            Sid: "ListenerWeights",
            Effect: "Allow" as const,
            Action: ["elasticloadbalancing:ModifyListener"],
            Resource: arn("elasticloadbalancing", `listener/app/${s.targets.albName}/*`),
          },
        ]
      : []),
    {
      Sid: "Records",
      Effect: "Allow",
      Action: ["route53:ListResourceRecordSets"],
      Resource: `arn:aws:route53:::hostedzone/${s.hostedZoneId}`,
    },
    // SecureStrings under the AWS-managed aws/ssm key, whose key policy lets every principal of the
    // account decrypt through SSM: GetParameter with decryption is all it takes, no kms:Decrypt grant.
    // https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html
    {
      Sid: "Tokens",
      Effect: "Allow",
      Action: ["ssm:GetParameter"],
      Resource: tokenNames.map((name) => arn("ssm", `parameter${name}`)),
    },
    // Reads its status first and writes it only when it changed.
    {
      Sid: "StatusItemOnly",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
      Resource: p.tableArn,
      Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [SCALER_STATUS_KEY] } },
    },
  ];
}
