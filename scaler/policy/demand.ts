/**
 * Demand and sizing: the per-minute series the policy reads, the levels it
 * takes from them, and how many tasks (or what share of the ALB) carry them.
 */
import { tasksNeeded } from "../../model/cost-model";
import { lambdaExcess, quantile } from "../money";
import type { Metrics, PolicyConfig, Series } from "./types";

/** The newest `n` entries. */
export const last = <T>(xs: ReadonlyArray<T>, n: number): T[] => xs.slice(Math.max(0, xs.length - n));
/** Rounded to cents (or hundredths of a request per second) for the evidence and the words. */
export const round = (x: number) => Math.round(x * 100) / 100;

/** Aligns a series to the newest `n` minutes, padding older missing minutes with undefined. */
const alignTo = (s: Series, n: number): Series => [...Array(Math.max(0, n - s.length)).fill(undefined), ...s];

/** ALB requests per minute, where no datapoint while the target group reports means zero requests. */
export function albPerMinute(m: Metrics): Series {
  const n = Math.max(m.albRequests.length, m.healthyHosts.length);
  const hosts = alignTo(m.healthyHosts, n);
  return alignTo(m.albRequests, n).map((v, i) => (v !== undefined ? v : hosts[i] !== undefined ? 0 : undefined));
}

/** Total demand in requests per minute: API Gateway plus ALB; a minute with neither is unknown. */
export function demandPerMinute(api: Series, alb: Series): Series {
  const n = Math.max(api.length, alb.length);
  const albN = alignTo(alb, n);
  return alignTo(api, n).map((v, i) =>
    v === undefined && albN[i] === undefined ? undefined : (v ?? 0) + (albN[i] ?? 0),
  );
}

/** The mean of the known minutes (0 with none). */
export const meanOf = (xs: Series): number => {
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
export const tasksToCarry = (rps: number, c: PolicyConfig): number =>
  Math.max(1, Math.ceil(rps / c.requestsPerTaskPerSecond));

/**
 * The level a returning load would come back at: the 90th percentile of the busy minutes (above
 * break-even, spikes removed) in the window, 0 with none. Draining is ski rental the other way:
 * keeping an idle tier is the rent, and coming back costs the round trip plus Lambda's excess at
 * this level while the tier warms again, so a drain waits until the idle tier has cost that much.
 */
export function busyLevel(smooth: Series, c: PolicyConfig): number {
  return quantile(
    smooth.filter((v): v is number => v !== undefined && lambdaExcess(v, c) > 0),
    0.9,
  );
}

/** The canary's steps, in percent of the ALB's requests on the tasks. */
export const CANARY_STEPS: readonly number[] = [10, 50, 100];

/** The canary step after `weight`. */
export const nextCanaryStep = (weight: number): number => CANARY_STEPS.find((s) => s > weight) ?? 100;

/** Percent of the current demand the healthy tasks carry at full capacity (0 with none healthy, 100 with no demand). */
export function capacityShare(
  healthy: number | undefined,
  rps: number,
  c: Pick<PolicyConfig, "requestsPerTaskPerSecond">,
): number {
  if (healthy === undefined || healthy < 1) return 0;
  if (rps <= 0) return 100;
  return Math.min(100, Math.floor((100 * healthy * c.requestsPerTaskPerSecond) / rps));
}

/**
 * The demand a tier bought now would find: the median of the last warm-up's
 * known minutes, the level the load held at least half that time (a spike
 * shorter than half the warm-up does not size the floor).
 */
export function lastingDemand(demand: Series, warmupMinutes: number): number {
  const known = last(demand, Math.max(1, Math.ceil(warmupMinutes)))
    .filter((v): v is number => v !== undefined)
    .sort((a, b) => a - b);
  return known.length === 0 ? 0 : known[Math.floor((known.length - 1) / 2)]!;
}
