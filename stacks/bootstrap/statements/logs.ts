import { functionLogGroupName, httpApiLogGroupName } from "../../../model/names";
import type { Statement } from "../../policy";
import type { PermissionScope } from "./scope";

/** Core: the functions' and the HTTP API's log groups, and the delivery of the API's access logs. */
export const logStatements = ({ arn, names }: PermissionScope): Statement[] => [
  {
    Sid: "LogGroups",
    Effect: "Allow",
    Action: [
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:DeleteRetentionPolicy",
      "logs:ListTagsForResource",
      "logs:PutRetentionPolicy",
      "logs:TagResource",
      "logs:UntagResource",
    ],
    Resource: [
      arn("logs", `log-group:${functionLogGroupName(names.prefix)}*`),
      arn("logs", `log-group:${httpApiLogGroupName(names.prefix)}*`),
    ],
  },
  // DescribeLogGroups and the log-delivery actions (API Gateway's access logs are delivered by
  // CloudWatch Logs on the caller's behalf) have no resource-level permissions; AWS requires "*".
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html
  {
    Sid: "LogDelivery",
    Effect: "Allow",
    Action: [
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:UpdateLogDelivery",
    ],
    Resource: "*",
  },
];
