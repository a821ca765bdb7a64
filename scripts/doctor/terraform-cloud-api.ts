/**
 * The HCP Terraform reads the doctor makes, behind the same `Fetch` port the
 * scaler uses (the emulator in sim/world/terraform-cloud.ts implements it):
 *   GET /api/v2/organizations/:org                                       (api-docs/organizations)
 *   GET /api/v2/organizations/:org/workspaces/:name                      (api-docs/workspaces, "Show Workspace")
 *   GET /api/v2/workspaces/:id/vars                                      (api-docs/workspace-variables)
 *   GET /api/v2/workspaces/:id/relationships/remote-state-consumers      (api-docs/workspaces, "Get Remote State Consumers")
 *   GET /api/v2/workspaces/:id/run-triggers?filter[run-trigger][type]=inbound   (api-docs/run-triggers, "List Run Triggers")
 * HCP Terraform answers 404 both for what does not exist and for what the
 * token may not see, so "missing" always means "missing or hidden".
 */
import type { Fetch } from "../../scaler/adapters/terraform-cloud";

/** A workspace as the Workspaces API returns it (JSON:API resource). */
export interface WorkspaceResource {
  readonly id: string;
  readonly attributes: Record<string, unknown>;
}

/** A workspace variable; `value` is null when the variable is sensitive. */
export interface WorkspaceVariable {
  readonly id: string;
  readonly key: string;
  readonly value: string | null;
  readonly category: string;
  readonly sensitive: boolean;
}

/** An HCP Terraform answer the doctor cannot use; 401 means the token is wrong. */
export class TerraformCloudApiError extends Error {
  override readonly name = "TerraformCloudApiError";
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

/** The reads, bound to one host, organization and token. */
export interface TerraformCloudApi {
  /** False when the organization does not exist or the token cannot see it. */
  organizationExists(): Promise<boolean>;
  /** Undefined when the workspace does not exist or the token cannot see it. */
  workspace(name: string): Promise<WorkspaceResource | undefined>;
  variables(workspaceId: string): Promise<WorkspaceVariable[]>;
  /** Ids of the workspaces this workspace's state is shared with. */
  remoteStateConsumers(workspaceId: string): Promise<string[]>;
  /** The source workspaces whose applies queue a run in this one (its inbound run triggers). */
  runTriggerSources(workspaceId: string): Promise<RunTriggerSource[]>;
}

/** The source workspace of one inbound run trigger. */
export interface RunTriggerSource {
  /** The source workspace's id (relationships.sourceable), when the answer carries it. */
  readonly id?: string;
  /** Its name (attributes.sourceable-name). */
  readonly name: string;
}

/**
 * Binds the reads to `baseUrl` (https://app.terraform.io, or the emulator's
 * loopback URL in tests). Every call throws TerraformCloudApiError for an
 * answer other than 200 or an expected 404, naming the path and status.
 */
export function terraformCloudApi(o: { baseUrl: string; organization: string; token: string; tokenSource: string }, fetchImpl: Fetch): TerraformCloudApi {
  const base = o.baseUrl.replace(/\/$/, "");
  const headers = { Authorization: `Bearer ${o.token}`, "Content-Type": "application/vnd.api+json" };
  const org = encodeURIComponent(o.organization);

  /** The JSON body, or undefined for a 404. */
  async function get(path: string): Promise<any> {
    let res;
    try {
      res = await fetchImpl(`${base}/api/v2${path}`, { method: "GET", headers });
    } catch (err) {
      throw new TerraformCloudApiError(`cannot reach HCP Terraform at ${base}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (res.status === 401) throw new TerraformCloudApiError(`HCP Terraform at ${base} rejected the token from ${o.tokenSource} (HTTP 401): it is wrong, expired or revoked`, 401);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new TerraformCloudApiError(`HCP Terraform at ${base} answered HTTP ${res.status} for GET /api/v2${path}`, res.status);
    return res.json();
  }

  /** Every item of a paginated list, 100 per page, with a bound so a bad `next-page` cannot loop forever. */
  async function all(path: string): Promise<any[]> {
    const items: any[] = [];
    const sep = path.includes("?") ? "&" : "?";
    for (let page = 1; page <= 50; page++) {
      const doc = await get(`${path}${sep}page%5Bnumber%5D=${page}&page%5Bsize%5D=100`);
      items.push(...((doc?.data ?? []) as any[]));
      if (!doc?.meta?.pagination?.["next-page"]) break;
    }
    return items;
  }

  return {
    organizationExists: async () => (await get(`/organizations/${org}`)) !== undefined,
    async workspace(name) {
      const doc = await get(`/organizations/${org}/workspaces/${encodeURIComponent(name)}`);
      if (doc === undefined) return undefined;
      if (typeof doc?.data?.id !== "string") throw new TerraformCloudApiError(`HCP Terraform answered without a workspace id for ${o.organization}/${name}`);
      return { id: doc.data.id, attributes: doc.data.attributes ?? {} };
    },
    async variables(workspaceId) {
      const doc = await get(`/workspaces/${workspaceId}/vars`);
      return ((doc?.data ?? []) as Array<{ id: string; attributes?: Record<string, any> }>).map((v) => ({
        id: v.id,
        key: String(v.attributes?.key ?? ""),
        value: typeof v.attributes?.value === "string" ? v.attributes.value : null,
        category: String(v.attributes?.category ?? ""),
        sensitive: v.attributes?.sensitive === true,
      }));
    },
    async remoteStateConsumers(workspaceId) {
      const consumers = await all(`/workspaces/${workspaceId}/relationships/remote-state-consumers`);
      return consumers.flatMap((w: { id?: unknown }) => (typeof w.id === "string" ? [w.id] : []));
    },
    async runTriggerSources(workspaceId) {
      const triggers = await all(`/workspaces/${workspaceId}/run-triggers?filter%5Brun-trigger%5D%5Btype%5D=inbound`);
      return triggers.map((t: { attributes?: Record<string, unknown>; relationships?: { sourceable?: { data?: { id?: unknown } } } }) => {
        const id = t.relationships?.sourceable?.data?.id;
        return { ...(typeof id === "string" ? { id } : {}), name: String(t.attributes?.["sourceable-name"] ?? "") };
      });
    },
  };
}
