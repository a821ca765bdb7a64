/**
 * The rule of each tier state: what decide (policy.ts) does once the figures
 * are worked out and no guard (pin, clock skew, failed run) has answered.
 * Every rule reads one Situation and returns the decision through its none
 * or commit, so the figures are priced once and the words match the evidence.
 */
import { TierState, type Toggle } from "../../model/toggle";
import { accumulated, usd } from "../money";
import { last, nextCanaryStep, round, tasksFor, tasksToCarry } from "./demand";
import { drainWindowMinutes, FLOOR_SETTLE_MINUTES, measuredWarmup } from "./round-trip";
import type { Alert, Decision, Observation, PolicyConfig, ScalerMemory, Series } from "./types";

/** The toggle fields a commit may set besides the state and since. */
export type ToggleChanges = Partial<
  Pick<
    Toggle,
    | "fargate_min_tasks"
    | "fargate_backoff_up"
    | "fargate_backoff_down"
    | "fargate_tier_since"
    | "fargate_warmup_minutes"
  >
>;

/** What a decision carries besides the toggle, set on the way to it (read when none or commit is called). */
export interface Carried {
  requeueRun?: string;
  followUp?: string;
  fargateWeight?: number;
}

/** Everything decide worked out for this run: the figures, the words, and the way to answer. */
export interface Situation {
  /** The policy's configuration. */
  readonly c: PolicyConfig;
  /** What was observed. */
  readonly o: Observation;
  /** The committed toggle. */
  readonly t: Toggle;
  /** Minutes since the toggle's since (0 for one a little ahead of the clock). */
  readonly minutesInState: number;
  /** Longer in this state than an apply may take. */
  readonly applyLate: boolean;
  /** ALB requests per minute (zero where the target group reports without requests). */
  readonly alb: Series;
  /** Requests in the newest minute, both tiers. */
  readonly latestDemand: number | undefined;
  /** Mean demand of the last 5 minutes, req/s. */
  readonly recentRps: number;
  /** Highest minute of the last 10, req/s. */
  readonly peakRps: number;
  /** Healthy tasks now (the target group's live answer, else CloudWatch's newest). */
  readonly healthyNow: number | undefined;
  /** The target group's live answer, when read. */
  readonly live: number | undefined;
  /** At least `n` healthy tasks: now, or for 2 published minutes without the live answer. */
  readonly healthyAtLeast: (n: number) => boolean;
  /** Lambda throttles in the last 2 minutes. */
  readonly throttles: number;
  /** The warm-up in use (measured, else configured). */
  readonly warmup: number;
  /** Requests per minute the load held over the last warm-up. */
  readonly lasting: number;
  /** Tasks for the lasting demand. */
  readonly size: number;
  /** The resting task floor. */
  readonly floor: number;
  /** Up backoff steps in force. */
  readonly upSteps: number;
  /** Down backoff steps in force. */
  readonly downSteps: number;
  /** One backoff step more, within the bound. */
  readonly step: (n: number) => number;
  /** Lambda's excess over Fargate in the newest minute. */
  readonly latestExcess: number | undefined;
  /** Lambda's excess over Fargate per minute of this stay. */
  readonly stayExcess: Series;
  /** The same on despiked demand. */
  readonly smoothStayExcess: Series;
  /** Lambda's rent over the warm-up the up price adds after a wasted switch up. */
  readonly leadRent: number;
  /** The up price without the lead rent. */
  readonly upBar: number;
  /** What Lambda must have cost more than Fargate to buy the tier. */
  readonly upPrice: number;
  /** What Lambda has cost more than Fargate, capped at the up price. */
  readonly lambdaBehind: number;
  /** The round trip with its down backoff. */
  readonly downPrice: number;
  /** What Fargate has cost more than Lambda this stay. */
  readonly fargateBehind: number;
  /** The level a returning load would come back at (requests per minute). */
  readonly recentHigh: number;
  /** Lambda's excess over a warm-up at that level. */
  readonly rewarm: number;
  /** Lambda's excess summed over the whole stay (undefined: unknown). */
  readonly stayExcessSum: number | undefined;
  /** A stay that saved less than its round trip. */
  readonly wasted: (saved: number | undefined) => saved is number;
  /** Draining: when the record was first read gone. */
  readonly recordGone: ScalerMemory["recordGone"];
  /** Draining: minutes since then. */
  readonly goneMinutes: number | undefined;
  /** The weighted switch. */
  readonly weighted: boolean;
  /** The listener's share on the tasks now (weighted switch). */
  readonly weightNow: number | undefined;
  /** The share of demand the healthy tasks carry. */
  readonly capacityWeight: number;
  /** Alerts raised so far; a rule may add one. */
  readonly alerts: Alert[];
  /** What a rule sets on its way to a decision; none and commit carry it. */
  readonly out: Carried;
  /** Stay as committed. */
  readonly none: (reason: string) => Decision;
  /** Commit a new toggle. */
  readonly commit: (to: TierState, reason: string, changes?: ToggleChanges) => Decision;
  /** The words for lambdaBehind. */
  readonly behindLambda: string;
  /** The words for fargateBehind. */
  readonly behindFargate: string;
  /** A round trip's price in words, with its backoff. */
  readonly priced: (price: number, steps: number) => string;
  /** The up price in words. */
  readonly upPriced: string;
}

/** Off: buy the tier once Lambda has cost its up price, or at once when Lambda throttles. */
function whileOff(s: Situation): Decision {
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

/** Warming: the canary (weighted) or enough healthy hosts moves traffic; demand that fell away abandons the tier. */
function whileWarming(s: Situation): Decision {
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

/** Serving: hand the floor back, spill to Lambda, and drain once Fargate has cost its down price and a re-warm. */
function whileServing(s: Situation): Decision {
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

/** Draining: serve again if demand came back; otherwise wait out the drain window and remove the tier when the ALB is idle. */
function whileDraining(s: Situation): Decision {
  const {
    c,
    o,
    t,
    minutesInState,
    alb,
    recentRps,
    peakRps,
    healthyNow,
    healthyAtLeast,
    throttles,
    floor,
    upSteps,
    downSteps,
    step,
    smoothStayExcess,
    upBar,
    recordGone,
    goneMinutes,
    weighted,
    weightNow,
    alerts,
    out,
    none,
    commit,
    priced,
  } = s;
  // All of the ALB's requests to Lambda first: instant, no DNS involved.
  if (weightNow !== undefined) out.fargateWeight = 0;
  // Keeping the tier that still exists meets the bar for adding it: Lambda has cost the up price (with its backoff) since the drain began.
  const cameBack = accumulated(smoothStayExcess, (e) => e);
  const back = tasksFor(peakRps, c, t.fargate_max_tasks);
  if ((throttles > 0 || cameBack >= upBar) && healthyAtLeast(Math.min(back, tasksToCarry(recentRps, c)))) {
    // The dwell keeps counting from the drain's start, and the floor is sized for the demand that came back.
    return commit(
      TierState.serving,
      `demand came back while draining: Lambda cost ${usd(cameBack)} more than Fargate, reaching the ${priced(upBar, upSteps)}, ${healthyNow} healthy hosts; serving again with ${back} tasks (drain backoff ${step(downSteps)})`,
      {
        fargate_min_tasks: back,
        fargate_tier_since: t.fargate_tier_since,
        // The drain was a mistake: the next one costs double.
        fargate_backoff_down: step(downSteps),
      },
    );
  }
  // Weighted, the ALB keeps serving through Lambda for clients that cache the answer past its TTL.
  // Every part of the window counts from the first run that read the record gone, not from the
  // commit: a draining run that failed, was retried or queued behind another removes it late.
  const drainMinutes = drainWindowMinutes(c);
  if (o.fargateRecordLive !== false || goneMinutes === undefined) {
    if (minutesInState > drainMinutes + c.applyTimeoutMinutes && o.fargateRecordLive === true) {
      alerts.push({
        kind: "apply-lagging",
        message: `draining for ${Math.round(minutesInState)} min but the fargate DNS record is still live; check the Terraform run`,
      });
    }
    return none(
      `draining: waiting for the fargate DNS record to be removed (${o.fargateRecordLive === undefined ? "unknown" : "still live"})`,
    );
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
    if (goneMinutes < deadline)
      return none("draining: no ALB data for the last 2 min; waiting for evidence that it is idle");
    return commit(
      TierState.off,
      `drain deadline: the fargate record gone for ${Math.round(goneMinutes)} min (limit ${deadline}) without ALB data; removing Fargate`,
      { fargate_min_tasks: floor },
    );
  }
  const idleRps = Math.max(...(idle as number[])) / 60;
  if (idleRps > c.drainIdleRps) {
    if (goneMinutes < deadline)
      return none(`draining: ALB still carries ${round(idleRps)} req/s (idle is <= ${c.drainIdleRps})`);
    return commit(
      TierState.off,
      `drain deadline: the ALB still carries ${round(idleRps)} req/s ${Math.round(goneMinutes)} min after the fargate record went (limit ${deadline}); removing Fargate`,
      { fargate_min_tasks: floor },
    );
  }
  return commit(
    TierState.off,
    `drained: ${Math.round(goneMinutes * 10) / 10} min since the fargate record went (DNS TTL, deregistration delay${weighted ? " and stragglers" : ""}) and the ALB carries ${round(idleRps)} req/s; removing Fargate`,
    {
      fargate_min_tasks: floor,
    },
  );
}

/** The rule for each state. */
export const RULES: Readonly<Record<TierState, (s: Situation) => Decision>> = {
  [TierState.off]: whileOff,
  [TierState.warming]: whileWarming,
  [TierState.serving]: whileServing,
  [TierState.draining]: whileDraining,
};
