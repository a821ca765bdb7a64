/**
 * Sizing a user can act on: whether the trace's demand passed what
 * `fargate.maxTasks` tasks can carry, by how much, and the `maxTasks` that
 * would have carried its peak on Fargate. Derived from the trace and the
 * deployment's sizes only, so it says the same whatever the strategy did.
 */
import type { Workload } from "../model/cost-model";

export interface Sizing {
  /** fargate.maxTasks as configured. */
  readonly maxTasks: number;
  readonly requestsPerTaskPerSecond: number;
  /** Target tracking's aim, as a share of requestsPerTaskPerSecond. */
  readonly targetUtilization: number;
  /** What maxTasks tasks carry at full capacity (req/s). */
  readonly capacityRps: number;
  /** The trace's busiest minute (req/s). */
  readonly peakRps: number;
  /** Minutes whose demand was above capacityRps. */
  readonly minutesPastCapacity: number;
  /** Requests above capacityRps in those minutes: what no number of tasks up to maxTasks could serve on Fargate. */
  readonly requestsPastCapacity: number;
  /** The maxTasks that carries the peak at the target utilization (what target tracking would scale to). */
  readonly maxTasksForPeak: number;
  /** The fewest tasks that carry the peak at full capacity. */
  readonly maxTasksForPeakAtFullCapacity: number;
}

/** Whole tasks for a fractional count, without a float's last digit adding one (150 x 0.6 is not exactly 90). */
const tasksFor = (n: number): number => Math.ceil(n - 1e-9);

/** How the trace's demand (requests per minute) compares with what `maxTasks` tasks carry. */
export function sizingFor(
  trace: readonly number[],
  w: Pick<Workload, "maxTasks" | "requestsPerTaskPerSecond" | "targetUtilization">,
): Sizing {
  const capacityRps = w.maxTasks * w.requestsPerTaskPerSecond;
  let peak = 0;
  let minutes = 0;
  let past = 0;
  for (const r of trace) {
    peak = Math.max(peak, r);
    if (r / 60 > capacityRps) {
      minutes++;
      past += r - capacityRps * 60;
    }
  }
  const peakRps = peak / 60;
  return {
    maxTasks: w.maxTasks,
    requestsPerTaskPerSecond: w.requestsPerTaskPerSecond,
    targetUtilization: w.targetUtilization,
    capacityRps,
    peakRps,
    minutesPastCapacity: minutes,
    requestsPastCapacity: past,
    maxTasksForPeak: Math.max(1, tasksFor(peakRps / (w.requestsPerTaskPerSecond * w.targetUtilization))),
    maxTasksForPeakAtFullCapacity: Math.max(1, tasksFor(peakRps / w.requestsPerTaskPerSecond)),
  };
}

/** True when demand passed what maxTasks tasks carry in some minute. */
export const pastCapacity = (s: Sizing): boolean => s.minutesPastCapacity > 0;
