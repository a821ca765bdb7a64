import { roleArn } from "../../../model/names";
import type { Statement } from "../../policy";
import type { PermissionScope } from "./scope";

/**
 * iam:PassRole on exactly the named roles, each passed only to `to` (the one service that runs with it):
 * the run roles write no IAM, they only hand the bootstrap stack's roles to Lambda or ECS.
 */
export const passRoleStatement = (sid: string, scope: PermissionScope, roles: string[], to: string): Statement => ({
  Sid: sid,
  Effect: "Allow",
  Action: ["iam:PassRole"],
  Resource: roles.map((name) => roleArn(scope.accountId, name)),
  Condition: { StringEquals: { "iam:PassedToService": to } },
});
