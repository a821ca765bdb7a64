/**
 * Workspace reads on the one Terraform Cloud client (terraform-cloud.ts): what
 * the doctor checks, and the workspace id the scaler's runs reads start from.
 *   GET /api/v2/organizations/:org                                       (api-docs/organizations)
 *   GET /api/v2/organizations/:org/workspaces/:name                      (api-docs/workspaces, "Show Workspace")
 *   GET /api/v2/workspaces/:id/vars                                      (api-docs/workspace-variables)
 *   GET /api/v2/workspaces/:id/relationships/remote-state-consumers      (api-docs/workspaces, "Get Remote State Consumers")
 *   GET /api/v2/workspaces/:id/run-triggers?filter[run-trigger][type]=inbound   (api-docs/run-triggers, "List Run Triggers")
 * HCP Terraform answers 404 both for what does not exist and for what the
 * token may not see, so "missing" always means "missing or hidden".
 */
import {
  showWorkspace,
  terraformCloudCall,
  type Fetch,
  type TerraformCloudCall,
  type TerraformCloudConnection,
  type WorkspaceResource,
} from "./terraform-cloud";

export type { WorkspaceResource };

/** A workspace variable; `value` is null when the variable is sensitive. */
export interface WorkspaceVariable {
  readonly id: string;
  readonly key: string;
  readonly value: string | null;
  readonly category: string;
  readonly sensitive: boolean;
}

/** The source workspace of one inbound run trigger. */
export interface RunTriggerSource {
  /** The source workspace's id (relationships.sourceable), when the answer carries it. */
  readonly id?: string;
  /** Its name (attributes.sourceable-name). */
  readonly name: string;
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

/** Every item of a paginated list, 100 per page, with a bound so a bad `next-page` cannot loop forever. */
async function all(call: TerraformCloudCall, path: string): Promise<any[]> {
  const items: any[] = [];
  const sep = path.includes("?") ? "&" : "?";
  for (let page = 1; page <= 50; page++) {
    const doc = await call(`${path}${sep}page%5Bnumber%5D=${page}&page%5Bsize%5D=100`);
    items.push(...((doc?.data ?? []) as any[]));
    if (!doc?.meta?.pagination?.["next-page"]) break;
  }
  return items;
}

/**
 * Binds the reads to `c.baseUrl` (https://app.terraform.io, or the emulator's
 * loopback URL in tests). Every call throws TerraformCloudError for an answer
 * other than 200 or an expected 404, naming the path and status.
 */
export function terraformCloudApi(c: TerraformCloudConnection, fetchImpl: Fetch): TerraformCloudApi {
  const call = terraformCloudCall(c, fetchImpl);
  const org = encodeURIComponent(c.organization);
  return {
    organizationExists: async () => (await call(`/api/v2/organizations/${org}`)) !== undefined,
    workspace: (name) => showWorkspace(call, c.organization, name),
    async variables(workspaceId) {
      const doc = await call(`/api/v2/workspaces/${workspaceId}/vars`);
      return ((doc?.data ?? []) as Array<{ id: string; attributes?: Record<string, any> }>).map((v) => ({
        id: v.id,
        key: String(v.attributes?.key ?? ""),
        value: typeof v.attributes?.value === "string" ? v.attributes.value : null,
        category: String(v.attributes?.category ?? ""),
        sensitive: v.attributes?.sensitive === true,
      }));
    },
    async remoteStateConsumers(workspaceId) {
      const consumers = await all(call, `/api/v2/workspaces/${workspaceId}/relationships/remote-state-consumers`);
      return consumers.flatMap((w: { id?: unknown }) => (typeof w.id === "string" ? [w.id] : []));
    },
    async runTriggerSources(workspaceId) {
      const inbound = "filter%5Brun-trigger%5D%5Btype%5D=inbound";
      const triggers = await all(call, `/api/v2/workspaces/${workspaceId}/run-triggers?${inbound}`);
      type Trigger = {
        attributes?: Record<string, unknown>;
        relationships?: { sourceable?: { data?: { id?: unknown } } };
      };
      return triggers.map((t: Trigger) => {
        const id = t.relationships?.sourceable?.data?.id;
        return { ...(typeof id === "string" ? { id } : {}), name: String(t.attributes?.["sourceable-name"] ?? "") };
      });
    },
  };
}
