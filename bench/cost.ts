/**
 * Cost-efficiency benchmark: the NASA trace at several scales through every
 * strategy, LambdaFlex in the digital twin (the production scaler against
 * emulated AWS and Terraform Cloud, default world). Every figure is the cost
 * at equal service (the bill plus each failed or overloaded request priced as
 * Lambda would have served it, sim/equal-service.ts). LambdaFlex against the
 * same-world optimum (clairvoyant, in the same twin: the goals' reference),
 * the lower bound (shortest delays, perfect sizing) and the cheaper single
 * tier, with and without the scaler's metered running cost, plus how long
 * the twin took per scale.
 */
import { join, relative } from "node:path";
import { loadDeploymentConfig } from "../config/load";
import { breakEvenRps, workloadFrom } from "../model/cost-model";
import { LAMBDAFLEX_IDLE_BUDGET_USD } from "../sim/idle-bill";
import { runAll } from "../sim/run";
import { hostileShapes } from "../sim/shapes";
import type { StrategyResult } from "../sim/simulator";
import { loadTrace } from "../sim/trace";
import { DEFAULT_WORLD } from "../sim/world/params";
import type { Progress } from "../scripts/progress";
import { goal, round } from "./stats";

export const SCALES = [0.01, 0.1, 1, 10, 30, 100, 1000];
const TRACE =
  process.env.LAMBDAFLEX_TRACE ?? join(__dirname, "..", "..", "shared", "data", "traces", "nasa-http-1995.csv");

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
  return {
    lf: get("lambdaflex"),
    dnsOnly: get("lambdaflex-dns-only"),
    lambdaOnly: get("lambda-only"),
    fargate: get("fargate-always-on"),
    optimum: get("same-world-optimum"),
    lowerBound: get("lower-bound"),
  };
}

/** Cost at equal service: no strategy is cheaper for the requests it failed or overloaded. */
const cost = (s: StrategyResult) => s.costAtEqualService;
/** Requests a strategy failed or answered from an overloaded task. */
const unserved = (s: StrategyResult) => Math.round(s.requestsFailed.total + s.requestsOverloaded);

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
    const { lf, dnsOnly, lambdaOnly, fargate, optimum, lowerBound } = byName(report.strategies);
    const single = Math.min(cost(lambdaOnly), cost(fargate));
    // Issue 12's goals allow the scaler's idle budget ($0.30 a month) on top of each ratio.
    const budget = LAMBDAFLEX_IDLE_BUDGET_USD * (trace.length / (30 * 1440));
    const policyCost = cost(lf) - lf.overheadCost;
    const sc = report.scaler;
    rows.push({
      scale,
      simulateSeconds: goal(round(seconds, 1), "s", scale === 1 ? "< 60 (NASA x1)" : "-", scale !== 1 || seconds < 60),
      minutesPerSecond: Math.round(trace.length / seconds),
      lambdaflex: round(cost(lf), 2),
      billed: round(lf.totalCost, 2),
      scalerOverhead: round(lf.overheadCost, 2),
      lambdaOnly: round(cost(lambdaOnly), 2),
      fargateAlwaysOn: round(cost(fargate), 2),
      optimum: round(cost(optimum), 2),
      lowerBound: round(cost(lowerBound), 2),
      vsOptimum: goal(cost(lf) / cost(optimum), "x", "<= 1.10 (+ budget)", cost(lf) <= 1.1 * cost(optimum) + budget),
      vsLowerBound: round(cost(lf) / cost(lowerBound)),
      vsCheaperSingleTier: goal(cost(lf) / single, "x", "<= 1.005 (+ budget)", cost(lf) <= 1.005 * single + budget),
      withoutOverhead: {
        vsOptimum: round(policyCost / cost(optimum)),
        vsCheaperSingleTier: round(policyCost / single),
      },
      transitionsPerDay: goal(lf.transitionsPerDay, "per day", "<= 4", lf.transitionsPerDay <= 4),
      unservedRequests: {
        lambdaflex: unserved(lf),
        optimum: unserved(optimum),
        extra: goal(Math.max(0, unserved(lf) - unserved(optimum)), "requests", "0", unserved(lf) <= unserved(optimum)),
      },
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
    const { lf, dnsOnly, lambdaOnly, fargate, optimum, lowerBound } = byName(report.strategies);
    const single = Math.min(cost(lambdaOnly), cost(fargate));
    shapes.push({
      shape: s.name,
      description: s.description,
      lambdaflex: round(cost(lf), 2),
      optimum: round(cost(optimum), 2),
      lowerBound: round(cost(lowerBound), 2),
      vsOptimum: goal(cost(lf) / cost(optimum), "x", "<= 2.0", cost(lf) <= 2 * cost(optimum)),
      vsLowerBound: round(cost(lf) / cost(lowerBound)),
      vsCheaperSingleTier: goal(cost(lf) / single, "x", "<= 1.10", cost(lf) <= 1.1 * single),
      transitionsPerDay: goal(lf.transitionsPerDay, "per day", "<= 4", lf.transitionsPerDay <= 4),
      requestsToDeadEndpoint: deadEndpoints(lf, dnsOnly),
    });
  }
  return { trace: relative(join(__dirname, ".."), TRACE), world: DEFAULT_WORLD, scales: rows, shapes };
}
