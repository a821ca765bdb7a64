/**
 * The rule of the warming state (states.ts maps each state to its rule): the
 * canary or enough healthy hosts moves traffic; demand that fell away abandons the tier.
 */
import { TierState } from "../../model/toggle";
import { accumulated, usd } from "../money";
import { nextCanaryStep, round, tasksToCarry } from "./demand";
import { measuredWarmup } from "./round-trip";
import type { Situation } from "./situation";
import type { Decision } from "./types";

/** Warming: the canary (weighted) or enough healthy hosts moves traffic; demand that fell away abandons the tier. */
export function whileWarming(s: Situation): Decision {
  const {
    c,
    t,
    minutesInState,
    recentRps,
    healthyNow,
    live,
    healthyAtLeast,
    throttles,
    floor,
    upSteps,
    step,
    stayExcess,
    upBar,
    weighted,
    weightNow,
    capacityWeight,
    alerts,
    out,
    none,
    commit,
    priced,
  } = s;
  // Serving begins now: the warm-up this took is what the next round trip is priced with.
  const measured = { fargate_warmup_minutes: measuredWarmup(t.fargate_warmup_minutes || undefined, minutesInState) };
  // Demand fell away before the tier served: stop paying for it once that has cost as much as a round trip.
  const behind = accumulated(stayExcess, (e) => -e);
  if (throttles === 0 && behind >= upBar) {
    const why = `demand fell while warming: Fargate would have cost ${usd(behind)} more than Lambda since warming began (${priced(upBar, upSteps)}); abandoning the tier (up backoff ${step(upSteps)})`;
    // Weighted, the record has been live since warming: drain it (stragglers) rather than destroy the ALB under cached answers.
    if (weighted) out.fargateWeight = weightNow === undefined ? undefined : 0;
    return commit(weighted ? TierState.draining : TierState.off, why, {
      fargate_min_tasks: floor,
      fargate_backoff_up: step(upSteps),
    });
  }
  if (weighted && weightNow !== undefined) {
    // Canary: 10%, 50%, 100% of the ALB's requests, a step a minute, never beyond what the healthy tasks carry.
    out.fargateWeight = Math.min(capacityWeight, nextCanaryStep(weightNow));
    if (weightNow > 0 && weightNow >= Math.min(100, capacityWeight)) {
      return commit(
        TierState.serving,
        `canary complete: ${weightNow}% of the ALB's requests on ${healthyNow} healthy tasks at ${round(recentRps)} req/s; serving on Fargate`,
        measured,
      );
    }
    if (minutesInState <= c.warmingTimeoutMinutes || capacityWeight > 0) {
      return none(
        `warming: ${weightNow}% of the ALB's requests on ${healthyNow ?? "no"} healthy tasks, next ${out.fargateWeight}%`,
      );
    }
  }
  const needed = Math.min(t.fargate_min_tasks, tasksToCarry(recentRps, c));
  if (healthyAtLeast(needed)) {
    return commit(
      TierState.serving,
      `${healthyNow} healthy hosts carry the current ${round(recentRps)} req/s (need ${needed})${live !== undefined ? "" : " for 2 min"}; moving traffic to Fargate`,
      measured,
    );
  }
  if (minutesInState > c.warmingTimeoutMinutes) {
    alerts.push({
      kind: "stuck-warming",
      message: `warming for ${Math.round(minutesInState)} min with ${healthyNow ?? "no"} healthy hosts (need ${needed}); traffic stays on Lambda`,
    });
    return none(
      `stuck warming: ${healthyNow ?? "no"} healthy hosts after ${Math.round(minutesInState)} min; not switching traffic`,
    );
  }
  return none(`warming: ${healthyNow ?? "no"} of ${needed} hosts healthy`);
}
