import { loadDeploymentConfig } from "../../config/load";
import { recentRps, simulateFargateAlways, simulateLambdaOnly } from "../../sim/baselines";
import { workloadFrom } from "../../model/cost-model";
import { delaysFor } from "../../sim/delays";
import { unservedRequestUsd } from "../../sim/equal-service";
import { DEFAULT_PRICES } from "../../model/prices";
import type { StrategyResult } from "../../sim/simulator";
import { DEFAULT_WORLD, parseWorld } from "../../sim/world/params";

const config = loadDeploymentConfig(undefined, {});
const w = workloadFrom(config);
const o = { config, world: DEFAULT_WORLD, workload: w };
// A day: quiet night, a busy four-hour plateau, quiet again (requests per minute).
const DAY = [...Array(300).fill(120), ...Array(240).fill(3600), ...Array(900).fill(90)];
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
/** What a result accounts for: served on each tier, failed and overloaded. */
const accounted = (s: StrategyResult) =>
  s.requestsServed.lambda + s.requestsServed.fargate + s.requestsFailed.total + s.requestsOverloaded;

describe("single-tier baselines in the emulated world", () => {
  it("conserve requests and keep them on their one tier while the tasks carry the demand", async () => {
    const total = sum(DAY);
    const lambda = simulateLambdaOnly(DAY, o);
    const fargate = await simulateFargateAlways(DAY, o);
    expect(lambda.requestsByTier).toEqual({ lambda: total, fargate: 0 });
    expect(lambda.requestsServed).toEqual({ lambda: total, fargate: 0 });
    expect(fargate.requestsByTier.fargate).toBeCloseTo(total, 6);
    expect(fargate.requestsServed.fargate).toBeCloseTo(total, 6);
    expect(fargate.minutesByTier.fargate).toBe(DAY.length);
    expect(fargate.minutesWithFargateResources).toBe(DAY.length);
    for (const s of [lambda, fargate]) {
      expect(s.cumulativeCost.at(-1)).toBeCloseTo(s.totalCost, 9);
      expect(s.costAtEqualService).toBeCloseTo(s.totalCost, 9); // nothing failed or overloaded: no charge
    }
  });

  it("make Lambda cheaper when quiet and Fargate cheaper when busy", async () => {
    const quiet = Array(1440).fill(60);
    const busy = Array(1440).fill(6000);
    expect(simulateLambdaOnly(quiet, o).totalCost).toBeLessThan((await simulateFargateAlways(quiet, o)).totalCost);
    expect((await simulateFargateAlways(busy, o)).totalCost).toBeLessThan(simulateLambdaOnly(busy, o).totalCost);
  });

  it("count a minute short when Lambda throttles, and target tracking catches up on a surge", async () => {
    const small = { ...o, world: parseWorld({ aws: { lambdaConcurrencyLimit: 10 } }) };
    // 10 concurrent at 100 ms is 100 req/s: 200 req/s for one minute throttles half.
    const throttled = simulateLambdaOnly([60, 12_000, 60], small);
    expect(throttled.shortfallMinutes).toBe(1);
    expect(throttled.requestsFailed.throttled).toBeCloseTo(6000, 6);
    expect(throttled.requestsServed.lambda).toBeCloseTo(60 + 6000 + 60, 6);
    // A surge far above two tasks' capacity is short only until target tracking has added tasks.
    const surge = [...Array(30).fill(600), ...Array(60).fill(60_000)];
    const f = await simulateFargateAlways(surge, o);
    expect(f.shortfallMinutes).toBeGreaterThan(0);
    expect(f.shortfallMinutes).toBeLessThan(15);
  });
});

describe("Fargate always on, on LambdaFlex's data plane (the weighted switch)", () => {
  // Two hours at 15,000 req/s: twice what maxTasks (50) tasks carry at 150 req/s each (7,500 req/s), and
  // within what Lambda takes beside them (1,000 concurrent at 100 ms: 10,000 req/s).
  const capacityPerMinute = config.fargate.maxTasks * config.fargate.requestsPerTaskPerSecond * 60;
  const surge = [...Array(60).fill(600), ...Array(120).fill(15_000 * 60), ...Array(60).fill(600)];
  const excess = sum(surge.map((r) => Math.max(0, r - capacityPerMinute)));
  let f: StrategyResult;
  beforeAll(async () => {
    f = await simulateFargateAlways(surge, o);
  });

  it("accounts every request as served on a tier, failed or overloaded", () => {
    expect(accounted(f)).toBeCloseTo(sum(surge), 0);
  });

  it("spills to Lambda what its healthy tasks cannot carry, rather than overloading them", () => {
    // Past maxTasks the tasks carry their capacity and Lambda the rest (through the ALB: no API Gateway request).
    expect(f.requestsServed.lambda).toBeGreaterThan(0.9 * excess);
    expect(f.requestsServed.fargate).toBeLessThanOrEqual(sum(surge.map((r) => Math.min(r, capacityPerMinute))) + 1);
    expect(f.bill.apiGatewayRequests?.quantity ?? 0).toBeCloseTo(0, 6);
    // Only while the weights catch up with a step (the scaler reads demand 4 to 8 minutes old) are tasks overloaded.
    expect(f.requestsOverloaded).toBeLessThan(0.1 * excess);
    // The step's first minute reaches two tasks at 100% weight: all but their 300 req/s is overloaded.
    expect(f.requestsOverloaded).toBeGreaterThanOrEqual(
      surge[60]! - config.fargate.minTasks * config.fargate.requestsPerTaskPerSecond * 60,
    );
  });

  it("is charged at equal service for what it overloaded or failed, at Lambda's price for each", () => {
    const charge = f.costAtEqualService - f.totalCost;
    const unserved = f.requestsFailed.total + f.requestsOverloaded;
    expect(unserved).toBeGreaterThan(0);
    expect(charge / unserved).toBeCloseTo(unservedRequestUsd(w, DEFAULT_PRICES), 12);
    // An invocation and its GB-seconds: more than the invocation alone.
    expect(unservedRequestUsd(w, DEFAULT_PRICES)).toBeGreaterThan(DEFAULT_PRICES.lambdaRequest);
  });
});

describe("the demand the spill-over reads", () => {
  it("is the mean of the 5 newest minutes CloudWatch has published, minutes before the trace counting as none", () => {
    const trace = [600, 1200, 1800, 2400, 3000, 3600, 4200, 4800, 5400];
    // At minute 9 with a 3-minute lag the newest published minute is 5: minutes 1..5.
    expect(recentRps(trace, 9, 3)).toBeCloseTo((1200 + 1800 + 2400 + 3000 + 3600) / 5 / 60, 9);
    expect(recentRps(trace, 5, 3)).toBeCloseTo((600 + 1200) / 5 / 60, 9);
    expect(recentRps(trace, -10, 3)).toBe(0);
  });
});

describe("shortest delays of a world", () => {
  it("are whole minutes no longer than anything the world can draw", () => {
    expect(delaysFor(DEFAULT_WORLD, config.scaling.deregistrationDelaySeconds)).toEqual({
      metricLagMinutes: 1,
      commitToApplyMinutes: 1,
      createMinutes: 3,
      taskBootMinutes: 1,
      destroyMinutes: 2,
      autoscaleLagMinutes: 4,
      dnsTtlMinutes: 1,
    });
  });
});
