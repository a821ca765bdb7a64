/**
 * Filling the Service Authorization Reference's ARN formats from a request's params.
 * SAR/ below: https://docs.aws.amazon.com/service-authorization/latest/reference/
 */
import type { Lookups } from "./iam-request";
import { SERVICE_LINKED_ROLES } from "./on-behalf";
import { param, str, tail } from "./params";

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
  TaskDefinitionFamilyName: (p) =>
    str(param(p, "family") ?? param(p, "taskDefinition"))
      ?.replace(/^arn:.*:task-definition\//, "")
      .split(":")[0],
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
function variable(
  name: string,
  p: Record<string, unknown>,
  service: string,
  l: Lookups,
  region: string,
): string | string[] | undefined {
  if (name === "Partition") return "aws";
  if (name === "Region") return region;
  if (name === "Account") return str(param(p, "registryId")) ?? l.account;
  const fromLookup = l.arnVariable?.(service, name, p);
  if (fromLookup) return fromLookup;
  if (name in VARIABLES) return VARIABLES[name]!(p, l);
  const stem = name.replace(/(Name|Id)$/, "");
  for (const candidate of [
    name,
    stem,
    `${stem}s`,
    `${stem}Names`,
    `${stem}Arn`,
    ...(name.endsWith("Name") ? ["Name"] : []),
  ]) {
    const v = param(p, candidate);
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return (v as string[]).map(tail);
    const s = str(v);
    if (s) return tail(s);
  }
  return undefined;
}

/** One ARN format as a regex matching ARNs of that type (partition, region and account any value). */
export function arnPattern(format: string): RegExp {
  const parts = format.split(/(\$\{[^}]+\})/).map((part) => {
    const m = /^\$\{([^}]+)\}$/.exec(part);
    if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return ["Partition", "Region", "Account"].includes(m[1]!) ? "[^:]*" : ".+";
  });
  return new RegExp(`^${parts.join("")}$`);
}

export const formats = (arn: string) => arn.split(",").map((s) => s.trim());

/** Fill an ARN format from params; an id the request lacks (a resource being created) becomes "*". */
export function fill(
  format: string,
  p: Record<string, unknown>,
  service: string,
  l: Lookups,
  region: string,
): string[] {
  let results = [format];
  for (const m of format.matchAll(/\$\{([^}]+)\}/g)) {
    const v = variable(m[1]!, p, service, l, region) ?? "*";
    const values = Array.isArray(v) ? v : [v];
    results = results.flatMap((r) => values.map((x) => r.replace(m[0], x)));
  }
  return results;
}
