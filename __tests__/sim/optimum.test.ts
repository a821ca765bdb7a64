import { loadDeploymentConfig } from "../../config/load";
import {
  fargateFixedMinuteCost,
  fargateMinuteCost,
  lambdaMinuteCost,
  tasksNeeded,
  workloadFrom,
  type Workload,
} from "../../model/cost-model";
import type { Delays } from "../../sim/delays";
import { lowerBound, lowerBoundShape, planSchedule, type CycleShape } from "../../sim/optimum";

const w: Workload = { ...workloadFrom(loadDeploymentConfig(undefined, {})), coldStartMs: 0 };
const d: Delays = {
  metricLagMinutes: 0,
  commitToApplyMinutes: 1,
  createMinutes: 1,
  taskBootMinutes: 0,
  destroyMinutes: 1,
  autoscaleLagMinutes: 0,
  dnsTtlMinutes: 1,
};
const DWELL = 3;

/** Cost of a schedule given as serving intervals [a, b), computed independently of the DP. */
function scheduleCost(trace: number[], intervals: Array<[number, number]>, shape: CycleShape): number {
  const kind: Array<"L" | "LR" | "F"> = trace.map(() => "L");
  const tailEnd = (b: number) => b + shape.fargateTailMinutes + shape.lambdaTailMinutes;
  for (const [a, b] of intervals) {
    for (let t = a - shape.warmMinutes; t < a; t++) kind[t] = "LR";
    for (let t = a; t < b + shape.fargateTailMinutes && t < trace.length; t++) kind[t] = "F";
    for (let t = b + shape.fargateTailMinutes; t < tailEnd(b) && t < trace.length; t++) kind[t] = "LR";
  }
  return trace.reduce((sum, r, t) => {
    if (kind[t] === "F") return sum + fargateMinuteCost(r, tasksNeeded(r / 60, w), w);
    const cold = Math.max(0, Math.ceil((r / 60) * 0.1) - Math.ceil(((trace[t - 1] ?? 0) / 60) * 0.1));
    return sum + lambdaMinuteCost(r, cold, w) + (kind[t] === "LR" ? fargateFixedMinuteCost(w.minTasks, w) : 0);
  }, 0);
}

/** Every feasible schedule with up to two serving intervals (a round trip begins at least a minute after the last one ended). */
function bruteForce(trace: number[], shape: CycleShape): number {
  const n = trace.length;
  const up = shape.leadMinutes + shape.warmMinutes;
  let best = scheduleCost(trace, [], shape);
  for (let a = up; a < n; a++) {
    for (let b = a + DWELL; b <= n; b++) {
      best = Math.min(best, scheduleCost(trace, [[a, b]], shape));
      for (let a2 = b + shape.fargateTailMinutes + shape.lambdaTailMinutes + 1 + up; a2 < n; a2++) {
        for (let b2 = a2 + DWELL; b2 <= n; b2++)
          best = Math.min(
            best,
            scheduleCost(
              trace,
              [
                [a, b],
                [a2, b2],
              ],
              shape,
            ),
          );
      }
    }
  }
  return best;
}

const cases: Record<string, number[]> = {
  quiet: Array(24).fill(60),
  "one long peak": [...Array(6).fill(60), ...Array(12).fill(6000), ...Array(6).fill(60)],
  "two peaks": [...Array(4).fill(0), ...Array(7).fill(9000), ...Array(9).fill(30), ...Array(6).fill(9000), 0, 0],
  "too short to pay": [...Array(10).fill(60), 1200, 1200, ...Array(10).fill(60)],
};

describe("lower bound", () => {
  it.each(Object.entries(cases))("matches brute force on %s", (_name, trace) => {
    const opt = lowerBound(trace, w, d, DWELL);
    expect(opt.strategy).toBe("lower-bound");
    expect(opt.totalCost).toBeCloseTo(bruteForce(trace, lowerBoundShape(d)), 9);
  });

  it("serves long peaks on Fargate and never a peak shorter than creating the tier", () => {
    expect(lowerBound(cases["one long peak"]!, w, d, DWELL).minutesByTier.fargate).toBeGreaterThan(0);
    expect(lowerBound(cases["too short to pay"]!, w, d, DWELL).minutesByTier.fargate).toBe(0);
  });
});

describe("the schedule's dynamic program for any round trip", () => {
  // The weighted switch's shape (no Fargate tail: weight 0 moves every request at once, a long drain on Lambda) and the DNS switch's.
  const shapes: Record<string, CycleShape> = {
    weighted: { leadMinutes: 1, warmMinutes: 3, fargateTailMinutes: 0, lambdaTailMinutes: 4 },
    dns: { leadMinutes: 1, warmMinutes: 2, fargateTailMinutes: 2, lambdaTailMinutes: 1 },
  };
  const rows = Object.entries(shapes).flatMap(([s, shape]) =>
    Object.entries(cases).map(([c, trace]) => [s, c, shape, trace] as const),
  );

  it.each(rows)("matches brute force with the %s shape on %s", (_s, _c, shape, trace) => {
    expect(planSchedule(trace, w, shape, DWELL).plannedCost).toBeCloseTo(bruteForce(trace, shape), 9);
  });

  it("names its round trips: decided up-front by the warm-up, serving through the peak, off after the tail", () => {
    const shape = shapes.weighted!;
    const trace = [...Array(10).fill(60), ...Array(12).fill(6000), ...Array(10).fill(60)];
    expect(planSchedule(trace, w, shape, DWELL).cycles).toEqual([
      {
        warmAt: 10 - shape.leadMinutes - shape.warmMinutes,
        serveAt: 10,
        leaveAt: 22,
        offAt: 22 + shape.lambdaTailMinutes,
      },
    ]);
  });
});
