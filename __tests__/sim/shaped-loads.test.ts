/**
 * Loads shaped against the money rule, run on the production scaler in the twin:
 * short bursts repeated every few hours, a spike that ended long before a tier
 * could serve it, a spike ahead of a lasting load, and a load busy two minutes
 * in five. Each checks what a user would see: transitions a day, and the bill
 * against the cheaper single tier at equal service.
 */
import { loadDeploymentConfig } from "../../config/load";
import { simulateFargateAlways, simulateLambdaOnly } from "../../sim/baselines";
import { breakEvenRps, workloadFrom } from "../../model/cost-model";
import { simulateLambdaFlex } from "../../sim/twin";
import { DEFAULT_WORLD } from "../../sim/world/params";

const config = loadDeploymentConfig(undefined, {});
const workload = workloadFrom(config);
/** Break-even, in requests a minute. */
const BE = breakEvenRps(workload) * 60;
const days = (n: number, f: (m: number) => number) => Array.from({ length: n * 1440 }, (_, m) => f(m));

// [shape, trace, most transitions a day, most cost over the cheaper single tier at equal service]
// Before the second-generation policy: 9, 8, 7 and 10 transitions a day, and 1.58x, 1.11x, 1.31x
// and 0.93x the cheaper single tier.
const SHAPES: Array<[string, number[], number, number]> = [
  ["a 15-minute burst at 30x break-even every 4 hours", days(2, (m) => (m % 240 < 15 ? 30 * BE : 0.3 * BE)), 1, 1.2],
  ["a 2-minute spike at 300x break-even every 3 hours", days(2, (m) => (m % 180 < 2 ? 300 * BE : 0.3 * BE)), 0, 1.05],
  [
    "a 3-minute spike at 200x ahead of 90 minutes at 5x, every 6 hours",
    days(2, (m) => (m % 360 < 3 ? 200 * BE : m % 360 < 93 ? 5 * BE : 0.3 * BE)),
    5,
    1.2,
  ],
  [
    "8 hours a day busy 2 minutes in 5 at 5x break-even",
    days(2, (m) => (m % 1440 < 480 ? (m % 5 < 2 ? 5 * BE : 0.3 * BE) : 0.3 * BE)),
    4,
    1.0,
  ],
];

describe("loads shaped against the money rule", () => {
  it.each(SHAPES)(
    "%s: few transitions, and no dearer than the cheaper single tier",
    async (_, trace, maxPerDay, maxRatio) => {
      const lf = (await simulateLambdaFlex(trace, { config, world: DEFAULT_WORLD, workload })).strategy;
      const lambda = simulateLambdaOnly(trace, { config, world: DEFAULT_WORLD, workload });
      const fargate = await simulateFargateAlways(trace, { config, world: DEFAULT_WORLD, workload });
      const cheaper = Math.min(lambda.costAtEqualService, fargate.costAtEqualService);
      console.log(
        `${_}: ${lf.transitionsPerDay.toFixed(1)} transitions a day, ${(lf.costAtEqualService / cheaper).toFixed(2)}x the cheaper single tier ($${lf.costAtEqualService.toFixed(2)} against $${cheaper.toFixed(2)})`,
      );
      expect(lf.transitionsPerDay).toBeLessThanOrEqual(maxPerDay);
      expect(lf.costAtEqualService / cheaper).toBeLessThanOrEqual(maxRatio);
      expect(lf.requestsFailed.total).toBeLessThan(1);
    },
    120_000,
  );
});
