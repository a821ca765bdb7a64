/**
 * The rule of the off state (states.ts maps each state to its rule): buy the
 * Fargate tier once Lambda has cost its up price, or at once on throttles.
 */
import { TierState } from "../../model/toggle";
import { usd } from "../money";
import { round, tasksFor } from "./demand";
import type { Situation } from "./situation";
import type { Decision } from "./types";

/** Off: buy the tier once Lambda has cost its up price, or at once when Lambda throttles. */
export function whileOff(s: Situation): Decision {
  const {
    c,
    o,
    t,
    minutesInState,
    applyLate,
    latestDemand,
    peakRps,
    throttles,
    lasting,
    size,
    downSteps,
    step,
    latestExcess,
    upPrice,
    lambdaBehind,
    stayExcessSum,
    wasted,
    alerts,
    none,
    commit,
    behindLambda,
    upPriced,
  } = s;
  if (applyLate && o.fargateRecordLive === true) {
    alerts.push({
      kind: "apply-lagging",
      message: `tier is off for ${Math.round(minutesInState)} min but the fargate DNS record still exists; check the Terraform run`,
    });
  }
  if (throttles > 0) {
    // Lambda is at its limit, so the load is at least what it carried: size for the recent peak.
    const sized = Math.max(size, tasksFor(peakRps, c, t.fargate_max_tasks));
    return commit(
      TierState.warming,
      `Lambda throttled ${throttles} request(s) in the last 2 min; adding the Fargate tier with ${sized} tasks`,
      { fargate_min_tasks: sized },
    );
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
    const why =
      latestDemand === undefined
        ? "the newest minute is missing"
        : `the newest minute is below break-even (${round(latestDemand / 60)} req/s)`;
    return none(`${behindLambda}, but ${why}; not buying a tier for a load that may be over`);
  }
  return none(`${behindLambda}; below the ${upPriced}`);
}
