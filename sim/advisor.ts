/**
 * The threshold advisor: sweeps thresholds and windows through the real
 * policy and recommends the cheapest setting whose capacity shortfall is no
 * worse than the clairvoyant optimum's (zero where the optimum has none).
 */
import type { DeploymentConfig } from "../config/schema";
import { policyConfigFrom } from "../scaler/policy";
import { breakEvenRps, workloadFrom } from "./cost-model";
import { delaysFor } from "./delays";
import { clairvoyantOptimum } from "./optimum";
import { simulateLambdaFlex } from "./twin";
import type { World } from "./world/params";

export interface AdviceRow {
  readonly upThresholdRps: number;
  readonly downThresholdRps: number;
  readonly upWindowMinutes: number;
  readonly downWindowMinutes: number;
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

export async function advise(
  trace: number[],
  o: { config: DeploymentConfig; world: World; source: string; scale: number; quick?: boolean; onProgress?: (done: number, total: number) => void },
): Promise<Advice> {
  const w = workloadFrom(o.config);
  const base = policyConfigFrom(o.config);
  const be = breakEvenRps(w);
  const optimum = clairvoyantOptimum(trace, w, delaysFor(o.world, o.config.scaling.deregistrationDelaySeconds), base.minDwellMinutes);
  const ups = (o.quick ? [1.3, 1.6, 2] : [1.2, 1.4, 1.6, 2, 2.5]).map((m) => Math.max(1, Math.round(be * m)));
  const downs = (o.quick ? [0.5, 0.65] : [0.4, 0.5, 0.65, 0.8]).map((m) => Math.round(be * m * 10) / 10);
  const upWindows = o.quick ? [10] : [5, 10, 15];
  const downWindows = o.quick ? [30] : [15, 30, 60];
  const grid = ups.flatMap((up) => downs.filter((d) => d < up).flatMap((down) => upWindows.flatMap((uw) => downWindows.map((dw) => ({ up, down, uw, dw })))));
  // Every row runs the production scaler in the same world (same seed), so rows differ only by policy.
  const run = async (up: number, down: number, uw: number, dw: number): Promise<AdviceRow> => {
    const policy = { upThresholdRps: up, downThresholdRps: down, upWindowMinutes: uw, downWindowMinutes: dw };
    const r = (await simulateLambdaFlex(trace, { config: o.config, world: o.world, workload: w, policy })).strategy;
    return { upThresholdRps: up, downThresholdRps: down, upWindowMinutes: uw, downWindowMinutes: dw, totalCost: r.totalCost, transitionsPerDay: r.transitionsPerDay, shortfallMinutes: r.shortfallMinutes };
  };
  const rows: AdviceRow[] = [];
  for (const [i, g] of grid.entries()) {
    o.onProgress?.(i, grid.length);
    rows.push(await run(g.up, g.down, g.uw, g.dw));
  }
  o.onProgress?.(grid.length, grid.length);
  rows.sort((a, b) => a.totalCost - b.totalCost);
  const current = await run(base.upThresholdRps, base.downThresholdRps, base.upWindowMinutes, base.downWindowMinutes);
  const best = rows.find((r) => r.shortfallMinutes <= optimum.shortfallMinutes);
  const recommendation = best
    ? `recommended: scaling.upThresholdRps=${best.upThresholdRps} downThresholdRps=${best.downThresholdRps} upWindowMinutes=${best.upWindowMinutes} downWindowMinutes=${best.downWindowMinutes}: $${best.totalCost.toFixed(2)} ` +
      `(current settings $${current.totalCost.toFixed(2)}, optimum $${optimum.totalCost.toFixed(2)}, break-even ${be.toFixed(2)} req/s)`
    : `no swept setting keeps shortfall within the optimum's ${optimum.shortfallMinutes} minutes; raise fargate.maxTasks or the API throttle limit`;
  return { breakEvenRps: be, optimumCost: optimum.totalCost, optimumShortfallMinutes: optimum.shortfallMinutes, current, best, rows, recommendation };
}
