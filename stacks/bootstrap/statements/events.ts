import type { Statement } from "../../policy";
import { EVENT_RULE_ACTIONS } from "../run-role";
import type { PermissionScope } from "./scope";

/** Core: the scaler's heartbeat rule and any other `<service>-*` rule, with their targets. */
export const coreRuleStatements = ({ arn, names }: PermissionScope): Statement[] => [
  {
    Sid: "Schedule",
    Effect: "Allow",
    Action: [...EVENT_RULE_ACTIONS, "events:UntagResource"],
    Resource: arn("events", `rule/${names.prefix}*`),
  },
];

/**
 * Core: the group the scaler's one-time re-arm schedules go in (stacks/core/wake-schedules.ts). Deleting
 * the group deletes its schedules with it; the schedules themselves are the scaler's, not Terraform's.
 */
export const scheduleGroupStatements = ({ arn, names }: PermissionScope): Statement[] => [
  {
    Sid: "ScheduleGroup",
    Effect: "Allow",
    Action: [
      "scheduler:CreateScheduleGroup",
      "scheduler:DeleteScheduleGroup",
      "scheduler:GetScheduleGroup",
      "scheduler:ListTagsForResource",
      "scheduler:TagResource",
      "scheduler:UntagResource",
    ],
    Resource: arn("scheduler", `schedule-group/${names.scheduleGroup}`),
  },
];

/**
 * Fargate: the rule that runs core's scaler every minute while the tier exists
 * (stacks/fargate/scaler-minute.ts): that one rule and its target.
 */
export const scalerMinuteRuleStatements = ({ arn, names }: PermissionScope): Statement[] => [
  {
    Sid: "ScalerMinuteRule",
    Effect: "Allow",
    Action: [...EVENT_RULE_ACTIONS],
    Resource: arn("events", `rule/${names.tier.scalerMinuteRule}`),
  },
];
