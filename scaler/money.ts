/**
 * The policy's arithmetic in dollars: what a minute costs on each tier at the
 * observed demand, what a round trip of the Fargate tier costs, and the
 * ski-rental accumulators the decisions compare against it. Pure; it prices
 * with the same cost model the simulator bills with (model/cost-model.ts), so
 * the policy and the bill cannot disagree.
 */
import {
  breakEvenRps,
  fargateFixedMinuteCost,
  fargateMinuteCost,
  lambdaMinuteCost,
  tasksNeeded,
  type Workload,
} from "../model/cost-model";
import type { PriceTable } from "../model/prices";

/** What the money rule needs from the configuration. */
export interface MoneyConfig {
  readonly workload: Workload;
  /** Expected minutes from the warming commit to serving (run, ALB, healthy tasks, DNS). */
  readonly warmupMinutes: number;
  /** Expected minutes from the draining commit until the tier's resources are gone. */
  readonly teardownMinutes: number;
  /** Multiplies the round-trip cost in both thresholds (1 is classic ski rental). */
  readonly switchCostFactor: number;
  readonly prices?: PriceTable;
}

/** Per-minute cost of serving `requests` on Lambda (API Gateway, requests, compute, log ingestion; no cold starts). */
const lambdaCost = (requests: number, c: MoneyConfig): number => lambdaMinuteCost(requests, 0, c.workload, c.prices);

/** Per-minute cost of serving `requests` on Fargate, tasks sized by target tracking, ALB with LCUs, the tier's alarms. */
const fargateCost = (requests: number, c: MoneyConfig): number =>
  fargateMinuteCost(requests, tasksNeeded(requests / 60, c.workload), c.workload, c.prices);

/** How much more a minute costs on Lambda than on Fargate (negative below break-even). */
export const lambdaExcess = (requests: number, c: MoneyConfig): number =>
  lambdaCost(requests, c) - fargateCost(requests, c);

/**
 * The minutes a round trip of the tier bills idle, and the tasks it bills: the
 * warm-up (commit to serving, canary included) with the floor it builds, then
 * leaving (the drain window, the off commit's run, the destroy) with the
 * resting floor.
 */
export interface RoundTripShape {
  readonly warmupMinutes: number;
  readonly warmTasks: number;
  readonly leaveMinutes: number;
  readonly restTasks: number;
}

/**
 * What one round trip of the tier costs beyond serving: its resources (ALB,
 * tasks, addresses, alarms) while it warms up and while it leaves, when they
 * carry no traffic. This is the ski-rental "buy price". Without a shape, the
 * configured warm-up and teardown at the configured floor.
 */
export function roundTripCost(c: MoneyConfig, shape?: RoundTripShape): number {
  const s = shape ?? {
    warmupMinutes: c.warmupMinutes,
    warmTasks: c.workload.minTasks,
    leaveMinutes: c.teardownMinutes,
    restTasks: c.workload.minTasks,
  };
  const idle = (tasks: number) => fargateFixedMinuteCost(tasks, c.workload, c.prices);
  return (idle(s.warmTasks) * s.warmupMinutes + idle(s.restTasks) * s.leaveMinutes) * c.switchCostFactor;
}

/**
 * The largest sum of `gain` over any run of recent minutes that ends now
 * (Lindley's recursion, a CUSUM): how much the current tier has cost beyond
 * the other one since the last moment it was not behind. Unknown minutes add
 * nothing and reset nothing. With a `cap` the sum never holds more than it:
 * money past the price is never needed, and would otherwise outlive the load
 * that earned it.
 */
export function accumulated(
  values: ReadonlyArray<number | undefined>,
  gain: (value: number) => number,
  cap = Infinity,
): number {
  let sum = 0;
  for (const v of values) if (v !== undefined) sum = Math.min(cap, Math.max(0, sum + gain(v)));
  return sum;
}

/** The q-quantile (0..1) of the known values, 0 when none is known. */
export function quantile(values: ReadonlyArray<number | undefined>, q: number): number {
  const known = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  if (known.length === 0) return 0;
  return known[Math.min(known.length - 1, Math.floor(q * known.length))]!;
}

/**
 * Each value capped at the second-highest known value among the `width`
 * minutes centred on it (fewer at the ends): a spike alone in its window
 * falls to the level around it, while a load high two minutes in five (a 40%
 * duty cycle) keeps every high minute, so sums over it count what it costs.
 */
export function despike(values: ReadonlyArray<number | undefined>, width: number): Array<number | undefined> {
  const half = Math.floor(width / 2);
  return values.map((v, i) => {
    if (v === undefined) return undefined;
    const known = values
      .slice(Math.max(0, i - half), i + half + 1)
      .filter((x): x is number => x !== undefined)
      .sort((a, b) => b - a);
    return Math.min(v, known[Math.min(1, known.length - 1)]!);
  });
}

const breakEvens = new WeakMap<MoneyConfig, number>();

/** Demand (req/s) at which a minute costs the same on both tiers (bisection, once per configuration). */
export function breakEven(c: MoneyConfig): number {
  let be = breakEvens.get(c);
  if (be === undefined) breakEvens.set(c, (be = breakEvenRps(c.workload, c.prices)));
  return be;
}

/** Dollars for reasons and logs: 4 significant decimals. */
export const usd = (x: number): string => `$${x.toFixed(4)}`;
