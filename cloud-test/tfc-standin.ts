/**
 * A local stand-in for the slice of the HCP Terraform (Terraform Cloud) API the
 * scaler uses (scaler/adapters/terraform-cloud.ts), served over real HTTP on
 * 127.0.0.1 for end-to-end tests: VCS-driven, auto-apply workspaces watch a
 * branch on a real git server, and each run checks out its commit and hands it
 * to an `apply` callback (real terraform against an AWS API emulator).
 *
 * Shapes and states: https://developer.hashicorp.com/terraform/cloud-docs/api-docs/run
 * (Run States; Create a Run answers 201 with the run in `pending`; List Runs is
 * newest first, 20 a page; `status-timestamps` to the second, `created-at` in
 * ms) and https://developer.hashicorp.com/terraform/cloud-docs/api-docs/configuration-versions
 * (ingress attributes), as sim/world/terraform-cloud.ts answers them; its document
 * builders are private to its class, so the few used here are restated.
 *
 * Deliberate simplifications:
 * - The VCS webhook is a poll of `git ls-remote` every pollMs; pushes landing
 *   between two polls count as one push (one run, diffed across all of them).
 * - One callback plans and applies, so a run is `planning` for the whole call;
 *   planned/apply_queued/applying/applied are recorded when it returns.
 * - Checkouts stay under one temp root until stop(): keep Terraform state
 *   outside them (HCP keeps it in the workspace, not in the checkout).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** workDir is join(checkoutDir, workingDirectory(workspace)). */
export interface ApplyArgs {
  readonly workspace: string;
  readonly checkoutDir: string;
  readonly workDir: string;
  readonly commitSha: string;
  readonly runId: string;
}
/** ok false ends the run `errored`; changes false ends it `planned_and_finished`. */
export interface ApplyResult {
  readonly ok: boolean;
  readonly log: string;
  readonly changes: boolean;
}

export interface TerraformCloudStandInOptions {
  readonly organization: string;
  readonly token: string; // the only bearer token the API accepts
  readonly workspaces: ReadonlyArray<{ readonly name: string; readonly id?: string }>;
  readonly gitUrl: string; // smart-HTTP URL; basic auth as x-access-token:gitToken
  readonly gitToken: string;
  readonly branch: string;
  /** Repository-relative working directory ("" for the root); also the trigger pattern. */
  readonly workingDirectory: (workspace: string) => string;
  readonly apply: (args: ApplyArgs) => Promise<ApplyResult>;
  readonly pollMs?: number; // default 200
  /** Queue a run on every workspace for the head seen at start(). @default false (the test applies first itself) */
  readonly runOnStart?: boolean;
}

/** A run as tests see it: log is the apply callback's ("" until it returns), history every status, oldest first. */
export interface StandInRun {
  readonly id: string;
  readonly status: string;
  readonly commitSha: string;
  readonly log: string;
  readonly source: "vcs" | "api";
  readonly history: readonly string[];
}

interface ConfigVersion {
  readonly id: string;
  readonly iaId: string;
  readonly sha: string;
}
interface Run {
  id: string;
  cv: ConfigVersion;
  source: "vcs" | "api";
  message: string;
  createdAt: Date;
  status: string;
  history: string[];
  timestamps: Record<string, string>;
  log: string;
  hasChanges: boolean;
}
interface Workspace {
  id: string;
  name: string;
  dir: string;
  runs: Run[];
  cvs: Map<string, ConfigVersion>;
  queue: Promise<void>;
}
interface Answer {
  status: number;
  body: unknown;
}

/** HCP-looking ids: prefix plus 16 characters. */
const ident = (prefix: string) => `${prefix}-${randomBytes(12).toString("base64url").replace(/[-_]/g, "0")}`;
/** Status timestamps are to the second with an explicit offset ("2021-05-24T07:38:04+00:00"). */
const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "+00:00");
const error = (status: number, title: string, detail?: string): Answer => ({
  status,
  body: { errors: [{ status: String(status), title, ...(detail ? { detail } : {}) }] },
});
const normalizeDir = (dir: string) => dir.replace(/^\.\//, "").replace(/^\/+|\/+$/g, "");

export class TerraformCloudStandIn {
  private readonly byName = new Map<string, Workspace>();
  private readonly byId = new Map<string, Workspace>();
  private readonly gitEnv: NodeJS.ProcessEnv;
  private server?: http.Server;
  private root = "";
  private head?: string;
  private polls: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private clock: () => Date = () => new Date();

  constructor(private readonly o: TerraformCloudStandInOptions) {
    for (const w of o.workspaces) {
      const ws: Workspace = {
        id: w.id ?? ident("ws"),
        name: w.name,
        dir: normalizeDir(o.workingDirectory(w.name)),
        runs: [],
        cvs: new Map(),
        queue: Promise.resolve(),
      };
      this.byName.set(ws.name, ws);
      this.byId.set(ws.id, ws);
    }
    // The token goes in a header through GIT_CONFIG_* (git >= 2.31), not the URL or argv.
    const basic = Buffer.from(`x-access-token:${o.gitToken}`).toString("base64");
    this.gitEnv = {
      ...process.env,
      GIT_TERMINAL_PROMPT: "0",
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.extraHeader",
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    };
  }

  /**
   * Stamps runs on the caller's clock from now on. HCP Terraform stamps them on the same clock the
   * scaler reads (real time); a test that drives the scaler on a controlled clock must drive this one too.
   */
  useClock(now: () => Date): void {
    this.clock = now;
  }

  /** Reads the branch head (no run for it unless runOnStart), starts the API and the poll; returns the base URL. */
  async start(): Promise<string> {
    this.root = await mkdtemp(join(tmpdir(), "tfc-standin-"));
    await this.git(["init", "-q", "--bare", join(this.root, "mirror")]);
    await this.sync();
    const server = (this.server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on(
        "end",
        () =>
          void this.handle(req, body)
            .catch((e: unknown) => error(500, "internal error", String(e)))
            .then((a) =>
              res.writeHead(a.status, { "Content-Type": "application/vnd.api+json" }).end(JSON.stringify(a.body)),
            ),
      );
    }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.schedulePoll();
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Stops polling and serving, waits for the run in progress, removes the checkouts. Queued runs stay pending. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polls;
    const server = this.server;
    if (server)
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    await Promise.all([...this.byName.values()].map((w) => w.queue));
    if (this.root) await rm(this.root, { recursive: true, force: true });
  }

  /** Delivers the "webhook" for everything pushed so far, then waits until every queued run has finished. */
  async whenIdle(): Promise<void> {
    await this.sync();
    for (;;) {
      const queues = [...this.byName.values()].map((w) => w.queue);
      await Promise.all(queues);
      if ([...this.byName.values()].every((w, i) => w.queue === queues[i])) return;
    }
  }

  /** The workspace's runs, oldest first. */
  runs(workspace: string): StandInRun[] {
    const ws = this.byName.get(workspace);
    if (!ws) throw new Error(`no workspace ${workspace}`);
    return ws.runs.map((r) => ({
      id: r.id,
      status: r.status,
      commitSha: r.cv.sha,
      log: r.log,
      source: r.source,
      history: [...r.history],
    }));
  }

  private async git(args: string[], cwd?: string): Promise<string> {
    const { stdout } = await execFileAsync("git", args, {
      cwd: cwd ?? this.root,
      env: this.gitEnv,
      maxBuffer: 64 << 20,
    });
    return stdout.trim();
  }

  private async headSha(): Promise<string> {
    const out = await this.git(["ls-remote", this.o.gitUrl, `refs/heads/${this.o.branch}`]);
    const sha = out.split(/\s/)[0];
    if (!sha) throw new Error(`branch ${this.o.branch} not found at ${this.o.gitUrl}`);
    return sha;
  }

  /** One poll, serialized with every other poll. */
  private sync(): Promise<void> {
    const p = this.polls.then(() => this.poll());
    this.polls = p.catch(() => undefined);
    return p;
  }

  private schedulePoll(): void {
    this.timer = setTimeout(() => {
      // A failed background poll (server restarting, stopping) is retried next time; whenIdle() reports errors.
      void this.sync()
        .catch(() => undefined)
        .finally(() => {
          if (!this.stopped) this.schedulePoll();
        });
    }, this.o.pollMs ?? 200);
  }

  private async poll(): Promise<void> {
    const head = await this.headSha();
    if (head === this.head) return;
    const mirror = join(this.root, "mirror");
    await this.git(["fetch", "-q", this.o.gitUrl, `+refs/heads/${this.o.branch}:refs/heads/seen`], mirror);
    const previous = this.head;
    this.head = head;
    if (previous === undefined && !this.o.runOnStart) return;
    const changed =
      previous === undefined
        ? undefined
        : (await this.git(["diff", "--name-only", previous, head], mirror)).split("\n").filter(Boolean);
    for (const ws of this.byName.values()) {
      const touched = !changed || changed.some((f) => ws.dir === "" || f === ws.dir || f.startsWith(`${ws.dir}/`));
      if (touched) this.enqueue(ws, head, "vcs", `Triggered via VCS (${head.slice(0, 7)})`);
    }
  }

  private enqueue(ws: Workspace, sha: string, source: "vcs" | "api", message: string): Run {
    let cv = ws.cvs.get(sha);
    if (!cv) ws.cvs.set(sha, (cv = { id: ident("cv"), iaId: ident("ia"), sha }));
    const now = this.clock();
    const run: Run = {
      id: ident("run"),
      cv,
      source,
      message,
      createdAt: now,
      status: "pending",
      history: ["pending"],
      timestamps: { "plan-queueable-at": stamp(now) },
      log: "",
      hasChanges: false,
    };
    ws.runs.push(run);
    // One run at a time per workspace, in creation order.
    ws.queue = ws.queue.then(() => this.execute(ws, run));
    return run;
  }

  private set(run: Run, status: string): void {
    run.status = status;
    run.history.push(status);
    run.timestamps[`${status.replace(/_/g, "-")}-at`] = stamp(this.clock());
  }

  private async execute(ws: Workspace, run: Run): Promise<void> {
    if (this.stopped) return;
    this.set(run, "plan_queued");
    this.set(run, "planning");
    let result: ApplyResult;
    try {
      const checkoutDir = join(this.root, run.id);
      await this.git(["clone", "-q", "--no-checkout", this.o.gitUrl, checkoutDir]);
      await this.git(["checkout", "-q", "--detach", run.cv.sha], checkoutDir);
      result = await this.o.apply({
        workspace: ws.name,
        checkoutDir,
        workDir: join(checkoutDir, ws.dir),
        commitSha: run.cv.sha,
        runId: run.id,
      });
    } catch (e) {
      result = {
        ok: false,
        changes: false,
        log: `stand-in: the run failed before terraform returned: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    run.log = result.log;
    run.hasChanges = result.changes;
    if (!result.ok) return this.set(run, "errored");
    if (!result.changes) return this.set(run, "planned_and_finished");
    for (const status of ["planned", "apply_queued", "applying", "applied"]) this.set(run, status);
  }

  private async handle(req: http.IncomingMessage, body: string): Promise<Answer> {
    if (req.headers.authorization !== `Bearer ${this.o.token}`) return error(401, "unauthorized");
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const [api, v2, a, b, c, d, ...rest] = url.pathname.split("/").slice(1).map(decodeURIComponent);
    if (api !== "api" || v2 !== "v2" || rest.length) return error(404, "not found");
    const method = req.method ?? "GET";
    // HCP Terraform answers 404 both for what does not exist and for what the token may not see.
    if (method === "GET" && a === "organizations" && b === this.o.organization && c === "workspaces" && d) {
      const ws = this.byName.get(d);
      return ws ? { status: 200, body: { data: this.workspaceDoc(ws) } } : error(404, "not found");
    }
    if (method === "GET" && a === "workspaces" && b && c === "runs" && !d) {
      const ws = this.byId.get(b);
      return ws ? { status: 200, body: this.listRuns(ws, url.searchParams) } : error(404, "not found");
    }
    if (method === "POST" && a === "runs" && !b) return this.createRun(body);
    return error(404, "not found");
  }

  private listRuns(ws: Workspace, q: URLSearchParams): object {
    // Newest first, one page of page[size] (default 20); page[number] is not supported.
    const size = Math.min(100, Math.max(1, Number(q.get("page[size]")) || 20));
    const runs = ws.runs.slice().reverse().slice(0, size);
    const include = (q.get("include") ?? "").split(",");
    const withIngress = include.includes("configuration_version.ingress_attributes");
    const withCv = withIngress || include.includes("configuration_version");
    const included = withCv
      ? [...new Set(runs.map((r) => r.cv))].flatMap((cv) => this.cvDocs(cv).slice(0, withIngress ? 2 : 1))
      : [];
    const pagination = {
      "current-page": 1,
      "page-size": size,
      "prev-page": null,
      "next-page": ws.runs.length > size ? 2 : null,
      "total-pages": Math.max(1, Math.ceil(ws.runs.length / size)),
      "total-count": ws.runs.length,
    };
    return {
      data: runs.map((r) => this.runDoc(ws, r)),
      ...(included.length ? { included } : {}),
      meta: { pagination },
    };
  }

  /** POST /runs queues a run on the branch head now (a configuration-version relationship is not supported). */
  private async createRun(body: string): Promise<Answer> {
    let doc: any;
    try {
      doc = JSON.parse(body);
    } catch {
      return error(400, "bad request", "the body is not JSON");
    }
    if (doc?.data?.type !== "runs") return error(422, "invalid attribute", 'data.type must be "runs"');
    const ws = this.byId.get(String(doc.data.relationships?.workspace?.data?.id));
    if (!ws) return error(404, "not found");
    const sha = await this.headSha();
    const message =
      typeof doc.data.attributes?.message === "string"
        ? doc.data.attributes.message
        : "Queued manually via the Terraform API";
    return { status: 201, body: { data: this.runDoc(ws, this.enqueue(ws, sha, "api", message)) } };
  }

  private workspaceDoc(ws: Workspace): object {
    const latest = ws.runs[ws.runs.length - 1];
    return {
      id: ws.id,
      type: "workspaces",
      attributes: {
        name: ws.name,
        "working-directory": ws.dir,
        "auto-apply": true,
        "file-triggers-enabled": true,
        "execution-mode": "remote",
        "vcs-repo": { branch: this.o.branch },
      },
      relationships: {
        organization: { data: { id: this.o.organization, type: "organizations" } },
        "latest-run": { data: latest ? { id: latest.id, type: "runs" } : null },
      },
      links: { self: `/api/v2/organizations/${this.o.organization}/workspaces/${ws.name}` },
    };
  }

  private runDoc(ws: Workspace, r: Run): object {
    return {
      id: r.id,
      type: "runs",
      attributes: {
        status: r.status,
        "status-timestamps": { ...r.timestamps },
        "created-at": r.createdAt.toISOString(),
        message: r.message,
        source: r.source === "vcs" ? "tfe-configuration-version" : "tfe-api",
        "has-changes": r.hasChanges,
        "auto-apply": true,
        "is-destroy": false,
        "plan-only": false,
      },
      relationships: {
        workspace: { data: { id: ws.id, type: "workspaces" } },
        "configuration-version": { data: { id: r.cv.id, type: "configuration-versions" } },
      },
      links: { self: `/api/v2/runs/${r.id}` },
    };
  }

  /** The configuration version and its ingress attributes, as `included` resources. */
  private cvDocs(cv: ConfigVersion): [object, object] {
    const configurationVersion = {
      id: cv.id,
      type: "configuration-versions",
      attributes: { source: "github", status: "uploaded", speculative: false, "status-timestamps": {} },
      relationships: {
        "ingress-attributes": {
          data: { id: cv.iaId, type: "ingress-attributes" },
          links: { related: `/api/v2/configuration-versions/${cv.id}/ingress-attributes` },
        },
      },
      links: { self: `/api/v2/configuration-versions/${cv.id}` },
    };
    const ingress = {
      id: cv.iaId,
      type: "ingress-attributes",
      attributes: { "commit-sha": cv.sha, branch: this.o.branch, "is-pull-request": false, "on-default-branch": true },
      links: { self: `/api/v2/ingress-attributes/${cv.iaId}` },
    };
    return [configurationVersion, ingress];
  }
}
