/**
 * The scaler cycle's demand, derived from the policy's own money
 * (scaler/money.ts) with the deployed settings, not tuned by trial.
 */
import { tasksNeeded } from "../model/cost-model";
import type { TierState, Toggle } from "../model/toggle";
import { breakEven, lambdaExcess, roundTripCost } from "../scaler/money";
import {
  CANARY_STEPS,
  drainWindowMinutes,
  effectiveBackoff,
  restingFloor,
  roundTripShape,
  warmupOf,
  type PolicyConfig,
} from "../scaler/policy";
import { ScalerCycleError } from "./scaler-cycle-types";

/** The demand, as derived from the policy and the deployed settings. */
export interface DemandProfile {
  readonly breakEvenRps: number;
  readonly roundTripUsd: number;
  /** The up price in force at the start (round trip x 2^backoff_up). */
  readonly upPriceUsd: number;
  /** The quiet rate before the demand and after it (req/s): the drain's idle threshold, "~0". */
  readonly quietRps: number;
  /** The sustained demand (req/s) whose Lambda excess pays the up price in `upMinutes` minutes. */
  readonly highRps: number;
  readonly upMinutes: number;
  /** Quiet minutes before the demand, so that the off stay has saved a round trip (no drain backoff when the tier is added). */
  readonly quietMinutes: number;
  /** Minutes the demand goes on after the serving commit, so that the serving stay saves its round trip (no up backoff when it drains). */
  readonly servingHighMinutes: number;
  /** Tasks target tracking would want for highRps, and what the floor tasks carry (req/s). */
  readonly tasksForHigh: number;
  readonly floorCapacityRps: number;
  /** Longest the loop lets each state last before calling the cycle stalled (minutes). */
  readonly budgets: Readonly<Record<TierState, number>>;
}
/**
 * The demand, from the policy's money with the deployed settings:
 * - quiet: `drainIdleRps`, the rate the policy itself calls idle (so "~0");
 * - high: the rate whose Lambda excess over Fargate (money.ts `lambdaExcess`)
 *   pays the up price in `UP_MINUTES` minutes, with 5% headroom so rounding
 *   cannot add a minute: ski rental buys the tier after that many minutes of it
 *   (README: 3x break-even takes ~12 min, 30x one);
 * - quiet before it for long enough that the off stay has saved a round trip:
 *   otherwise the policy rightly reads the tier's return as an undone drain and
 *   doubles the next drain's price (`fargate_backoff_down`);
 * - on while the tier serves, long enough that the serving stay saves its own
 *   round trip (else the policy reads the switch up as a mistake: up backoff);
 * - quiet again: the drain then follows from the money (the down price plus
 *   the re-warm at the level the tier was busy at) and the drain rules (TTL, deregistration,
 *   stragglers, idle ALB).
 */
export function deriveProfile(p: PolicyConfig, toggle: Toggle, minutesOff: number, lagMinutes: number): DemandProfile {
  const UP_MINUTES = 5;
  const be = breakEven(p);
  // The round trip as the policy prices it: the warm-up the toggle remembers (or the configured one) at the
  // resting floor (a 5-minute high is shorter than half a warm-up, so it does not size the floor), the drain
  // window and the teardown.
  const roundTrip = roundTripCost(p, roundTripShape(p, toggle, restingFloor(p, toggle)));
  const upPrice = roundTrip * 2 ** effectiveBackoff(toggle.fargate_backoff_up, minutesOff, p);
  // The down price is weighed while serving, a stay that starts with no decay.
  const downPrice = roundTrip * 2 ** effectiveBackoff(toggle.fargate_backoff_down, 0, p);
  const perMinute = (rps: number) => lambdaExcess(rps * 60, p);
  // Bisection on the (increasing) excess: the rate whose excess is the up price spread over UP_MINUTES.
  const target = (1.05 * upPrice) / UP_MINUTES;
  let lo = be;
  let hi = Math.max(be * 2, p.workload.lambdaCapacityRps);
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (perMinute(mid) < target) lo = mid;
    else hi = mid;
  }
  const highRps = Math.ceil(hi * 10) / 10;
  if (perMinute(highRps) < target)
    throw new ScalerCycleError(
      `no demand up to ${hi.toFixed(1)} req/s pays the up price $${upPrice.toFixed(4)} in ${UP_MINUTES} min; no cycle can be derived`,
    );
  const quietRps = p.drainIdleRps;
  const quietSaving = -perMinute(quietRps);
  if (!(quietSaving > 0))
    throw new ScalerCycleError(
      `the quiet rate ${quietRps} req/s is not below break-even ${be.toFixed(2)} req/s; no cycle can be derived`,
    );
  // The off stay's sum at the up decision: quiet minutes save, the UP_MINUTES high ones cost ~1.05 up price; it must save a round trip.
  const stayMinutesNeeded = Math.ceil((roundTrip + UP_MINUTES * perMinute(highRps)) / quietSaving) + 2;
  const quietMinutes = Math.max(lagMinutes + 2, stayMinutesNeeded - Math.floor(minutesOff));
  // Serving, the drain comes once the quiet minutes
  // sum has reached the down price plus a warm-up of Lambda at the high rate: within drainQuiet quiet minutes. The stay must save its own round trip by
  // then, or the policy rightly reads the switch up as a mistake (up backoff): so the demand that bought the
  // tier goes on for servingHighMinutes after the serving commit.
  const drainQuiet = Math.ceil((downPrice + warmupOf(p, toggle) * perMinute(highRps)) / quietSaving) + 1;
  const servingHighMinutes = Math.ceil((roundTrip + drainQuiet * quietSaving) / perMinute(highRps)) + 1;
  const seen = lagMinutes + 1;
  const drainMinutes = drainWindowMinutes(p);
  const slack = 10;
  const budgets: Record<TierState, number> = {
    off: quietMinutes + seen + UP_MINUTES + slack,
    // Targets one minute after the apply, a canary step a minute, then the serving commit; the policy's own limit bounds it.
    warming: Math.max(p.warmingTimeoutMinutes, CANARY_STEPS.length + 2 + seen),
    serving: Math.max(p.minDwellMinutes, servingHighMinutes + drainQuiet + seen) + slack,
    draining: Math.ceil(drainMinutes) + p.drainDeadlineMinutes + slack,
  };
  return {
    breakEvenRps: be,
    roundTripUsd: roundTrip,
    upPriceUsd: upPrice,
    quietRps,
    highRps,
    upMinutes: UP_MINUTES,
    quietMinutes,
    servingHighMinutes,
    tasksForHigh: tasksNeeded(highRps, p.workload),
    floorCapacityRps: p.minTasks * p.requestsPerTaskPerSecond,
    budgets,
  };
}
