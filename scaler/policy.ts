/**
 * The scaling policy: one pure function, `decide(config, observation, now)`.
 * No AWS SDK, no clock, no randomness: the scaler Lambda and the simulator
 * run exactly this code. See docs/scaling-policy.md for the
 * rules and their defaults, and "Where this differs from the original
 * design" for why it weighs money rather than rate thresholds.
 *
 * This file prices the run and applies the guards every state shares; the
 * rooms in scaler/policy/ hold the vocabulary (types.ts), demand and sizing
 * (demand.ts), the round trip and the clocks (round-trip.ts), what is
 * remembered across runs (memory.ts) and each state's rule (states.ts).
 */
import { accumulated, breakEven, despike, lambdaExcess, roundTripCost, usd } from "./money";
import { TierState } from "../model/toggle";
import {
  albPerMinute,
  busyLevel,
  capacityShare,
  demandPerMinute,
  last,
  lastingDemand,
  meanOf,
  round,
  tasksFor,
} from "./policy/demand";
import { recordGoneSince, tallyStay } from "./policy/memory";
import {
  CLOCK_SKEW_MINUTES,
  effectiveBackoff,
  restingFloor,
  roundTripShape,
  runRetryBackoffMinutes,
  warmupOf,
} from "./policy/round-trip";
import { RULES, type Carried, type ToggleChanges } from "./policy/states";
import type { Alert, Decision, Observation, PolicyConfig, ScalerMemory, Series } from "./policy/types";

// The policy's rooms (scaler/policy/), re-exported so importers keep one entry point.
export * from "./policy/types";
export { busyLevel, CANARY_STEPS, capacityShare, lastingDemand, nextCanaryStep, tasksFor } from "./policy/demand";
export * from "./policy/round-trip";

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
  const healthyAtLeast = (n: number) =>
    live !== undefined
      ? live >= n
      : latestHealthy.length === 2 && latestHealthy.every((h) => h !== undefined && h >= n);
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
  // Set on the way to the decision (a guard or a state's rule); none and commit carry what is set when called.
  const out: Carried = {};
  const memory: ScalerMemory = {
    ...(recordGone ? { recordGone } : {}),
    ...(stayTally.memory ? { stay: stayTally.memory } : {}),
  };
  const carried = () => ({ requeueRun: out.requeueRun, followUp: out.followUp, fargateWeight: out.fargateWeight });
  const none = (reason: string): Decision => ({
    action: "none",
    from: state,
    to: state,
    toggle: t,
    reason,
    evidence,
    alerts,
    ...carried(),
    memory,
  });
  const commit = (to: TierState, reason: string, changes: ToggleChanges = {}): Decision => ({
    action: "commit",
    from: state,
    to,
    toggle: {
      ...t,
      fargate_backoff_up: upSteps,
      fargate_backoff_down: downSteps,
      fargate_tier: to,
      fargate_tier_since: stamp,
      ...changes,
    },
    reason,
    evidence,
    alerts,
    ...carried(),
    // A transition starts a new stay: nothing remembered from this one applies to it.
    memory: {},
  });
  const applyLate = minutesInState > c.applyTimeoutMinutes;

  if (t.fargate_pinned) return none(`pinned at ${state} by a human; reporting only`);
  // A since ahead of the clock would stretch every dwell and timeout: someone wrote it by hand or a clock is wrong.
  if (rawMinutes < -CLOCK_SKEW_MINUTES) {
    alerts.push({
      kind: "toggle-from-future",
      message: `fargate_tier_since ${t.fargate_tier_since} is ${Math.round(-rawMinutes)} min ahead of the scaler's clock; fix the toggle file`,
    });
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
    alerts.push({
      kind: "apply-failed",
      message: `Terraform Cloud run ${failedRun.id} ${failedRun.status}${failedRun.commitSha ? ` at ${failedRun.commitSha.slice(0, 8)}` : ""} (${attempts} failed in a row); holding at ${state}`,
    });
    if (!(waited < wait))
      out.requeueRun = `run ${failedRun.id} ${failedRun.status} (${attempts} in a row); retrying after ${wait} min`;
    if (throttles === 0) return none(`holding at ${state}: the last Terraform run ${failedRun.status}`);
  }
  const behindLambda = `Lambda cost ${usd(lambdaBehind)} more than Fargate would have`;
  const behindFargate = `Fargate cost ${usd(fargateBehind)} more than Lambda would have`;
  const priced = (price: number, steps: number) =>
    `round trip ${usd(price)}${steps ? ` (backoff x${2 ** steps})` : ""}`;
  // The up price in words: the round trip (with its backoff) plus Lambda's rent while the tier warms.
  const upPriced = `${priced(upBar, upSteps)}${leadRent > 0 ? ` plus ${usd(leadRent)} of Lambda while it warms ${warmup} min` : ""}`;

  return RULES[state]({
    c,
    o,
    t,
    minutesInState,
    applyLate,
    alb,
    latestDemand,
    recentRps,
    peakRps,
    healthyNow,
    live,
    healthyAtLeast,
    throttles,
    warmup,
    lasting,
    size,
    floor,
    upSteps,
    downSteps,
    step,
    latestExcess,
    stayExcess,
    smoothStayExcess,
    leadRent,
    upBar,
    upPrice,
    lambdaBehind,
    downPrice,
    fargateBehind,
    recentHigh,
    rewarm,
    stayExcessSum,
    wasted,
    recordGone,
    goneMinutes,
    weighted,
    weightNow,
    capacityWeight,
    alerts,
    out,
    none,
    commit,
    behindLambda,
    behindFargate,
    priced,
    upPriced,
  });
}
