/**
 * The policy's clocks and prices of time: the round trip's shape (warm-up,
 * drain window, teardown), the floors, backoff decay and the retry schedule
 * of a failed run.
 */
import type { Toggle } from "../../model/toggle";
import type { RoundTripShape } from "../money";
import type { PolicyConfig } from "./types";

/** Re-queue a failed run after 2, 4, 8, 16, then every 30 minutes: transient errors clear, a broken plan does not hammer the queue. */
export const RUN_RETRY_BASE_MINUTES = 2;
export const RUN_RETRY_MAX_MINUTES = 30;

/** Minutes to wait after the n-th consecutive failed run before queueing another. */
export const runRetryBackoffMinutes = (failedAttempts: number): number =>
  Math.min(RUN_RETRY_MAX_MINUTES, RUN_RETRY_BASE_MINUTES * 2 ** Math.max(0, failedAttempts - 1));

/** Minutes of serving after which the warming floor is handed back to autoscaling. */
export const FLOOR_SETTLE_MINUTES = 15;

/** Minutes of the drain window: DNS TTL and deregistration delay, and weighted, the straggler window. */
export const drainWindowMinutes = (c: PolicyConfig): number =>
  (c.dnsTtlSeconds + c.deregistrationDelaySeconds) / 60 + (c.fargateSwitch === "weighted" ? c.stragglerMinutes : 0);

/**
 * A round trip as this world bills it: the warm-up the scaler last measured
 * (commit to serving, canary included; the configured warmupMinutes until it
 * has measured one) at `warmTasks`, the floor warming builds; then the drain
 * window and the teardown (the off commit's run and the destroy) at the
 * resting floor.
 */
export function roundTripShape(
  c: PolicyConfig,
  t: Pick<Toggle, "fargate_warmup_minutes" | "fargate_max_tasks">,
  warmTasks: number,
): RoundTripShape {
  return {
    warmupMinutes: warmupOf(c, t),
    warmTasks,
    leaveMinutes: drainWindowMinutes(c) + c.teardownMinutes,
    restTasks: restingFloor(c, t),
  };
}

/** The warm-up the scaler last measured (the toggle keeps it; 0 = none yet), else the configured one. */
export const warmupOf = (c: PolicyConfig, t: Pick<Toggle, "fargate_warmup_minutes">): number =>
  t.fargate_warmup_minutes || c.warmupMinutes;

/** The resting task floor, within the toggle's own maximum so the file stays valid. */
export const restingFloor = (c: PolicyConfig, t: Pick<Toggle, "fargate_max_tasks">): number =>
  Math.max(1, Math.min(c.minTasks, t.fargate_max_tasks));

/** The warm-up to remember after one that took `minutes`: the mean with the last one measured, whole minutes within the toggle's bounds. */
export const measuredWarmup = (previous: number | undefined, minutes: number): number =>
  Math.min(240, Math.max(1, Math.round(previous === undefined ? minutes : (previous + minutes) / 2)));

/** A toggle's `since` further ahead of the scaler's clock than this is not trusted. */
export const CLOCK_SKEW_MINUTES = 2;

/** Backoff steps still in force after `minutesInState` minutes in one state. */
export const effectiveBackoff = (backoff: number, minutesInState: number, c: PolicyConfig): number =>
  Math.max(0, Math.min(c.maxBackoff, backoff) - Math.floor(minutesInState / c.backoffDecayMinutes));
