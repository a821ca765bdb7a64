/**
 * HCP Terraform (Terraform Cloud) emulator: one VCS-driven, auto-apply
 * workspace behind the same `fetch` port the production adapter uses
 * (scaler/adapters/terraform-cloud.ts), answering with the JSON:API shapes of
 * https://developer.hashicorp.com/terraform/cloud-docs/api-docs/run.
 * Read-only answers for the organization, more workspaces, their settings,
 * variables and remote-state consumers (api-docs/organizations, workspaces,
 * workspace-variables) let `npm run doctor` be tested against it.
 *
 * The runs and their queue are tfc-runs.ts, the workspaces tfc-workspaces.ts;
 * this file is the API over them.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Fetch } from "../../scaler/adapters/terraform-cloud";
import { included, runDoc, runsPage, workspaceDoc } from "./tfc-documents";
import { jsonApiError, type Answer } from "./tfc-jsonapi";
import { RunQueue, type Infrastructure, type TerraformCloudParams } from "./tfc-runs";
import { workspaceId, Workspaces, type EmulatedWorkspace, type Workspace } from "./tfc-workspaces";

export type { Infrastructure, TerraformCloudParams } from "./tfc-runs";
export type { EmulatedVariable, EmulatedWorkspace, EmulatedWorkspaceSettings } from "./tfc-workspaces";

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

/** What the emulator is given: the workspace, its token, the world's parameters, the simulation's clock and draws. */
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

export class TerraformCloudEmulator {
  /** What the scaler's calls and the runs amounted to; `runsCreated` counts every run, from VCS or the API. */
  readonly meter = { apiCalls: 0, runsCreated: 0, runsByFinalStatus: {} as Record<string, number> };
  /**
   * The API, behind the production adapter's `Fetch` port (same signature). `json()` hands back cached
   * documents: read, do not mutate.
   */
  readonly fetch: Fetch;

  private readonly o: TerraformCloudEmulatorOptions;
  private readonly workspaceId: string;
  private readonly workspaces: Workspaces;
  private readonly runQueue: RunQueue;

  constructor(o: TerraformCloudEmulatorOptions) {
    const {
      runMinutes: [lo, hi],
      webhookSeconds: [wlo, whi],
      failureRate,
      discardRate,
      policySoftFailRate,
    } = o.params;
    if (!(lo >= 0 && hi >= lo))
      throw new RangeError(`runMinutes must be [min, max] with 0 <= min <= max, got [${lo}, ${hi}]`);
    if (!(wlo >= 0 && whi >= wlo)) {
      throw new RangeError(`webhookSeconds must be [min, max] with 0 <= min <= max, got [${wlo}, ${whi}]`);
    }
    for (const [k, p] of Object.entries({ failureRate, discardRate, policySoftFailRate })) {
      if (!(p >= 0 && p <= 1)) throw new RangeError(`${k} must be a probability in [0, 1], got ${p}`);
    }
    this.o = o;
    this.workspaceId = workspaceId(o.organization, o.workspace);
    this.workspaces = new Workspaces(o);
    this.runQueue = new RunQueue({ ...o, branch: o.branch ?? "main", meter: this.meter });
    this.fetch = async (url, init) => {
      const q = url.indexOf("?");
      const at = url.indexOf("/api/v2/");
      const path = url.slice(at < 0 ? url.length : at, q < 0 ? url.length : q);
      const answer = this.handle(init.method ?? "GET", path, q < 0 ? "" : url.slice(q + 1), init.headers, init.body);
      return { ok: answer.status >= 200 && answer.status < 300, status: answer.status, json: async () => answer.body };
    };
  }

  /**
   * The VCS webhook: a push to the tracked branch changed the working directory; the commit's tfvars
   * text is captured as its configuration version.
   */
  onPush(sha: string, tfvarsText: string): void {
    this.runQueue.onPush(sha, tfvarsText);
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
        const answer = this.handle(
          req.method ?? "GET",
          q < 0 ? url : url.slice(0, q),
          q < 0 ? "" : url.slice(q + 1),
          headers,
          body || undefined,
        );
        res.writeHead(answer.status, { "content-type": "application/vnd.api+json" }).end(JSON.stringify(answer.body));
      });
    });
    return new Promise((resolve) =>
      server.listen(0, "127.0.0.1", () => {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        resolve({ url, close: () => new Promise<void>((done) => server.close(() => done())) });
      }),
    );
  }

  /** Every run, oldest first, with its status history (for reports and tests). */
  runs(): ReadonlyArray<EmulatedRun> {
    return this.runQueue.all.map((r) => ({
      id: r.id,
      commitSha: r.cv.sha,
      status: r.status,
      source: r.source,
      createdAtMs: r.createdAtMs,
      ...(r.finishedAtMs === undefined ? {} : { finishedAtMs: r.finishedAtMs }),
      history: r.history.slice(),
    }));
  }

  private handle(
    method: string,
    path: string,
    query: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Answer {
    this.meter.apiCalls++;
    const auth =
      headers.Authorization ??
      headers.authorization ??
      Object.entries(headers).find(([k]) => k.toLowerCase() === "authorization")?.[1];
    if (auth !== `Bearer ${this.o.token}`) return jsonApiError(401, "unauthorized");
    const parts = path.split("/"); // ["", "api", "v2", ...]
    const [, api, v2, a, b, c, d] = parts;
    if (api !== "api" || v2 !== "v2") return jsonApiError(404, "not found");
    const params = query ? new URLSearchParams(query) : undefined;
    const include = params?.get("include")?.split(",") ?? [];
    const ok = (doc: unknown): Answer => ({ status: 200, body: doc });
    // HCP Terraform answers 404 both for what does not exist and for what the token may not see.
    const org = this.o.organization;
    const orgMatches = decodeURIComponent(b ?? "") === org;
    if (method === "GET" && a === "organizations" && parts.length === 5) {
      if (!orgMatches) return jsonApiError(404, "not found");
      return ok({
        data: {
          id: org,
          type: "organizations",
          attributes: { name: org },
          links: { self: `/api/v2/organizations/${org}` },
        },
      });
    }
    if (method === "GET" && a === "organizations" && c === "workspaces" && parts.length === 7) {
      const ws = orgMatches ? this.workspaces.byName.get(decodeURIComponent(d ?? "")) : undefined;
      return ws ? ok({ data: this.workspaceDoc(ws) }) : jsonApiError(404, "not found");
    }
    const ws = a === "workspaces" ? this.workspaces.byId.get(b ?? "") : undefined;
    if (method === "GET" && ws && parts.length === 5) return ok({ data: this.workspaceDoc(ws) });
    if (method === "GET" && ws && c === "vars" && parts.length === 6) return ok({ data: ws.vars });
    if (method === "GET" && ws && c === "relationships" && d === "remote-state-consumers" && parts.length === 7) {
      const consumers = ws.consumers.flatMap((name) => this.workspaces.byName.get(name) ?? []);
      const pagination = {
        "current-page": 1,
        "prev-page": null,
        "next-page": null,
        "total-pages": 1,
        "total-count": consumers.length,
      };
      return ok({ data: consumers.map((c) => this.workspaceDoc(c)), meta: { pagination } });
    }
    if (method === "GET" && ws && c === "runs" && parts.length === 6) {
      const all = ws.id === this.workspaceId ? this.runQueue.all : [];
      return ok(runsPage(all, this.workspaceId, params, include));
    }
    if (method === "GET" && a === "runs" && b && parts.length === 5) {
      const run = this.runQueue.byId.get(b);
      return run
        ? ok({ data: runDoc(run, this.workspaceId), ...included([run], include) })
        : jsonApiError(404, "not found");
    }
    if (method === "POST" && a === "runs" && parts.length === 4) return this.postRun(body);
    if (method === "POST" && a === "runs" && b && c === "actions" && d === "cancel" && parts.length === 7) {
      // What an operator's "Cancel run" does; only the plan stage is emulated (mid-apply would leave a partial apply).
      const run = this.runQueue.byId.get(b);
      if (!run) return jsonApiError(404, "not found");
      if (run.status !== "planning" && run.status !== "plan_queued") {
        return jsonApiError(
          409,
          "conflict",
          `Run ${run.id} is ${run.status}; the emulator cancels runs only while they plan.`,
        );
      }
      this.runQueue.set(run, "canceled");
      return { status: 202, body: null };
    }
    return jsonApiError(404, "not found");
  }

  /** A workspace's document; the run workspace's names its latest and current runs. */
  private workspaceDoc(ws: Workspace): object {
    const runs = this.runQueue.all;
    const latest = ws.id === this.workspaceId ? runs[runs.length - 1] : undefined;
    const current = ws.id === this.workspaceId ? (this.runQueue.current ?? latest) : undefined;
    return workspaceDoc(ws, this.o.organization, latest, current);
  }

  private postRun(body: string | undefined): Answer {
    let doc: any;
    try {
      doc = JSON.parse(body ?? "");
    } catch {
      return jsonApiError(400, "bad request", "the body is not JSON");
    }
    if (doc?.data?.type !== "runs") return jsonApiError(422, "invalid attribute", 'data.type must be "runs"');
    // HCP Terraform answers 404 for a workspace that does not exist or that the token may not queue runs on.
    if (doc.data.relationships?.workspace?.data?.id !== this.workspaceId) return jsonApiError(404, "not found");
    const cv = this.runQueue.latestCv;
    if (!cv) return jsonApiError(422, "invalid attribute", "the workspace has no configuration version to run");
    const message =
      typeof doc.data.attributes?.message === "string"
        ? doc.data.attributes.message
        : "Queued manually via the Terraform API";
    return { status: 201, body: { data: runDoc(this.runQueue.create(cv, "api", message), this.workspaceId) } };
  }
}
