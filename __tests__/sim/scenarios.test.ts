/**
 * Regression scenarios: the production scaler in the twin, on the step trace
 * (quiet, 60 req/s from 06:00 to 10:00, quiet; three days), in worlds that
 * hurt: CloudWatch lag, failed and discarded runs, ALB creation tails, runs
 * that queue behind each other.
 */
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { breakEvenRps, workloadFrom } from "../../model/cost-model";
import { loadTrace } from "../../sim/trace";
import { findSteps, stepTimings } from "../../sim/timings";
import { simulateLambdaFlex, type TwinResult } from "../../sim/twin";
import { lambdaExcess, roundTripCost } from "../../scaler/money";
import { drainWindowMinutes, policyConfigFrom, roundTripShape } from "../../scaler/policy";
import { DEFAULT_WORLD, parseWorld } from "../../sim/world/params";
import { SHARED_DIR } from "../helpers/fixtures";

const config = loadDeploymentConfig(undefined, {});
const trace = loadTrace(join(SHARED_DIR, "data", "traces", "step-daily.csv"), 1);
const steps = findSteps(trace, breakEvenRps(workloadFrom(config)));
const twin = (world: unknown) =>
  simulateLambdaFlex(trace, { config, world: parseWorld(world), workload: workloadFrom(config) });
const CYCLE = ["warming", "serving", "draining", "off"];

/** Every day goes through the whole cycle, exactly once, and no request is turned away. */
function expectDailyCycles(r: TwinResult): void {
  expect(steps).toHaveLength(3);
  const log = r.strategy.log!;
  expect(log.map((l) => l.to)).toEqual([...CYCLE, ...CYCLE, ...CYCLE]);
  log.forEach((l, i) => expect(Math.floor(l.minute / 1440)).toBe(Math.floor(i / 4)));
  expect(r.strategy.shortfallMinutes).toBe(0);
  expect(r.worldReport.failedRequests).toBe(0);
  expect(r.worldReport.requestsMisroutedToApi).toBe(0);
}

describe("step trace with the default configuration (weighted switch)", () => {
  it("sends no client back to API Gateway while the tier serves with healthy tasks", async () => {
    expect(config.fargate.switch).toBe("weighted");
    const r = await twin({});
    // The tier served every day, on the tasks.
    const log = r.strategy.log!;
    expect(log.filter((l) => l.to === "serving").map((l) => Math.floor(l.minute / 1440))).toEqual([0, 1, 2]);
    expect(r.strategy.requestsByTier.fargate).toBeGreaterThan(0.8 * steps.length * 240 * 3600);
    // Route 53 answered the ALB to every client that resolved while the fargate record was in sync.
    expect(r.worldReport.requestsMisroutedToApi).toBe(0);
    expect(r.strategy.requestsMisroutedToApi).toBe(0);
  }, 60_000);
});

describe("step trace under CloudWatch lag", () => {
  // The drain is ski rental the other way: the idle tier's cost since the step down must reach the round trip plus
  // a warm-up of Lambda at the 60 req/s it was busy at; then the drain window, and the off commit's run and destroy.
  const policy = policyConfigFrom(config);
  const quietSaving = -lambdaExcess(trace[0]!, policy);
  const downPrice = roundTripCost(
    policy,
    roundTripShape(policy, { fargate_max_tasks: config.fargate.maxTasks }, policy.minTasks),
  );
  const rewarm = policy.warmupMinutes * lambdaExcess(60 * 60, policy);
  const drainAfter = Math.ceil((downPrice + rewarm) / quietSaving);
  const offWithin = drainAfter + drainWindowMinutes(policy) + 3 + 20;

  it.each([1, 2, 3])(
    "completes the cycle every day with lag %i min: Fargate serves within 30 min of the step, the tier is gone within the drain the money allows",
    async (lag) => {
      const r = await twin({ cloudwatch: { lagMinutes: [lag, lag] }, aws: { albCreateTailRate: 0 } });
      expectDailyCycles(r);
      for (const t of stepTimings(r, steps)) {
        expect(t.toServing).toBeLessThanOrEqual(30);
        expect(t.toOff).toBeGreaterThan(drainAfter);
        expect(t.toOff).toBeLessThanOrEqual(offWithin);
      }
    },
    60_000,
  );
});

describe("step trace with failing Terraform runs and ALB creation tails", () => {
  it("still completes each day: failed and discarded runs are queued again, and the scaler alerts", async () => {
    const r = await twin({
      seed: 7,
      cloudwatch: { lagMinutes: [3, 3] },
      terraformCloud: { failureRate: 0.3, discardRate: 0.15 },
      aws: { albCreateTailRate: 1, albCreateTailMinutes: 30 },
    });
    expectDailyCycles(r);
    expect(r.scaler.terraformRunsByStatus.errored).toBeGreaterThan(0);
    expect(r.scaler.terraformRunsByStatus.discarded).toBeGreaterThan(0);
    expect(r.scaler.terraformRunsFailed).toBe(
      (r.scaler.terraformRunsByStatus.errored ?? 0) + (r.scaler.terraformRunsByStatus.discarded ?? 0),
    );
    expect(r.scaler.terraformRunsQueuedByScaler).toBeGreaterThan(0);
    expect(r.scaler.alertKinds["apply-failed"]).toBeGreaterThan(0);
    // Every creation took the 30-minute tail, so serving comes later, but never before the tier is healthy.
    expect(r.worldReport.albCreateMinutes.every((m) => m === 30)).toBe(true);
    for (const t of stepTimings(r, steps)) {
      expect(t.toServing).toBeGreaterThan(30);
      expect(t.toOff).toBeDefined();
    }
  }, 60_000);

  it("commits while the previous run is still queued, without stranding a request", async () => {
    // An hour of 600 req/s, and runs that take 50 minutes to plan and apply. The first run finds when the drain
    // is committed; the second brings the load back 8 minutes later, so the tier serves again and the
    // floor for the returning load is committed while the run before it is still running.
    const world = parseWorld({ seed: 3, terraformCloud: { runMinutes: [50, 50] }, aws: { albCreateTailRate: 0 } });
    const hour = Array.from({ length: 1440 }, (_, m) => (m >= 360 && m < 420 ? 36_000 : 30));
    const first = await simulateLambdaFlex(hour, { config, world, workload: workloadFrom(config) });
    const drainAt = first.strategy.log!.find((l) => l.to === "draining")!.minute;
    const back = hour.map((v, m) => (m >= drainAt + 8 && m < drainAt + 68 ? 36_000 : v));
    const r = await simulateLambdaFlex(back, { config, world, workload: workloadFrom(config) });
    expect(r.strategy.log!.map((l) => l.to)).toEqual(["warming", "serving", "draining", "serving", "draining", "off"]);
    const runs = r.worldReport.terraformRuns;
    expect(runs.some((run, i) => i > 0 && (runs[i - 1]!.finishedMinute ?? Infinity) > run.createdMinute)).toBe(true);
    expect(runs.every((run) => run.status === "applied" || run.status === "planned_and_finished")).toBe(true);
    expect(r.worldReport.failedRequests).toBeLessThan(1);
    expect(r.worldReport.strandedRequests).toBe(0);
    expect(r.resourcesByMinute.at(-1)).toBe(false);
  }, 90_000);
});

describe("drain from what DNS says: the ALB outlives the record, not the commit", () => {
  // The step trace at x10: 600 req/s by day, 5 req/s at night (below break-even, so the tier drains into real
  // traffic), with 5% of clients keeping the answer they resolved for 30 minutes.
  const busy = loadTrace(join(SHARED_DIR, "data", "traces", "step-daily.csv"), 10);
  const CLIENTS = { longCacheShare: 0.05, longCacheMinutes: 30 };
  const D = DEFAULT_WORLD;
  const slowest = (r: readonly [number, number]) => [r[1], r[1]];
  const fastest = (r: readonly [number, number]) => [r[0], r[0]];
  /** Every delay of the world file at its worst for a drain: the record leaves as late as runs allow and reaches resolvers last, the ALB goes as soon as it can. */
  const WORST = {
    cloudwatch: { lagMinutes: slowest(D.cloudwatch.lagMinutes) },
    terraformCloud: {
      runMinutes: slowest(D.terraformCloud.runMinutes),
      webhookSeconds: slowest(D.terraformCloud.webhookSeconds),
      failureRate: 0.3,
      discardRate: 0.1,
    },
    aws: {
      albCreateMinutes: slowest(D.aws.albCreateMinutes),
      albCreateTailRate: 1,
      taskStartMinutes: slowest(D.aws.taskStartMinutes),
      autoscaleLagMinutes: slowest(D.aws.autoscaleLagMinutes),
      destroyMinutes: fastest(D.aws.destroyMinutes),
    },
    dns: { propagationSeconds: slowest(D.dns.propagationSeconds) },
    scaler: { gitLatencyMs: slowest(D.scaler.gitLatencyMs), apiLatencyMs: slowest(D.scaler.apiLatencyMs) },
    clients: CLIENTS,
  };
  /** Drains whose draining commit's first run did not apply: the record left DNS late. */
  const lateDrains = (r: TwinResult) =>
    r.scaler.commits
      .filter((c) => c.to === "draining")
      .filter((c) => {
        const runs = r.worldReport.terraformRuns.filter((run) => run.commitSha === c.oid);
        return runs.length > 0 && runs[0]!.status !== "applied";
      }).length;

  // Several seeds per world, so some drain's first run fails whatever the policy's timing (before the drain
  // counted from the record, such drains sent 22 to 104 requests to a deleted ALB per run).
  const SEEDS = [1, 2, 3, 4, 5, 6];
  it.each([
    ["30% of Terraform runs fail", { terraformCloud: { failureRate: 0.3 }, clients: CLIENTS }],
    ["every delay at its worst", WORST],
  ])(
    "%s: no request reaches a deleted ALB, though draining runs failed",
    async (_, world) => {
      let late = 0;
      for (const seed of SEEDS) {
        const r = await simulateLambdaFlex(busy, {
          config,
          world: parseWorld({ ...world, seed }),
          workload: workloadFrom(config),
        });
        expect(r.strategy.log!.map((l) => l.to)).toEqual([...CYCLE, ...CYCLE, ...CYCLE]);
        late += lateDrains(r);
        expect({ seed, deadEndpoint: r.worldReport.requestsToDeadEndpoint }).toEqual({ seed, deadEndpoint: 0 });
        expect(r.strategy.requestsFailed.deadEndpoint).toBe(0);
        expect(r.resourcesByMinute.at(-1)).toBe(false);
      }
      expect(late).toBeGreaterThanOrEqual(2);
    },
    // Six three-day twin runs: ~40 s alone, over 180 s beside the suite's other workers on 2 cores.
    600_000,
  );
});
