/**
 * The policy's guarantee as a property: on random demand, the production
 * scaler in the twin costs at most 3 times the clairvoyant optimum planned with
 * the world's median delays (the round trip the policy prices), plus the
 * Lambda excess it cannot avoid while a switch is in flight (metric lag and
 * warm-up after each decision to add the tier), plus its own running cost.
 * README "Scaling policy" states the bound and sketches why it holds.
 */
import fc from "fast-check";
import { loadDeploymentConfig } from "../../config/load";
import { lambdaExcess } from "../../scaler/money";
import { policyConfigFrom } from "../../scaler/policy";
import { breakEvenRps, workloadFrom } from "../../model/cost-model";
import { planSameWorld } from "../../sim/same-world-optimum";
import { simulateLambdaFlex } from "../../sim/twin";
import { DEFAULT_WORLD } from "../../sim/world/params";

const config = loadDeploymentConfig(undefined, {});
const policy = policyConfigFrom(config);
const w = workloadFrom(config);
const be = breakEvenRps(w);

/** Lambda's excess over Fargate in the minutes a switch up cannot avoid: from the metric lag before the decision to the end of the warm-up. */
function inFlightAllowance(trace: readonly number[], warmingMinutes: readonly number[]): number {
  let sum = 0;
  for (const t of warmingMinutes) {
    for (
      let u = Math.max(0, t - config.scaling.metricLagMinutes - 1);
      u < Math.min(trace.length, t + policy.warmupMinutes + 15);
      u++
    )
      sum += Math.max(0, lambdaExcess(trace[u]!, policy));
  }
  return sum;
}

/** A day of demand in segments around break-even: levels from 0 to 6x, held 5 minutes to 4 hours. */
const dayOfDemand = fc
  .array(fc.record({ level: fc.double({ min: 0, max: 6, noNaN: true }), minutes: fc.integer({ min: 5, max: 240 }) }), {
    minLength: 2,
    maxLength: 20,
  })
  .map((segments) => {
    const flat = segments.flatMap((s) => Array(s.minutes).fill(Math.round(s.level * be * 60)) as number[]);
    return Array.from({ length: 1440 }, (_, i) => flat[i % flat.length]!);
  });

describe("the policy's competitive bound, in the twin", () => {
  it("costs at most 3x the clairvoyant optimum plus the in-flight Lambda excess and the scaler's own cost", async () => {
    const seen: string[] = [];
    await fc.assert(
      fc.asyncProperty(dayOfDemand, async (trace) => {
        const lf = (await simulateLambdaFlex(trace, { config, world: DEFAULT_WORLD, workload: w })).strategy;
        // OPT on the same ground as the policy: the dynamic program under the world's median delays (the
        // straggler window and canary included), with perfect sizing, so below what any scaler can bill.
        const plan = planSameWorld(trace, { world: DEFAULT_WORLD, workload: w, policy });
        const opt = { totalCost: plan.plannedCost, transitions: 4 * plan.cycles.length };
        const warmings = (lf.log ?? []).filter((l) => l.to === "warming").map((l) => l.minute);
        const bound = 3 * opt.totalCost + inFlightAllowance(trace, warmings) + lf.overheadCost;
        seen.push(`${(lf.totalCost / opt.totalCost).toFixed(2)}x`);
        expect(lf.totalCost).toBeLessThanOrEqual(bound);
        // And no flapping: never many more cycles than the optimum makes.
        expect(lf.transitions).toBeLessThanOrEqual(2 * opt.transitions + 8);
      }),
      { numRuns: 8, seed: 12, endOnFailure: true },
    );
    // The ratios seen, for the log: the bound is loose on typical days, tight only on adversarial ones.
    process.stdout.write(`competitive: LambdaFlex / optimum on ${seen.length} random days: ${seen.join(" ")}\n`);
  }, 300_000);
});
