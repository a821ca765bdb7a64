/**
 * The scaling policy: one pure function, `decide(config, observation, now)`.
 * No AWS SDK, no clock, no randomness: the scaler Lambda and the simulator
 * run exactly this code. See ARCHITECTURE.md section 3 and the README's
 * "Scaling policy" section for the rules and their defaults.
 */
import type { DeploymentConfig } from "../config/schema";
import { TierState, type Toggle } from "./toggle";

/** The thresholds and windows the policy uses, all from the deployment configuration. */
export interface PolicyConfig {
  readonly upThresholdRps: number;
  readonly upWindowMinutes: number;
  readonly downThresholdRps: number;
  readonly downWindowMinutes: number;
  readonly minDwellMinutes: number;
  readonly warmingTimeoutMinutes: number;
  readonly applyTimeoutMinutes: number;
  readonly dnsTtlSeconds: number;
  readonly deregistrationDelaySeconds: number;
  readonly drainIdleRps: number;
  readonly requestsPerTaskPerSecond: number;
  readonly targetUtilization: number;
  readonly minTasks: number;
  readonly maxTasks: number;
}

export const policyConfigFrom = ({ scaling: { metricLagMinutes: _lag, ...scaling }, ...c }: DeploymentConfig): PolicyConfig => ({
  ...scaling,
  requestsPerTaskPerSecond: c.fargate.requestsPerTaskPerSecond,
  targetUtilization: c.fargate.targetUtilization,
  minTasks: c.fargate.minTasks,
  maxTasks: c.fargate.maxTasks,
});

/** A metric per minute, oldest first; the last entry is the newest complete minute. `undefined` = no datapoint. */
export type Series = ReadonlyArray<number | undefined>;

/** What the scaler read from CloudWatch (one GetMetricData call). */
export interface Metrics {
  /** API Gateway Count (Sum per minute): demand on the Lambda tier. */
  readonly apiRequests: Series;
  /** ALB RequestCount (Sum per minute): demand on the Fargate tier. */
  readonly albRequests: Series;
  /** Target group HealthyHostCount (Minimum per minute). Reported every minute while the target group exists. */
  readonly healthyHosts: Series;
  /** Lambda Throttles (Sum per minute). */
  readonly lambdaThrottles: Series;
  /** Lambda ConcurrentExecutions (Maximum per minute). */
  readonly lambdaConcurrency: Series;
  /** Targets the target group reports healthy now (ELBv2 DescribeTargetHealth, no lag); absent with no target group. */
  readonly healthyTargetsNow?: number;
}

/** The per-minute series of `Metrics` (each a CloudWatch query). */
export type SeriesName = Exclude<keyof Metrics, "healthyTargetsNow">;

/**
 * The metrics each state decides on. GetMetricData is billed per metric every
 * minute, so the scaler asks for only these: while off, the Lambda tier's
 * demand and throttles.
 */
export function metricsNeeded(state: TierState): SeriesName[] {
  return state === "off" ? ["apiRequests", "lambdaThrottles"] : ["apiRequests", "lambdaThrottles", "lambdaConcurrency", "albRequests", "healthyHosts"];
}

/** Everything the policy knows about the world at one instant. */
export interface Observation {
  /** The committed toggle (from git). */
  readonly toggle: Toggle;
  /** Whether Route 53 has the "fargate" record; undefined when it could not be read. */
  readonly fargateRecordLive: boolean | undefined;
  readonly metrics: Metrics;
  /** Terraform Cloud's runs for the committed toggle, when the scaler can read them. */
  readonly run?: RunObservation;
}

/** How the fargate workspace stands with the commit the toggle was read at. */
export interface RunObservation {
  /** The newest run for that commit; undefined while it has none (webhook not delivered yet). */
  readonly forHead?: {
    readonly id: string;
    readonly status: string;
    /** failed: ended without applying (errored, canceled, discarded, policy_soft_failed, ...). */
    readonly phase: "pending" | "applied" | "failed";
    readonly commitSha?: string;
    /** When it reached its final status (ISO). */
    readonly finishedAt?: string;
  };
  /** Consecutive failed runs for that commit, newest first. */
  readonly failedAttempts: number;
}

/** Re-queue a failed run after 2, 4, 8, 16, then every 30 minutes: transient errors clear, a broken plan does not hammer the queue. */
export const RUN_RETRY_BASE_MINUTES = 2;
export const RUN_RETRY_MAX_MINUTES = 30;

/** Minutes to wait after the n-th consecutive failed run before queueing another. */
export const runRetryBackoffMinutes = (failedAttempts: number): number =>
  Math.min(RUN_RETRY_MAX_MINUTES, RUN_RETRY_BASE_MINUTES * 2 ** Math.max(0, failedAttempts - 1));

export type AlertKind = "stuck-warming" | "apply-lagging" | "unhealthy-tier" | "apply-failed";

export interface Alert {
  readonly kind: AlertKind;
  readonly message: string;
}

/** What to do: nothing, or commit a new toggle. Always with a reason and the figures behind it. */
export interface Decision {
  readonly action: "none" | "commit";
  readonly from: TierState;
  readonly to: TierState;
  /** The toggle to commit; equal to the observed toggle when action is "none". */
  readonly toggle: Toggle;
  readonly reason: string;
  readonly evidence: Readonly<Record<string, number | boolean | string | null>>;
  readonly alerts: readonly Alert[];
  /** Set when the failed run for the committed toggle should be queued again (why). */
  readonly requeueRun?: string;
}

/** Minutes of serving after which the warming floor is handed back to autoscaling. */
export const FLOOR_SETTLE_MINUTES = 15;

/** True for a commit that only resizes (same state), which is not a tier transition. */
export const isResize = (d: Pick<Decision, "from" | "to" | "action">): boolean => d.action === "commit" && d.from === d.to;

/** The transitions the policy may commit: forward, plus the two aborts. */
export const ALLOWED_EDGES: ReadonlyArray<readonly [TierState, TierState]> = [
  ["off", "warming"],
  ["warming", "serving"],
  ["serving", "draining"],
  ["draining", "off"],
  ["warming", "off"],
  ["draining", "serving"],
];

const last = <T>(xs: ReadonlyArray<T>, n: number): T[] => xs.slice(Math.max(0, xs.length - n));
const round = (x: number) => Math.round(x * 100) / 100;

/** Aligns a series to the newest `n` minutes, padding older missing minutes with undefined. */
const alignTo = (s: Series, n: number): Series => [...Array(Math.max(0, n - s.length)).fill(undefined), ...s];

/** ALB requests per minute, where no datapoint while the target group reports means zero requests. */
function albPerMinute(m: Metrics): Series {
  const n = Math.max(m.albRequests.length, m.healthyHosts.length);
  const hosts = alignTo(m.healthyHosts, n);
  return alignTo(m.albRequests, n).map((v, i) => (v !== undefined ? v : hosts[i] !== undefined ? 0 : undefined));
}

/** Total demand in requests per second per minute: API Gateway plus ALB; a minute with neither is unknown. */
function demandRps(api: Series, alb: Series): Series {
  const n = Math.max(api.length, alb.length);
  const albN = alignTo(alb, n);
  return alignTo(api, n).map((v, i) => (v === undefined && albN[i] === undefined ? undefined : ((v ?? 0) + (albN[i] ?? 0)) / 60));
}

interface WindowStats {
  readonly complete: boolean;
  readonly mean: number;
  readonly max: number;
  readonly fractionAbove: (threshold: number) => number;
}

/** Statistics of the last `minutes` of a series; `complete` is false if any minute is missing or the series is short. */
function windowOf(series: Series, minutes: number): WindowStats {
  const w = last(series, minutes);
  const known = w.filter((v): v is number => v !== undefined);
  const complete = w.length === minutes && known.length === minutes;
  const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
  return {
    complete,
    mean,
    max: known.length ? Math.max(...known) : 0,
    fractionAbove: (t) => (w.length ? known.filter((v) => v > t).length / minutes : 0),
  };
}

/**
 * Sustained high demand, as a reason, or undefined: over the up window the
 * mean is above the threshold and at least half the minutes are, so one spike
 * or a short burst never adds a tier (throttling does, at once).
 */
function sustainedHigh(demand: Series, c: PolicyConfig): string | undefined {
  const w = windowOf(demand, c.upWindowMinutes);
  if (w.mean > c.upThresholdRps && w.fractionAbove(c.upThresholdRps) >= 0.5) {
    return `demand ${round(w.mean)} req/s over ${c.upWindowMinutes} min is above ${c.upThresholdRps} req/s`;
  }
  return undefined;
}

/**
 * Minimum tasks for the current demand at the target utilization, within the
 * configured bounds and the toggle's own maximum, so the toggle written always
 * passes its parser (fargate_min_tasks <= fargate_max_tasks).
 */
export function tasksFor(rps: number, c: PolicyConfig, toggleMax: number = c.maxTasks): number {
  const needed = Math.ceil(rps / (c.requestsPerTaskPerSecond * c.targetUtilization));
  const ceiling = Math.max(1, Math.min(c.maxTasks, toggleMax));
  return Math.min(ceiling, Math.max(c.minTasks, needed));
}

/**
 * Decides the next step from the committed state and what is observed.
 * Level-triggered: it needs no memory beyond the toggle (its state and since).
 */
export function decide(c: PolicyConfig, o: Observation, now: Date): Decision {
  const t = o.toggle;
  const state = t.fargate_tier;
  const sinceMs = Date.parse(t.fargate_tier_since);
  const minutesInState = Number.isFinite(sinceMs) ? Math.max(0, (now.getTime() - sinceMs) / 60_000) : Infinity;
  const alb = albPerMinute(o.metrics);
  const demand = demandRps(o.metrics.apiRequests, alb);
  const up = windowOf(demand, c.upWindowMinutes);
  const downDemand = windowOf(demand, c.downWindowMinutes);
  const downAlb = windowOf(alb, c.downWindowMinutes);
  const latestHealthy = last(o.metrics.healthyHosts, 2);
  // The target group's own answer is current; CloudWatch's HealthyHostCount is minutes old, so
  // without the live answer two published minutes at the floor are needed.
  const live = o.metrics.healthyTargetsNow;
  const healthyNow = live ?? latestHealthy[latestHealthy.length - 1];
  const healthyStable = live !== undefined ? live >= t.fargate_min_tasks : latestHealthy.length === 2 && latestHealthy.every((h) => h !== undefined && h >= t.fargate_min_tasks);
  const throttles = last(o.metrics.lambdaThrottles, 2).reduce<number>((a, b) => a + (b ?? 0), 0);
  const latestDemand = demand[demand.length - 1];
  const evidence = {
    demand_rps: latestDemand === undefined ? null : round(latestDemand),
    up_window_mean_rps: round(up.mean),
    down_window_mean_rps: round(downDemand.mean),
    down_window_complete: downDemand.complete && downAlb.complete,
    alb_rps: alb[alb.length - 1] === undefined ? null : round(alb[alb.length - 1]! / 60),
    healthy_hosts: healthyNow ?? null,
    throttles,
    minutes_in_state: Number.isFinite(minutesInState) ? Math.round(minutesInState) : null,
    fargate_record_live: o.fargateRecordLive ?? null,
  };
  const alerts: Alert[] = [];
  // The resting task floor, within the toggle's own maximum so the file stays valid.
  const floor = Math.max(1, Math.min(c.minTasks, t.fargate_max_tasks));
  let requeueRun: string | undefined;
  const none = (reason: string): Decision => ({ action: "none", from: state, to: state, toggle: t, reason, evidence, alerts, requeueRun });
  const commit = (to: TierState, reason: string, sizing: Partial<Pick<Toggle, "fargate_min_tasks">> = {}): Decision => ({
    action: "commit",
    from: state,
    to,
    toggle: { ...t, ...sizing, fargate_tier: to, fargate_tier_since: now.toISOString().replace(/\.\d{3}Z$/, "Z") },
    reason,
    evidence,
    alerts,
    requeueRun,
  });
  const applyLate = minutesInState > c.applyTimeoutMinutes;

  if (t.fargate_pinned) return none(`pinned at ${state} by a human; reporting only`);
  // A failed run means the infrastructure is not what the toggle says: page, queue the run
  // again with backoff, and hold (never move traffic on top of it) until one applies.
  // Throttling Lambda overrides the hold: users are being turned away, so decide as usual.
  const failedRun = o.run?.forHead?.phase === "failed" ? o.run.forHead : undefined;
  if (failedRun) {
    const attempts = Math.max(1, o.run!.failedAttempts);
    const waited = failedRun.finishedAt ? (now.getTime() - Date.parse(failedRun.finishedAt)) / 60_000 : Infinity;
    const backoff = runRetryBackoffMinutes(attempts);
    alerts.push({ kind: "apply-failed", message: `Terraform Cloud run ${failedRun.id} ${failedRun.status}${failedRun.commitSha ? ` at ${failedRun.commitSha.slice(0, 8)}` : ""} (${attempts} failed in a row); holding at ${state}` });
    if (!(waited < backoff)) requeueRun = `run ${failedRun.id} ${failedRun.status} (${attempts} in a row); retrying after ${backoff} min`;
    if (throttles === 0) return none(`holding at ${state}: the last Terraform run ${failedRun.status}`);
  }

  switch (state) {
    case TierState.off: {
      if (applyLate && o.fargateRecordLive === true) {
        alerts.push({ kind: "apply-lagging", message: `tier is off for ${Math.round(minutesInState)} min but the fargate DNS record still exists; check the Terraform run` });
      }
      if (throttles > 0) {
        const size = tasksFor(Math.max(up.max, latestDemand ?? 0), c, t.fargate_max_tasks);
        return commit(TierState.warming, `Lambda throttled ${throttles} request(s) in the last 2 min; adding the Fargate tier with ${size} tasks`, { fargate_min_tasks: size });
      }
      const high = sustainedHigh(demand, c);
      if (high) {
        const size = tasksFor(up.max, c, t.fargate_max_tasks);
        return commit(TierState.warming, `${high}; adding the Fargate tier with ${size} tasks`, { fargate_min_tasks: size });
      }
      return none(`demand ${round(up.mean)} req/s over ${c.upWindowMinutes} min is not sustained above ${c.upThresholdRps} req/s`);
    }
    case TierState.warming: {
      const fell = up.complete && up.mean < c.downThresholdRps && throttles === 0;
      if (fell && minutesInState >= c.upWindowMinutes) {
        return commit(TierState.off, `demand fell to ${round(up.mean)} req/s (below ${c.downThresholdRps}) while warming; abandoning the Fargate tier`, {
          fargate_min_tasks: floor,
        });
      }
      if (healthyStable) {
        return commit(TierState.serving, `${healthyNow} healthy hosts >= ${t.fargate_min_tasks}${live !== undefined ? "" : " for 2 min"}; moving traffic to Fargate`);
      }
      if (minutesInState > c.warmingTimeoutMinutes) {
        alerts.push({
          kind: "stuck-warming",
          message: `warming for ${Math.round(minutesInState)} min with ${healthyNow ?? "no"} healthy hosts (need ${t.fargate_min_tasks}); traffic stays on Lambda`,
        });
        return none(`stuck warming: ${healthyNow ?? "no"} healthy hosts after ${Math.round(minutesInState)} min; not switching traffic`);
      }
      return none(`warming: ${healthyNow ?? "no"} of ${t.fargate_min_tasks} hosts healthy`);
    }
    case TierState.serving: {
      if (o.fargateRecordLive === false && applyLate) {
        alerts.push({ kind: "apply-lagging", message: `serving for ${Math.round(minutesInState)} min but the fargate DNS record is absent; check the Terraform run` });
      }
      if (healthyNow !== undefined && healthyNow < 1) {
        alerts.push({ kind: "unhealthy-tier", message: "serving with 0 healthy hosts; Route 53 is failing over to Lambda" });
      }
      // The warming floor was sized for the switch; once autoscaling has run the tier for a
      // while, hand the task count back to target tracking (same state, no new "since").
      if (t.fargate_min_tasks > floor && minutesInState >= FLOOR_SETTLE_MINUTES) {
        return {
          ...commit(TierState.serving, `serving for ${Math.round(minutesInState)} min; target tracking owns the task count, so the floor goes from ${t.fargate_min_tasks} back to ${floor}`, { fargate_min_tasks: floor }),
          toggle: { ...t, fargate_min_tasks: floor },
        };
      }
      // Also a full down window of serving: earlier ALB minutes (warming) carried no traffic by design.
      const dwell = Math.max(c.minDwellMinutes, c.downWindowMinutes);
      if (minutesInState < dwell) {
        return none(`serving for ${Math.round(minutesInState)} of at least ${dwell} min`);
      }
      // Measured on the serving tier: every ALB minute must be known, so missing data never scales down.
      if (!downAlb.complete) return none(`no complete ALB data for the last ${c.downWindowMinutes} min; not scaling down without evidence`);
      if (downDemand.mean < c.downThresholdRps && downDemand.max < c.upThresholdRps) {
        return commit(TierState.draining, `demand ${round(downDemand.mean)} req/s over ${c.downWindowMinutes} min is below ${c.downThresholdRps} req/s; draining Fargate`);
      }
      return none(`demand ${round(downDemand.mean)} req/s over ${c.downWindowMinutes} min keeps the Fargate tier`);
    }
    case TierState.draining: {
      if ((throttles > 0 || sustainedHigh(demand, c) !== undefined) && healthyStable) {
        return commit(TierState.serving, `demand came back (${round(up.mean)} req/s) while draining with ${healthyNow} healthy hosts; serving again`);
      }
      const drainMinutes = (c.dnsTtlSeconds + c.deregistrationDelaySeconds) / 60;
      if (o.fargateRecordLive !== false) {
        if (minutesInState > drainMinutes + c.applyTimeoutMinutes && o.fargateRecordLive === true) {
          alerts.push({ kind: "apply-lagging", message: `draining for ${Math.round(minutesInState)} min but the fargate DNS record is still live; check the Terraform run` });
        }
        return none(`draining: waiting for the fargate DNS record to be removed (${o.fargateRecordLive === undefined ? "unknown" : "still live"})`);
      }
      if (minutesInState < drainMinutes) {
        return none(`draining: ${Math.round(minutesInState * 10) / 10} of ${drainMinutes} min (DNS TTL + deregistration delay)`);
      }
      const idle = last(alb, 2);
      if (idle.length < 2 || idle.some((v) => v === undefined)) return none("draining: no ALB data for the last 2 min; waiting for evidence that it is idle");
      const idleRps = Math.max(...(idle as number[])) / 60;
      if (idleRps > c.drainIdleRps) return none(`draining: ALB still carries ${round(idleRps)} req/s (idle is <= ${c.drainIdleRps})`);
      return commit(TierState.off, `drained: DNS TTL and deregistration delay passed and the ALB carries ${round(idleRps)} req/s; removing Fargate`, {
        fargate_min_tasks: floor,
      });
    }
  }
}
