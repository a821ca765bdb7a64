import { Construct } from "constructs";
import { SCALER_STATUS_KEY } from "../../model/status-item";
import { denyWritesToItem } from "../policy";
import type { ServiceNames } from "../../model/names";
import { ServiceRole } from "./service-role";

export interface TaskRolesProps {
  readonly names: ServiceNames;
  readonly region: string;
  /** Account id (a cdktf token): trust and ARNs. */
  readonly accountId: string;
  /** The image repository (this stack's): the only one the tasks pull from. */
  readonly repositoryArn: string;
  /** The tier's log group (this stack's, kept across tiers). */
  readonly logGroupArn: string;
  /** The permissions boundary both roles carry (TaskBoundary). */
  readonly boundaryArn: string;
}

/**
 * The Fargate tier's two roles, made once here and never by a run: the
 * execution role (ECS pulls the image, from the one repository only, and
 * writes the container's logs with it) and the task role (the service's
 * code: its table, minus the scaler's status item). Both carry the
 * permissions boundary, so even an administrator's later edit cannot give a
 * task more than the tier needs. Core's apply passes them to ECS when it
 * registers the task definition.
 */
export class TaskRoles extends Construct {
  public readonly execution: ServiceRole;
  public readonly task: ServiceRole;

  constructor(scope: Construct, id: string, props: TaskRolesProps) {
    super(scope, id);
    const table = `arn:aws:dynamodb:${props.region}:${props.accountId}:table/${props.names.table}`;
    this.execution = new ServiceRole(this, "execution", {
      name: props.names.roles.taskExecution,
      assumedBy: "ecs-tasks.amazonaws.com",
      accountId: props.accountId,
      permissionsBoundary: props.boundaryArn,
      policyName: "pull-and-log",
      statements: [
        // GetAuthorizationToken has no resource-level permissions; AWS requires "*" for it.
        { Sid: "EcrAuth", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
        {
          Sid: "EcrPull",
          Effect: "Allow",
          Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
          Resource: props.repositoryArn,
        },
        {
          Sid: "Logs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${props.logGroupArn}:*`,
        },
      ],
    });
    this.task = new ServiceRole(this, "task", {
      name: props.names.roles.task,
      assumedBy: "ecs-tasks.amazonaws.com",
      accountId: props.accountId,
      permissionsBoundary: props.boundaryArn,
      policyName: "links-table",
      statements: [
        {
          Sid: "Links",
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
          Resource: table,
        },
        denyWritesToItem(table, SCALER_STATUS_KEY),
      ],
    });
  }
}
