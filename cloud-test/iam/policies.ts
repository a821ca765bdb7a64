/**
 * A role's effective policies as the emulator's IAM API holds them after apply (interpolation-free):
 * inline (ListRolePolicies/GetRolePolicy), attached managed (ListAttachedRolePolicies/GetPolicy/
 * GetPolicyVersion) and the permissions boundary (GetRole). Read with the caller's own access key,
 * so these reads are never accounted as the role's calls. Test-only code.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from "@aws-sdk/client-iam";

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: unknown;
}

export interface NamedPolicy {
  /** "inline:<name>" or the managed policy's ARN. */
  readonly name: string;
  readonly policy: PolicyDocument;
}

export interface RolePolicies {
  readonly roleName: string;
  readonly roleArn: string;
  readonly identity: NamedPolicy[];
  readonly boundary?: NamedPolicy;
}

export interface IamEndpoint {
  readonly endpoint: string;
  readonly region: string;
  /** A key of its own, not the role's, so these reads stay out of the role's accounting. */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** IAM returns policy documents URL-encoded (RFC 3986); an emulator may not. */
export function parseDocument(text: string | undefined): PolicyDocument {
  if (!text) throw new Error("empty policy document");
  const raw = text.trimStart().startsWith("{") ? text : decodeURIComponent(text);
  return JSON.parse(raw) as PolicyDocument;
}

export const iamClient = (e: IamEndpoint) =>
  new IAMClient({
    endpoint: e.endpoint,
    region: e.region,
    credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
  });

async function managed(iam: IAMClient, arn: string): Promise<NamedPolicy> {
  const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
  const { PolicyVersion } = await iam.send(
    new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: Policy?.DefaultVersionId }),
  );
  return { name: arn, policy: parseDocument(PolicyVersion?.Document) };
}

/** Every page of a marker-paginated IAM list. */
async function pages<T>(fetch: (marker?: string) => Promise<{ items: T[]; marker?: string }>): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    out.push(...page.items);
    marker = page.marker;
  } while (marker);
  return out;
}

export async function loadRolePolicies(roleName: string, e: IamEndpoint): Promise<RolePolicies> {
  const iam = iamClient(e);
  try {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    if (!Role?.Arn) throw new Error(`GetRole ${roleName}: no role`);
    const inlineNames = await pages(async (Marker) => {
      const r = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker }));
      return { items: r.PolicyNames ?? [], marker: r.IsTruncated ? r.Marker : undefined };
    });
    const inline = await Promise.all(
      inlineNames.map(async (PolicyName) => {
        const r = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName }));
        return { name: `inline:${PolicyName}`, policy: parseDocument(r.PolicyDocument) };
      }),
    );
    const attached = await pages(async (Marker) => {
      const r = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker }));
      return {
        items: (r.AttachedPolicies ?? []).map((p) => p.PolicyArn!).filter(Boolean),
        marker: r.IsTruncated ? r.Marker : undefined,
      };
    });
    const boundaryArn = Role.PermissionsBoundary?.PermissionsBoundaryArn;
    return {
      roleName,
      roleArn: Role.Arn,
      identity: [...inline, ...(await Promise.all(attached.map((arn) => managed(iam, arn))))],
      ...(boundaryArn ? { boundary: await managed(iam, boundaryArn) } : {}),
    };
  } finally {
    iam.destroy();
  }
}
