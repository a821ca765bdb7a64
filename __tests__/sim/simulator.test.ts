import { loadDeploymentConfig } from "../../config/load";
import { workloadFrom } from "../../sim/cost-model";
import { delaysFor } from "../../sim/delays";
import { simulateFargateAlways, simulateLambdaOnly } from "../../sim/simulator";
import { DEFAULT_WORLD } from "../../sim/world/params";

const config = loadDeploymentConfig(undefined, {});
const w = workloadFrom(config);
const delays = delaysFor(DEFAULT_WORLD, config.scaling.deregistrationDelaySeconds);
// A day: quiet night, a busy four-hour plateau, quiet again (requests per minute).
const DAY = [...Array(300).fill(120), ...Array(240).fill(3600), ...Array(900).fill(90)];

describe("single-tier baselines", () => {
  it("conserve requests: every request is served by exactly one tier", () => {
    const total = DAY.reduce((a, b) => a + b, 0);
    for (const s of [simulateLambdaOnly(DAY, w), simulateFargateAlways(DAY, w, delays)]) {
      expect(s.requestsByTier.lambda + s.requestsByTier.fargate).toBe(total);
      expect(s.minutesByTier.lambda + s.minutesByTier.fargate).toBe(DAY.length);
      expect(s.cumulativeCost.at(-1)).toBeCloseTo(s.totalCost, 9);
    }
  });

  it("make Lambda cheaper when quiet and Fargate cheaper when busy", () => {
    const quiet = Array(1440).fill(60);
    const busy = Array(1440).fill(6000);
    expect(simulateLambdaOnly(quiet, w).totalCost).toBeLessThan(simulateFargateAlways(quiet, w, delays).totalCost);
    expect(simulateFargateAlways(busy, w, delays).totalCost).toBeLessThan(simulateLambdaOnly(busy, w).totalCost);
  });

  it("count a minute short when Lambda's capacity is exceeded", () => {
    const flood = [60, (w.lambdaCapacityRps + 10) * 60, 60];
    expect(simulateLambdaOnly(flood, w).shortfallMinutes).toBe(1);
  });
});

describe("shortest delays of a world", () => {
  it("are whole minutes no longer than anything the world can draw", () => {
    expect(delays).toEqual({ metricLagMinutes: 1, commitToApplyMinutes: 1, createMinutes: 3, taskBootMinutes: 1, destroyMinutes: 2, autoscaleLagMinutes: 4, dnsTtlMinutes: 1 });
  });
});
