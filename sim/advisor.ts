/**
 * The policy advisor: sweeps the policy's tunable parameters (the factor on
 * the round-trip cost, the minimum stay, how fast backoff is forgotten) and
 * `fargate.maxTasks` through the production scaler in the twin, and
 * recommends the setting that is cheapest at equal service (equal-service.ts:
 * each request failed or overloaded is charged what Lambda would have charged
 * for it), so a setting never wins by dropping requests.
 */
import type { DeploymentConfig } from "../config/schema";
import { policyConfigFrom, type PolicyConfig } from "../scaler/policy";
import { breakEvenRps, workloadFrom } from "../model/cost-model";
import { delaysFor } from "./delays";
import { lowerBound } from "./optimum";
import { pastCapacity, sizingFor, type Sizing } from "./sizing";
import { simulateLambdaFlex } from "./twin";
import type { World } from "./world/params";

/** The parameters the advisor sweeps. */
export type Tunables = Pick<PolicyConfig, "switchCostFactor" | "minDwellMinutes" | "backoffDecayMinutes"> & {
  readonly maxTasks: number;
};

export interface AdviceRow extends Tunables {
  readonly totalCost: number;
  /** What the verdict compares: totalCost plus each failed or overloaded request at what Lambda would have charged. */
  readonly costAtEqualService: number;
  readonly requestsFailed: number;
  readonly requestsOverloaded: number;
  readonly transitionsPerDay: number;
  readonly shortfallMinutes: number;
}

export interface Advice {
  readonly breakEvenRps: number;
  /** The lower bound (clairvoyant, the world's shortest delays, perfectly sized tasks) at the configured maxTasks: no policy setting at that size can cost less. */
  readonly lowerBound: { readonly totalCost: number; readonly costAtEqualService: number };
  /** Demand against what fargate.maxTasks tasks carry. */
  readonly sizing: Sizing;
  readonly current: AdviceRow;
  readonly best: AdviceRow;
  /** Every setting run, cheapest at equal service first. */
  readonly rows: AdviceRow[];
  readonly recommendation: string;
}

/** The policy grid: ski rental's factor 1 and its neighbours, short and long minimum stays, two, four or seven days of memory. */
export function sweepGrid(quick = false, maxTasks = 1): Tunables[] {
  const factors = quick ? [0.5, 1, 2] : [0.5, 1, 1.5, 2, 4];
  const dwells = quick ? [15] : [5, 15, 30];
  const decays = quick ? [5760] : [2880, 5760, 10080];
  return factors.flatMap((switchCostFactor) =>
    dwells.flatMap((minDwellMinutes) =>
      decays.map((backoffDecayMinutes) => ({ switchCostFactor, minDwellMinutes, backoffDecayMinutes, maxTasks })),
    ),
  );
}

/**
 * The maxTasks to try besides the configured one: when demand passed what it carries, enough tasks
 * for the peak at full capacity and at the target utilization (what target tracking scales to), and
 * the midpoint between the configured one and the first.
 */
export function maxTasksCandidates(s: Sizing): number[] {
  if (!pastCapacity(s)) return [];
  const mid = Math.round((s.maxTasks + s.maxTasksForPeakAtFullCapacity) / 2);
  return [...new Set([mid, s.maxTasksForPeakAtFullCapacity, s.maxTasksForPeak])]
    .filter((n) => n > s.maxTasks)
    .sort((a, b) => a - b);
}

const settings = (r: Tunables) =>
  `scaling.switchCostFactor=${r.switchCostFactor} minDwellMinutes=${r.minDwellMinutes} backoffDecayMinutes=${r.backoffDecayMinutes} fargate.maxTasks=${r.maxTasks}`;

export async function advise(
  trace: number[],
  o: {
    config: DeploymentConfig;
    world: World;
    source: string;
    scale: number;
    quick?: boolean;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<Advice> {
  const w = workloadFrom(o.config);
  const base = policyConfigFrom(o.config);
  const be = breakEvenRps(w);
  const bound = lowerBound(
    trace,
    w,
    delaysFor(o.world, o.config.scaling.deregistrationDelaySeconds),
    base.minDwellMinutes,
  );
  const sizing = sizingFor(trace, w);
  const grid = sweepGrid(o.quick, o.config.fargate.maxTasks);
  const sizes = maxTasksCandidates(sizing);
  const total = grid.length + sizes.length + 1;
  let done = 0;
  // Every row runs the production scaler in the same world (same seed), so rows differ only by their settings.
  const run = async (t: Tunables): Promise<AdviceRow> => {
    o.onProgress?.(done++, total);
    const { maxTasks, ...policy } = t;
    const config: DeploymentConfig = {
      ...o.config,
      fargate: { ...o.config.fargate, maxTasks, minTasks: Math.min(o.config.fargate.minTasks, maxTasks) },
    };
    const r = (await simulateLambdaFlex(trace, { config, world: o.world, workload: workloadFrom(config), policy }))
      .strategy;
    return {
      ...t,
      totalCost: r.totalCost,
      costAtEqualService: r.costAtEqualService,
      requestsFailed: r.requestsFailed.total,
      requestsOverloaded: r.requestsOverloaded,
      transitionsPerDay: r.transitionsPerDay,
      shortfallMinutes: r.shortfallMinutes,
    };
  };
  const byCost = (a: AdviceRow, b: AdviceRow) => a.costAtEqualService - b.costAtEqualService;
  const rows: AdviceRow[] = [];
  for (const g of grid) rows.push(await run(g));
  // maxTasks with the best policy at the configured size: the two sweeps together without their product.
  const policyBest = [...rows].sort(byCost)[0]!;
  for (const maxTasks of sizes) rows.push(await run({ ...policyBest, maxTasks }));
  const current = await run({
    switchCostFactor: base.switchCostFactor,
    minDwellMinutes: base.minDwellMinutes,
    backoffDecayMinutes: base.backoffDecayMinutes,
    maxTasks: o.config.fargate.maxTasks,
  });
  o.onProgress?.(total, total);
  rows.sort(byCost);
  const best = rows[0]!;
  const usd = (n: number) => `$${n.toFixed(2)}`;
  const sizingNote = pastCapacity(sizing)
    ? `; demand peaked at ${sizing.peakRps.toFixed(0)} req/s, past the ${sizing.capacityRps} req/s fargate.maxTasks=${sizing.maxTasks} carries: ${best.maxTasks > sizing.maxTasks ? `raise it to ${best.maxTasks}` : "more tasks did not pay"}`
    : "";
  const recommendation =
    `recommended: ${settings(best)}: ${usd(best.costAtEqualService)} at equal service, ${usd(best.totalCost)} billed ` +
    `(current settings ${usd(current.costAtEqualService)} at equal service; lower bound at fargate.maxTasks=${o.config.fargate.maxTasks} ${usd(bound.costAtEqualService)}; break-even ${be.toFixed(2)} req/s${sizingNote})`;
  return {
    breakEvenRps: be,
    lowerBound: { totalCost: bound.totalCost, costAtEqualService: bound.costAtEqualService },
    sizing,
    current,
    best,
    rows,
    recommendation,
  };
}
