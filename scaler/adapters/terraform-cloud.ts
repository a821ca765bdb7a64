/**
 * The one Terraform Cloud (HCP Terraform) client, shared by the scaler and the
 * doctor (scripts/doctor/), with one error class. The scaler reads runs: which
 * run belongs to the commit at the branch head, how it ended, and queues
 * another run after a failure (nothing else would: a VCS workspace only queues
 * runs on a push). The doctor reads the organization and the workspaces'
 * settings, variables, state sharing and run triggers (terraform-cloud-reads.ts).
 *
 * API reference: https://developer.hashicorp.com/terraform/cloud-docs/api-docs/run
 * (run states, list runs, create a run, `configuration_version.ingress_attributes`).
 */

/** How a run stands for the scaler: still on its way, applied (or nothing to apply), or ended without applying. */
export type RunPhase = "pending" | "applied" | "failed";

/** One run of the workspace. */
export interface RunStatus {
  readonly id: string;
  /** The raw HCP Terraform status (`data.attributes.status`). */
  readonly status: string;
  readonly phase: RunPhase;
  /** From the configuration version's ingress attributes; undefined for runs not started from VCS content. */
  readonly commitSha?: string;
  /** ISO 8601. */
  readonly createdAt?: string;
  /** ISO 8601 time it reached its final status (from `status-timestamps`), when final. */
  readonly finishedAt?: string;
}

/** The workspace's runs, read against the commit at the head of the tracked branch. */
export interface WorkspaceRuns {
  readonly workspaceId: string;
  /** The newest run whose commit is `headSha`; undefined when that commit has no run (yet). */
  readonly forHead?: RunStatus;
  /** Consecutive runs for headSha that ended `failed`, counted from the newest run for headSha back to the first that did not fail. */
  readonly failedAttemptsForHead: number;
  /** The workspace's newest run, whatever its commit. */
  readonly newest?: RunStatus;
}

/** Where and as whom to call the API. */
export interface TerraformCloudConnection {
  /** @default https://app.terraform.io */
  readonly baseUrl?: string;
  readonly organization: string;
  /** A team or user API token (read runs, queue plans). Organization tokens cannot create runs. */
  readonly token: string;
  /** Where the token came from (an environment variable), named when it is rejected. Absent: the token parameter. */
  readonly tokenSource?: string;
}

/** One workspace, the scaler's view: its runs. */
export interface TerraformCloudTarget extends TerraformCloudConnection {
  readonly workspace: string;
}

/** A Terraform Cloud API answer the caller cannot use. */
export class TerraformCloudError extends Error {
  override readonly name = "TerraformCloudError";
  /** The HTTP status, when the error is an HTTP answer (401 means the token is wrong: drop any cached copy). */
  readonly status?: number;
  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    if (status !== undefined) this.status = status;
  }
}

/** The slice of `fetch` the adapter uses; the simulator's emulator implements the same port. */
export type Fetch = (
  url: string,
  init: { method?: string; headers: Record<string, string>; body?: string },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

// Final states that end a run without applying. `canceled` and `force_canceled`
// are final too although the states table does not say so: the queue moves on.
const FAILED = new Set(["errored", "canceled", "force_canceled", "discarded", "policy_soft_failed"]);
// `planned_and_finished`: the plan had no changes (or was plan-only), so the commit is in effect.
const APPLIED = new Set(["applied", "planned_and_finished"]);

/**
 * The scaler's view of a run status: every documented final non-applied
 * state is "failed"; `applied` and `planned_and_finished` are "applied";
 * everything else, including states HCP Terraform adds later, is "pending".
 */
export function runPhase(status: string): RunPhase {
  return APPLIED.has(status) ? "applied" : FAILED.has(status) ? "failed" : "pending";
}

/** Enough runs to find the head commit's behind a few newer API or VCS runs, in one page. */
const PAGE_SIZE = 20;

interface Resource {
  id: string;
  type: string;
  attributes?: Record<string, any>;
  relationships?: Record<string, { data?: { id: string; type: string } | null }>;
}

/** How a call treats a 404, which HCP Terraform answers both for what is missing and for what the token may not see. */
export interface CallOptions {
  readonly body?: unknown;
  /** The message of the error a 404 throws. Absent: a 404 answers undefined ("missing or hidden"). */
  readonly notFound?: string;
}

/** A call on the API: the JSON body of a 2xx answer, undefined for a 404 the caller reads as an answer. */
export type TerraformCloudCall = (path: string, o?: CallOptions) => Promise<any>;

/** Binds calls to one host and token; every answer the caller cannot use throws a TerraformCloudError naming it. */
export function terraformCloudCall(c: TerraformCloudConnection, fetchImpl: Fetch): TerraformCloudCall {
  const base = (c.baseUrl ?? "https://app.terraform.io").replace(/\/$/, "");
  const headers = { Authorization: `Bearer ${c.token}`, "Content-Type": "application/vnd.api+json" };
  return async (path, o = {}) => {
    const body = o.body === undefined ? {} : { body: JSON.stringify(o.body) };
    const init = { method: o.body === undefined ? "GET" : "POST", headers, ...body };
    let res;
    try {
      res = await fetchImpl(`${base}${path}`, init);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new TerraformCloudError(`cannot reach Terraform Cloud at ${base}: ${why}`, undefined, { cause: err });
    }
    if (res.status === 401) {
      // The doctor names the variable the token came from; the scaler, its parameter.
      const why = c.tokenSource
        ? `HCP Terraform at ${base} rejected the token from ${c.tokenSource} (HTTP 401): it is wrong, expired or revoked`
        : `Terraform Cloud rejected the API token (HTTP 401); check the token parameter (the Terraform Cloud token secret) holds a valid team or user token`;
      throw new TerraformCloudError(why, 401);
    }
    if (res.status === 404) {
      if (o.notFound === undefined) return undefined;
      throw new TerraformCloudError(o.notFound, 404);
    }
    if (!res.ok) throw new TerraformCloudError(`Terraform Cloud answered HTTP ${res.status} for ${path}`, res.status);
    return res.json();
  };
}

/** A 404 on the runs endpoints names the workspace, since the runs are read through it. */
const noWorkspace = (t: TerraformCloudTarget, path: string) =>
  `Terraform Cloud has no workspace ${t.organization}/${t.workspace} visible to this token (HTTP 404 for ${path}); check the organization and workspace names and the token's team access`;

/** The runs endpoints' calls. */
function client(t: TerraformCloudTarget, fetchImpl: Fetch) {
  const call = terraformCloudCall(t, fetchImpl);
  return (path: string, body?: unknown): Promise<any> => call(path, { body, notFound: noWorkspace(t, path) });
}

/** A workspace as the Workspaces API returns it (JSON:API resource). */
export interface WorkspaceResource {
  readonly id: string;
  readonly attributes: Record<string, unknown>;
}

/**
 * Shows workspace `name` of `organization`: undefined when missing or hidden,
 * unless `notFound` makes that an error with its message.
 */
export async function showWorkspace(
  call: TerraformCloudCall,
  organization: string,
  name: string,
  notFound?: (path: string) => string,
): Promise<WorkspaceResource | undefined> {
  const path = `/api/v2/organizations/${encodeURIComponent(organization)}/workspaces/${encodeURIComponent(name)}`;
  const doc = await call(path, { notFound: notFound?.(path) });
  if (doc === undefined) return undefined;
  if (typeof doc?.data?.id !== "string")
    throw new TerraformCloudError(`Terraform Cloud answered without a workspace id for ${organization}/${name}`);
  return { id: doc.data.id, attributes: doc.data.attributes ?? {} };
}

/** The workspace id, which the runs endpoints take instead of the name. */
async function workspaceId(t: TerraformCloudTarget, fetchImpl: Fetch): Promise<string> {
  // With `notFound` set a 404 throws, so a workspace always comes back.
  const ws = await showWorkspace(terraformCloudCall(t, fetchImpl), t.organization, t.workspace, (path) =>
    noWorkspace(t, path),
  );
  return ws!.id;
}

function toRunStatus(run: Resource, commitOf: (run: Resource) => string | undefined): RunStatus {
  const status = String(run.attributes?.status ?? "unknown");
  const phase = runPhase(status);
  // status-timestamps keys are the status with dashes plus "-at" (applied-at, errored-at, planned-and-finished-at, ...).
  const finishedAt =
    phase === "pending" ? undefined : run.attributes?.["status-timestamps"]?.[`${status.replace(/_/g, "-")}-at`];
  const commitSha = commitOf(run);
  const createdAt = run.attributes?.["created-at"];
  return {
    id: run.id,
    status,
    phase,
    ...(commitSha ? { commitSha } : {}),
    ...(typeof createdAt === "string" ? { createdAt } : {}),
    ...(typeof finishedAt === "string" ? { finishedAt } : {}),
  };
}

/**
 * Reads the workspace's newest runs (one page, newest first) and matches them
 * to `headSha` through each run's configuration version's ingress attributes.
 * The newest run alone is not enough: a run for an older commit may still be
 * applying while the head commit's run waits behind it, or the head commit's
 * webhook may not have arrived yet.
 */
export async function readRuns(
  t: TerraformCloudTarget,
  headSha: string,
  fetchImpl: Fetch = fetch as unknown as Fetch,
): Promise<WorkspaceRuns> {
  const get = client(t, fetchImpl);
  const id = await workspaceId(t, fetchImpl);
  const doc = await get(
    `/api/v2/workspaces/${encodeURIComponent(id)}/runs?page%5Bsize%5D=${PAGE_SIZE}&include=configuration_version.ingress_attributes`,
  );
  const included = new Map<string, Resource>();
  for (const r of (doc?.included ?? []) as Resource[]) included.set(`${r.type}/${r.id}`, r);
  const rel = (r: Resource | undefined, name: string) => {
    const d = r?.relationships?.[name]?.data;
    return d ? included.get(`${d.type}/${d.id}`) : undefined;
  };
  const commitOf = (run: Resource): string | undefined => {
    const sha = rel(rel(run, "configuration-version"), "ingress-attributes")?.attributes?.["commit-sha"];
    return typeof sha === "string" ? sha : undefined;
  };
  const runs = ((doc?.data ?? []) as Resource[]).map((r) => toRunStatus(r, commitOf));
  const forHeadAll = runs.filter((r) => r.commitSha === headSha);
  const firstNotFailed = forHeadAll.findIndex((r) => r.phase !== "failed");
  const forHead = forHeadAll[0];
  const newest = runs[0];
  return {
    workspaceId: id,
    ...(forHead ? { forHead } : {}),
    failedAttemptsForHead: firstNotFailed === -1 ? forHeadAll.length : firstNotFailed,
    ...(newest ? { newest } : {}),
  };
}

/**
 * Queues a new run on the workspace (POST /api/v2/runs); for a VCS workspace
 * it uses the latest configuration version, i.e. the branch head. The run
 * auto-applies when the workspace has auto-apply on and the token may apply.
 */
export async function queueRun(
  t: TerraformCloudTarget,
  workspaceId: string,
  message: string,
  fetchImpl: Fetch = fetch as unknown as Fetch,
): Promise<{ readonly id: string }> {
  const post = client(t, fetchImpl);
  const doc = await post("/api/v2/runs", {
    data: {
      type: "runs",
      attributes: { message },
      relationships: { workspace: { data: { type: "workspaces", id: workspaceId } } },
    },
  });
  const id = doc?.data?.id;
  if (typeof id !== "string")
    throw new TerraformCloudError(
      `Terraform Cloud created a run on ${t.organization}/${t.workspace} but answered without its id`,
    );
  return { id };
}
