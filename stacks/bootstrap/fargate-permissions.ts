import type { Statement } from "../policy";
import { autoscalingStatements } from "./statements/application-autoscaling";
import { tierAlarmStatements } from "./statements/cloudwatch";
import { ec2Statements } from "./statements/ec2";
import { ecsServiceStatements } from "./statements/ecs";
import { elbStatements } from "./statements/elb";
import { scalerMinuteRuleStatements } from "./statements/events";
import { invokePermissionStatements } from "./statements/lambda";
import { tierRecordStatements } from "./statements/route53";
import { permissionScope, type PermissionScopeProps } from "./statements/scope";

/** What the fargate apply role's permissions are scoped to (the domain: the one record name the tier may change). */
export type FargatePermissionsProps = PermissionScopeProps;

/**
 * The fargate workspace's apply permissions, in parts (RunRole makes each a
 * managed policy): only the tier's own resources. ELBv2 and ECS by name
 * (`<service>-*`), EC2 by the service tag, Application Auto Scaling for ECS
 * services (and only the tier's), one record in the one zone, alarms named
 * `<service>-fargate-*` (not core's `<service>-*` alarms, which wake the
 * scaler while the tier is off), the scaler's per-minute rule with its invoke
 * permission, and the ALB's invoke permission on the service function
 * (weighted switch). No IAM action at all, and no task definition: core
 * registers the task definition from a released digest (its apply is
 * confirmed by a human), and this role may only create or update the service
 * with a revision of that family. So a commit under `deploy/fargate/`, which
 * this role applies unattended, can add or remove the tier and nothing more.
 * Core's outputs come from HCP Terraform remote state, which needs no AWS
 * permission; the tier's log group is only named (it belongs to the bootstrap
 * stack), so no Logs permission either. A `*` resource appears only for
 * actions without resource-level permissions (Describe/list calls), each with
 * a comment. The plan role gets the read actions of these (readOnlyPolicies).
 * Each AWS service's statements are in stacks/bootstrap/statements/.
 */
export function fargatePermissions(p: FargatePermissionsProps): Record<string, Statement[]> {
  const scope = permissionScope(p);
  return {
    network: ec2Statements(scope),
    "load-balancing": elbStatements(scope),
    containers: [...ecsServiceStatements(scope), ...autoscalingStatements(scope)],
    "dns-and-alarms": [
      ...tierRecordStatements(scope),
      ...tierAlarmStatements(scope),
      ...scalerMinuteRuleStatements(scope),
      ...invokePermissionStatements(scope),
    ],
  };
}
