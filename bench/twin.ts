/**
 * The twin on the step trace (quiet, 60 req/s 06:00-10:00, quiet; three
 * days): minutes from the step to traffic on Fargate and from the drop to the
 * tier being gone, in the default world and in a hard one (CloudWatch lag 3,
 * a third of Terraform runs failing, every ALB creation taking the 30-minute
 * tail), over several seeds.
 */
import { join } from "node:path";
import { loadDeploymentConfig } from "../config/load";
import { breakEvenRps, workloadFrom } from "../sim/cost-model";
import { findSteps, stepTimings } from "../sim/timings";
import { loadTrace } from "../sim/trace";
import { simulateLambdaFlex } from "../sim/twin";
import { parseWorld } from "../sim/world/params";
import { quantile } from "./stats";

const TRACE = join(__dirname, "..", "..", "shared", "data", "traces", "step-daily.csv");

export const WORLDS: Record<string, object> = {
  default: {},
  hard: { cloudwatch: { lagMinutes: [3, 3] }, terraformCloud: { failureRate: 0.3 }, aws: { albCreateTailRate: 1, albCreateTailMinutes: 30 } },
};

export async function benchTwin(quick = false): Promise<Record<string, unknown>> {
  const config = loadDeploymentConfig(undefined, {});
  const trace = loadTrace(TRACE, 1);
  const steps = findSteps(trace, breakEvenRps(workloadFrom(config)));
  const seeds = quick ? [1, 2] : [1, 2, 3, 4, 5, 6, 7, 8];
  const worlds: Record<string, unknown> = {};
  for (const [name, overrides] of Object.entries(WORLDS)) {
    const serving: number[] = [];
    const off: number[] = [];
    let cyclesCompleted = 0;
    let failedRuns = 0;
    for (const seed of seeds) {
      const r = await simulateLambdaFlex(trace, { config, world: parseWorld({ ...overrides, seed }), workload: workloadFrom(config) });
      for (const t of stepTimings(r, steps)) {
        if (t.toServing !== undefined) serving.push(t.toServing);
        if (t.toOff !== undefined) off.push(t.toOff);
      }
      cyclesCompleted += r.strategy.log!.filter((l) => l.to === "off").length;
      failedRuns += r.scaler.terraformRunsFailed;
    }
    const summary = (xs: number[]) => ({ median: quantile(xs, 0.5), p90: quantile(xs, 0.9), max: Math.max(...xs) });
    worlds[name] = {
      overrides,
      days: seeds.length * steps.length,
      cyclesCompleted,
      failedTerraformRuns: failedRuns,
      minutesStepToServing: summary(serving),
      minutesDropToOff: summary(off),
    };
  }
  return { trace: TRACE, seeds, worlds };
}
