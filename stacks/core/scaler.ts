import { Construct } from "constructs";
import { AssetType, Fn, TerraformAsset } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SCALER_STATUS_KEY } from "../../service/scaler-status";
import type { ScalerSettings } from "../../scaler/settings";
import { assumeRolePolicy, policyDocument } from "../policy";

export interface ScalerProps {
  readonly functionName: string;
  /** Path of the deterministic deployment zip (dist/scaler.zip, from `npm run build`). */
  readonly zipPath: string;
  /** Runtime settings; may hold tokens (API id, table name). */
  readonly settings: ScalerSettings;
  /** The service's table, where the scaler publishes its status item. */
  readonly table: DynamodbTable;
  readonly hostedZoneId: string;
  readonly region: string;
  /** The account the scaler runs in (caller identity): trust policy, token parameters, alarm ARNs. */
  readonly accountId: string;
  /** Prefix of the alarms allowed to invoke the scaler (`<service>-`). */
  readonly alarmPrefix: string;
  readonly logRetentionDays: number;
  /** Enough for a clone, a push and a retry. @default 60 */
  readonly timeoutSeconds?: number;
  /**
   * Reserved concurrency. @default unreserved: Lambda keeps 100 of the account's concurrency
   * unreserved and new accounts start with a quota of 10, so reserving even 1 fails there.
   * Two scalers at once are safe (the git push is the lock).
   */
  readonly reservedConcurrency?: number;
}

/**
 * The scaler Lambda: the bundled reconciler as a zip asset (arm64), run
 * every minute by EventBridge and invoked by the demand alarms (a failed run
 * is not retried: the next one comes a minute later), with a role that can do
 * only what it does.
 */
export class Scaler extends Construct {
  public readonly function: LambdaFunction;
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: ScalerProps) {
    super(scope, id);
    const timeout = props.timeoutSeconds ?? 60;
    if (timeout < 30 || timeout > 300) throw new Error(`Scaler ${id}: timeoutSeconds must be 30-300 to fit a clone, push and retry, got ${timeout}`);
    const asset = new TerraformAsset(this, "code", { path: props.zipPath, type: AssetType.FILE });
    if (props.reservedConcurrency !== undefined && props.reservedConcurrency < 1) {
      throw new Error(`Scaler ${id}: reservedConcurrency must be >= 1 or unset, got ${props.reservedConcurrency}`);
    }
    // The git token, and the Terraform Cloud token only when Terraform Cloud is configured.
    const tokenNames = [props.settings.git.tokenParameterName, ...(props.settings.terraformCloud ? [props.settings.terraformCloud.tokenParameterName] : [])];
    const tokenArns = tokenNames.map((name) => `arn:aws:ssm:${props.region}:${props.accountId}:parameter${name}`);
    this.logGroup = new CloudwatchLogGroup(this, "logs", { name: `/aws/lambda/${props.functionName}`, retentionInDays: props.logRetentionDays });
    const role = new IamRole(this, "role", { name: `${props.functionName}-role`, assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", props.accountId) });
    const policy = new IamRolePolicy(this, "policy", {
      role: role.id,
      name: "scaler",
      policy: Fn.jsonencode(
        policyDocument([
          { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${this.logGroup.arn}:*` },
          // GetMetricData has no resource-level permissions; AWS requires "*".
          { Sid: "Metrics", Effect: "Allow", Action: ["cloudwatch:GetMetricData"], Resource: "*" },
          // Finds the tier's ALB and target group by name for exact metric dimensions, and reads target health
          // without CloudWatch's lag. ELBv2 Describe* actions have no resource types, so AWS requires "*":
          // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
          {
            Sid: "LoadBalancers",
            Effect: "Allow",
            Action: ["elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"],
            Resource: "*",
          },
          { Sid: "Records", Effect: "Allow", Action: ["route53:ListResourceRecordSets"], Resource: `arn:aws:route53:::hostedzone/${props.hostedZoneId}` },
          // SecureStrings under the AWS-managed aws/ssm key, whose key policy lets every principal of the
          // account decrypt through SSM: GetParameter with decryption is all it takes, no kms:Decrypt grant.
          // https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html
          { Sid: "Tokens", Effect: "Allow", Action: ["ssm:GetParameter"], Resource: tokenArns },
          {
            Sid: "StatusItemOnly",
            Effect: "Allow",
            Action: ["dynamodb:PutItem"],
            Resource: props.table.arn,
            Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [SCALER_STATUS_KEY] } },
          },
        ]),
      ),
    });
    this.function = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      role: role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: Fn.filebase64sha256(asset.path),
      memorySize: 256,
      timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { variables: { LAMBDAFLEX_SCALER_SETTINGS: Fn.jsonencode(props.settings), NODE_OPTIONS: "--enable-source-maps" } },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
      dependsOn: [this.logGroup, policy],
    });
    // Every run reads the world afresh and the schedule fires again a minute later, so a retried or
    // queued event is only a stale duplicate that costs money and can overlap the next run. Drop it:
    // no retries (default 2) and at most 60 s in the async queue (default 21600; 60 is the minimum).
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
    new LambdaFunctionEventInvokeConfig(this, "async", {
      functionName: this.function.functionName,
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 60,
    });

    const schedule = new CloudwatchEventRule(this, "every-minute", { name: `${props.functionName}-every-minute`, scheduleExpression: "rate(1 minute)" });
    new CloudwatchEventTarget(this, "schedule-target", { rule: schedule.name, arn: this.function.arn });
    new LambdaPermission(this, "from-schedule", {
      statementId: "AllowSchedule",
      action: "lambda:InvokeFunction",
      functionName: this.function.functionName,
      principal: "events.amazonaws.com",
      sourceArn: schedule.arn,
    });
    new LambdaPermission(this, "from-alarms", {
      statementId: "AllowDemandAlarms",
      action: "lambda:InvokeFunction",
      functionName: this.function.functionName,
      principal: "lambda.alarms.cloudwatch.amazonaws.com",
      sourceAccount: props.accountId,
      sourceArn: `arn:aws:cloudwatch:${props.region}:${props.accountId}:alarm:${props.alarmPrefix}*`,
    });
  }
}
