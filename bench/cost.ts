/**
 * Cost-efficiency benchmark: the NASA trace at several scales through every
 * strategy, LambdaFlex in the digital twin (the production scaler against
 * emulated AWS and Terraform Cloud, default world). LambdaFlex against the
 * clairvoyant optimum and the cheaper single tier, with and without the
 * scaler's metered running cost, plus how long the twin took per scale.
 */
import { join, relative } from "node:path";
import { loadDeploymentConfig } from "../config/load";
import { breakEvenRps, workloadFrom } from "../sim/cost-model";
import { IDLE_BILL_LIMIT_USD } from "../sim/idle-bill";
import { runAll } from "../sim/run";
import { hostileShapes } from "../sim/shapes";
import type { StrategyResult } from "../sim/simulator";
import { loadTrace } from "../sim/trace";
import { DEFAULT_WORLD } from "../sim/world/params";
import type { Progress } from "../scripts/progress";
import { goal, round } from "./stats";

export const SCALES = [0.01, 0.1, 1, 10, 30, 100, 1000];
const TRACE = process.env.LAMBDAFLEX_TRACE ?? join(__dirname, "..", "..", "shared", "data", "traces", "nasa-http-1995.csv");

/** Requests sent to a destroyed ALB: the weighted switch (goal 0) beside the DNS-only one. */
const deadEndpoints = (lf: StrategyResult, dnsOnly: StrategyResult) => ({
  weighted: goal(Math.round(lf.requestsToDeadEndpoint), "requests", "0", lf.requestsToDeadEndpoint === 0),
  dnsOnly: Math.round(dnsOnly.requestsToDeadEndpoint),
});

/** The strategies of a report by role (run.ts's order may grow). */
function byName(strategies: readonly StrategyResult[]) {
  const get = (name: string) => {
    const s = strategies.find((x) => x.strategy === name);
    if (!s) throw new Error(`the report has no ${name} strategy`);
    return s;
  };
  return { lf: get("lambdaflex"), dnsOnly: get("lambdaflex-dns-only"), lambdaOnly: get("lambda-only"), fargate: get("fargate-always-on"), optimum: get("clairvoyant-optimum") };
}

export async function benchCost(quick = false, progress?: Progress): Promise<Record<string, unknown>> {
  const config = loadDeploymentConfig(undefined, {});
  const rows = [];
  const scales = quick ? [1, 30] : SCALES;
  const shapeList = quick ? [] : hostileShapes(breakEvenRps(workloadFrom(config)));
  const steps = scales.length + shapeList.length;
  for (const [i, scale] of scales.entries()) {
    progress?.(i, steps, `NASA x${scale}`);
    const trace = loadTrace(TRACE, scale);
    const started = process.hrtime.bigint();
    const report = await runAll(trace, { config, world: DEFAULT_WORLD, source: TRACE, scale });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const { lf, dnsOnly, lambdaOnly, fargate, optimum } = byName(report.strategies);
    const single = Math.min(lambdaOnly.totalCost, fargate.totalCost);
    // Issue 12's goals allow the idle scaler budget ($0.30 a month) on top of each ratio.
    const budget = IDLE_BILL_LIMIT_USD * (trace.length / (30 * 1440));
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
      vsOptimum: goal(lf.totalCost / optimum.totalCost, "x", "<= 1.10 (+ budget)", lf.totalCost <= 1.1 * optimum.totalCost + budget),
      vsCheaperSingleTier: goal(lf.totalCost / single, "x", "<= 1.005 (+ budget)", lf.totalCost <= 1.005 * single + budget),
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
      // With 5% of clients caching DNS for 30 minutes (the world's default): the weighted switch against the DNS-only one.
      requestsToDeadEndpoint: deadEndpoints(lf, dnsOnly),
    });
  }
  // Loads shaped to hurt a threshold policy (one week each, around break-even): issue 12's table.
  const shapes = [];
  for (const [i, s] of shapeList.entries()) {
    progress?.(scales.length + i, steps, s.name);
    const report = await runAll(s.trace, { config, world: DEFAULT_WORLD, source: s.name, scale: 1 });
    const { lf, dnsOnly, lambdaOnly, fargate, optimum } = byName(report.strategies);
    const single = Math.min(lambdaOnly.totalCost, fargate.totalCost);
    shapes.push({
      shape: s.name,
      description: s.description,
      lambdaflex: round(lf.totalCost, 2),
      optimum: round(optimum.totalCost, 2),
      vsOptimum: goal(lf.totalCost / optimum.totalCost, "x", "<= 2.0", lf.totalCost <= 2 * optimum.totalCost),
      vsCheaperSingleTier: goal(lf.totalCost / single, "x", "<= 1.10", lf.totalCost <= 1.1 * single),
      transitionsPerDay: goal(lf.transitionsPerDay, "per day", "<= 4", lf.transitionsPerDay <= 4),
      requestsToDeadEndpoint: deadEndpoints(lf, dnsOnly),
    });
  }
  return { trace: relative(join(__dirname, ".."), TRACE), world: DEFAULT_WORLD, scales: rows, shapes };
}
