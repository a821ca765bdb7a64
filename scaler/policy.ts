/**
 * The scaling policy: one pure function, `decide(config, observation, now)`.
 * No AWS SDK, no clock, no randomness: the scaler Lambda and the simulator
 * run exactly this code. See the README's "Scaling policy" section for the
 * rules and their defaults, and "Where this differs from the original
 * design" for why it weighs money rather than rate thresholds.
 */
import type { DeploymentConfig } from "../config/schema";
import { tasksNeeded, workloadFrom } from "../model/cost-model";
import { accumulated, breakEven, despike, lambdaExcess, quantile, roundTripCost, usd, type MoneyConfig, type RoundTripShape } from "./money";
import { TierState, type Toggle } from "../model/toggle";

/** What the policy decides with, all from the deployment configuration (README, "Scaling policy"). */
export interface PolicyConfig extends MoneyConfig {
  /** Minutes of metrics the cost accumulators look back over. */
  readonly historyMinutes: number;
  /** Least time the tier serves before it may be drained. */
  readonly minDwellMinutes: number;
  /** One step of backoff is forgotten per this many minutes in one state. */
  readonly backoffDecayMinutes: number;
  /** Most steps of backoff (the round-trip cost doubles per step). */
  readonly maxBackoff: number;
  readonly warmingTimeoutMinutes: number;
  readonly applyTimeoutMinutes: number;
  readonly dnsTtlSeconds: number;
  readonly deregistrationDelaySeconds: number;
  readonly drainIdleRps: number;
  /** After DNS TTL and deregistration delay, draining ends after this many more minutes even if stragglers remain. */
  readonly drainDeadlineMinutes: number;
  /** Weighted switch: minutes the ALB keeps serving through Lambda after the record is gone. */
  readonly stragglerMinutes: number;
  /** How traffic moves to the tier (config `fargate.switch`). */
  readonly fargateSwitch: "weighted" | "dns";
  readonly requestsPerTaskPerSecond: number;
  readonly targetUtilization: number;
  readonly minTasks: number;
  readonly maxTasks: number;
}

export const policyConfigFrom = (c: DeploymentConfig): PolicyConfig => {
  const { metricLagMinutes: _lag, ...scaling } = c.scaling;
  return {
    ...scaling,
    workload: workloadFrom(c),
    fargateSwitch: c.fargate.switch,
    requestsPerTaskPerSecond: c.fargate.requestsPerTaskPerSecond,
    targetUtilization: c.fargate.targetUtilization,
    minTasks: c.fargate.minTasks,
    maxTasks: c.fargate.maxTasks,
  };
};

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
  /** Percent of the ALB's requests its listener sends to the tasks now (weighted switch); absent without that listener. */
  readonly fargateWeightNow?: number;
}

/** The per-minute series of `Metrics` (each a CloudWatch query). */
export type SeriesName = Exclude<keyof Metrics, "healthyTargetsNow" | "fargateWeightNow">;

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
  /** What the scaler remembered from earlier runs (the status item); absent when there is none or it could not be read. */
  readonly memory?: ScalerMemory;
}

/**
 * What the scaler remembers across runs that is no decision of the toggle's:
 * kept in the status item (reconcile.ts), not committed, so remembering costs a
 * DynamoDB write and never a Terraform run.
 */
export interface ScalerMemory {
  /**
   * The first time a scaler read the "fargate" record absent during the drain that began at
   * `drainSince` (the draining toggle's `fargate_tier_since`). The straggler window, the DNS TTL and
   * the deregistration delay count from it, whenever the draining run applied.
   */
  readonly recordGone?: { readonly drainSince: string; readonly at: string };
  /**
   * Lambda's excess over Fargate summed over the stay that began at `since` (the toggle's
   * `fargate_tier_since`) up to `through`: rolled forward before the metric window loses the
   * stay's first minutes, so the stay's outcome (did it save its round trip) is known when it
   * ends, however long it lasted.
   */
  readonly stay?: { readonly since: string; readonly through: string; readonly excessUsd: number };
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

export type AlertKind = "stuck-warming" | "apply-lagging" | "unhealthy-tier" | "apply-failed" | "toggle-from-future";

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
  /** Set when the scaler should look again within a minute whatever the alarms say (why). */
  readonly followUp?: string;
  /** Weighted switch: the percent of the ALB's requests the tasks should get now (undefined: leave the listener alone). */
  readonly fargateWeight?: number;
  /** What to remember until the next run (the status item keeps it); what is not here is forgotten. Absent: nothing. */
  readonly memory?: ScalerMemory;
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
  ["warming", "draining"],
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

/** Total demand in requests per minute: API Gateway plus ALB; a minute with neither is unknown. */
function demandPerMinute(api: Series, alb: Series): Series {
  const n = Math.max(api.length, alb.length);
  const albN = alignTo(alb, n);
  return alignTo(api, n).map((v, i) => (v === undefined && albN[i] === undefined ? undefined : (v ?? 0) + (albN[i] ?? 0)));
}

const meanOf = (xs: Series): number => {
  const known = xs.filter((v): v is number => v !== undefined);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
};

/**
 * Minimum tasks for the current demand at the target utilization, within the
 * configured bounds and the toggle's own maximum, so the toggle written always
 * passes its parser (fargate_min_tasks <= fargate_max_tasks).
 */
export function tasksFor(rps: number, c: PolicyConfig, toggleMax: number = c.maxTasks): number {
  // tasksNeeded already bounds by the configured minTasks and maxTasks.
  return Math.min(Math.max(1, Math.min(c.maxTasks, toggleMax)), tasksNeeded(rps, c.workload));
}

/** Healthy tasks that carry `rps` at full capacity (at least one): enough to take traffic now. */
const tasksToCarry = (rps: number, c: PolicyConfig): number => Math.max(1, Math.ceil(rps / c.requestsPerTaskPerSecond));

/**
 * The level a returning load would come back at: the 90th percentile of the busy minutes (above
 * break-even, spikes removed) in the window, 0 with none. Draining is ski rental the other way:
 * keeping an idle tier is the rent, and coming back costs the round trip plus Lambda's excess at
 * this level while the tier warms again, so a drain waits until the idle tier has cost that much.
 */
export function busyLevel(smooth: Series, c: PolicyConfig): number {
  return quantile(smooth.filter((v): v is number => v !== undefined && lambdaExcess(v, c) > 0), 0.9);
}

/** The canary's steps, in percent of the ALB's requests on the tasks. */
export const CANARY_STEPS: readonly number[] = [10, 50, 100];

/** The canary step after `weight`. */
export const nextCanaryStep = (weight: number): number => CANARY_STEPS.find((s) => s > weight) ?? 100;

/** Percent of the current demand the healthy tasks carry at full capacity (0 with none healthy, 100 with no demand). */
export function capacityShare(healthy: number | undefined, rps: number, c: Pick<PolicyConfig, "requestsPerTaskPerSecond">): number {
  if (healthy === undefined || healthy < 1) return 0;
  if (rps <= 0) return 100;
  return Math.min(100, Math.floor((100 * healthy * c.requestsPerTaskPerSecond) / rps));
}

/** Whether a remembered fact belongs to the toggle's current stay (keyed by its since) and carries a readable time. */
const ofThisStay = (t: Toggle, since: string, at: string): boolean => Date.parse(since) === Date.parse(t.fargate_tier_since) && Number.isFinite(Date.parse(at));

/**
 * Since when the "fargate" record has been gone in the current drain, never before it went: the
 * earliest of what the memory says for this drain (keyed by the draining toggle's since) and when the
 * run for the committed toggle applied (its apply removed the record, so it was gone by then), else
 * now, the first run to read it gone, and never after now. A record read live again forgets it (clients resolve the ALB
 * again, so the window starts over when it goes); a Route 53 read that failed keeps what was known.
 */
function recordGoneSince(t: Toggle, o: Observation, stamp: string): ScalerMemory["recordGone"] {
  const known = o.memory?.recordGone;
  const kept = known && ofThisStay(t, known.drainSince, known.at) ? known : undefined;
  if (o.fargateRecordLive === undefined) return kept;
  if (o.fargateRecordLive === true) return undefined;
  const run = o.run?.forHead;
  const applied = run?.phase === "applied" && run.finishedAt !== undefined && Number.isFinite(Date.parse(run.finishedAt)) ? run.finishedAt : undefined;
  // Never later than now: a run stamped ahead of this clock (HCP Terraform's clock is not the scaler's) would hold the ALB past its window.
  const at = [kept?.at, applied, stamp].filter((x): x is string => x !== undefined).sort((a, b) => Date.parse(a) - Date.parse(b))[0]!;
  return { drainSince: t.fargate_tier_since, at };
}

/** Minutes of the drain window: DNS TTL and deregistration delay, and weighted, the straggler window. */
export const drainWindowMinutes = (c: PolicyConfig): number => (c.dnsTtlSeconds + c.deregistrationDelaySeconds) / 60 + (c.fargateSwitch === "weighted" ? c.stragglerMinutes : 0);

/**
 * A round trip as this world bills it: the warm-up the scaler last measured
 * (commit to serving, canary included; the configured warmupMinutes until it
 * has measured one) at `warmTasks`, the floor warming builds; then the drain
 * window and the teardown (the off commit's run and the destroy) at the
 * resting floor.
 */
export function roundTripShape(c: PolicyConfig, t: Pick<Toggle, "fargate_warmup_minutes" | "fargate_max_tasks">, warmTasks: number): RoundTripShape {
  return { warmupMinutes: warmupOf(c, t), warmTasks, leaveMinutes: drainWindowMinutes(c) + c.teardownMinutes, restTasks: restingFloor(c, t) };
}

/** The warm-up the scaler last measured (the toggle keeps it; 0 = none yet), else the configured one. */
export const warmupOf = (c: PolicyConfig, t: Pick<Toggle, "fargate_warmup_minutes">): number => t.fargate_warmup_minutes || c.warmupMinutes;

/** The resting task floor, within the toggle's own maximum so the file stays valid. */
export const restingFloor = (c: PolicyConfig, t: Pick<Toggle, "fargate_max_tasks">): number => Math.max(1, Math.min(c.minTasks, t.fargate_max_tasks));

/** The warm-up to remember after one that took `minutes`: the mean with the last one measured, whole minutes within the toggle's bounds. */
export const measuredWarmup = (previous: number | undefined, minutes: number): number =>
  Math.min(240, Math.max(1, Math.round(previous === undefined ? minutes : (previous + minutes) / 2)));

/**
 * The demand a tier bought now would find: the median of the last warm-up's
 * known minutes, the level the load held at least half that time (a spike
 * shorter than half the warm-up does not size the floor).
 */
export function lastingDemand(demand: Series, warmupMinutes: number): number {
  const known = last(demand, Math.max(1, Math.ceil(warmupMinutes))).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  return known.length === 0 ? 0 : known[Math.floor((known.length - 1) / 2)]!;
}

/**
 * Lambda's excess summed over the current stay, and what to remember of it. Within the metric
 * window the window says; a stay longer than that adds the window's minutes since the last roll to
 * the sum remembered then (undefined with no such memory: its outcome is unknown). The sum is
 * rolled forward once half the window has passed since the last roll, so a scaler that runs at
 * least that often (the hourly heartbeat does) never loses a minute, for one status write per half
 * window.
 */
function tallyStay(t: Toggle, known: ScalerMemory["stay"], excess: Series, minutesInState: number, now: Date, stamp: string): { sum: number | undefined; memory: ScalerMemory["stay"] } {
  const window = excess.length;
  const sumLast = (n: number) => last(excess, Math.ceil(n)).reduce<number>((a, e) => a + (e ?? 0), 0);
  const mine = known && ofThisStay(t, known.since, known.through) ? known : undefined;
  const sinceRoll = mine ? (now.getTime() - Date.parse(mine.through)) / 60_000 : undefined;
  let sum: number | undefined;
  if (minutesInState <= window) sum = sumLast(minutesInState);
  else if (mine && sinceRoll! >= 0 && sinceRoll! <= window) sum = mine.excessUsd + sumLast(sinceRoll!);
  if (sum === undefined || !Number.isFinite(minutesInState)) return { sum, memory: mine };
  const due = mine ? sinceRoll! >= window / 2 : minutesInState >= window / 2;
  return { sum, memory: due ? { since: t.fargate_tier_since, through: stamp, excessUsd: Number(sum.toFixed(6)) } : mine };
}

/** A toggle's `since` further ahead of the scaler's clock than this is not trusted. */
export const CLOCK_SKEW_MINUTES = 2;

/** Backoff steps still in force after `minutesInState` minutes in one state. */
export const effectiveBackoff = (backoff: number, minutesInState: number, c: PolicyConfig): number =>
  Math.max(0, Math.min(c.maxBackoff, backoff) - Math.floor(minutesInState / c.backoffDecayMinutes));

/**
 * Decides the next step from the committed state and what is observed.
 * Level-triggered: its memory is the toggle (state, since, backoff) and, for
 * what is observed rather than decided, `ScalerMemory` (when a drain's record
 * was first read gone).
 *
 * The rule is ski rental on money. The "buy price" is the tier's round trip
 * (roundTripCost), doubled per backoff step. Off, the tier is added once
 * Lambda has cost that much more than Fargate would have over some recent run
 * of minutes; serving, it is drained once Fargate has cost that much more than
 * Lambda would have, plus what warming it again would cost at the last half hour's
 * high demand. A stay on either tier that did not save its round trip (the
 * switch into it was a mistake) adds a backoff step, so a periodic load
 * settles on one tier; a step is forgotten per backoffDecayMinutes in a state.
 */
export function decide(c: PolicyConfig, o: Observation, now: Date): Decision {
  const t = o.toggle;
  const state = t.fargate_tier;
  const sinceMs = Date.parse(t.fargate_tier_since);
  const rawMinutes = Number.isFinite(sinceMs) ? (now.getTime() - sinceMs) / 60_000 : Infinity;
  const minutesInState = Math.max(0, rawMinutes);
  const alb = albPerMinute(o.metrics);
  const demand = last(demandPerMinute(o.metrics.apiRequests, alb), c.historyMinutes);
  const sinceState = last(demand, Math.ceil(minutesInState));
  const latestDemand = demand[demand.length - 1];
  const recentRps = meanOf(last(demand, 5)) / 60;
  const peakRps = Math.max(0, ...last(demand, 10).map((v) => v ?? 0)) / 60;
  const latestHealthy = last(o.metrics.healthyHosts, 2);
  // The target group's own answer is current; CloudWatch's HealthyHostCount is minutes old, so
  // without the live answer two published minutes are needed.
  const live = o.metrics.healthyTargetsNow;
  const healthyNow = live ?? latestHealthy[latestHealthy.length - 1];
  const healthyAtLeast = (n: number) => (live !== undefined ? live >= n : latestHealthy.length === 2 && latestHealthy.every((h) => h !== undefined && h >= n));
  const throttles = last(o.metrics.lambdaThrottles, 2).reduce<number>((a, b) => a + (b ?? 0), 0);

  const stamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  // Money. The round trip's price comes from the world this tier lives in (roundTripShape): the
  // warm-up as the scaler last measured it with the floor it builds, the drain window, the teardown.
  const warmup = warmupOf(c, t);
  const lasting = lastingDemand(demand, warmup);
  const size = tasksFor(lasting / 60, c, t.fargate_max_tasks);
  const floor = restingFloor(c, t);
  const roundTrip = roundTripCost(c, roundTripShape(c, t, floor));
  const upTrip = roundTripCost(c, roundTripShape(c, t, size));
  // Backoff per direction: a wasted switch up makes the next switch up dearer, a wasted drain the next drain.
  const upSteps = effectiveBackoff(t.fargate_backoff_up, minutesInState, c);
  const downSteps = effectiveBackoff(t.fargate_backoff_down, minutesInState, c);
  const step = (n: number) => Math.min(c.maxBackoff, n + 1);
  // Lambda's excess over Fargate for each minute of the current stay (within the window), priced once.
  const excessOf = (xs: Series): Series => xs.map((r) => (r === undefined ? undefined : lambdaExcess(r, c)));
  const stayExcess = excessOf(sinceState);
  const latestExcess = latestDemand === undefined ? undefined : lambdaExcess(latestDemand, c);
  // Bought now, the tier serves only after the warm-up, and Lambda's rent goes on until then. Classic
  // ski rental on the world's round trip (no backoff) is 2-competitive against a buyer with the same
  // warm-up; once a switch up was wasted (up backoff), the price also takes Lambda's rent over the
  // warm-up at the current rate per extra doubling, so a load must outlast the warm-up to buy again:
  // bursts shorter than the tier takes to serve stop buying it after one.
  const leadRent = (2 ** upSteps - 1) * warmup * Math.max(0, latestExcess ?? 0);
  // The bar without the lead rent: abandoning a warm-up, or keeping a tier that still exists.
  const upBar = upTrip * 2 ** upSteps;
  const upPrice = upBar + leadRent;
  // Currency: the sum never holds more than the price, so once Lambda has since saved the price's
  // worth, money a load earned is spent; and the tier is bought only while the load is still on.
  const lambdaBehind = accumulated(stayExcess, (e) => e, upPrice);
  const downPrice = roundTrip * 2 ** downSteps;
  // Rent is counted only while paying it; the despiked form caps each minute at the second highest
  // of the 5 around it, so a lone spike cannot hold the tier while a load busy 2 minutes in 5 still does.
  const smooth = despike(demand, 5);
  const smoothStayExcess = excessOf(last(smooth, Math.ceil(minutesInState)));
  const fargateBehind = accumulated(smoothStayExcess, (e) => -e);
  // Leaving costs a warm-up on Lambda at the level the tier was busy at, if the load returns.
  const recentHigh = busyLevel(smooth, c);
  const rewarm = warmup * Math.max(0, lambdaExcess(recentHigh, c));
  // Lambda's total excess over the current stay: what a stay on Fargate saved, or a stay on Lambda lost (undefined when it began before the window).
  const stayTally = tallyStay(t, o.memory?.stay, excessOf(demand), minutesInState, now, stamp);
  const stayExcessSum = stayTally.sum;
  const wasted = (saved: number | undefined): saved is number => saved !== undefined && saved < roundTrip;
  // Draining: when the record was first read gone in this drain (the drain window counts from it).
  const recordGone = state === TierState.draining ? recordGoneSince(t, o, stamp) : undefined;
  const goneMinutes = recordGone ? Math.max(0, (now.getTime() - Date.parse(recordGone.at)) / 60_000) : undefined;
  const evidence = {
    demand_rps: latestDemand === undefined ? null : round(latestDemand / 60),
    break_even_rps: round(breakEven(c)),
    lambda_behind_usd: Number(lambdaBehind.toFixed(4)),
    fargate_behind_usd: Number(fargateBehind.toFixed(4)),
    up_price_usd: Number(upPrice.toFixed(4)),
    down_price_usd: Number(downPrice.toFixed(4)),
    rewarm_usd: Number(rewarm.toFixed(4)),
    lead_rent_usd: Number(leadRent.toFixed(4)),
    warmup_minutes: warmup,
    backoff_up: upSteps,
    backoff_down: downSteps,
    alb_rps: alb[alb.length - 1] === undefined ? null : round(alb[alb.length - 1]! / 60),
    healthy_hosts: healthyNow ?? null,
    throttles,
    minutes_in_state: Number.isFinite(minutesInState) ? Math.round(minutesInState) : null,
    fargate_record_live: o.fargateRecordLive ?? null,
    ...(goneMinutes === undefined ? {} : { record_gone_minutes: Math.round(goneMinutes * 10) / 10 }),
  };
  // Weighted switch: the listener exists with the ALB; the tasks get what their healthy count can carry.
  const weighted = c.fargateSwitch === "weighted";
  const weightNow = weighted ? o.metrics.fargateWeightNow : undefined;
  const capacityWeight = capacityShare(healthyNow, recentRps, c);
  const alerts: Alert[] = [];
  let requeueRun: string | undefined;
  let followUp: string | undefined;
  let fargateWeight: number | undefined;
  const memory: ScalerMemory = { ...(recordGone ? { recordGone } : {}), ...(stayTally.memory ? { stay: stayTally.memory } : {}) };
  const none = (reason: string): Decision => ({ action: "none", from: state, to: state, toggle: t, reason, evidence, alerts, requeueRun, followUp, fargateWeight, memory });
  const commit = (to: TierState, reason: string, changes: Partial<Pick<Toggle, "fargate_min_tasks" | "fargate_backoff_up" | "fargate_backoff_down" | "fargate_tier_since" | "fargate_warmup_minutes">> = {}): Decision => ({
    action: "commit",
    from: state,
    to,
    toggle: { ...t, fargate_backoff_up: upSteps, fargate_backoff_down: downSteps, fargate_tier: to, fargate_tier_since: stamp, ...changes },
    reason,
    evidence,
    alerts,
    requeueRun,
    followUp,
    fargateWeight,
    // A transition starts a new stay: nothing remembered from this one applies to it.
    memory: {},
  });
  const applyLate = minutesInState > c.applyTimeoutMinutes;

  if (t.fargate_pinned) return none(`pinned at ${state} by a human; reporting only`);
  // A since ahead of the clock would stretch every dwell and timeout: someone wrote it by hand or a clock is wrong.
  if (rawMinutes < -CLOCK_SKEW_MINUTES) {
    alerts.push({ kind: "toggle-from-future", message: `fargate_tier_since ${t.fargate_tier_since} is ${Math.round(-rawMinutes)} min ahead of the scaler's clock; fix the toggle file` });
    return none(`holding at ${state}: the toggle's since is in the future`);
  }
  // A failed run means the infrastructure is not what the toggle says: page, queue the run
  // again with backoff, and hold (never move traffic on top of it) until one applies.
  // Throttling Lambda overrides the hold: users are being turned away, so decide as usual.
  const failedRun = o.run?.forHead?.phase === "failed" ? o.run.forHead : undefined;
  if (failedRun) {
    const attempts = Math.max(1, o.run!.failedAttempts);
    const waited = failedRun.finishedAt ? (now.getTime() - Date.parse(failedRun.finishedAt)) / 60_000 : Infinity;
    const wait = runRetryBackoffMinutes(attempts);
    alerts.push({ kind: "apply-failed", message: `Terraform Cloud run ${failedRun.id} ${failedRun.status}${failedRun.commitSha ? ` at ${failedRun.commitSha.slice(0, 8)}` : ""} (${attempts} failed in a row); holding at ${state}` });
    if (!(waited < wait)) requeueRun = `run ${failedRun.id} ${failedRun.status} (${attempts} in a row); retrying after ${wait} min`;
    if (throttles === 0) return none(`holding at ${state}: the last Terraform run ${failedRun.status}`);
  }
  const behindLambda = `Lambda cost ${usd(lambdaBehind)} more than Fargate would have`;
  const behindFargate = `Fargate cost ${usd(fargateBehind)} more than Lambda would have`;
  const priced = (price: number, steps: number) => `round trip ${usd(price)}${steps ? ` (backoff x${2 ** steps})` : ""}`;
  // The up price in words: the round trip (with its backoff) plus Lambda's rent while the tier warms.
  const upPriced = `${priced(upBar, upSteps)}${leadRent > 0 ? ` plus ${usd(leadRent)} of Lambda while it warms ${warmup} min` : ""}`;

  switch (state) {
    case TierState.off: {
      if (applyLate && o.fargateRecordLive === true) {
        alerts.push({ kind: "apply-lagging", message: `tier is off for ${Math.round(minutesInState)} min but the fargate DNS record still exists; check the Terraform run` });
      }
      if (throttles > 0) {
        // Lambda is at its limit, so the load is at least what it carried: size for the recent peak.
        const sized = Math.max(size, tasksFor(peakRps, c, t.fargate_max_tasks));
        return commit(TierState.warming, `Lambda throttled ${throttles} request(s) in the last 2 min; adding the Fargate tier with ${sized} tasks`, { fargate_min_tasks: sized });
      }
      if (lambdaBehind >= upPrice && latestExcess !== undefined && latestExcess > 0) {
        // Coming back soon after leaving: the off stay did not save a round trip, so the drain was a mistake.
        const saved = stayExcessSum === undefined ? undefined : -stayExcessSum;
        const drainWasted = wasted(saved);
        return commit(
          TierState.warming,
          `${behindLambda}, reaching the ${upPriced}; adding the Fargate tier with ${size} tasks for the ${round(lasting / 60)} req/s that lasted${drainWasted ? ` (the off stay saved only ${usd(saved)}: drain backoff ${step(downSteps)})` : ""}`,
          { fargate_min_tasks: size, fargate_backoff_down: drainWasted ? step(downSteps) : downSteps },
        );
      }
      if (lambdaBehind >= upPrice) {
        const why = latestDemand === undefined ? "the newest minute is missing" : `the newest minute is below break-even (${round(latestDemand / 60)} req/s)`;
        return none(`${behindLambda}, but ${why}; not buying a tier for a load that may be over`);
      }
      return none(`${behindLambda}; below the ${upPriced}`);
    }
    case TierState.warming: {
      // Serving begins now: the warm-up this took is what the next round trip is priced with.
      const measured = { fargate_warmup_minutes: measuredWarmup(t.fargate_warmup_minutes || undefined, minutesInState) };
      // Demand fell away before the tier served: stop paying for it once that has cost as much as a round trip.
      const behind = accumulated(stayExcess, (e) => -e);
      if (throttles === 0 && behind >= upBar) {
        const why = `demand fell while warming: Fargate would have cost ${usd(behind)} more than Lambda since warming began (${priced(upBar, upSteps)}); abandoning the tier (up backoff ${step(upSteps)})`;
        // Weighted, the record has been live since warming: drain it (stragglers) rather than destroy the ALB under cached answers.
        if (weighted) fargateWeight = weightNow === undefined ? undefined : 0;
        return commit(weighted ? TierState.draining : TierState.off, why, { fargate_min_tasks: floor, fargate_backoff_up: step(upSteps) });
      }
      if (weighted && weightNow !== undefined) {
        // Canary: 10%, 50%, 100% of the ALB's requests, a step a minute, never beyond what the healthy tasks carry.
        fargateWeight = Math.min(capacityWeight, nextCanaryStep(weightNow));
        if (weightNow > 0 && weightNow >= Math.min(100, capacityWeight)) {
          return commit(TierState.serving, `canary complete: ${weightNow}% of the ALB's requests on ${healthyNow} healthy tasks at ${round(recentRps)} req/s; serving on Fargate`, measured);
        }
        if (minutesInState <= c.warmingTimeoutMinutes || capacityWeight > 0) {
          return none(`warming: ${weightNow}% of the ALB's requests on ${healthyNow ?? "no"} healthy tasks, next ${fargateWeight}%`);
        }
      }
      const needed = Math.min(t.fargate_min_tasks, tasksToCarry(recentRps, c));
      if (healthyAtLeast(needed)) {
        return commit(TierState.serving, `${healthyNow} healthy hosts carry the current ${round(recentRps)} req/s (need ${needed})${live !== undefined ? "" : " for 2 min"}; moving traffic to Fargate`, measured);
      }
      if (minutesInState > c.warmingTimeoutMinutes) {
        alerts.push({
          kind: "stuck-warming",
          message: `warming for ${Math.round(minutesInState)} min with ${healthyNow ?? "no"} healthy hosts (need ${needed}); traffic stays on Lambda`,
        });
        return none(`stuck warming: ${healthyNow ?? "no"} healthy hosts after ${Math.round(minutesInState)} min; not switching traffic`);
      }
      return none(`warming: ${healthyNow ?? "no"} of ${needed} hosts healthy`);
    }
    case TierState.serving: {
      if (o.fargateRecordLive === false && applyLate) {
        alerts.push({ kind: "apply-lagging", message: `serving for ${Math.round(minutesInState)} min but the fargate DNS record is absent; check the Terraform run` });
      }
      if (healthyNow !== undefined && healthyNow < 1) {
        alerts.push({ kind: "unhealthy-tier", message: "serving with 0 healthy hosts; Route 53 is failing over to Lambda" });
      }
      // The warming floor was sized for the switch; once autoscaling has run the tier for a
      // while, hand the task count back to target tracking (same state and since).
      if (t.fargate_min_tasks > floor) {
        if (minutesInState >= FLOOR_SETTLE_MINUTES) {
          return {
            ...commit(TierState.serving, `serving for ${Math.round(minutesInState)} min; target tracking owns the task count, so the floor goes from ${t.fargate_min_tasks} back to ${floor}`),
            toggle: { ...t, fargate_min_tasks: floor },
          };
        }
        followUp = `floor ${t.fargate_min_tasks} goes back to ${floor} after ${FLOOR_SETTLE_MINUTES} min of serving`;
      }
      // Spill-over: while the tasks are short of capacity (at maxTasks, or still scaling out) the excess goes to Lambda.
      if (weightNow !== undefined) fargateWeight = capacityWeight;
      if (minutesInState < c.minDwellMinutes) return none(`serving for ${Math.round(minutesInState)} of at least ${c.minDwellMinutes} min`);
      // Measured on the serving tier: the newest ALB minutes must be known, so missing data never scales down.
      const recentAlb = last(alb, 5);
      if (recentAlb.length < 5 || recentAlb.some((v) => v === undefined)) return none("no complete ALB data for the last 5 min; not scaling down without evidence");
      if (fargateBehind >= downPrice + rewarm) {
        // A serving stay that did not save its round trip: the switch up was a mistake, the next one costs double.
        const saved = stayExcessSum;
        const upWasted = wasted(saved);
        return commit(
          TierState.draining,
          `${behindFargate}, reaching the ${priced(downPrice, downSteps)} plus ${usd(rewarm)} to warm again at the ${round(recentHigh / 60)} req/s it was busy at; draining Fargate${upWasted ? ` (this stay saved only ${usd(saved)}: up backoff ${step(upSteps)})` : ""}`,
          { fargate_backoff_up: upWasted ? step(upSteps) : upSteps },
        );
      }
      return none(`${behindFargate}; below the ${priced(downPrice, downSteps)} plus ${usd(rewarm)} to warm again`);
    }
    case TierState.draining: {
      // All of the ALB's requests to Lambda first: instant, no DNS involved.
      if (weightNow !== undefined) fargateWeight = 0;
      // Keeping the tier that still exists meets the bar for adding it: Lambda has cost the up price (with its backoff) since the drain began.
      const cameBack = accumulated(smoothStayExcess, (e) => e);
      const back = tasksFor(peakRps, c, t.fargate_max_tasks);
      if ((throttles > 0 || cameBack >= upBar) && healthyAtLeast(Math.min(back, tasksToCarry(recentRps, c)))) {
        // The dwell keeps counting from the drain's start, and the floor is sized for the demand that came back.
        return commit(TierState.serving, `demand came back while draining: Lambda cost ${usd(cameBack)} more than Fargate, reaching the ${priced(upBar, upSteps)}, ${healthyNow} healthy hosts; serving again with ${back} tasks (drain backoff ${step(downSteps)})`, {
          fargate_min_tasks: back,
          fargate_tier_since: t.fargate_tier_since,
          // The drain was a mistake: the next one costs double.
          fargate_backoff_down: step(downSteps),
        });
      }
      // Weighted, the ALB keeps serving through Lambda for clients that cache the answer past its TTL.
      // Every part of the window counts from the first run that read the record gone, not from the
      // commit: a draining run that failed, was retried or queued behind another removes it late.
      const drainMinutes = drainWindowMinutes(c);
      if (o.fargateRecordLive !== false || goneMinutes === undefined) {
        if (minutesInState > drainMinutes + c.applyTimeoutMinutes && o.fargateRecordLive === true) {
          alerts.push({ kind: "apply-lagging", message: `draining for ${Math.round(minutesInState)} min but the fargate DNS record is still live; check the Terraform run` });
        }
        return none(`draining: waiting for the fargate DNS record to be removed (${o.fargateRecordLive === undefined ? "unknown" : "still live"})`);
      }
      if (goneMinutes < drainMinutes) {
        // The same words every minute of the window, so the status item is not rewritten each minute.
        const until = new Date(Date.parse(recordGone!.at) + drainMinutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
        return none(
          `draining: the fargate record has been gone since ${recordGone!.at}; the ALB stays until ${until} (${drainMinutes} min: DNS TTL + deregistration delay${weighted ? ` + ${c.stragglerMinutes} min for clients that cache DNS longer` : ""})`,
        );
      }
      const idle = last(alb, 2);
      const deadline = drainMinutes + c.drainDeadlineMinutes;
      if (idle.length < 2 || idle.some((v) => v === undefined)) {
        if (goneMinutes < deadline) return none("draining: no ALB data for the last 2 min; waiting for evidence that it is idle");
        return commit(TierState.off, `drain deadline: the fargate record gone for ${Math.round(goneMinutes)} min (limit ${deadline}) without ALB data; removing Fargate`, { fargate_min_tasks: floor });
      }
      const idleRps = Math.max(...(idle as number[])) / 60;
      if (idleRps > c.drainIdleRps) {
        if (goneMinutes < deadline) return none(`draining: ALB still carries ${round(idleRps)} req/s (idle is <= ${c.drainIdleRps})`);
        return commit(TierState.off, `drain deadline: the ALB still carries ${round(idleRps)} req/s ${Math.round(goneMinutes)} min after the fargate record went (limit ${deadline}); removing Fargate`, { fargate_min_tasks: floor });
      }
      return commit(TierState.off, `drained: ${Math.round(goneMinutes * 10) / 10} min since the fargate record went (DNS TTL, deregistration delay${weighted ? " and stragglers" : ""}) and the ALB carries ${round(idleRps)} req/s; removing Fargate`, {
        fargate_min_tasks: floor,
      });
    }
  }
}

