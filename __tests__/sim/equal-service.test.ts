/**
 * Equal service on a trace far past what fargate.maxTasks tasks carry: every
 * strategy accounts for every request (served on a tier, failed, or answered
 * by an overloaded task), no strategy is cheaper for having dropped or
 * overloaded requests, and the verdict compares them at equal service.
 */
import { loadDeploymentConfig } from "../../config/load";
import { workloadFrom } from "../../model/cost-model";
import { unservedRequestUsd } from "../../sim/equal-service";
import { DEFAULT_PRICES } from "../../model/prices";
import type { SimulationReport } from "../../sim/report";
import { verdict } from "../../sim/report/verdict";
import { runAll } from "../../sim/run";
import type { StrategyResult } from "../../sim/simulator";
import { DEFAULT_WORLD } from "../../sim/world/params";

const config = loadDeploymentConfig(undefined, {});
const w = workloadFrom(config);
const capacityPerMinute = config.fargate.maxTasks * config.fargate.requestsPerTaskPerSecond * 60;
// Quiet, then three hours at 15,000 req/s (twice what 50 tasks carry at 150 req/s each), then quiet.
const PEAK = 15_000 * 60;
const trace = [...Array(120).fill(600), ...Array(180).fill(PEAK), ...Array(180).fill(600)];
const demand = trace.reduce((a, b) => a + b, 0);
const excess = trace.reduce((a, r) => a + Math.max(0, r - capacityPerMinute), 0);
const unserved = (s: StrategyResult) => s.requestsFailed.total + s.requestsOverloaded;

describe("strategies at equal service, on a trace far past maxTasks x requestsPerTaskPerSecond", () => {
  let report: SimulationReport;
  const get = (name: string) => report.strategies.find((s) => s.strategy === name)!;
  beforeAll(async () => {
    report = await runAll(trace, { config, world: DEFAULT_WORLD, source: "synthetic: 3 h at 15,000 req/s", scale: 1 });
  }, 300_000);

  it("accounts every request of every strategy as served on a tier, failed or overloaded", () => {
    expect(report.strategies.map((s) => s.strategy)).toEqual(
      expect.arrayContaining(["lambdaflex", "lambdaflex-dns-only", "lambda-only", "fargate-always-on"]),
    );
    for (const s of report.strategies) {
      const accounted =
        s.requestsServed.lambda + s.requestsServed.fargate + s.requestsFailed.total + s.requestsOverloaded;
      expect({ strategy: s.strategy, accounted: Math.round(accounted) }).toEqual({
        strategy: s.strategy,
        accounted: demand,
      });
      const f = s.requestsFailed;
      expect(f.throttled + f.rateLimited + f.noTarget + f.deadEndpoint).toBeCloseTo(f.total, 0);
    }
    // Overloaded requests are counted as such, not as served: Fargate always on's first surge minute reaches two tasks at 100%.
    expect(get("fargate-always-on").requestsOverloaded).toBeGreaterThanOrEqual(
      PEAK - config.fargate.minTasks * config.fargate.requestsPerTaskPerSecond * 60,
    );
  });

  it("charges every strategy for each request it failed or overloaded, so dropping one never makes it cheaper", () => {
    const price = unservedRequestUsd(w, DEFAULT_PRICES);
    expect(report.equalService?.unservedRequestUsd).toBeCloseTo(price, 15);
    for (const s of report.strategies) expect(s.costAtEqualService - s.totalCost).toBeCloseTo(unserved(s) * price, 6);
    // Lambda only, turned away at API Gateway's limit, is dearest of all at equal service.
    expect(get("lambda-only").requestsFailed.rateLimited).toBeGreaterThan(0);
  });

  it("runs Fargate always on on the weighted switch's data plane: past its healthy capacity it spills to Lambda, as LambdaFlex does", () => {
    const f = get("fargate-always-on");
    expect(f.requestsServed.lambda).toBeGreaterThan(0.9 * excess);
    expect(f.requestsOverloaded).toBeLessThan(0.1 * excess);
    // And the DNS-only LambdaFlex keeps its own listener: its tasks take everything the ALB receives, so they overload past maxTasks.
    expect(get("lambdaflex-dns-only").requestsOverloaded).toBeGreaterThan(0.5 * excess);
  });

  it("gives the verdict each strategy's cost at equal service, and the outcome that cost decides", () => {
    const v = verdict(report, trace);
    const lf = get("lambdaflex");
    for (const c of v.comparisons) {
      const alt = get(c.strategy);
      const diff = lf.costAtEqualService - alt.costAtEqualService;
      expect({ strategy: c.strategy, outcome: c.outcome }).toEqual({
        strategy: c.strategy,
        outcome: Math.abs(diff) < 0.005 ? "even" : diff < 0 ? "saved" : "lost",
      });
      expect(c.lead).toContain(
        `$${alt.costAtEqualService.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
      );
      if (unserved(alt) >= 0.5 || unserved(lf) >= 0.5) expect(c.lead).toMatch(/^At equal service, /);
    }
    // Demand past maxTasks is on the first screen, with the maxTasks that would have carried it.
    expect(v.sizing).toMatch(
      /^Demand passed what fargate\.maxTasks = 50 tasks carry \(7,500 req\/s at 150 req\/s a task\) in 180 minutes, peaking at 15,000 req\/s/,
    );
    expect(v.sizing).toContain(
      "fargate.maxTasks = 167 would have carried the peak on Fargate at the 60% target utilization (100 at full capacity)",
    );
    // Every ratio names its reference.
    for (const r of v.ratios) expect(r).toMatch(/the (same-world optimum|lower bound|cheaper single tier)/);
  });
});
