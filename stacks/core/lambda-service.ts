import { Construct } from "constructs";
import { Fn } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SCALER_STATUS_KEY } from "../../service/scaler-status";
import { assumeRolePolicy, denyWritesToItem, policyDocument } from "../policy";

export interface LambdaServiceProps {
  readonly functionName: string;
  /** Image to run, by digest (`<repository url>@sha256:...`). */
  readonly imageUri: string;
  /** The account the function runs in; its role trusts Lambda only on this account's behalf. */
  readonly accountId: string;
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
 * The Lambda tier: the image as a function (arm64), its log group, and a role
 * limited to its table, minus the scaler's status item.
 */
export class LambdaService extends Construct {
  public readonly function: LambdaFunction;
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: LambdaServiceProps) {
    super(scope, id);
    if (props.timeoutSeconds > 29) throw new Error(`LambdaService ${id}: timeoutSeconds must be <= 29 (API Gateway's limit), got ${props.timeoutSeconds}`);
    const own = {
      LAMBDAFLEX_STORE: "dynamodb",
      TABLE_NAME: props.table.name,
      LAMBDAFLEX_TIER: "lambda",
      LAMBDAFLEX_VERSION: props.version,
    };
    const clash = Object.keys(props.environment ?? {}).filter((name) => name in own);
    if (clash.length > 0) throw new Error(`LambdaService ${id}: environment must not set ${clash.join(", ")}, which the function sets itself`);
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays,
    });
    const role = new IamRole(this, "role", {
      name: `${props.functionName}-role`,
      assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", props.accountId),
    });
    const policy = new IamRolePolicy(this, "policy", {
      role: role.id,
      name: "service",
      policy: Fn.jsonencode(
        policyDocument([
          { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${this.logGroup.arn}:*` },
          {
            Sid: "Links",
            Effect: "Allow",
            Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            Resource: props.table.arn,
          },
          denyWritesToItem(props.table.arn, SCALER_STATUS_KEY),
        ]),
      ),
    });
    this.function = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      role: role.arn,
      packageType: "Image",
      imageUri: props.imageUri,
      architectures: ["arm64"],
      memorySize: props.memoryMb,
      timeout: props.timeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrency ?? -1,
      environment: { variables: { ...own, ...props.environment } },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
      // Created after, and destroyed before, what it needs from its first invocation: the log group
      // (else Lambda creates an unmanaged one without retention) and the role's permissions.
      dependsOn: [this.logGroup, policy],
    });
  }
}
