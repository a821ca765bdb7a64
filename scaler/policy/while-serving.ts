/**
 * The rule of the serving state (states.ts maps each state to its rule): hand
 * the floor back, spill to Lambda, and drain once Fargate has cost its down price.
 */
import { TierState } from "../../model/toggle";
import { usd } from "../money";
import { last, round } from "./demand";
import { FLOOR_SETTLE_MINUTES } from "./round-trip";
import type { Situation } from "./situation";
import type { Decision } from "./types";

/** Serving: hand the floor back, spill to Lambda, and drain once Fargate has cost its down price and a re-warm. */
export function whileServing(s: Situation): Decision {
  const {
    c,
    o,
    t,
    minutesInState,
    applyLate,
    alb,
    healthyNow,
    floor,
    upSteps,
    downSteps,
    step,
    downPrice,
    fargateBehind,
    recentHigh,
    rewarm,
    stayExcessSum,
    wasted,
    weightNow,
    capacityWeight,
    alerts,
    out,
    none,
    commit,
    behindFargate,
    priced,
  } = s;
  if (o.fargateRecordLive === false && applyLate) {
    alerts.push({
      kind: "apply-lagging",
      message: `serving for ${Math.round(minutesInState)} min but the fargate DNS record is absent; check the Terraform run`,
    });
  }
  if (healthyNow !== undefined && healthyNow < 1) {
    alerts.push({
      kind: "unhealthy-tier",
      message: "serving with 0 healthy hosts; Route 53 is failing over to Lambda",
    });
  }
  // The warming floor was sized for the switch; once autoscaling has run the tier for a
  // while, hand the task count back to target tracking (same state and since).
  if (t.fargate_min_tasks > floor) {
    if (minutesInState >= FLOOR_SETTLE_MINUTES) {
      return {
        ...commit(
          TierState.serving,
          `serving for ${Math.round(minutesInState)} min; target tracking owns the task count, so the floor goes from ${t.fargate_min_tasks} back to ${floor}`,
        ),
        toggle: { ...t, fargate_min_tasks: floor },
      };
    }
    out.followUp = `floor ${t.fargate_min_tasks} goes back to ${floor} after ${FLOOR_SETTLE_MINUTES} min of serving`;
  }
  // Spill-over: while the tasks are short of capacity (at maxTasks, or still scaling out) the excess goes to Lambda.
  if (weightNow !== undefined) out.fargateWeight = capacityWeight;
  if (minutesInState < c.minDwellMinutes)
    return none(`serving for ${Math.round(minutesInState)} of at least ${c.minDwellMinutes} min`);
  // Measured on the serving tier: the newest ALB minutes must be known, so missing data never scales down.
  const recentAlb = last(alb, 5);
  if (recentAlb.length < 5 || recentAlb.some((v) => v === undefined))
    return none("no complete ALB data for the last 5 min; not scaling down without evidence");
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
