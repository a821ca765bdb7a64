import { loadDeploymentConfig } from "../../config/load";
import { ALLOWED_EDGES, policyConfigFrom } from "../../scaler/policy";
import { workloadFrom } from "../../sim/cost-model";
import { DEFAULT_DELAYS } from "../../sim/delays";
import { simulateFargateAlways, simulateLambdaFlex, simulateLambdaOnly } from "../../sim/simulator";

const config = loadDeploymentConfig(undefined, {});
const w = workloadFrom(config);
const policy = policyConfigFrom(config);
// A day: quiet night, a busy four-hour plateau, quiet again (requests per minute).
const DAY = [...Array(300).fill(120), ...Array(240).fill(3600), ...Array(900).fill(90)];

describe("simulator", () => {
  const lf = simulateLambdaFlex(DAY, { policy, workload: w, delays: DEFAULT_DELAYS });

  it("conserves requests: every request is served by exactly one tier", () => {
    const total = DAY.reduce((a, b) => a + b, 0);
    for (const s of [lf, simulateLambdaOnly(DAY, w), simulateFargateAlways(DAY, w, DEFAULT_DELAYS)]) {
      expect(s.requestsByTier.lambda + s.requestsByTier.fargate).toBe(total);
      expect(s.minutesByTier.lambda + s.minutesByTier.fargate).toBe(DAY.length);
    }
  });

  it("never serves on Fargate before the tier has been created and turned healthy", () => {
    const firstWarming = lf.log!.find((l) => l.to === "warming")!.minute;
    const firstFargate = lf.tierByMinute.indexOf("fargate");
    const d = DEFAULT_DELAYS;
    expect(firstFargate).toBeGreaterThanOrEqual(firstWarming + 1 + d.commitToApplyMinutes + d.createMinutes + d.taskBootMinutes);
  });

  it("walks only the allowed edges, in order, and ends where it started", () => {
    const edges = new Set(ALLOWED_EDGES.map(([a, b]) => `${a}->${b}`));
    let state = "off";
    for (const step of lf.log!) {
      expect(step.from).toBe(state);
      expect(edges.has(`${step.from}->${step.to}`)).toBe(true);
      state = step.to;
    }
    expect(lf.log!.map((l) => l.to)).toEqual(["warming", "serving", "draining", "off"]);
  });

  it("is cheaper than Lambda only on a busy plateau and runs the scaler's overhead", () => {
    const lambdaOnly = simulateLambdaOnly(DAY, w);
    expect(lf.totalCost).toBeLessThan(lambdaOnly.totalCost);
    expect(lf.overheadCost).toBeGreaterThan(0);
    expect(lf.cumulativeCost.at(-1)).toBeCloseTo(lf.totalCost, 9);
  });
});
