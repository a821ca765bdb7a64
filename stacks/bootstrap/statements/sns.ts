import type { Statement } from "../../policy";
import type { PermissionScope } from "./scope";

/** Core: the alert topic and its subscriptions. */
export const topicStatements = ({ arn, names }: PermissionScope): Statement[] => [
  {
    Sid: "Topic",
    Effect: "Allow",
    Action: [
      "sns:CreateTopic",
      "sns:DeleteTopic",
      "sns:GetSubscriptionAttributes",
      "sns:GetTopicAttributes",
      "sns:ListTagsForResource",
      "sns:SetSubscriptionAttributes",
      "sns:SetTopicAttributes",
      "sns:Subscribe",
      "sns:TagResource",
      "sns:Unsubscribe",
      "sns:UntagResource",
    ],
    // Covers the topic and its subscriptions (`<topic arn>:<id>`).
    Resource: arn("sns", `${names.prefix}*`),
  },
];
