import { Construct } from "constructs";
import { Fn } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SCALER_STATUS_KEY } from "../../service/scaler-status";
import { taskBoundaryName } from "../bootstrap/task-boundary";
import { only } from "../conditional";
import { assumeRolePolicy, denyWritesToItem, policyDocument } from "../policy";

export interface TaskRolesProps {
  /** Role name prefix (the service's name). */
  readonly name: string;
  readonly region: string;
  /** The account the tasks run in; both roles trust ECS only on this account's behalf. */
  readonly accountId: string;
  /** The image repository's ARN (the tasks pull only from it). */
  readonly imageRepositoryArn: string;
  /** The tier's log group, created by the bootstrap stack and kept across tiers. */
  readonly logGroupName: string;
  readonly tableArn: string;
  /** Terraform count: 1 while the tier exists. */
  readonly count: number;
}

/**
 * The task execution role (ECS pulls the image and writes the container's
 * logs with it) and the task role (the service's code: its table, minus the
 * scaler's status item). Both carry the bootstrap stack's permissions
 * boundary: the fargate run role may create `<service>-task*` roles only with it.
 */
export class TaskRoles extends Construct {
  public readonly executionRoleArn: string;
  public readonly taskRoleArn: string;
  /** The roles' permissions: the ECS service depends on them, so on destroy its draining tasks stop before these go. */
  public readonly policies: IamRolePolicy[];

  constructor(scope: Construct, id: string, props: TaskRolesProps) {
    super(scope, id);
    const count = props.count;
    const trust = assumeRolePolicy("ecs-tasks.amazonaws.com", props.accountId);
    const permissionsBoundary = `arn:aws:iam::${props.accountId}:policy/${taskBoundaryName(props.name)}`;
    const logGroupArn = `arn:aws:logs:${props.region}:${props.accountId}:log-group:${props.logGroupName}`;

    const execution = new IamRole(this, "execution-role", { name: `${props.name}-task-execution`, assumeRolePolicy: trust, permissionsBoundary, count });
    const executionPolicy = new IamRolePolicy(this, "execution-policy", {
      role: only(execution, "id"),
      name: "pull-and-log",
      policy: Fn.jsonencode(
        policyDocument([
          // GetAuthorizationToken has no resource-level permissions; AWS requires "*" for it.
          { Sid: "EcrAuth", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
          { Sid: "EcrPull", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: props.imageRepositoryArn },
          { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` },
        ]),
      ),
      count,
    });
    const task = new IamRole(this, "task-role", { name: `${props.name}-task`, assumeRolePolicy: trust, permissionsBoundary, count });
    const taskPolicy = new IamRolePolicy(this, "task-policy", {
      role: only(task, "id"),
      name: "links-table",
      policy: Fn.jsonencode(
        policyDocument([
          { Sid: "Links", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], Resource: props.tableArn },
          denyWritesToItem(props.tableArn, SCALER_STATUS_KEY),
        ]),
      ),
      count,
    });
    this.executionRoleArn = only(execution, "arn");
    this.taskRoleArn = only(task, "arn");
    this.policies = [executionPolicy, taskPolicy];
  }
}
