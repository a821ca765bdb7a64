/**
 * Cost-efficiency benchmark: the NASA trace at several scales through every
 * strategy. LambdaFlex against the clairvoyant optimum and against the
 * cheaper single tier, with and without the scaler's fixed overhead.
 */
import { join } from "node:path";
import { loadDeploymentConfig } from "../config/load";
import { DEFAULT_DELAYS } from "../sim/delays";
import { runAll } from "../sim/run";
import { loadTrace } from "../sim/trace";
import { goal, round } from "./stats";

export const SCALES = [1, 10, 30, 100, 300, 1000];
const TRACE = process.env.LAMBDAFLEX_TRACE ?? join(__dirname, "..", "..", "shared", "data", "traces", "nasa-http-1995.csv");

export async function benchCost(): Promise<Record<string, unknown>> {
  const config = loadDeploymentConfig(undefined, {});
  const rows = SCALES.map((scale) => {
    const report = runAll(loadTrace(TRACE, scale), { config, delays: DEFAULT_DELAYS, source: TRACE, scale });
    const [lf, lambdaOnly, fargate, optimum] = report.strategies as [typeof report.strategies[0], typeof report.strategies[0], typeof report.strategies[0], typeof report.strategies[0]];
    const single = Math.min(lambdaOnly.totalCost, fargate.totalCost);
    const policyCost = lf.totalCost - lf.overheadCost;
    return {
      scale,
      lambdaflex: round(lf.totalCost, 2),
      scalerOverhead: round(lf.overheadCost, 2),
      lambdaOnly: round(lambdaOnly.totalCost, 2),
      fargateAlwaysOn: round(fargate.totalCost, 2),
      optimum: round(optimum.totalCost, 2),
      vsOptimum: goal(lf.totalCost / optimum.totalCost, "x", "<= 1.10", lf.totalCost / optimum.totalCost <= 1.1),
      vsCheaperSingleTier: goal(lf.totalCost / single, "x", "<= 1.00", lf.totalCost <= single),
      withoutOverhead: { vsOptimum: round(policyCost / optimum.totalCost), vsCheaperSingleTier: round(policyCost / single) },
      transitionsPerDay: goal(lf.transitionsPerDay, "per day", "<= 4", lf.transitionsPerDay <= 4),
      shortfallMinutes: { lambdaflex: lf.shortfallMinutes, optimum: optimum.shortfallMinutes, extra: goal(Math.max(0, lf.shortfallMinutes - optimum.shortfallMinutes), "minutes", "0", lf.shortfallMinutes <= optimum.shortfallMinutes) },
    };
  });
  return { trace: TRACE, delays: DEFAULT_DELAYS, scales: rows };
}
