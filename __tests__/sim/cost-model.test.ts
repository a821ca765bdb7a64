import { loadDeploymentConfig } from "../../config/load";
import { albLcus, breakEvenRps, fargateFixedMinuteCost, fargateMinuteCost, lambdaMinuteCost, tasksNeeded, workloadFrom } from "../../sim/cost-model";
import { PRICES } from "../../sim/prices";

const config = loadDeploymentConfig(undefined, {});
const w = workloadFrom(config);

describe("cost model", () => {
  it("prices a Lambda minute by hand: 60,000 requests at 512 MB and 100 ms", () => {
    // requests: 60,000 x ($1.00 + $0.20)/1M = $0.072; compute: 60,000 x 0.1 s x 0.5 GB x $0.0000133334 = $0.0400002
    expect(lambdaMinuteCost(60_000, 0, w)).toBeCloseTo(0.1120002, 7);
    // 10 cold starts at 0.5 s x 0.5 GB
    expect(lambdaMinuteCost(0, 10, w)).toBeCloseTo(10 * 0.5 * 0.5 * 0.0000133334, 10);
  });

  it("prices a Fargate minute by hand: ALB hour, two 0.5 vCPU / 1 GB tasks, four public IPv4s", () => {
    // (0.0225 + 2 x (0.5 x 0.03238 + 1 x 0.00356) + 4 x 0.005) / 60
    expect(fargateFixedMinuteCost(2, w)).toBeCloseTo((0.0225 + 2 * 0.01975 + 0.02) / 60, 10);
    // 3,000 req/min = 50 req/s: 25 new connections/s = 1 LCU; 10 KB x 50/s = 1.8 GB/h = 1.8 LCU wins
    expect(albLcus(3000, w)).toBeCloseTo(1.8, 6);
    expect(fargateMinuteCost(3000, 2, w) - fargateFixedMinuteCost(2, w)).toBeCloseTo((1.8 * 0.008) / 60, 10);
  });

  it("finds the break-even near 13 req/s for the default sizes", () => {
    const be = breakEvenRps(w);
    expect(be).toBeGreaterThan(12);
    expect(be).toBeLessThan(14);
    expect(lambdaMinuteCost(be * 60, 0, w)).toBeCloseTo(fargateMinuteCost(be * 60, tasksNeeded(be, w), w), 6);
  });

  it("moves the break-even with the user's own numbers", () => {
    expect(breakEvenRps({ ...w, meanDurationMs: 400, lambdaMemoryMb: 1024 })).toBeLessThan(breakEvenRps(w) / 2);
    expect(breakEvenRps(w, { ...Object.fromEntries(Object.entries(PRICES).map(([k, p]) => [k, p.usd])), albHour: 0.045 } as never)).toBeGreaterThan(breakEvenRps(w));
  });

  it("records the source and date of every price", () => {
    for (const p of Object.values(PRICES)) expect(p.source).toMatch(/^https:\/\/aws\.amazon\.com\/.+ \(2026-11-22\)$/);
  });
});
