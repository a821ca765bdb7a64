/**
 * The same-world optimum: clairvoyant decisions, planned under the world's
 * median delays, carried out through the same git host, Terraform Cloud and
 * AWS as LambdaFlex.
 */
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { policyConfigFrom } from "../../scaler/policy";
import {
  breakEvenRps,
  coldStarts,
  fargateFixedMinuteCost,
  fargateMinuteCost,
  lambdaMinuteCost,
  tasksNeeded,
  workloadFrom,
} from "../../model/cost-model";
import { delaysFor, medianDelaysFor } from "../../sim/delays";
import { lowerBound } from "../../sim/optimum";
import { planSameWorld, simulateSameWorldOptimum, type SameWorldOptimumResult } from "../../sim/same-world-optimum";
import { findSteps } from "../../sim/timings";
import { loadTrace } from "../../sim/trace";
import { simulateLambdaFlex, type TwinResult } from "../../sim/twin";
import { DEFAULT_WORLD } from "../../sim/world/params";
import { SHARED_DIR } from "../helpers/fixtures";

const config = loadDeploymentConfig(undefined, {});
const w = workloadFrom(config);
const policy = policyConfigFrom(config);
const CYCLE = ["warming", "serving", "draining", "off"];

/** The first minute from `from` on in which most requests reached the tasks. */
const servingFrom = (shares: readonly number[], from: number): number => {
  let m = from;
  while (m < shares.length && (shares[m] ?? 0) < 0.5) m++;
  return m;
};

describe("the world's median delays", () => {
  it("are what the default world draws half the time, plus the scaler's canary and drain window", () => {
    expect(medianDelaysFor(DEFAULT_WORLD, { ...config.scaling, fargateSwitch: "weighted" })).toEqual({
      metricLagMinutes: 2, // CloudWatch lag [1, 3]
      commitToApplyMinutes: 2, // webhook [2, 30] s (16 s) + run [1, 3] min (2)
      createMinutes: 7, // ALB [3, 10] min, 5% take the 30-min tail: 3 + 7 x 0.5 / 0.95 = 6.7
      taskBootMinutes: 2, // [1, 2.5]: 1.75
      destroyMinutes: 5, // 30 s deregistration + 30 s task stop + [2, 6] min (4)
      autoscaleLagMinutes: 6, // [3, 5] + task start 1.75
      dnsTtlMinutes: 1,
      canaryMinutes: 3, // half a minute to the next look, then a minute at 10% and one at 50%
      drainMinutes: 32, // TTL 60 s + deregistration 30 s + 30 straggler minutes
    });
    expect(medianDelaysFor(DEFAULT_WORLD, { ...config.scaling, fargateSwitch: "dns" })).toMatchObject({
      canaryMinutes: 0,
      drainMinutes: 2,
    });
  });
});

describe("the same-world optimum's plan", () => {
  // Half-minute quiet, two hours at 60 req/s (far above the break-even), quiet again.
  const trace = [...Array(120).fill(30), ...Array(120).fill(3600), ...Array(180).fill(30)];

  it("reproduces by hand: warm 14 median minutes ahead of the step, leave at the drop, gone 42 minutes later", () => {
    const plan = planSameWorld(trace, { world: DEFAULT_WORLD, workload: w, policy });
    // Weighted: 2 min to the apply, then ALB 7 + task 2 + canary 3 with resources billed; leaving sets weight 0 at
    // once; the draining commit's 2 min to the apply and a minute to read the record gone, then the 32-min drain
    // counted from there, the off commit's 2 min to the apply and the 5-min destroy.
    expect(plan.shape).toEqual({ leadMinutes: 2, warmMinutes: 12, fargateTailMinutes: 0, lambdaTailMinutes: 42 });
    expect(plan.cycles).toEqual([{ warmAt: 106, serveAt: 120, leaveAt: 240, offAt: 282 }]);
  });

  it("prices that round trip as an independent sum of minutes does, above the lower bound, whose delays are the world's shortest", () => {
    const plan = planSameWorld(trace, { world: DEFAULT_WORLD, workload: w, policy });
    const byHand = trace.reduce((sum, r, t) => {
      const lambda = lambdaMinuteCost(r, coldStarts(r, trace[t - 1] ?? 0, w), w);
      if (t >= 120 && t < 240) return sum + fargateMinuteCost(r, tasksNeeded(r / 60, w), w);
      return (
        sum + lambda + ((t >= 108 && t < 120) || (t >= 240 && t < 282) ? fargateFixedMinuteCost(w.minTasks, w) : 0)
      );
    }, 0);
    expect(plan.plannedCost).toBeCloseTo(byHand, 9);
    const lb = lowerBound(
      trace,
      w,
      delaysFor(DEFAULT_WORLD, config.scaling.deregistrationDelaySeconds),
      policy.minDwellMinutes,
    );
    expect(plan.plannedCost).toBeGreaterThan(lb.totalCost);
  });
});

describe("the same-world optimum on the daily step trace", () => {
  const trace = loadTrace(join(SHARED_DIR, "data", "traces", "step-daily.csv"), 1);
  const steps = findSteps(trace, breakEvenRps(w));
  let opt: SameWorldOptimumResult;
  let lf: TwinResult;
  beforeAll(async () => {
    opt = await simulateSameWorldOptimum(trace, { config, world: DEFAULT_WORLD, workload: w });
    lf = await simulateLambdaFlex(trace, { config, world: DEFAULT_WORLD, workload: w });
  }, 120_000);

  it("goes through the same four transitions a day as LambdaFlex, each a commit Terraform Cloud applied from the repository", () => {
    expect(steps).toHaveLength(3);
    const log = opt.strategy.log!;
    expect(log.map((l) => l.to)).toEqual([...CYCLE, ...CYCLE, ...CYCLE]);
    expect(lf.strategy.log!.map((l) => l.to)).toEqual(log.map((l) => l.to));
    log.forEach((l, i) => expect(Math.floor(l.minute / 1440)).toBe(Math.floor(i / 4)));
    expect(opt.strategy.transitionsPerDay).toBe(4);
    // Every commit reached AWS through the VCS webhook and a run that applied.
    for (const c of opt.commits)
      expect(opt.worldReport.terraformRuns.filter((r) => r.commitSha === c.oid && r.source === "vcs")).not.toHaveLength(
        0,
      );
    expect(opt.worldReport.terraformRuns.filter((r) => r.status === "applied").length).toBeGreaterThanOrEqual(
      opt.commits.length,
    );
    // The same world, built the same way on the same seed: the first ALB takes as long to create for both.
    expect(opt.worldReport.albCreateMinutes[0]).toBe(lf.worldReport.albCreateMinutes[0]);
  });

  it("commits ahead of each step, but serves only after the world's sampled warm-up, through the canary, and before LambdaFlex", () => {
    const warmings = opt.commits.filter((c) => c.to === "warming");
    steps.forEach(([step], day) => {
      const commit = warmings[day]!;
      // Clairvoyant: the warming commit comes before the demand it is for.
      expect(commit.minute).toBeLessThan(step);
      // The emulated delays: its run applied (ALB created), then a task started, then the canary moved the weight.
      const run = opt.worldReport.terraformRuns.find((r) => r.commitSha === commit.oid && r.status === "applied")!;
      const serving = servingFrom(opt.fargateShareByMinute, commit.minute);
      const sampledWarmup = run.finishedMinute! - commit.minute + DEFAULT_WORLD.aws.taskStartMinutes[0];
      expect(opt.worldReport.albCreateMinutes[day]).toBeLessThanOrEqual(run.finishedMinute! - commit.minute);
      expect(serving - commit.minute).toBeGreaterThanOrEqual(sampledWarmup);
      // The canary's 10% and 50% minutes come first (the rest of the ALB's requests go to the function).
      expect(opt.fargateShareByMinute[serving - 2]).toBeGreaterThan(0.05);
      expect(opt.fargateShareByMinute[serving - 2]).toBeLessThan(0.15);
      expect(opt.fargateShareByMinute[serving - 1]).toBeGreaterThan(0.4);
      expect(opt.fargateShareByMinute[serving - 1]).toBeLessThan(0.5);
      // Near the step, as the median plan aimed (the draws put it a few minutes either side), and before LambdaFlex, which reacts.
      expect(Math.abs(serving - step)).toBeLessThanOrEqual(10);
      expect(serving).toBeLessThan(servingFrom(lf.fargateShareByMinute, step));
    });
    expect(opt.strategy.shortfallMinutes).toBe(0);
    expect(opt.worldReport.failedRequests).toBeLessThan(1);
  });

  it("costs at least the lower bound and no more than LambdaFlex, on the bill and at equal service", () => {
    const lb = lowerBound(
      trace,
      w,
      delaysFor(DEFAULT_WORLD, config.scaling.deregistrationDelaySeconds),
      policy.minDwellMinutes,
    );
    expect(opt.strategy.totalCost).toBeGreaterThanOrEqual(lb.totalCost);
    expect(opt.strategy.totalCost).toBeLessThanOrEqual(lf.strategy.totalCost);
    expect(opt.strategy.costAtEqualService).toBeGreaterThanOrEqual(lb.costAtEqualService);
    expect(opt.strategy.costAtEqualService).toBeLessThanOrEqual(lf.strategy.costAtEqualService);
    expect(opt.strategy.plannedWith.delays).toEqual(
      medianDelaysFor(DEFAULT_WORLD, { ...config.scaling, fargateSwitch: config.fargate.switch }),
    );
  });
});
