/**
 * The same-world optimum's plan: the round trip's shape under the world's
 * median delays (medianDelaysFor) and the round trips the dynamic program of
 * optimum.ts chooses with it. Apart from the run in the twin
 * (same-world-optimum.ts) and its hands (same-world-actor.ts), because the
 * plan is pure arithmetic over a trace: it changes with the delay model and
 * the planner, not with the world.
 */
import type { PolicyConfig } from "../scaler/policy";
import { medianDelaysFor, type MedianDelays } from "./delays";
import { planSchedule, type CycleShape, type PlannedCycle } from "./optimum";
import type { TwinWorldOptions } from "./twin-world";

/**
 * The round trip under the world's median delays. Weighted: the record is
 * live from the ALB's creation, so the tasks take most requests once the
 * canary passes 50%, and leaving moves every request to Lambda at once (weight
 * 0); the resources stay through the drain window, the off commit's run and
 * the destroy. DNS: serving needs its own commit and the TTL both ways.
 */
export function sameWorldShape(d: MedianDelays, fargateSwitch: "weighted" | "dns"): CycleShape {
  const apply = d.commitToApplyMinutes;
  // The record leaves with the draining commit's apply (in place, within a minute), and the drain
  // window counts from the minute it is read gone, as the policy's does.
  const drainWait = apply + 1 + d.drainMinutes;
  if (fargateSwitch === "weighted") {
    return {
      leadMinutes: apply,
      warmMinutes: d.createMinutes + d.taskBootMinutes + d.canaryMinutes,
      fargateTailMinutes: 0,
      lambdaTailMinutes: drainWait + apply + d.destroyMinutes,
    };
  }
  const fargateTail = apply + d.dnsTtlMinutes;
  return {
    leadMinutes: apply,
    warmMinutes: d.createMinutes + d.taskBootMinutes + apply + d.dnsTtlMinutes,
    fargateTailMinutes: fargateTail,
    lambdaTailMinutes: Math.max(0, drainWait - fargateTail) + apply + d.destroyMinutes,
  };
}

/** What the same-world optimum planned with, carried in its result (and so in simulation.json). */
export interface SameWorldPlan {
  /** The world's median delays in whole minutes. */
  readonly delays: MedianDelays;
  readonly shape: CycleShape;
  /** The round trips the plan chose, in trace minutes. */
  readonly cycles: PlannedCycle[];
  /** What the plan costs as the planner prices it (perfect sizing); the strategy's totalCost is what the world billed. */
  readonly plannedCost: number;
}

/** Plans the same-world optimum's round trips for a trace (no twin run). */
export function planSameWorld(
  trace: readonly number[],
  o: Pick<TwinWorldOptions, "world" | "workload" | "prices"> & {
    readonly policy: PolicyConfig;
    readonly delays?: MedianDelays;
  },
): SameWorldPlan {
  const c = o.policy;
  const delays =
    o.delays ??
    medianDelaysFor(o.world, {
      deregistrationDelaySeconds: c.deregistrationDelaySeconds,
      dnsTtlSeconds: c.dnsTtlSeconds,
      stragglerMinutes: c.stragglerMinutes,
      fargateSwitch: c.fargateSwitch,
    });
  const shape = sameWorldShape(delays, c.fargateSwitch);
  const schedule = planSchedule(trace, o.workload, shape, c.minDwellMinutes, o.prices);
  return { delays, shape, cycles: schedule.cycles, plannedCost: schedule.plannedCost };
}
