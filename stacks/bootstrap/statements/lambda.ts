import type { Statement } from "../../policy";
import type { PermissionScope } from "./scope";

/** Core: the service's functions (`<service>-*`), their concurrency, invoke config and resource policies. */
export const functionStatements = ({ arn, names }: PermissionScope): Statement[] => [
  {
    Sid: "Functions",
    Effect: "Allow",
    Action: [
      "lambda:AddPermission",
      "lambda:CreateFunction",
      "lambda:DeleteFunction",
      "lambda:DeleteFunctionConcurrency",
      "lambda:DeleteFunctionEventInvokeConfig",
      "lambda:GetFunction",
      "lambda:GetFunctionCodeSigningConfig",
      "lambda:GetFunctionConfiguration",
      "lambda:GetFunctionEventInvokeConfig",
      "lambda:GetPolicy",
      "lambda:ListTags",
      "lambda:ListVersionsByFunction",
      "lambda:PutFunctionConcurrency",
      "lambda:PutFunctionEventInvokeConfig",
      "lambda:RemovePermission",
      "lambda:TagResource",
      "lambda:UntagResource",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:UpdateFunctionEventInvokeConfig",
    ],
    Resource: arn("lambda", `function:${names.prefix}*`),
  },
];

/**
 * Fargate: statements in core's functions' resource policies, nothing more. The scaler's lets
 * EventBridge invoke it (the per-minute rule, stacks/fargate/scaler-minute.ts); with the weighted
 * switch (stacks/fargate/lambda-target.ts) the service function's lets the ALB's Lambda target group
 * invoke it, only an ELB principal, and the stack scopes it to that target group.
 */
export function invokePermissionStatements({ arn, names }: PermissionScope): Statement[] {
  const scaler = arn("lambda", `function:${names.scalerFunction}`);
  const api = arn("lambda", `function:${names.apiFunction}`);
  return [
    {
      Sid: "ScalerMinuteInvoke",
      Effect: "Allow",
      Action: ["lambda:AddPermission"],
      Resource: scaler,
      Condition: { StringEquals: { "lambda:Principal": "events.amazonaws.com" } },
    },
    {
      Sid: "AlbInvoke",
      Effect: "Allow",
      Action: ["lambda:AddPermission"],
      Resource: api,
      Condition: { StringEquals: { "lambda:Principal": "elasticloadbalancing.amazonaws.com" } },
    },
    // Reading and removing those two statements.
    {
      Sid: "InvokeRead",
      Effect: "Allow",
      Action: ["lambda:GetPolicy", "lambda:RemovePermission"],
      Resource: [scaler, api],
    },
  ];
}
