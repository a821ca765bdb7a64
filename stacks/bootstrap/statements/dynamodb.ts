import type { Statement } from "../../policy";
import type { PermissionScope } from "./scope";

/** Core: the service's tables (`<service>-*`), their backups and TTL. */
export const tableStatements = ({ arn, names }: PermissionScope): Statement[] => [
  {
    Sid: "Table",
    Effect: "Allow",
    Action: [
      "dynamodb:CreateTable",
      "dynamodb:DeleteTable",
      "dynamodb:DescribeContinuousBackups",
      "dynamodb:DescribeTable",
      "dynamodb:DescribeTimeToLive",
      "dynamodb:ListTagsOfResource",
      "dynamodb:TagResource",
      "dynamodb:UntagResource",
      "dynamodb:UpdateContinuousBackups",
      "dynamodb:UpdateTable",
    ],
    Resource: arn("dynamodb", `table/${names.prefix}*`),
  },
];
