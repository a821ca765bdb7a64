import type { Statement } from "../../policy";
import type { PermissionScope } from "./scope";

/** What a stack needs to manage its own metric alarms. */
const ALARM_ACTIONS = [
  "cloudwatch:DeleteAlarms",
  "cloudwatch:DescribeAlarms",
  "cloudwatch:ListTagsForResource",
  "cloudwatch:PutMetricAlarm",
  "cloudwatch:TagResource",
  "cloudwatch:UntagResource",
];

/** Core: the scaler's wake alarms (any `<service>-*` alarm) and the optional dashboard. */
export function coreAlarmStatements({ arn, names, accountId }: PermissionScope): Statement[] {
  const dashboard = (name: string) => `arn:aws:cloudwatch::${accountId}:dashboard/${name}`;
  return [
    {
      Sid: "Alarms",
      Effect: "Allow",
      Action: [...ALARM_ACTIONS],
      Resource: arn("cloudwatch", `alarm:${names.prefix}*`),
    },
    {
      Sid: "Dashboard",
      Effect: "Allow",
      Action: ["cloudwatch:DeleteDashboards", "cloudwatch:GetDashboard", "cloudwatch:PutDashboard"],
      Resource: [dashboard(names.dashboard), dashboard(`${names.prefix}*`)],
    },
  ];
}

/**
 * Fargate: the tier's alarms, named `<service>-fargate-*`; not core's `<service>-*` alarms, which
 * wake the scaler while the tier is off.
 */
export const tierAlarmStatements = ({ arn, names }: PermissionScope): Statement[] => [
  {
    Sid: "TierAlarms",
    Effect: "Allow",
    Action: [...ALARM_ACTIONS],
    Resource: arn("cloudwatch", `alarm:${names.tier.alarmPrefix}*`),
  },
];
