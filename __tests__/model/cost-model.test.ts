import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { synthesize } from "../../scripts/synth";
import {
  albLcuDimensions,
  albLcus,
  breakEvenRps,
  fargateFixedMinuteCost,
  fargateMinuteCost,
  lambdaMinuteCost,
  TIER_ALARMS,
  tasksNeeded,
  workloadFrom,
} from "../../model/cost-model";
import { DEFAULT_PRICES, GB, PRICES } from "../../model/prices";
import { readStack, removeDir } from "../helpers/terraform";

const config = loadDeploymentConfig(undefined, {});
const w = workloadFrom(config);
const p = DEFAULT_PRICES;

describe("cost model", () => {
  it("prices a Lambda minute by hand: 60,000 requests at 512 MB and 100 ms, with their logs", () => {
    // requests: 60,000 x ($1.00 + $0.20)/1M = $0.072; compute: 60,000 x 0.1 s x 0.5 GB x $0.0000133334 = $0.0400002;
    // logs: 60,000 x (167 B access line + 509 B platform records) = 40,560,000 B = 0.0377740 GB x $0.50 = $0.0188870
    expect(lambdaMinuteCost(60_000, 0, w)).toBeCloseTo(0.072 + 0.0400002 + (40_560_000 / 2 ** 30) * 0.5, 9);
    // 10 cold starts at 0.5 s x 0.5 GB, and their 509 B of init records each
    expect(lambdaMinuteCost(0, 10, w)).toBeCloseTo(10 * 0.5 * 0.5 * 0.0000133334 + ((10 * 509) / 2 ** 30) * 0.5, 12);
  });

  it("bills no API Gateway request and no access-log line for invocations through the ALB", () => {
    const viaAlb = lambdaMinuteCost(60_000, 0, w, p, 0);
    expect(lambdaMinuteCost(60_000, 0, w) - viaAlb).toBeCloseTo(
      60_000 * (p.httpApiRequest + (w.accessLogBytes / GB) * p.logsIngestGb),
      12,
    );
  });

  it("prices a Fargate minute by hand: ALB hour, two 0.5 vCPU / 1 GB tasks, four public IPv4s, three alarms", () => {
    // (0.0225 + 2 x (0.5 x 0.03238 + 1 x 0.00356) + 4 x 0.005 + 3 x $0.10 / 730) / 60
    expect(fargateFixedMinuteCost(2, w)).toBeCloseTo((0.0225 + 2 * 0.01975 + 0.02 + 0.4 / 730) / 60, 12);
  });

  it("takes the largest LCU dimension, with Lambda targets' bytes at 0.4 GB per LCU", () => {
    // 3,000 req/min = 50 req/s: 25 new connections/s = 1 LCU; 25/s held 60 s = 1,500 active = 0.5 LCU;
    // 10 KB x 50/s x 3600 s = 1.8e9 B = 1.6764 GB/h = 1.6764 LCU for tasks, 4.1910 LCU for Lambda.
    const d = albLcuDimensions(3000, w);
    expect(d.newConnections).toBeCloseTo(1, 12);
    expect(d.activeConnections).toBeCloseTo(0.5, 12);
    expect(d.processedBytes).toBeCloseTo(1.8e9 / GB, 12);
    expect(albLcus(3000, w)).toBeCloseTo(1.8e9 / GB, 12);
    expect(albLcus(3000, w, 3000)).toBeCloseTo(1.8e9 / GB / 0.4, 12);
    expect(albLcus(3000, w, 1000)).toBeCloseTo(1.2e9 / GB / 1 + 0.6e9 / GB / 0.4, 12);
    expect(fargateMinuteCost(3000, 2, w) - fargateFixedMinuteCost(2, w)).toBeCloseTo(((1.8e9 / GB) * 0.008) / 60, 12);
    // Small responses on long-lived connections: the active-connections dimension wins.
    const chatty = { ...w, bytesPerRequest: 500, connectionSeconds: 300 };
    expect(albLcus(3000, chatty)).toBeCloseTo((25 * 300) / 3000, 12);
  });

  it("finds the break-even where a Lambda minute costs what two tasks and an ALB do", () => {
    // Below maxTasks x capacity, two tasks carry it and processed bytes are the largest LCU dimension, so both
    // minutes are linear in the rate r (req/s): r x lambdaPerRps = fixed(2 tasks) + r x lcuPerRps.
    const lambdaPerRps =
      60 * (p.httpApiRequest + p.lambdaRequest + 0.1 * 0.5 * p.lambdaGbSecondArm + ((167 + 509) / GB) * p.logsIngestGb);
    const lcuPerRps = ((10_000 * 3600) / GB) * (p.albLcuHour / 60);
    const byHand = fargateFixedMinuteCost(2, w) / (lambdaPerRps - lcuPerRps);
    const be = breakEvenRps(w);
    expect(be).toBeCloseTo(byHand, 6);
    expect(tasksNeeded(be, w)).toBe(2);
    expect(lambdaMinuteCost(be * 60, 0, w)).toBeCloseTo(fargateMinuteCost(be * 60, tasksNeeded(be, w), w), 9);
    // The logs alone move it from 12.79 to 10.88 req/s with the defaults.
    expect(breakEvenRps({ ...w, accessLogBytes: 0, platformLogBytes: 0 })).toBeGreaterThan(be * 1.15);
  });

  it("moves the break-even with the user's own numbers", () => {
    expect(breakEvenRps({ ...w, meanDurationMs: 400, lambdaMemoryMb: 1024 })).toBeLessThan(breakEvenRps(w) / 2);
    expect(breakEvenRps(w, { ...p, albHour: 0.045 })).toBeGreaterThan(breakEvenRps(w));
    expect(breakEvenRps({ ...w, appLogBytesPerRequest: 2000 })).toBeLessThan(breakEvenRps(w));
  });

  it("records the source and date of every price", () => {
    for (const price of Object.values(PRICES))
      expect(price.source).toMatch(/^https:\/\/aws\.amazon\.com\/.+ \(2026-1[12]-\d\d\)$/);
  });
});

describe("the alarms that exist with the tier", () => {
  const out = mkdtempSync(join(tmpdir(), "lambdaflex-alarms-"));
  afterAll(() => removeDir(out));

  it("counts the fargate stack's alarms and two per target-tracking policy", () => {
    const fargate = readStack(synthesize(config, out).fargate!);
    const declared = Object.keys(fargate.resource.aws_cloudwatch_metric_alarm ?? {}).length;
    const tracking = Object.values(fargate.resource.aws_appautoscaling_policy ?? {}).filter(
      (policy: any) => policy.policy_type === "TargetTrackingScaling",
    ).length;
    expect({ declared, tracking }).toEqual({ declared: 2, tracking: 1 });
    expect(TIER_ALARMS).toBe(declared + 2 * tracking);
    expect(w.tierAlarms).toBe(TIER_ALARMS);
  });
});
