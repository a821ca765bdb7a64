/**
 * The single-tier baselines (Lambda only, Fargate always on) and the result
 * shape every strategy reports. LambdaFlex itself runs in the digital twin
 * (twin.ts): the production scaler against emulated AWS and Terraform Cloud.
 */
import type { TierState } from "../scaler/toggle";
import { coldStarts, fargateMinuteCost, lambdaMinuteCost, tasksNeeded, type Workload } from "./cost-model";
import type { Delays } from "./delays";
import { DEFAULT_PRICES, type PriceTable } from "./prices";

export type Tier = "lambda" | "fargate";


/** What each strategy reports. */
export interface StrategyResult {
  readonly strategy: string;
  readonly totalCost: number;
  /** Of totalCost: the scaler's own running cost (LambdaFlex only). */
  readonly overheadCost: number;
  readonly costPerMillionRequests: number;
  readonly transitions: number;
  readonly transitionsPerDay: number;
  readonly minutesByTier: Record<Tier, number>;
  /** Minutes with the Fargate tier's resources existing (and costing). */
  readonly minutesWithFargateResources: number;
  readonly minutesByState?: Record<TierState, number>;
  readonly requestsByTier: Record<Tier, number>;
  readonly shortfallMinutes: number;
  /** Per-minute tier served (for charts and invariants). */
  readonly tierByMinute: Tier[];
  readonly cumulativeCost: number[];
  /** Committed transitions, for LambdaFlex. */
  readonly log?: Array<{ minute: number; from: TierState; to: TierState; reason: string }>;
}

interface Accumulator {
  cost: number;
  overhead: number;
  tiers: Tier[];
  cumulative: number[];
  requests: Record<Tier, number>;
  shortfall: number;
  fargateResourceMinutes: number;
}

const newAcc = (): Accumulator => ({ cost: 0, overhead: 0, tiers: [], cumulative: [], requests: { lambda: 0, fargate: 0 }, shortfall: 0, fargateResourceMinutes: 0 });

function finish(name: string, trace: number[], acc: Accumulator, transitions: number, extra: Partial<StrategyResult> = {}): StrategyResult {
  const total = trace.reduce((a, b) => a + b, 0);
  const days = trace.length / 1440;
  return {
    strategy: name,
    totalCost: acc.cost,
    overheadCost: acc.overhead,
    costPerMillionRequests: total > 0 ? (acc.cost / total) * 1e6 : 0,
    transitions,
    transitionsPerDay: days > 0 ? transitions / days : 0,
    minutesByTier: { lambda: acc.tiers.filter((t) => t === "lambda").length, fargate: acc.tiers.filter((t) => t === "fargate").length },
    minutesWithFargateResources: acc.fargateResourceMinutes,
    requestsByTier: acc.requests,
    shortfallMinutes: acc.shortfall,
    tierByMinute: acc.tiers,
    cumulativeCost: acc.cumulative,
    ...extra,
  };
}

/** Every request on Lambda, always. */
export function simulateLambdaOnly(trace: number[], w: Workload, p: PriceTable = DEFAULT_PRICES): StrategyResult {
  const acc = newAcc();
  trace.forEach((r, t) => {
    acc.cost += lambdaMinuteCost(r, coldStarts(r, trace[t - 1] ?? 0, w), w, p);
    acc.tiers.push("lambda");
    acc.requests.lambda += r;
    if (r / 60 > w.lambdaCapacityRps) acc.shortfall++;
    acc.cumulative.push(acc.cost);
  });
  return finish("lambda-only", trace, acc, 0);
}

/** The Fargate tier always on, target tracking with its lag. */
export function simulateFargateAlways(trace: number[], w: Workload, d: Delays, p: PriceTable = DEFAULT_PRICES): StrategyResult {
  const acc = newAcc();
  trace.forEach((r, t) => {
    const tasks = tasksNeeded((trace[Math.max(0, t - d.autoscaleLagMinutes)] ?? 0) / 60, w);
    acc.cost += fargateMinuteCost(r, tasks, w, p);
    acc.tiers.push("fargate");
    acc.requests.fargate += r;
    acc.fargateResourceMinutes++;
    if (r / 60 > tasks * w.requestsPerTaskPerSecond) acc.shortfall++;
    acc.cumulative.push(acc.cost);
  });
  return finish("fargate-always-on", trace, acc, 0);
}
