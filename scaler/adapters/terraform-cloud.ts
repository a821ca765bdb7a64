/**
 * Terraform Cloud (HCP Terraform) run status: a thin read-only adapter over
 * the public JSON:API. Two GETs: the workspace by name (for its latest run),
 * then that run with the commit it applied.
 */

/** The latest run of the fargate workspace, as the policy needs it. */
export interface LastRun {
  readonly id: string;
  readonly status: string;
  /** The run ended without applying: errored, canceled, or stopped on a policy check. */
  readonly failed: boolean;
  readonly commitSha?: string;
  readonly createdAt?: string;
}

/** Statuses that end a run without applying the commit. */
export const FAILED_RUN_STATUSES = new Set(["errored", "canceled", "force_canceled", "policy_soft_failed"]);

export interface TerraformCloudTarget {
  /** @default https://app.terraform.io */
  readonly baseUrl?: string;
  readonly organization: string;
  readonly workspace: string;
  /** A team or user API token (read runs). */
  readonly token: string;
}

/** A Terraform Cloud API answer the scaler cannot use. */
export class TerraformCloudError extends Error {
  override readonly name = "TerraformCloudError";
}

type Fetch = (url: string, init: { headers: Record<string, string> }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/** Reads the workspace's latest run; undefined when the workspace has never run. */
export async function latestRun(t: TerraformCloudTarget, fetchImpl: Fetch = fetch as unknown as Fetch): Promise<LastRun | undefined> {
  const base = (t.baseUrl ?? "https://app.terraform.io").replace(/\/$/, "");
  const get = async (path: string): Promise<any> => {
    const res = await fetchImpl(`${base}${path}`, { headers: { Authorization: `Bearer ${t.token}`, "Content-Type": "application/vnd.api+json" } });
    if (res.status === 401) throw new TerraformCloudError("Terraform Cloud rejected the API token (HTTP 401); check the token secret");
    if (res.status === 404) throw new TerraformCloudError(`Terraform Cloud has no workspace ${t.organization}/${t.workspace} visible to this token (HTTP 404)`);
    if (!res.ok) throw new TerraformCloudError(`Terraform Cloud answered HTTP ${res.status} for ${path}`);
    return res.json();
  };
  const ws = await get(`/api/v2/organizations/${encodeURIComponent(t.organization)}/workspaces/${encodeURIComponent(t.workspace)}`);
  const runId: string | undefined = ws?.data?.relationships?.["latest-run"]?.data?.id;
  if (!runId) return undefined;
  const run = await get(`/api/v2/runs/${encodeURIComponent(runId)}?include=configuration_version.ingress_attributes`);
  const status = String(run?.data?.attributes?.status ?? "unknown");
  const ingress = (run?.included ?? []).find((i: { type?: string }) => i.type === "ingress-attributes");
  return {
    id: runId,
    status,
    failed: FAILED_RUN_STATUSES.has(status),
    commitSha: ingress?.attributes?.["commit-sha"],
    createdAt: run?.data?.attributes?.["created-at"],
  };
}
