/**
 * Clairvoyant schedules: the cheapest tier schedule for the whole trace,
 * knowing the future. Dynamic programming over a small state machine per
 * minute, whose phases come from a `CycleShape`:
 *   OFF -> W1..Wup (decided: first nothing exists, then resources bill while Lambda serves)
 *       -> S1..Sdwell (Fargate serves; may stay in Sdwell)
 *       -> T1..Ttail (after leaving: Fargate still serves, then resources linger on Lambda) -> OFF
 * Demand beyond what a tier can ever carry (maxTasks, or the Lambda tier's
 * throttle limit) costs a large penalty, so a schedule avoids structural
 * shortfall first, then minimises cost. Minutes are priced with perfectly
 * sized tasks.
 *
 * Two strategies use it. `lowerBound` accounts for the schedule under the
 * world's shortest delays with perfectly sized tasks: a lower bound on any
 * scaler in that world. The same-world optimum (same-world-optimum.ts) plans
 * with `planSchedule` under the world's median delays and then runs the plan
 * in the twin.
 */
import { addToBill, fargateFixedMinuteBill, fargateMinuteBill, lambdaMinuteBill } from "./bill";
import {
  coldStarts,
  fargateFixedMinuteCost,
  fargateMinuteCost,
  lambdaMinuteCost,
  tasksNeeded,
  type Workload,
} from "../model/cost-model";
import type { Delays } from "./delays";
import { unservedRequestUsd } from "./equal-service";
import { DEFAULT_PRICES, type PriceTable } from "../model/prices";
import type { StrategyResult, Tier } from "./simulator";

const SHORTFALL_PENALTY = 1e6;

/** One round trip of the tier in whole minutes, as the schedule's state machine walks it. */
export interface CycleShape {
  /** From the decision to add the tier until its resources exist and bill (Lambda serves). */
  readonly leadMinutes: number;
  /** Then resources bill while Lambda still serves, until the tasks take most requests. */
  readonly warmMinutes: number;
  /** After the decision to leave, minutes the tasks still take most requests. */
  readonly fargateTailMinutes: number;
  /** Then minutes the resources still bill while Lambda serves, until they are gone. */
  readonly lambdaTailMinutes: number;
}

/** The lower bound's round trip: the record moves with the tier (DNS TTL both ways), resources from the apply to the end of the destroy. */
export const lowerBoundShape = (d: Delays): CycleShape => ({
  leadMinutes: d.commitToApplyMinutes,
  warmMinutes: d.createMinutes + d.taskBootMinutes + d.dnsTtlMinutes,
  fargateTailMinutes: d.commitToApplyMinutes + d.dnsTtlMinutes,
  lambdaTailMinutes: d.destroyMinutes,
});

interface Phase {
  readonly tier: Tier;
  /** Fargate resources exist (and cost) in this phase. */
  readonly resources: boolean;
}

/** A round trip of the tier in a schedule, in trace minutes (each the first minute of its phase). */
export interface PlannedCycle {
  /** The decision to add the tier (first minute of W1). */
  readonly warmAt: number;
  /** Fargate takes most requests (S1); the trace's length if the trace ends first. */
  readonly serveAt: number;
  /** The decision to leave (first tail minute); the trace's length if the trace ends first. */
  readonly leaveAt: number;
  /** Back to OFF, resources gone; the trace's length if the trace ends first. */
  readonly offAt: number;
}

/** The cheapest schedule: the phase of every minute, and its round trips. */
export interface Schedule {
  readonly phases: readonly Phase[];
  /** Index into `phases` per minute. */
  readonly states: Int32Array;
  readonly cycles: PlannedCycle[];
  /** What the schedule costs as the planner priced it (penalties aside). */
  readonly plannedCost: number;
  readonly minuteCost: (t: number, s: number) => number;
}

/** Builds the state list; returns the phases and the indices of the first and the dwelled serving state. */
function stateMachine(shape: CycleShape, minDwell: number) {
  const up = shape.leadMinutes + shape.warmMinutes;
  if (up < 1)
    throw new RangeError(
      `a round trip needs at least one minute before serving, got lead ${shape.leadMinutes} + warm ${shape.warmMinutes}`,
    );
  const phases: Phase[] = [{ tier: "lambda", resources: false }]; // OFF
  for (let i = 1; i <= up; i++) phases.push({ tier: "lambda", resources: i > shape.leadMinutes });
  const firstServe = phases.length;
  const dwell = Math.max(1, minDwell);
  for (let i = 1; i <= dwell; i++) phases.push({ tier: "fargate", resources: true });
  const lastServe = phases.length - 1;
  for (let i = 1; i <= shape.fargateTailMinutes; i++) phases.push({ tier: "fargate", resources: true });
  for (let i = 1; i <= shape.lambdaTailMinutes; i++) phases.push({ tier: "lambda", resources: true });
  return { phases, firstServe, lastServe };
}

/** Solves the cheapest schedule for `shape` and a least serving stay of `minDwell` minutes. */
export function planSchedule(
  trace: readonly number[],
  w: Workload,
  shape: CycleShape,
  minDwell: number,
  p: PriceTable = DEFAULT_PRICES,
): Schedule {
  const { phases, firstServe, lastServe } = stateMachine(shape, minDwell);
  const n = phases.length;
  const last = n - 1;
  // A minute's cost depends only on the phase's kind: Lambda, Lambda with the tier's resources, or Fargate.
  const kind = phases.map((ph) => (ph.tier === "fargate" ? 2 : ph.resources ? 1 : 0));
  const fixed = fargateFixedMinuteCost(w.minTasks, w, p);
  const costs = (t: number): [number, number, number] => {
    const r = trace[t]!;
    const rps = r / 60;
    const lambda =
      lambdaMinuteCost(r, coldStarts(r, trace[t - 1] ?? 0, w), w, p) +
      (rps > w.lambdaCapacityRps ? SHORTFALL_PENALTY : 0);
    const fargate =
      fargateMinuteCost(r, tasksNeeded(rps, w), w, p) +
      (rps > w.maxTasks * w.requestsPerTaskPerSecond ? SHORTFALL_PENALTY : 0);
    return [lambda, lambda + fixed, fargate];
  };
  const minuteCost = (t: number, s: number): number => costs(t)[kind[s]!]!;
  const states = new Int32Array(trace.length);
  if (trace.length === 0) return { phases, states, cycles: [], plannedCost: 0, minuteCost };
  // best[s] = cheapest cost of being in state s at the end of minute t.
  let best = new Float64Array(n).fill(Infinity);
  best[0] = minuteCost(0, 0);
  best[1] = minuteCost(0, 1);
  // Branch choices for backtracking: at OFF (came from OFF or from the last tail state, which is
  // the dwelled serving state when there is no tail), at W1 (always from OFF), and at Sdwell
  // (stayed, or arrived from Sdwell-1).
  const offFromDrain = new Uint8Array(trace.length);
  const dwellStayed = new Uint8Array(trace.length);
  let next = new Float64Array(n);
  for (let t = 1; t < trace.length; t++) {
    const c = costs(t);
    const fromOff = best[0]!;
    const fromDrain = best[last]!;
    offFromDrain[t] = fromDrain < fromOff ? 1 : 0;
    next[0] = Math.min(fromOff, fromDrain) + c[0];
    next[1] = fromOff + c[kind[1]!]!;
    for (let s = 2; s < n; s++) {
      let prev = best[s - 1]!;
      if (s === lastServe + 1) prev = best[lastServe]!; // leave only from the dwelled serving state
      if (s === lastServe) {
        dwellStayed[t] = best[lastServe]! < best[lastServe - 1]! ? 1 : 0;
        prev = Math.min(best[lastServe]!, best[lastServe - 1]!);
      }
      next[s] = prev + c[kind[s]!]!;
    }
    [best, next] = [next, best];
  }
  // Backtrack from the cheapest end state.
  let s = 0;
  for (let k = 1; k < n; k++) if (best[k]! < best[s]!) s = k;
  for (let t = trace.length - 1; t >= 0; t--) {
    states[t] = s;
    if (t === 0) break;
    if (s === 0) s = offFromDrain[t] ? last : 0;
    else if (s === 1) s = 0;
    else if (s === lastServe) s = dwellStayed[t] ? lastServe : lastServe - 1;
    else s = s - 1;
  }
  let plannedCost = 0;
  for (let t = 0; t < trace.length; t++) {
    const c = minuteCost(t, states[t]!);
    plannedCost += c >= SHORTFALL_PENALTY ? c - SHORTFALL_PENALTY : c;
  }
  return { phases, states, cycles: cyclesOf(states, firstServe, lastServe), plannedCost, minuteCost };
}

/** The round trips of a schedule, read from its states. */
function cyclesOf(states: Int32Array, firstServe: number, lastServe: number): PlannedCycle[] {
  const cycles: PlannedCycle[] = [];
  const end = states.length;
  for (let t = 0; t < end; t++) {
    // W1 is entered only from OFF, and OFF lasts at least a minute between round trips.
    if (states[t] !== 1) continue;
    let serveAt = end;
    let leaveAt = end;
    let offAt = end;
    for (let u = t + 1; u < end; u++) {
      const s = states[u]!;
      if (serveAt === end && s === firstServe) serveAt = u;
      if (serveAt !== end && leaveAt === end && s > lastServe) leaveAt = u;
      if (s === 0) {
        if (leaveAt === end) leaveAt = u;
        offAt = u;
        break;
      }
    }
    cycles.push({ warmAt: t, serveAt, leaveAt, offAt });
  }
  return cycles;
}

/**
 * The lower bound: the cheapest schedule under the world's shortest delays
 * (`delaysFor`), accounted with perfectly sized tasks every minute. No scaler
 * in that world can spend less; the same-world optimum is the yardstick a
 * scaler can reach.
 */
export function lowerBound(
  trace: number[],
  w: Workload,
  d: Delays,
  minDwell: number,
  p: PriceTable = DEFAULT_PRICES,
): StrategyResult {
  const { phases, states, minuteCost } = planSchedule(trace, w, lowerBoundShape(d), minDwell, p);
  // Account for the schedule (the bill itemizes minuteCost, penalties aside).
  const bill: Record<string, { quantity: number; usd: number }> = {};
  const minuteBill = (t: number, s: number) => {
    const r = trace[t]!;
    const ph = phases[s]!;
    if (ph.tier === "fargate") return fargateMinuteBill(r, tasksNeeded(r / 60, w), w, p);
    return {
      ...lambdaMinuteBill(r, coldStarts(r, trace[t - 1] ?? 0, w), w, p),
      ...(ph.resources ? fargateFixedMinuteBill(w.minTasks, w, p) : {}),
    };
  };
  let cost = 0;
  let shortfall = 0;
  let transitions = 0;
  let resourceMinutes = 0;
  const tiers: Tier[] = [];
  const cumulative: number[] = [];
  const requests: Record<Tier, number> = { lambda: 0, fargate: 0 };
  // What perfectly sized tasks cannot carry (past maxTasks) is overloaded, what Lambda cannot take is throttled.
  const served: Record<Tier, number> = { lambda: 0, fargate: 0 };
  let overloaded = 0;
  let throttled = 0;
  for (let t = 0; t < trace.length; t++) {
    const c = minuteCost(t, states[t]!);
    cost += c >= SHORTFALL_PENALTY ? c - SHORTFALL_PENALTY : c;
    addToBill(bill, minuteBill(t, states[t]!));
    const ph = phases[states[t]!]!;
    const rps = trace[t]! / 60;
    const lagged = tasksNeeded((trace[Math.max(0, t - d.autoscaleLagMinutes)] ?? 0) / 60, w);
    if (ph.tier === "fargate" ? rps > lagged * w.requestsPerTaskPerSecond : rps > w.lambdaCapacityRps) shortfall++;
    tiers.push(ph.tier);
    requests[ph.tier] += trace[t]!;
    const capacity =
      60 * (ph.tier === "fargate" ? tasksNeeded(rps, w) * w.requestsPerTaskPerSecond : w.lambdaCapacityRps);
    served[ph.tier] += Math.min(trace[t]!, capacity);
    if (ph.tier === "fargate") overloaded += Math.max(0, trace[t]! - capacity);
    else throttled += Math.max(0, trace[t]! - capacity);
    if (ph.resources) resourceMinutes++;
    cumulative.push(cost);
    // off->warming, warming->serving, serving->draining, draining->off: four per cycle.
    if (t > 0 && states[t - 1] === 0 && states[t] === 1) transitions += 4;
  }
  const total = trace.reduce((a, b) => a + b, 0);
  const days = trace.length / 1440;
  return {
    strategy: "lower-bound",
    totalCost: cost,
    overheadCost: 0,
    costPerMillionRequests: total > 0 ? (cost / total) * 1e6 : 0,
    transitions,
    transitionsPerDay: days > 0 ? transitions / days : 0,
    minutesByTier: {
      lambda: tiers.filter((x) => x === "lambda").length,
      fargate: tiers.filter((x) => x === "fargate").length,
    },
    minutesWithFargateResources: resourceMinutes,
    requestsByTier: requests,
    requestsServed: served,
    requestsFailed: { throttled, rateLimited: 0, noTarget: 0, deadEndpoint: 0, total: throttled },
    requestsOverloaded: overloaded,
    costAtEqualService: cost + (throttled + overloaded) * unservedRequestUsd(w, p),
    shortfallMinutes: shortfall,
    // It moves no DNS answer: no client is left with one to a destroyed ALB.
    requestsToDeadEndpoint: 0,
    requestsMisroutedToApi: 0,
    tierByMinute: tiers,
    cumulativeCost: cumulative,
    bill,
  };
}

/** @deprecated The lower bound's former name (strategy "clairvoyant-optimum"); use `lowerBound`. */
export const clairvoyantOptimum = lowerBound;
