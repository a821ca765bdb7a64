import { loadDeploymentConfig } from "../../config/load";
import { fargateFixedMinuteCost, fargateMinuteCost, lambdaMinuteCost, tasksNeeded, workloadFrom, type Workload } from "../../sim/cost-model";
import type { Delays } from "../../sim/delays";
import { clairvoyantOptimum } from "../../sim/optimum";

const w: Workload = { ...workloadFrom(loadDeploymentConfig(undefined, {})), coldStartMs: 0 };
const d: Delays = { metricLagMinutes: 0, commitToApplyMinutes: 1, createMinutes: 1, taskBootMinutes: 0, destroyMinutes: 1, autoscaleLagMinutes: 0, dnsTtlMinutes: 1 };
const DWELL = 3;
const UP = d.commitToApplyMinutes + d.createMinutes + d.taskBootMinutes + d.dnsTtlMinutes;
const STILL_ON_FARGATE = d.commitToApplyMinutes + d.dnsTtlMinutes;

/** Cost of a schedule given as serving intervals [a, b), computed independently of the DP. */
function scheduleCost(trace: number[], intervals: Array<[number, number]>): number {
  const kind: Array<"L" | "LR" | "F"> = trace.map(() => "L");
  for (const [a, b] of intervals) {
    for (let t = a - UP + d.commitToApplyMinutes; t < a; t++) kind[t] = "LR";
    for (let t = a; t < b + STILL_ON_FARGATE && t < trace.length; t++) kind[t] = "F";
    for (let t = b + STILL_ON_FARGATE; t < b + STILL_ON_FARGATE + d.destroyMinutes && t < trace.length; t++) kind[t] = "LR";
  }
  return trace.reduce((sum, r, t) => {
    if (kind[t] === "F") return sum + fargateMinuteCost(r, tasksNeeded(r / 60, w), w);
    const cold = Math.max(0, Math.ceil((r / 60) * 0.1) - Math.ceil(((trace[t - 1] ?? 0) / 60) * 0.1));
    return sum + lambdaMinuteCost(r, cold, w) + (kind[t] === "LR" ? fargateFixedMinuteCost(w.minTasks, w) : 0);
  }, 0);
}

/** Every feasible schedule with up to two serving intervals. */
function bruteForce(trace: number[]): number {
  const n = trace.length;
  let best = scheduleCost(trace, []);
  for (let a = UP; a < n; a++) {
    for (let b = a + DWELL; b <= n; b++) {
      best = Math.min(best, scheduleCost(trace, [[a, b]]));
      for (let a2 = b + STILL_ON_FARGATE + d.destroyMinutes + UP; a2 < n; a2++) {
        for (let b2 = a2 + DWELL; b2 <= n; b2++) best = Math.min(best, scheduleCost(trace, [[a, b], [a2, b2]]));
      }
    }
  }
  return best;
}

describe("clairvoyant optimum", () => {
  const cases: Record<string, number[]> = {
    quiet: Array(24).fill(60),
    "one long peak": [...Array(6).fill(60), ...Array(12).fill(6000), ...Array(6).fill(60)],
    "two peaks": [...Array(4).fill(0), ...Array(7).fill(9000), ...Array(9).fill(30), ...Array(6).fill(9000), 0, 0],
    "too short to pay": [...Array(10).fill(60), 1200, 1200, ...Array(10).fill(60)],
  };

  it.each(Object.entries(cases))("matches brute force on %s", (_name, trace) => {
    const opt = clairvoyantOptimum(trace, w, d, DWELL);
    expect(opt.totalCost).toBeCloseTo(bruteForce(trace), 9);
  });

  it("serves long peaks on Fargate and never a peak shorter than creating the tier", () => {
    expect(clairvoyantOptimum(cases["one long peak"]!, w, d, DWELL).minutesByTier.fargate).toBeGreaterThan(0);
    expect(clairvoyantOptimum(cases["too short to pay"]!, w, d, DWELL).minutesByTier.fargate).toBe(0);
  });
});
