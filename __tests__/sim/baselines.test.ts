import { loadDeploymentConfig } from "../../config/load";
import { simulateFargateAlways, simulateLambdaOnly } from "../../sim/baselines";
import { workloadFrom } from "../../sim/cost-model";
import { delaysFor } from "../../sim/delays";
import { DEFAULT_WORLD, parseWorld } from "../../sim/world/params";

const config = loadDeploymentConfig(undefined, {});
const w = workloadFrom(config);
const o = { config, world: DEFAULT_WORLD, workload: w };
// A day: quiet night, a busy four-hour plateau, quiet again (requests per minute).
const DAY = [...Array(300).fill(120), ...Array(240).fill(3600), ...Array(900).fill(90)];

describe("single-tier baselines in the emulated world", () => {
  it("conserve requests and keep them on their one tier", () => {
    const total = DAY.reduce((a, b) => a + b, 0);
    const lambda = simulateLambdaOnly(DAY, o);
    const fargate = simulateFargateAlways(DAY, o);
    expect(lambda.requestsByTier).toEqual({ lambda: total, fargate: 0 });
    expect(fargate.requestsByTier.fargate).toBeCloseTo(total, 6);
    expect(fargate.minutesByTier.fargate).toBe(DAY.length);
    expect(fargate.minutesWithFargateResources).toBe(DAY.length);
    for (const s of [lambda, fargate]) expect(s.cumulativeCost.at(-1)).toBeCloseTo(s.totalCost, 9);
  });

  it("make Lambda cheaper when quiet and Fargate cheaper when busy", () => {
    const quiet = Array(1440).fill(60);
    const busy = Array(1440).fill(6000);
    expect(simulateLambdaOnly(quiet, o).totalCost).toBeLessThan(simulateFargateAlways(quiet, o).totalCost);
    expect(simulateFargateAlways(busy, o).totalCost).toBeLessThan(simulateLambdaOnly(busy, o).totalCost);
  });

  it("count a minute short when Lambda throttles, and target tracking catches up on a surge", () => {
    const small = { ...o, world: parseWorld({ aws: { lambdaConcurrencyLimit: 10 } }) };
    // 10 concurrent at 100 ms is 100 req/s: 200 req/s for one minute throttles half.
    expect(simulateLambdaOnly([60, 12_000, 60], small).shortfallMinutes).toBe(1);
    // A surge far above two tasks' capacity is short only until target tracking has added tasks.
    const surge = [...Array(30).fill(600), ...Array(60).fill(60_000)];
    const f = simulateFargateAlways(surge, o);
    expect(f.shortfallMinutes).toBeGreaterThan(0);
    expect(f.shortfallMinutes).toBeLessThan(15);
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
