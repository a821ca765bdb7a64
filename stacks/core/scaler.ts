import { Construct } from "constructs";
import { AssetType, Fn, TerraformAsset } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { ScalerSettings } from "../../scaler/settings";
import { functionLogGroupName } from "../../model/names";

export interface ScalerProps {
  readonly functionName: string;
  /** Path of the deterministic deployment zip (dist/scaler.zip, from `npm run build`). */
  readonly zipPath: string;
  /**
   * Runtime settings; may hold tokens (API id, table name, topic ARN). The bootstrap stack's
   * role for the scaler is built from the same scalerSettingsFrom (stacks/bootstrap/scaler-role.ts).
   */
  readonly settings: ScalerSettings;
  /** ARN of the scaler's role (`<service>-scaler-role`), which the bootstrap stack makes. */
  readonly roleArn: string;
  readonly region: string;
  /** The account the scaler runs in (caller identity): the alarms that may invoke it. */
  readonly accountId: string;
  /** The hourly rule (`<service>-scaler-heartbeat`). */
  readonly heartbeatRuleName: string;
  /** Prefix of the alarms allowed to invoke the scaler (`<service>-`). */
  readonly alarmPrefix: string;
  readonly logRetentionDays: number;
  /**
   * The always-on schedule while the tier is off; the wake alarms and the fargate stack's
   * per-minute rule (while the tier exists) do the rest. Every rule invocation bills.
   * @default "rate(1 hour)"
   */
  readonly heartbeat?: string;
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
 * The scaler Lambda: the bundled reconciler as a zip asset (arm64), run by an
 * hourly heartbeat, by the wake alarms and its own one-time schedules while
 * the tier is off, and every minute by the fargate stack's rule while the
 * tier exists. A failed run is not retried (the next one comes soon) but goes
 * to the alert topic. Its role (the bootstrap stack's) can do only what it does.
 */
export class Scaler extends Construct {
  public readonly function: LambdaFunction;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly heartbeat: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: ScalerProps) {
    super(scope, id);
    const timeout = props.timeoutSeconds ?? 60;
    if (timeout < 30 || timeout > 300)
      throw new Error(`Scaler ${id}: timeoutSeconds must be 30-300 to fit a clone, push and retry, got ${timeout}`);
    if (props.reservedConcurrency !== undefined && props.reservedConcurrency < 1) {
      throw new Error(`Scaler ${id}: reservedConcurrency must be >= 1 or unset, got ${props.reservedConcurrency}`);
    }
    if (!props.settings.wake.scalerArn.endsWith(`:function:${props.functionName}`)) {
      throw new Error(
        `Scaler ${id}: settings.wake.scalerArn (${props.settings.wake.scalerArn}) must name this function, ${props.functionName}; the re-arm schedules invoke it`,
      );
    }
    const asset = new TerraformAsset(this, "code", { path: props.zipPath, type: AssetType.FILE });
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: functionLogGroupName(props.functionName),
      retentionInDays: props.logRetentionDays,
    });
    this.function = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      role: props.roleArn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: Fn.filebase64sha256(asset.path),
      memorySize: 256,
      timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        variables: { LAMBDAFLEX_SCALER_SETTINGS: Fn.jsonencode(props.settings), NODE_OPTIONS: "--enable-source-maps" },
      },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
      dependsOn: [this.logGroup],
    });
    // Every run reads the world afresh and another trigger comes soon, so a retried or queued event
    // is only a stale duplicate that costs money and can overlap the next run. Drop it: no retries
    // (default 2) and at most 60 s in the async queue (default 21600; 60 is the minimum). A run that
    // fails or expires goes to the alert topic instead of a paging alarm, which would bill $0.10 a
    // month while quiet; Lambda publishes with the function's role (sns:Publish, statement "Alerts").
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
    new LambdaFunctionEventInvokeConfig(this, "async", {
      functionName: this.function.functionName,
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 60,
      destinationConfig: { onFailure: { destination: props.settings.alertTopicArn } },
    });

    this.heartbeat = new CloudwatchEventRule(this, "heartbeat", {
      name: props.heartbeatRuleName,
      scheduleExpression: props.heartbeat ?? "rate(1 hour)",
    });
    new CloudwatchEventTarget(this, "heartbeat-target", { rule: this.heartbeat.name, arn: this.function.arn });
    new LambdaPermission(this, "from-heartbeat", {
      statementId: "AllowHeartbeat",
      action: "lambda:InvokeFunction",
      functionName: this.function.functionName,
      principal: "events.amazonaws.com",
      sourceArn: this.heartbeat.arn,
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
