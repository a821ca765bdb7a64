/**
 * The run workspace's runs: each VCS push becomes a configuration version and a run, and runs
 * queue one at a time (a run stays `pending` until the one before it reaches a final state), plan
 * against the infrastructure, and apply, error, stop on policy or get discarded as drawn. Every
 * delay is an event on the injected clock and every draw comes from the injected `random()`.
 */
import { ident, stamp } from "./tfc-jsonapi";

/** Parameters of the runs, read at each push and each run start, so a scenario may change them mid-simulation. */
export interface TerraformCloudParams {
  /** Minutes from a run leaving the queue to the end of its plan (agent queue, init, plan), [min, max], uniform. */
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

export interface ConfigVersion {
  readonly id: string;
  readonly sha: string;
  readonly tfvars: string;
  doc: object;
  ingress: object;
}

export interface Run {
  readonly id: string;
  readonly cv: ConfigVersion;
  readonly source: "vcs" | "api";
  readonly message: string;
  readonly createdAtMs: number;
  status: string;
  hasChanges: boolean;
  finishedAtMs?: number;
  readonly history: Array<{ status: string; atMs: number }>;
  readonly timestamps: Record<string, string>;
  /** The JSON:API resource, rebuilt only after the status changes. */
  doc?: object;
}

/** What the runs amounted to; `runsCreated` counts every run, from VCS or the API. */
export interface RunMeter {
  runsCreated: number;
  readonly runsByFinalStatus: Record<string, number>;
}

export interface RunQueueOptions {
  readonly params: TerraformCloudParams;
  /** ms since epoch, simulated */
  readonly now: () => number;
  /** Runs fn at simulated time atMs (every delay goes through here, never a timer). */
  readonly schedule: (atMs: number, fn: () => void) => void;
  /** Uniform in [0, 1), seeded by the simulation. */
  readonly random: () => number;
  readonly infrastructure: Infrastructure;
  /** The tracked branch, reported in ingress attributes. */
  readonly branch: string;
  readonly meter: RunMeter;
}

const FINAL = new Set([
  "applied",
  "planned_and_finished",
  "errored",
  "discarded",
  "policy_soft_failed",
  "canceled",
  "force_canceled",
]);

export class RunQueue {
  /** Every run, oldest first. */
  readonly all: Run[] = [];
  readonly byId = new Map<string, Run>();
  private readonly queue: Run[] = [];
  private active?: Run;
  private pushedCv?: ConfigVersion;
  private lastWebhookMs = -Infinity;
  private ids = 0;

  constructor(private readonly o: RunQueueOptions) {}

  /** The run in progress, if any. */
  get current(): Run | undefined {
    return this.active;
  }

  /** The configuration version of the last push, which a run queued through the API runs. */
  get latestCv(): ConfigVersion | undefined {
    return this.pushedCv;
  }

  /** The VCS webhook: a push changed the working directory; the commit's tfvars become a configuration version. */
  onPush(sha: string, tfvarsText: string): void {
    const [lo, hi] = this.o.params.webhookSeconds;
    // Deliveries are kept in push order: a later push never overtakes an earlier one's run.
    const arrival = Math.max(this.o.now() + (lo + this.o.random() * (hi - lo)) * 1000, this.lastWebhookMs);
    this.lastWebhookMs = arrival;
    this.o.schedule(arrival, () => {
      const n = ++this.ids;
      const cv: ConfigVersion = { id: ident("cv", n), sha, tfvars: tfvarsText, doc: {}, ingress: {} };
      const iaId = ident("ia", n);
      const ingress = {
        "commit-sha": sha,
        branch: this.o.branch,
        "is-pull-request": false,
        "on-default-branch": true,
      };
      cv.ingress = {
        id: iaId,
        type: "ingress-attributes",
        attributes: ingress,
        links: { self: `/api/v2/ingress-attributes/${iaId}` },
      };
      const related = `/api/v2/configuration-versions/${cv.id}/ingress-attributes`;
      cv.doc = {
        id: cv.id,
        type: "configuration-versions",
        attributes: { source: "github", status: "uploaded", speculative: false, "status-timestamps": {} },
        relationships: {
          "ingress-attributes": { data: { id: iaId, type: "ingress-attributes" }, links: { related } },
        },
        links: { self: `/api/v2/configuration-versions/${cv.id}` },
      };
      this.pushedCv = cv;
      this.create(cv, "vcs", `Triggered via GitHub (${sha.slice(0, 7)})`);
    });
  }

  /** Queues a run of `cv`; it starts when the runs before it are final. */
  create(cv: ConfigVersion, source: "vcs" | "api", message: string): Run {
    const now = this.o.now();
    const run: Run = {
      id: ident("run", ++this.ids),
      cv,
      source,
      message,
      createdAtMs: now,
      status: "pending",
      hasChanges: false,
      history: [{ status: "pending", atMs: now }],
      timestamps: { "plan-queueable-at": stamp(now) },
    };
    this.all.push(run);
    this.byId.set(run.id, run);
    this.o.meter.runsCreated++;
    this.queue.push(run);
    this.startNext();
    return run;
  }

  /** Moves a run to `status`; a final one frees the queue for the next run. */
  set(run: Run, status: string): void {
    const now = this.o.now();
    run.status = status;
    run.history.push({ status, atMs: now });
    // The status-timestamps key is the status with dashes and "-at": applied-at, planned-and-finished-at, ...
    run.timestamps[`${status.replace(/_/g, "-")}-at`] = stamp(now);
    run.doc = undefined;
    if (!FINAL.has(status)) return;
    run.finishedAtMs = now;
    this.o.meter.runsByFinalStatus[status] = (this.o.meter.runsByFinalStatus[status] ?? 0) + 1;
    this.active = undefined;
    this.startNext();
  }

  private startNext(): void {
    if (this.active) return;
    const run = this.queue.shift();
    if (!run) return;
    this.active = run;
    const {
      runMinutes: [lo, hi],
      failureRate,
      policySoftFailRate,
      discardRate,
    } = this.o.params;
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
}
