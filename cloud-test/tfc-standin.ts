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
 * builders are private to its class, so the few used here are restated
 * (cloud-test/tfc-standin-api.ts, with the routes). Git and the branch poll are in
 * cloud-test/tfc-standin-git.ts; this file keeps the workspaces' run queues.
 *
 * Deliberate simplifications:
 * - The VCS webhook is a poll of `git ls-remote` every pollMs; pushes landing
 *   between two polls count as one push (one run, diffed across all of them).
 * - One callback plans and applies, so a run is `planning` for the whole call;
 *   planned/apply_queued/applying/applied are recorded when it returns.
 * - Checkouts stay under one temp root until stop(): keep Terraform state
 *   outside them (HCP keeps it in the workspace, not in the checkout).
 */
import { mkdtemp, rm } from "node:fs/promises";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiServer, ident, stamp, type Run, type Workspace } from "./tfc-standin-api";
import { BranchWatcher } from "./tfc-standin-git";

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

const normalizeDir = (dir: string) => dir.replace(/^\.\//, "").replace(/^\/+|\/+$/g, "");

export class TerraformCloudStandIn {
  private readonly byName = new Map<string, Workspace>();
  private readonly byId = new Map<string, Workspace>();
  private readonly repo: BranchWatcher;
  private server?: http.Server;
  private root = "";
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
    this.repo = new BranchWatcher(o, (head, changed) => this.pushed(head, changed));
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
    await this.repo.open(this.root);
    const server = (this.server = apiServer({
      organization: this.o.organization,
      token: this.o.token,
      branch: this.o.branch,
      byName: this.byName,
      byId: this.byId,
      queueRun: async (ws, message) => this.enqueue(ws, await this.repo.headSha(), "api", message),
    }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.repo.schedulePoll();
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Stops polling and serving, waits for the run in progress, removes the checkouts. Queued runs stay pending. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.repo.stop();
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
    await this.repo.sync();
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

  /** The "webhook": a run on every workspace whose working directory the push touched (the first head: runOnStart). */
  private pushed(head: string, changed: readonly string[] | undefined): void {
    if (changed === undefined && !this.o.runOnStart) return;
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
      await this.repo.git(["clone", "-q", "--no-checkout", this.o.gitUrl, checkoutDir]);
      await this.repo.git(["checkout", "-q", "--detach", run.cv.sha], checkoutDir);
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
}
