import type { Statement } from "../policy";
import { roleArn, serviceNames } from "../../model/names";
import { EVENT_RULE_ACTIONS } from "./run-role";
import { SERVICE_TAG_KEY } from "./service-tag";

/** What the core apply role's permissions are scoped to. */
export interface CorePermissionsProps {
  readonly service: string;
  readonly region: string;
  /** Account id (may be a cdktf token). */
  readonly accountId: string;
  readonly hostedZoneId: string;
  /** The service's domain: its records, certificate and API Gateway domain name. */
  readonly domain: string;
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
 * of these (readOnlyPolicies).
 */
export function corePermissions(p: CorePermissionsProps): Record<string, Statement[]> {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${p.region}:${p.accountId}:${resource}`;
  const s = p.service;
  const names = serviceNames(s);
  const zone = `arn:aws:route53:::hostedzone/${p.hostedZoneId}`;
  const apigw = (path: string) => `arn:aws:apigateway:${p.region}::${path}`;
  return {
    functions: [
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
        Resource: arn("lambda", `function:${s}-*`),
      },
      // The function is created from the image by digest; the repository itself is the bootstrap stack's.
      {
        Sid: "ImageRead",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:DescribeImages", "ecr:DescribeRepositories", "ecr:GetDownloadUrlForLayer", "ecr:ListTagsForResource"],
        Resource: p.repositoryArn,
      },
      // Lambda checks iam:PassRole when a function is created or its role changes.
      {
        Sid: "PassFunctionRoles",
        Effect: "Allow",
        Action: ["iam:PassRole"],
        Resource: [roleArn(p.accountId, names.roles.api), roleArn(p.accountId, names.roles.scaler)],
        Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
      },
      {
        Sid: "Schedule",
        Effect: "Allow",
        Action: [...EVENT_RULE_ACTIONS, "events:UntagResource"],
        Resource: arn("events", `rule/${s}-*`),
      },
      // The group the scaler's one-time re-arm schedules go in (stacks/core/wake-schedules.ts). Deleting
      // the group deletes its schedules with it; the schedules themselves are the scaler's, not Terraform's.
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
        Resource: arn("scheduler", `schedule-group/${s}-scaler`),
      },
    ],
    api: [
      // API and integration IDs are random, so the HTTP API is scoped to the region's APIs; the
      // custom domain to the service's domain.
      {
        Sid: "HttpApi",
        Effect: "Allow",
        Action: ["apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"],
        Resource: [apigw("/apis"), apigw("/apis/*"), apigw("/domainnames"), apigw(`/domainnames/${p.domain}`), apigw(`/domainnames/${p.domain}/*`), apigw("/tags/*")],
      },
      // RequestCertificate has no resource-level permissions ("*"); it is held to the one domain, DNS-validated.
      {
        Sid: "RequestCertificate",
        Effect: "Allow",
        Action: ["acm:RequestCertificate"],
        Resource: "*",
        Condition: { "ForAllValues:StringEquals": { "acm:DomainNames": [p.domain] }, StringEquals: { "acm:ValidationMethod": "DNS" } },
      },
      { Sid: "ReadCertificates", Effect: "Allow", Action: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"], Resource: arn("acm", "certificate/*") },
      {
        Sid: "TagNewCertificate",
        Effect: "Allow",
        Action: ["acm:AddTagsToCertificate"],
        Resource: arn("acm", "certificate/*"),
        Condition: { StringEquals: { [`aws:RequestTag/${SERVICE_TAG_KEY}`]: s } },
      },
      {
        Sid: "ChangeOwnCertificate",
        Effect: "Allow",
        Action: ["acm:DeleteCertificate", "acm:RemoveTagsFromCertificate"],
        Resource: arn("acm", "certificate/*"),
        Condition: { StringEquals: { [`aws:ResourceTag/${SERVICE_TAG_KEY}`]: s } },
      },
      // The service's A records (the "lambda" alias) and the certificate's _<token>.<domain> CNAME.
      {
        Sid: "Records",
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets"],
        Resource: zone,
        Condition: {
          "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": [p.domain, `_*.${p.domain}`] },
          "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["A", "CNAME"] },
        },
      },
      // aws_route53_record reads the zone (GetHostedZone, for its name) in every create, read, update
      // and delete, and lists the record sets. No ListTagsForResource: only the zone data source, gone
      // since issue 20, read the zone's tags.
      { Sid: "ZoneRead", Effect: "Allow", Action: ["route53:GetHostedZone", "route53:ListResourceRecordSets"], Resource: zone },
      { Sid: "ChangeStatus", Effect: "Allow", Action: ["route53:GetChange"], Resource: "arn:aws:route53:::change/*" },
    ],
    "data-and-alerts": [
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
        Resource: arn("dynamodb", `table/${s}-*`),
      },
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
        Resource: arn("sns", `${s}-*`),
      },
      {
        Sid: "Alarms",
        Effect: "Allow",
        Action: ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"],
        Resource: arn("cloudwatch", `alarm:${s}-*`),
      },
      {
        Sid: "Dashboard",
        Effect: "Allow",
        Action: ["cloudwatch:DeleteDashboards", "cloudwatch:GetDashboard", "cloudwatch:PutDashboard"],
        Resource: [`arn:aws:cloudwatch::${p.accountId}:dashboard/${s}`, `arn:aws:cloudwatch::${p.accountId}:dashboard/${s}-*`],
      },
      {
        Sid: "LogGroups",
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DeleteRetentionPolicy", "logs:ListTagsForResource", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource"],
        Resource: [arn("logs", `log-group:/aws/lambda/${s}-*`), arn("logs", `log-group:/aws/apigateway/${s}-*`)],
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
    ],
    // The Fargate tier's task definition (stacks/core/tier-task-definition.ts): registered here, from the
    // released digest, behind a human-confirmed apply; the fargate workspace only runs it.
    "task-definition": [
      {
        Sid: "TaskDefinitionFamily",
        Effect: "Allow",
        Action: ["ecs:ListTagsForResource", "ecs:RegisterTaskDefinition", "ecs:TagResource", "ecs:UntagResource"],
        Resource: arn("ecs", `task-definition/${names.taskFamily}:*`),
      },
      // These two have no resource types in the Service Authorization Reference; AWS requires "*".
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
      { Sid: "TaskDefinitionsAnyResource", Effect: "Allow", Action: ["ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition"], Resource: "*" },
      // RegisterTaskDefinition checks iam:PassRole for the task role and the execution role.
      {
        Sid: "PassTaskRoles",
        Effect: "Allow",
        Action: ["iam:PassRole"],
        Resource: [roleArn(p.accountId, names.roles.task), roleArn(p.accountId, names.roles.taskExecution)],
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
    ],
  };
}
