import { Construct } from "constructs";
import { Fn } from "cdktf";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { serviceNames } from "../../model/names";
import { policyDocument } from "../policy";

/** Name of the permissions boundary every `<service>-task*` role must carry (the name table's). */
export const taskBoundaryName = (service: string): string => serviceNames(service).taskBoundary;

export interface TaskBoundaryProps {
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  /** The image repository the tasks pull from. */
  readonly repositoryArn: string;
  /** The tier's log group (the container's awslogs group). */
  readonly logGroupName: string;
}

/**
 * The permissions boundary of the Fargate tier's task and execution roles
 * (stacks/bootstrap/task-roles.ts). Both roles are this stack's, and no run
 * role may write IAM, but the boundary still caps them: whatever their inline
 * policies say now or after a later edit, a task can at most pull from the one
 * repository, write the tier's logs and use the service's tables.
 * `npm run synth:check` fails if either role loses it (scripts/security-checks.ts).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */
export class TaskBoundary extends Construct {
  public readonly policy: IamPolicy;

  constructor(scope: Construct, id: string, props: TaskBoundaryProps) {
    super(scope, id);
    if (!props.logGroupName.startsWith("/"))
      throw new Error(
        `TaskBoundary ${id}: logGroupName must be a log group name such as /ecs/${props.service}, got "${props.logGroupName}"`,
      );
    const arn = (service: string, resource: string) =>
      `arn:aws:${service}:${props.region}:${props.accountId}:${resource}`;
    const names = serviceNames(props.service);
    this.policy = new IamPolicy(this, "policy", {
      name: names.taskBoundary,
      description: `Upper bound of the ${props.service} Fargate task roles: pull the image, write the tier's logs, use the service's tables.`,
      policy: Fn.jsonencode(
        policyDocument([
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
            Resource: arn("logs", `log-group:${props.logGroupName}:*`),
          },
          {
            Sid: "Tables",
            Effect: "Allow",
            Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            Resource: arn("dynamodb", `table/${names.prefix}*`),
          },
        ]),
      ),
    });
  }
}
