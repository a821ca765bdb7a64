/**
 * The policy advisor: sweeps the policy's tunable parameters (the factor on
 * the round-trip cost, the minimum stay, how fast backoff is forgotten)
 * through the production scaler in the twin, and recommends the cheapest
 * setting whose capacity shortfall is no worse than the clairvoyant
 * optimum's (zero where the optimum has none).
 */
import type { DeploymentConfig } from "../config/schema";
import { policyConfigFrom, type PolicyConfig } from "../scaler/policy";
import { breakEvenRps, workloadFrom } from "./cost-model";
import { delaysFor } from "./delays";
import { clairvoyantOptimum } from "./optimum";
import { simulateLambdaFlex } from "./twin";
import type { World } from "./world/params";

/** The parameters the advisor sweeps. */
export type Tunables = Pick<PolicyConfig, "switchCostFactor" | "minDwellMinutes" | "backoffDecayMinutes">;

export interface AdviceRow extends Tunables {
  readonly totalCost: number;
  readonly transitionsPerDay: number;
  readonly shortfallMinutes: number;
}

export interface Advice {
  readonly breakEvenRps: number;
  readonly optimumCost: number;
  readonly optimumShortfallMinutes: number;
  readonly current: AdviceRow;
  readonly best: AdviceRow | undefined;
  readonly rows: AdviceRow[];
  readonly recommendation: string;
}

/** The grid: ski rental's factor 1 and its neighbours, short and long minimum stays, two, four or seven days of memory. */
export function sweepGrid(quick = false): Tunables[] {
  const factors = quick ? [0.5, 1, 2] : [0.5, 1, 1.5, 2, 4];
  const dwells = quick ? [15] : [5, 15, 30];
  const decays = quick ? [5760] : [2880, 5760, 10080];
  return factors.flatMap((switchCostFactor) => dwells.flatMap((minDwellMinutes) => decays.map((backoffDecayMinutes) => ({ switchCostFactor, minDwellMinutes, backoffDecayMinutes }))));
}

export async function advise(
  trace: number[],
  o: { config: DeploymentConfig; world: World; source: string; scale: number; quick?: boolean; onProgress?: (done: number, total: number) => void },
): Promise<Advice> {
  const w = workloadFrom(o.config);
  const base = policyConfigFrom(o.config);
  const be = breakEvenRps(w);
  const optimum = clairvoyantOptimum(trace, w, delaysFor(o.world, o.config.scaling.deregistrationDelaySeconds), base.minDwellMinutes);
  const grid = sweepGrid(o.quick);
  // Every row runs the production scaler in the same world (same seed), so rows differ only by policy.
  const run = async (policy: Tunables): Promise<AdviceRow> => {
    const r = (await simulateLambdaFlex(trace, { config: o.config, world: o.world, workload: w, policy })).strategy;
    return { ...policy, totalCost: r.totalCost, transitionsPerDay: r.transitionsPerDay, shortfallMinutes: r.shortfallMinutes };
  };
  const rows: AdviceRow[] = [];
  for (const [i, g] of grid.entries()) {
    o.onProgress?.(i, grid.length);
    rows.push(await run(g));
  }
  o.onProgress?.(grid.length, grid.length);
  rows.sort((a, b) => a.totalCost - b.totalCost);
  const current = await run({ switchCostFactor: base.switchCostFactor, minDwellMinutes: base.minDwellMinutes, backoffDecayMinutes: base.backoffDecayMinutes });
  const best = rows.find((r) => r.shortfallMinutes <= optimum.shortfallMinutes);
  const recommendation = best
    ? `recommended: scaling.switchCostFactor=${best.switchCostFactor} minDwellMinutes=${best.minDwellMinutes} backoffDecayMinutes=${best.backoffDecayMinutes}: $${best.totalCost.toFixed(2)} ` +
      `(current settings $${current.totalCost.toFixed(2)}, optimum $${optimum.totalCost.toFixed(2)}, break-even ${be.toFixed(2)} req/s)`
    : `no swept setting keeps shortfall within the optimum's ${optimum.shortfallMinutes} minutes; raise fargate.maxTasks or the API throttle limit`;
  return { breakEvenRps: be, optimumCost: optimum.totalCost, optimumShortfallMinutes: optimum.shortfallMinutes, current, best, rows, recommendation };
}
