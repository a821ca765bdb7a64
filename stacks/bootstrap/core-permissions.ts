import type { Statement } from "../policy";
import { certificateStatements } from "./statements/acm";
import { httpApiStatements } from "./statements/apigateway";
import { coreAlarmStatements } from "./statements/cloudwatch";
import { tableStatements } from "./statements/dynamodb";
import { imageReadStatements } from "./statements/ecr";
import { taskDefinitionStatements } from "./statements/ecs";
import { coreRuleStatements, scheduleGroupStatements } from "./statements/events";
import { passRoleStatement } from "./statements/iam";
import { functionStatements } from "./statements/lambda";
import { logStatements } from "./statements/logs";
import { coreRecordStatements } from "./statements/route53";
import { permissionScope, type PermissionScopeProps } from "./statements/scope";
import { topicStatements } from "./statements/sns";

/** What the core apply role's permissions are scoped to. */
export interface CorePermissionsProps extends PermissionScopeProps {
  /** The image repository's ARN (read only: core runs its images). */
  readonly repositoryArn: string;
}

/**
 * The core workspace's apply permissions, in parts (RunRole makes each a
 * managed policy): what the core stack manages (stacks/core-stack.ts,
 * stacks/core/*), scoped by the service's name where the service's ARNs carry
 * a name. API Gateway IDs and ACM certificate IDs are random, so those are
 * scoped to the region (and ACM changes to certificates carrying the service
 * tag). No IAM write: the functions' and the tasks' roles are the bootstrap
 * stack's, and the one `iam:` action is PassRole on exactly those roles, each
 * to the one service that runs with it. The plan role gets the read actions
 * of these (readOnlyPolicies). Each AWS service's statements are in
 * stacks/bootstrap/statements/.
 */
export function corePermissions(p: CorePermissionsProps): Record<string, Statement[]> {
  const scope = permissionScope(p);
  const roles = scope.names.roles;
  return {
    functions: [
      ...functionStatements(scope),
      ...imageReadStatements(p.repositoryArn),
      // Lambda checks iam:PassRole when a function is created or its role changes.
      passRoleStatement("PassFunctionRoles", scope, [roles.api, roles.scaler], "lambda.amazonaws.com"),
      ...coreRuleStatements(scope),
      ...scheduleGroupStatements(scope),
    ],
    api: [...httpApiStatements(scope), ...certificateStatements(scope), ...coreRecordStatements(scope)],
    "data-and-alerts": [
      ...tableStatements(scope),
      ...topicStatements(scope),
      ...coreAlarmStatements(scope),
      ...logStatements(scope),
    ],
    "task-definition": [
      ...taskDefinitionStatements(scope),
      // RegisterTaskDefinition checks iam:PassRole for the task role and the execution role.
      passRoleStatement("PassTaskRoles", scope, [roles.task, roles.taskExecution], "ecs-tasks.amazonaws.com"),
    ],
  };
}
