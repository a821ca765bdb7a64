/**
 * HCP Terraform (Terraform Cloud) emulator: one VCS-driven, auto-apply
 * workspace behind the same `fetch` port the production adapter uses
 * (scaler/adapters/terraform-cloud.ts), answering with the JSON:API shapes of
 * https://developer.hashicorp.com/terraform/cloud-docs/api-docs/run.
 * Read-only answers for the organization, more workspaces, their settings,
 * variables and remote-state consumers (api-docs/organizations, workspaces,
 * workspace-variables) let `npm run doctor` be tested against it.
 *
 * Runs queue one at a time per workspace: a run stays `pending` until the
 * run before it reaches a final state. Every delay is an event on the
 * injected simulated clock and every draw comes from the injected `random()`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Fetch } from "../../scaler/adapters/terraform-cloud";

export interface TerraformCloudParams {
  /** Minutes from a run leaving the queue to the end of its plan (queueing for an agent, init, plan), [min, max], drawn uniformly. */
  readonly runMinutes: readonly [number, number];
  /** Probability a run ends `errored` at plan (nothing applied). */
  readonly failureRate: number;
  /** Probability a planned run is `discarded` (someone discarded it) instead of applied. */
  readonly discardRate: number;
  /** Probability a run stops `policy_soft_failed`. */
  readonly policySoftFailRate: number;
  /** Seconds from a push to the run appearing (the VCS webhook), [min, max]. */
  readonly webhookSeconds: readonly [number, number];
}

/** The infrastructure the workspace manages (the simulator's AWS world implements it). */
export interface Infrastructure {
  /** True when applying these tfvars would change something; false ends the run planned_and_finished. */
  hasChanges(tfvarsText: string): boolean;
  /** Applies the tfvars; calls done() at the simulated time Terraform would return (the world schedules it). */
  apply(tfvarsText: string, done: () => void): void;
}

/** A run as the emulator's reports see it. */
export interface EmulatedRun {
  readonly id: string;
  readonly commitSha: string;
  readonly status: string;
  readonly source: "vcs" | "api";
  readonly createdAtMs: number;
  readonly finishedAtMs?: number;
  /** Every status the run passed through, oldest first. */
  readonly history: ReadonlyArray<{ readonly status: string; readonly atMs: number }>;
}

/** Workspace settings by their Workspaces API attribute names; unset ones take HCP Terraform's defaults. */
export interface EmulatedWorkspaceSettings {
  /** Repository-relative directory Terraform runs in. @default "" (the repository root) */
  readonly "working-directory"?: string;
  /** Glob patterns of changed files that queue a run; mutually exclusive with trigger-prefixes. @default [] */
  readonly "trigger-patterns"?: readonly string[];
  /** Directories whose changes queue a run, besides the working directory. @default [] */
  readonly "trigger-prefixes"?: readonly string[];
  /** false: every push to the branch queues a run ("Always trigger runs"). @default true */
  readonly "file-triggers-enabled"?: boolean;
  /** @default true for the run workspace, false (HCP's default) for others */
  readonly "auto-apply"?: boolean;
  /** The VCS connection; null for a CLI- or API-driven workspace. @default { branch } for the run workspace, null for others */
  readonly "vcs-repo"?: { readonly identifier?: string; readonly branch: string } | null;
  /** @default "remote" */
  readonly "execution-mode"?: "remote" | "local" | "agent";
  /** Share state with every workspace of the organization. @default false */
  readonly "global-remote-state"?: boolean;
}

/** A workspace variable; a sensitive one is listed with a null value, as HCP Terraform lists it. */
export interface EmulatedVariable {
  readonly key: string;
  readonly value: string;
  readonly category: "terraform" | "env";
  readonly sensitive?: boolean;
  readonly hcl?: boolean;
}

/** A workspace as the read-only endpoints report it. */
export interface EmulatedWorkspace {
  readonly name: string;
  readonly attributes?: EmulatedWorkspaceSettings;
  readonly vars?: readonly EmulatedVariable[];
  /** Names of the workspaces this one shares its state with (the remote-state-consumers relationship). */
  readonly remoteStateConsumers?: readonly string[];
}

/** What the emulator is given: the workspace, its token, the world's parameters, and the simulation's clock, scheduler and generator. */
export interface TerraformCloudEmulatorOptions {
  readonly organization: string;
  readonly workspace: string;
  /** The only bearer token the API accepts. */
  readonly token: string;
  /** Read at each push and each run start (not copied), so a scenario may change rates mid-simulation. */
  readonly params: TerraformCloudParams;
  /** ms since epoch, simulated */
  readonly now: () => number;
  /** Runs fn at simulated time atMs (every delay goes through here, never a timer). */
  readonly schedule: (atMs: number, fn: () => void) => void;
  /** Uniform in [0, 1), seeded by the simulation. */
  readonly random: () => number;
  readonly infrastructure: Infrastructure;
  /** The tracked branch, reported in ingress attributes. @default "main" */
  readonly branch?: string;
  /**
   * More workspaces of the organization, and settings for `workspace` itself (an entry with its name).
   * Only `workspace` has runs; the others answer reads. @default [] (the run workspace alone)
   */
  readonly workspaces?: readonly EmulatedWorkspace[];
}

interface ConfigVersion { id: string; sha: string; tfvars: string; doc: object; ingress: object }
interface Run {
  id: string; cv: ConfigVersion; source: "vcs" | "api"; message: string; createdAtMs: number;
  status: string; hasChanges: boolean; finishedAtMs?: number;
  history: Array<{ status: string; atMs: number }>;
  timestamps: Record<string, string>;
  doc?: object; // the JSON:API resource, rebuilt only after the status changes
}
interface Answer { status: number; body: unknown }
interface Workspace { id: string; name: string; attributes: Record<string, unknown>; vars: object[]; consumers: readonly string[] }

const FINAL = new Set(["applied", "planned_and_finished", "errored", "discarded", "policy_soft_failed", "canceled", "force_canceled"]);
const JSONAPI_ERROR = (status: number, title: string, detail?: string): Answer => ({ status, body: { errors: [{ status: String(status), title, ...(detail ? { detail } : {}) }] } });
// HCP Terraform writes status timestamps to the second with an explicit offset ("2021-05-24T07:38:04+00:00").
const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");
// Ids look like HCP's (prefix + 16 characters) but come from counters, so they use no draws.
const ident = (prefix: string, n: number) => `${prefix}-${n.toString(36).padStart(16, "0")}`;
const hash = (text: string) => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
// HCP Terraform's defaults for a new workspace (Workspaces API, "Create a Workspace").
const DEFAULT_SETTINGS = { "auto-apply": false, "queue-all-runs": false, locked: false, "execution-mode": "remote", "working-directory": "", "file-triggers-enabled": true, "trigger-prefixes": [], "trigger-patterns": [], "global-remote-state": false, "vcs-repo": null };

export class TerraformCloudEmulator {
  /** What the scaler's calls and the runs amounted to; `runsCreated` counts every run, from VCS or the API. */
  readonly meter = { apiCalls: 0, runsCreated: 0, runsByFinalStatus: {} as Record<string, number> };
  /** The API, behind the production adapter's `Fetch` port (same signature). `json()` hands back cached documents: read, do not mutate. */
  readonly fetch: Fetch;

  private readonly o: TerraformCloudEmulatorOptions;
  private readonly workspaceId: string;
  private readonly byName = new Map<string, Workspace>();
  private readonly byWorkspaceId = new Map<string, Workspace>();
  private readonly all: Run[] = [];
  private readonly byId = new Map<string, Run>();
  private readonly queue: Run[] = [];
  private active?: Run;
  private latestCv?: ConfigVersion;
  private lastWebhookMs = -Infinity;
  private ids = 0;

  constructor(o: TerraformCloudEmulatorOptions) {
    const { runMinutes: [lo, hi], webhookSeconds: [wlo, whi], failureRate, discardRate, policySoftFailRate } = o.params;
    if (!(lo >= 0 && hi >= lo)) throw new RangeError(`runMinutes must be [min, max] with 0 <= min <= max, got [${lo}, ${hi}]`);
    if (!(wlo >= 0 && whi >= wlo)) throw new RangeError(`webhookSeconds must be [min, max] with 0 <= min <= max, got [${wlo}, ${whi}]`);
    for (const [k, p] of Object.entries({ failureRate, discardRate, policySoftFailRate })) {
      if (!(p >= 0 && p <= 1)) throw new RangeError(`${k} must be a probability in [0, 1], got ${p}`);
    }
    this.o = o;
    this.workspaceId = ident("ws", hash(`${o.organization}/${o.workspace}`));
    this.addWorkspaces(o);
    this.fetch = async (url, init) => {
      const q = url.indexOf("?");
      const at = url.indexOf("/api/v2/");
      const answer = this.handle(init.method ?? "GET", url.slice(at < 0 ? url.length : at, q < 0 ? url.length : q), q < 0 ? "" : url.slice(q + 1), init.headers, init.body);
      return { ok: answer.status >= 200 && answer.status < 300, status: answer.status, json: async () => answer.body };
    };
  }

  /** The VCS webhook: a push to the tracked branch changed the working directory; the commit's tfvars text is captured as its configuration version. */
  onPush(sha: string, tfvarsText: string): void {
    const [lo, hi] = this.o.params.webhookSeconds;
    // Deliveries are kept in push order: a later push never overtakes an earlier one's run.
    const arrival = Math.max(this.o.now() + (lo + this.o.random() * (hi - lo)) * 1000, this.lastWebhookMs);
    this.lastWebhookMs = arrival;
    this.o.schedule(arrival, () => {
      const n = ++this.ids;
      const cv: ConfigVersion = { id: ident("cv", n), sha, tfvars: tfvarsText, doc: {}, ingress: {} };
      const iaId = ident("ia", n);
      cv.ingress = { id: iaId, type: "ingress-attributes", attributes: { "commit-sha": sha, branch: this.o.branch ?? "main", "is-pull-request": false, "on-default-branch": true }, links: { self: `/api/v2/ingress-attributes/${iaId}` } };
      cv.doc = {
        id: cv.id, type: "configuration-versions",
        attributes: { source: "github", status: "uploaded", speculative: false, "status-timestamps": {} },
        relationships: { "ingress-attributes": { data: { id: iaId, type: "ingress-attributes" }, links: { related: `/api/v2/configuration-versions/${cv.id}/ingress-attributes` } } },
        links: { self: `/api/v2/configuration-versions/${cv.id}` },
      };
      this.latestCv = cv;
      this.createRun(cv, "vcs", `Triggered via GitHub (${sha.slice(0, 7)})`);
    });
  }

  /** The same API on a loopback HTTP server (127.0.0.1, port 0) for tests. */
  listen(): Promise<{ url: string; close(): Promise<void> }> {
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        const url = req.url ?? "/";
        const q = url.indexOf("?");
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
        const answer = this.handle(req.method ?? "GET", q < 0 ? url : url.slice(0, q), q < 0 ? "" : url.slice(q + 1), headers, body || undefined);
        res.writeHead(answer.status, { "content-type": "application/vnd.api+json" }).end(JSON.stringify(answer.body));
      });
    });
    return new Promise((resolve) =>
      server.listen(0, "127.0.0.1", () =>
        resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((done) => server.close(() => done())) }),
      ),
    );
  }

  /** Every run, oldest first, with its status history (for reports and tests). */
  runs(): ReadonlyArray<EmulatedRun> {
    return this.all.map((r) => ({ id: r.id, commitSha: r.cv.sha, status: r.status, source: r.source, createdAtMs: r.createdAtMs, ...(r.finishedAtMs === undefined ? {} : { finishedAtMs: r.finishedAtMs }), history: r.history.slice() }));
  }

  /** The run workspace and `o.workspaces`, merged by name over HCP Terraform's defaults. */
  private addWorkspaces(o: TerraformCloudEmulatorOptions): void {
    const entries = new Map<string, EmulatedWorkspace>([[o.workspace, { name: o.workspace, attributes: { "auto-apply": true, "vcs-repo": { branch: o.branch ?? "main" } } }]]);
    for (const w of o.workspaces ?? []) {
      const before = entries.get(w.name);
      entries.set(w.name, { ...before, ...w, attributes: { ...before?.attributes, ...w.attributes } });
    }
    let varIds = 0;
    for (const w of entries.values()) {
      const id = w.name === o.workspace ? this.workspaceId : ident("ws", hash(`${o.organization}/${w.name}`));
      const vars = (w.vars ?? []).map((v) => {
        const varId = ident("var", ++varIds);
        return {
          id: varId, type: "vars",
          attributes: { key: v.key, value: v.sensitive ? null : v.value, sensitive: v.sensitive ?? false, category: v.category, hcl: v.hcl ?? false, description: null },
          relationships: { configurable: { data: { id, type: "workspaces" }, links: { related: `/api/v2/workspaces/${id}` } } },
          links: { self: `/api/v2/workspaces/${id}/vars/${varId}` },
        };
      });
      const ws: Workspace = { id, name: w.name, attributes: { ...DEFAULT_SETTINGS, ...w.attributes, name: w.name }, vars, consumers: w.remoteStateConsumers ?? [] };
      this.byName.set(w.name, ws);
      this.byWorkspaceId.set(id, ws);
    }
  }

  // ---- the run queue ----

  private createRun(cv: ConfigVersion, source: "vcs" | "api", message: string): Run {
    const now = this.o.now();
    const run: Run = { id: ident("run", ++this.ids), cv, source, message, createdAtMs: now, status: "pending", hasChanges: false, history: [{ status: "pending", atMs: now }], timestamps: { "plan-queueable-at": stamp(now) } };
    this.all.push(run);
    this.byId.set(run.id, run);
    this.meter.runsCreated++;
    this.queue.push(run);
    this.startNext();
    return run;
  }

  private set(run: Run, status: string): void {
    const now = this.o.now();
    run.status = status;
    run.history.push({ status, atMs: now });
    // The status-timestamps key is the status with dashes and "-at": applied-at, planned-and-finished-at, ...
    run.timestamps[`${status.replace(/_/g, "-")}-at`] = stamp(now);
    run.doc = undefined;
    if (!FINAL.has(status)) return;
    run.finishedAtMs = now;
    this.meter.runsByFinalStatus[status] = (this.meter.runsByFinalStatus[status] ?? 0) + 1;
    this.active = undefined;
    this.startNext();
  }

  private startNext(): void {
    if (this.active) return;
    const run = this.queue.shift();
    if (!run) return;
    this.active = run;
    const { runMinutes: [lo, hi], failureRate, policySoftFailRate, discardRate } = this.o.params;
    // Four draws per run, always in this order, so one seed gives one history whatever the outcomes.
    const minutes = lo + this.o.random() * (hi - lo);
    const errored = this.o.random() < failureRate;
    const softFailed = this.o.random() < policySoftFailRate;
    const discarded = this.o.random() < discardRate;
    this.set(run, "plan_queued");
    this.set(run, "planning");
    this.o.schedule(this.o.now() + minutes * 60_000, () => {
      if (run.status !== "planning") return; // canceled while planning
      if (errored) return this.set(run, "errored");
      // The plan reads the infrastructure as the runs before this one left it.
      run.hasChanges = this.o.infrastructure.hasChanges(run.cv.tfvars);
      if (!run.hasChanges) return this.set(run, "planned_and_finished");
      this.set(run, "planned");
      if (softFailed) return this.set(run, "policy_soft_failed");
      if (discarded) return this.set(run, "discarded");
      this.set(run, "apply_queued");
      this.set(run, "applying");
      let finished = false;
      this.o.infrastructure.apply(run.cv.tfvars, () => {
        if (finished) return;
        finished = true;
        this.set(run, "applied");
      });
    });
  }

  // ---- the API ----

  private handle(method: string, path: string, query: string, headers: Record<string, string>, body: string | undefined): Answer {
    this.meter.apiCalls++;
    const auth = headers.Authorization ?? headers.authorization ?? Object.entries(headers).find(([k]) => k.toLowerCase() === "authorization")?.[1];
    if (auth !== `Bearer ${this.o.token}`) return JSONAPI_ERROR(401, "unauthorized");
    const parts = path.split("/"); // ["", "api", "v2", ...]
    const [, api, v2, a, b, c, d] = parts;
    if (api !== "api" || v2 !== "v2") return JSONAPI_ERROR(404, "not found");
    const params = query ? new URLSearchParams(query) : undefined;
    const include = params?.get("include")?.split(",") ?? [];
    // HCP Terraform answers 404 both for what does not exist and for what the token may not see.
    const orgMatches = decodeURIComponent(b ?? "") === this.o.organization;
    if (method === "GET" && a === "organizations" && parts.length === 5) {
      return orgMatches ? { status: 200, body: { data: { id: this.o.organization, type: "organizations", attributes: { name: this.o.organization }, links: { self: `/api/v2/organizations/${this.o.organization}` } } } } : JSONAPI_ERROR(404, "not found");
    }
    if (method === "GET" && a === "organizations" && c === "workspaces" && parts.length === 7) {
      const ws = orgMatches ? this.byName.get(decodeURIComponent(d ?? "")) : undefined;
      return ws ? { status: 200, body: { data: this.workspaceDoc(ws) } } : JSONAPI_ERROR(404, "not found");
    }
    const ws = a === "workspaces" ? this.byWorkspaceId.get(b ?? "") : undefined;
    if (method === "GET" && ws && parts.length === 5) return { status: 200, body: { data: this.workspaceDoc(ws) } };
    if (method === "GET" && ws && c === "vars" && parts.length === 6) return { status: 200, body: { data: ws.vars } };
    if (method === "GET" && ws && c === "relationships" && d === "remote-state-consumers" && parts.length === 7) {
      const consumers = ws.consumers.flatMap((name) => this.byName.get(name) ?? []);
      return { status: 200, body: { data: consumers.map((c) => this.workspaceDoc(c)), meta: { pagination: { "current-page": 1, "prev-page": null, "next-page": null, "total-pages": 1, "total-count": consumers.length } } } };
    }
    if (method === "GET" && ws && c === "runs" && parts.length === 6) {
      const all = ws.id === this.workspaceId ? this.all : [];
      const size = Math.min(100, Math.max(1, Number(params?.get("page[size]") ?? 20) || 20));
      const page = Math.max(1, Number(params?.get("page[number]") ?? 1) || 1);
      const end = all.length - (page - 1) * size; // newest first
      const runs: Run[] = [];
      for (let i = end - 1; i >= 0 && i >= end - size; i--) runs.push(all[i]!);
      const totalPages = Math.max(1, Math.ceil(all.length / size));
      const meta = { pagination: { "current-page": page, "page-size": size, "prev-page": page > 1 ? page - 1 : null, "next-page": page < totalPages ? page + 1 : null, "total-pages": totalPages, "total-count": all.length } };
      return { status: 200, body: { data: runs.map((r) => this.runDoc(r)), ...this.included(runs, include), meta } };
    }
    if (method === "GET" && a === "runs" && b && parts.length === 5) {
      const run = this.byId.get(b);
      return run ? { status: 200, body: { data: this.runDoc(run), ...this.included([run], include) } } : JSONAPI_ERROR(404, "not found");
    }
    if (method === "POST" && a === "runs" && parts.length === 4) return this.postRun(body);
    if (method === "POST" && a === "runs" && b && c === "actions" && d === "cancel" && parts.length === 7) {
      // What an operator's "Cancel run" does; only the plan stage is emulated (a cancel mid-apply would leave a partial apply).
      const run = this.byId.get(b);
      if (!run) return JSONAPI_ERROR(404, "not found");
      if (run.status !== "planning" && run.status !== "plan_queued") return JSONAPI_ERROR(409, "conflict", `Run ${run.id} is ${run.status}; the emulator cancels runs only while they plan.`);
      this.set(run, "canceled");
      return { status: 202, body: null };
    }
    return JSONAPI_ERROR(404, "not found");
  }

  private postRun(body: string | undefined): Answer {
    let doc: any;
    try {
      doc = JSON.parse(body ?? "");
    } catch {
      return JSONAPI_ERROR(400, "bad request", "the body is not JSON");
    }
    if (doc?.data?.type !== "runs") return JSONAPI_ERROR(422, "invalid attribute", "data.type must be \"runs\"");
    // HCP Terraform answers 404 for a workspace that does not exist or that the token may not queue runs on.
    if (doc.data.relationships?.workspace?.data?.id !== this.workspaceId) return JSONAPI_ERROR(404, "not found");
    if (!this.latestCv) return JSONAPI_ERROR(422, "invalid attribute", "the workspace has no configuration version to run");
    const message = typeof doc.data.attributes?.message === "string" ? doc.data.attributes.message : "Queued manually via the Terraform API";
    return { status: 201, body: { data: this.runDoc(this.createRun(this.latestCv, "api", message)) } };
  }

  private workspaceDoc(ws: Workspace): object {
    const latest = ws.id === this.workspaceId ? this.all[this.all.length - 1] : undefined;
    const current = ws.id === this.workspaceId ? (this.active ?? latest) : undefined;
    return {
      id: ws.id, type: "workspaces",
      attributes: { ...ws.attributes },
      relationships: {
        organization: { data: { id: this.o.organization, type: "organizations" } },
        "latest-run": { data: latest ? { id: latest.id, type: "runs" } : null },
        "current-run": { data: current ? { id: current.id, type: "runs" } : null },
        "remote-state-consumers": { links: { related: `/api/v2/workspaces/${ws.id}/relationships/remote-state-consumers` } },
      },
      links: { self: `/api/v2/organizations/${this.o.organization}/workspaces/${ws.name}` },
    };
  }

  private runDoc(run: Run): object {
    return (run.doc ??= {
      id: run.id, type: "runs",
      attributes: {
        status: run.status, "status-timestamps": { ...run.timestamps }, "created-at": new Date(run.createdAtMs).toISOString(),
        message: run.message, source: run.source === "vcs" ? "tfe-configuration-version" : "tfe-api",
        "has-changes": run.hasChanges, "auto-apply": true, "is-destroy": false, "plan-only": false,
      },
      relationships: {
        workspace: { data: { id: this.workspaceId, type: "workspaces" } },
        "configuration-version": { data: { id: run.cv.id, type: "configuration-versions" } },
      },
      links: { self: `/api/v2/runs/${run.id}` },
    });
  }

  /** `included` for `configuration_version` and `configuration_version.ingress_attributes`, each resource once (JSON:API). */
  private included(runs: Run[], include: string[]): { included?: object[] } {
    const withCv = include.includes("configuration_version") || include.includes("configuration_version.ingress_attributes");
    if (!withCv) return {};
    const withIngress = include.includes("configuration_version.ingress_attributes");
    const seen = new Set<ConfigVersion>();
    const out: object[] = [];
    for (const r of runs) {
      if (seen.has(r.cv)) continue;
      seen.add(r.cv);
      out.push(r.cv.doc);
      if (withIngress) out.push(r.cv.ingress);
    }
    return { included: out };
  }
}
