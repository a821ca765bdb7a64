/**
 * Cost-efficiency benchmark: the NASA trace at several scales through every
 * strategy, LambdaFlex in the digital twin (the production scaler against
 * emulated AWS and Terraform Cloud, default world). LambdaFlex against the
 * clairvoyant optimum and the cheaper single tier, with and without the
 * scaler's metered running cost, plus how long the twin took per scale.
 */
import { join } from "node:path";
import { loadDeploymentConfig } from "../config/load";
import { runAll } from "../sim/run";
import { loadTrace } from "../sim/trace";
import { DEFAULT_WORLD } from "../sim/world/params";
import { goal, round } from "./stats";

export const SCALES = [1, 10, 30, 100, 300, 1000];
const TRACE = process.env.LAMBDAFLEX_TRACE ?? join(__dirname, "..", "..", "shared", "data", "traces", "nasa-http-1995.csv");

export async function benchCost(quick = false): Promise<Record<string, unknown>> {
  const config = loadDeploymentConfig(undefined, {});
  const rows = [];
  for (const scale of quick ? [1, 30] : SCALES) {
    const trace = loadTrace(TRACE, scale);
    const started = process.hrtime.bigint();
    const report = await runAll(trace, { config, world: DEFAULT_WORLD, source: TRACE, scale });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [lf, lambdaOnly, fargate, optimum] = report.strategies as [typeof report.strategies[0], typeof report.strategies[0], typeof report.strategies[0], typeof report.strategies[0]];
    const single = Math.min(lambdaOnly.totalCost, fargate.totalCost);
    const policyCost = lf.totalCost - lf.overheadCost;
    const sc = report.scaler;
    rows.push({
      scale,
      simulateSeconds: goal(round(seconds, 1), "s", scale === 1 ? "< 60 (NASA x1)" : "-", scale !== 1 || seconds < 60),
      minutesPerSecond: Math.round(trace.length / seconds),
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
      scaler: {
        invocations: sc.invocations,
        getMetricDataMetrics: sc.getMetricDataMetrics,
        commits: sc.commits.length,
        terraformRuns: sc.terraformRuns,
        terraformRunsFailed: sc.terraformRunsFailed,
        alerts: sc.alerts,
        costByItem: Object.fromEntries(Object.entries(sc.cost).map(([k, v]) => [k, round(v, 3)])),
      },
      failedRequests: Math.round(report.worldReport.failedRequests),
    });
  }
  return { trace: TRACE, world: DEFAULT_WORLD, scales: rows };
}
