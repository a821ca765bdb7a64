import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { functionLogGroupName } from "../../model/names";

export interface LambdaServiceProps {
  readonly functionName: string;
  /** Image to run, by digest (`<repository url>@sha256:...`). */
  readonly imageUri: string;
  /**
   * ARN of the function's role (`<service>-api-role`), which the bootstrap stack makes: its
   * log group and this table, minus the scaler's status item (stacks/bootstrap/api-role.ts).
   */
  readonly roleArn: string;
  /** The table the service reads and writes. */
  readonly table: DynamodbTable;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly logRetentionDays: number;
  /** What `/stack-status` reports as the running version (the image digest). */
  readonly version: string;
  /** @default unreserved (account pool) */
  readonly reservedConcurrency?: number;
  /** The app's own variables (`app.environment`); names the function already sets are refused. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * The Lambda tier: the image as a function (arm64) and its log group, run
 * with the bootstrap stack's role.
 */
export class LambdaService extends Construct {
  public readonly function: LambdaFunction;
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: LambdaServiceProps) {
    super(scope, id);
    if (props.timeoutSeconds > 29)
      throw new Error(
        `LambdaService ${id}: timeoutSeconds must be <= 29 (API Gateway's limit), got ${props.timeoutSeconds}`,
      );
    const own = {
      LAMBDAFLEX_STORE: "dynamodb",
      TABLE_NAME: props.table.name,
      LAMBDAFLEX_TIER: "lambda",
      LAMBDAFLEX_VERSION: props.version,
    };
    const clash = Object.keys(props.environment ?? {}).filter((name) => name in own);
    if (clash.length > 0)
      throw new Error(
        `LambdaService ${id}: environment must not set ${clash.join(", ")}, which the function sets itself`,
      );
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: functionLogGroupName(props.functionName),
      retentionInDays: props.logRetentionDays,
    });
    this.function = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      role: props.roleArn,
      packageType: "Image",
      imageUri: props.imageUri,
      architectures: ["arm64"],
      memorySize: props.memoryMb,
      timeout: props.timeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrency ?? -1,
      environment: { variables: { ...own, ...props.environment } },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
      // Created after, and destroyed before, the log group it writes to from its first invocation
      // (else Lambda creates an unmanaged one without retention); the role exists before core.
      dependsOn: [this.logGroup],
    });
  }
}
