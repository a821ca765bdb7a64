/**
 * The clairvoyant optimum: the cheapest tier schedule for the whole trace,
 * knowing the future, under the same delays and minimum dwell as LambdaFlex.
 * Dynamic programming over a small state machine per minute:
 *   OFF -> W1..Wup (deciding, then resources exist, Lambda still serves)
 *       -> S1..Sdwell (Fargate serves; may stay in Sdwell)
 *       -> D1..Ddown (DNS still on Fargate, then resources linger) -> OFF
 * The optimum pays for perfectly sized tasks (a lower bound on any real
 * schedule). Demand beyond what a tier can ever carry (maxTasks, or the
 * Lambda tier's throttle limit) costs a large penalty, so the optimum avoids
 * structural shortfall first, then minimises cost. Its reported shortfall
 * minutes use the same lagged autoscaling as the other strategies.
 */
import { addToBill, fargateFixedMinuteBill, fargateMinuteBill, lambdaMinuteBill } from "./bill";
import { coldStarts, fargateFixedMinuteCost, fargateMinuteCost, lambdaMinuteCost, tasksNeeded, type Workload } from "./cost-model";
import type { Delays } from "./delays";
import { DEFAULT_PRICES, type PriceTable } from "./prices";
import type { StrategyResult, Tier } from "./simulator";

const SHORTFALL_PENALTY = 1e6;

interface Phase {
  readonly tier: Tier;
  /** Fargate resources exist (and cost) in this phase. */
  readonly resources: boolean;
}

/** Builds the state list; returns the phases and the indices of the branching states. */
function stateMachine(d: Delays, minDwell: number) {
  const phases: Phase[] = [{ tier: "lambda", resources: false }]; // OFF
  const up = d.commitToApplyMinutes + d.createMinutes + d.taskBootMinutes + d.dnsTtlMinutes;
  for (let i = 1; i <= up; i++) phases.push({ tier: "lambda", resources: i > d.commitToApplyMinutes });
  const firstServe = phases.length;
  const dwell = Math.max(1, minDwell);
  for (let i = 1; i <= dwell; i++) phases.push({ tier: "fargate", resources: true });
  const lastServe = phases.length - 1;
  for (let i = 1; i <= d.commitToApplyMinutes + d.dnsTtlMinutes; i++) phases.push({ tier: "fargate", resources: true });
  for (let i = 1; i <= d.destroyMinutes; i++) phases.push({ tier: "lambda", resources: true });
  return { phases, firstServe, lastServe };
}

/** Solves the schedule and accounts for it like the simulator does. */
export function clairvoyantOptimum(trace: number[], w: Workload, d: Delays, minDwell: number, p: PriceTable = DEFAULT_PRICES): StrategyResult {
  const { phases, lastServe } = stateMachine(d, minDwell);
  const n = phases.length;
  const last = n - 1;
  const minuteCost = (t: number, s: number): number => {
    const r = trace[t]!;
    const rps = r / 60;
    const ph = phases[s]!;
    if (ph.tier === "fargate") {
      return fargateMinuteCost(r, tasksNeeded(rps, w), w, p) + (rps > w.maxTasks * w.requestsPerTaskPerSecond ? SHORTFALL_PENALTY : 0);
    }
    return lambdaMinuteCost(r, coldStarts(r, trace[t - 1] ?? 0, w), w, p) + (ph.resources ? fargateFixedMinuteCost(w.minTasks, w, p) : 0) + (rps > w.lambdaCapacityRps ? SHORTFALL_PENALTY : 0);
  };
  // best[s] = cheapest cost of being in state s at the end of minute t.
  let best = new Float64Array(n).fill(Infinity);
  best[0] = minuteCost(0, 0);
  best[1] = minuteCost(0, 1);
  // Branch choices for backtracking: at OFF (came from OFF or from the last drain state),
  // at W1 (always from OFF), and at Sdwell (stayed, or arrived from Sdwell-1).
  const offFromDrain = new Uint8Array(trace.length);
  const dwellStayed = new Uint8Array(trace.length);
  for (let t = 1; t < trace.length; t++) {
    const next = new Float64Array(n).fill(Infinity);
    const fromOff = best[0]!;
    const fromDrain = best[last]!;
    offFromDrain[t] = fromDrain < fromOff ? 1 : 0;
    next[0] = Math.min(fromOff, fromDrain) + minuteCost(t, 0);
    next[1] = fromOff + minuteCost(t, 1);
    for (let s = 2; s < n; s++) {
      let prev = best[s - 1]!;
      if (s === lastServe + 1) prev = best[lastServe]!; // leave only from the dwelled serving state
      if (s === lastServe) {
        dwellStayed[t] = best[lastServe]! < best[lastServe - 1]! ? 1 : 0;
        prev = Math.min(best[lastServe]!, best[lastServe - 1]!);
      }
      next[s] = prev + minuteCost(t, s);
    }
    best = next;
  }
  // Backtrack from the cheapest end state.
  let s = 0;
  for (let k = 1; k < n; k++) if (best[k]! < best[s]!) s = k;
  const states = new Int32Array(trace.length);
  for (let t = trace.length - 1; t >= 0; t--) {
    states[t] = s;
    if (t === 0) break;
    if (s === 0) s = offFromDrain[t] ? last : 0;
    else if (s === 1) s = 0;
    else if (s === lastServe) s = dwellStayed[t] ? lastServe : lastServe - 1;
    else s = s - 1;
  }
  // Account for the schedule (the bill itemizes minuteCost, penalties aside).
  const bill: Record<string, { quantity: number; usd: number }> = {};
  const minuteBill = (t: number, s: number) => {
    const r = trace[t]!;
    const ph = phases[s]!;
    if (ph.tier === "fargate") return fargateMinuteBill(r, tasksNeeded(r / 60, w), w, p);
    return { ...lambdaMinuteBill(r, coldStarts(r, trace[t - 1] ?? 0, w), w, p), ...(ph.resources ? fargateFixedMinuteBill(w.minTasks, w, p) : {}) };
  };
  let cost = 0;
  let shortfall = 0;
  let transitions = 0;
  let resourceMinutes = 0;
  const tiers: Tier[] = [];
  const cumulative: number[] = [];
  const requests: Record<Tier, number> = { lambda: 0, fargate: 0 };
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
    if (ph.resources) resourceMinutes++;
    cumulative.push(cost);
    // off->warming, warming->serving, serving->draining, draining->off: four per cycle.
    if (t > 0 && states[t - 1] === 0 && states[t] === 1) transitions += 4;
  }
  const total = trace.reduce((a, b) => a + b, 0);
  const days = trace.length / 1440;
  return {
    strategy: "clairvoyant-optimum",
    totalCost: cost,
    overheadCost: 0,
    costPerMillionRequests: total > 0 ? (cost / total) * 1e6 : 0,
    transitions,
    transitionsPerDay: days > 0 ? transitions / days : 0,
    minutesByTier: { lambda: tiers.filter((x) => x === "lambda").length, fargate: tiers.filter((x) => x === "fargate").length },
    minutesWithFargateResources: resourceMinutes,
    requestsByTier: requests,
    shortfallMinutes: shortfall,
    // It moves no DNS answer: no client is left with one to a destroyed ALB.
    requestsToDeadEndpoint: 0,
    requestsMisroutedToApi: 0,
    tierByMinute: tiers,
    cumulativeCost: cumulative,
    bill,
  };
}
