/**
 * The twin on the step trace (quiet, 60 req/s 06:00-10:00, quiet; three
 * days): minutes from the step to traffic on Fargate and from the drop to the
 * tier being gone, in the default world, in a hard one (CloudWatch lag 3,
 * a third of Terraform runs failing, every ALB creation taking the 30-minute
 * tail), and in the default world with the DNS-only switch for comparison,
 * over several seeds.
 */
import { join } from "node:path";
import { loadDeploymentConfig } from "../config/load";
import type { DeploymentConfig } from "../config/schema";
import type { Progress } from "../scripts/progress";
import { breakEvenRps, workloadFrom } from "../model/cost-model";
import { findSteps, stepTimings } from "../sim/timings";
import { loadTrace } from "../sim/trace";
import { simulateLambdaFlex } from "../sim/twin";
import { parseWorld } from "../sim/world/params";
import { quantile, round } from "./stats";

const TRACE = join(__dirname, "..", "..", "shared", "data", "traces", "step-daily.csv");

/** A world of the step benchmark: overrides of the default world, and of the configuration's switch. */
export interface StepWorld {
  readonly description: string;
  readonly overrides: object;
  readonly fargateSwitch?: DeploymentConfig["fargate"]["switch"];
}

export const WORLDS: Record<string, StepWorld> = {
  default: { description: "default", overrides: {} },
  hard: {
    description: "hard: lag 3, 30% of runs fail, every ALB creation takes 30 min",
    overrides: {
      cloudwatch: { lagMinutes: [3, 3] },
      terraformCloud: { failureRate: 0.3 },
      aws: { albCreateTailRate: 1, albCreateTailMinutes: 30 },
    },
  },
  dnsOnly: {
    description: 'default, with the DNS-only switch (`fargate.switch: "dns"`)',
    overrides: {},
    fargateSwitch: "dns",
  },
};

export async function benchTwin(quick = false, progress?: Progress): Promise<Record<string, unknown>> {
  const loaded = loadDeploymentConfig(undefined, {});
  const trace = loadTrace(TRACE, 1);
  const steps = findSteps(trace, breakEvenRps(workloadFrom(loaded)));
  const seeds = quick ? [1, 2] : [1, 2, 3, 4, 5, 6, 7, 8];
  const worlds: Record<string, unknown> = {};
  const total = Object.keys(WORLDS).length * seeds.length;
  let done = 0;
  for (const [name, { description, overrides, fargateSwitch }] of Object.entries(WORLDS)) {
    const config = fargateSwitch ? { ...loaded, fargate: { ...loaded.fargate, switch: fargateSwitch } } : loaded;
    const serving: number[] = [];
    const off: number[] = [];
    let cyclesCompleted = 0;
    let failedRuns = 0;
    for (const seed of seeds) {
      progress?.(done++, total, `${name} seed ${seed}`);
      const r = await simulateLambdaFlex(trace, {
        config,
        world: parseWorld({ ...overrides, seed }),
        workload: workloadFrom(config),
      });
      for (const t of stepTimings(r, steps)) {
        if (t.toServing !== undefined) serving.push(t.toServing);
        if (t.toOff !== undefined) off.push(t.toOff);
      }
      cyclesCompleted += r.strategy.log!.filter((l) => l.to === "off").length;
      failedRuns += r.scaler.terraformRunsFailed;
    }
    const summary = (xs: number[]) => ({
      median: round(quantile(xs, 0.5), 1),
      p90: round(quantile(xs, 0.9), 1),
      max: round(Math.max(...xs), 1),
    });
    worlds[name] = {
      description,
      overrides,
      fargateSwitch: config.fargate.switch,
      days: seeds.length * steps.length,
      cyclesCompleted,
      failedTerraformRuns: failedRuns,
      minutesStepToServing: summary(serving),
      minutesDropToOff: summary(off),
    };
  }
  return { trace: TRACE, seeds, worlds };
}
