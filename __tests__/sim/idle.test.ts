/**
 * The scaler while the tier is off: it sleeps (an hourly heartbeat and two
 * wake alarms) and still reacts to a step of load as fast as per-minute
 * polling, measured in the twin with the synthesized core stack.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { simulateLambdaOnly } from "../../sim/baselines";
import { breakEvenRps, workloadFrom } from "../../model/cost-model";
import { findSteps, stepTimings } from "../../sim/timings";
import { loadTrace } from "../../sim/trace";
import { simulateLambdaFlex } from "../../sim/twin";
import { DEFAULT_WORLD, parseWorld } from "../../sim/world/params";
import { SHARED_DIR } from "../helpers/fixtures";
import { ROOT } from "../helpers/processes";

// Today's DNS-only switch: the weighted switch's end-to-end timing needs the scaler to shift the listener's weights.
const loaded = loadDeploymentConfig(undefined, {});
const config = { ...loaded, fargate: { ...loaded.fargate, switch: "dns" as const } };
const w = workloadFrom(config);
const CORE = join(ROOT, "deploy", "core", "cdk.tf.json");

/** A week of a few requests a minute, with a small two-minute burst every three hours. */
const NEAR_IDLE = Array.from({ length: 7 * 1440 }, (_, m) => (m % 180 < 2 ? 240 : 3 + (m % 7)));

describe("the scaler while the tier is off", () => {
  it("costs at most 0.30 USD a month and LambdaFlex at most Lambda alone plus 0.07 USD over a near-idle week", async () => {
    const r = await simulateLambdaFlex(NEAR_IDLE, { config, world: DEFAULT_WORLD, workload: w });
    const lambdaOnly = simulateLambdaOnly(NEAR_IDLE, { config, world: DEFAULT_WORLD, workload: w });
    expect(r.strategy.transitions).toBe(0);
    expect(r.scaler.invocationsByTrigger.schedule).toBeLessThanOrEqual(7 * 24 + 1);
    const perMonth = (r.scaler.totalCost * 30) / 7;
    expect(perMonth).toBeLessThanOrEqual(0.3);
    expect(r.strategy.totalCost).toBeLessThanOrEqual(lambdaOnly.totalCost + 0.07);
  }, 120_000);

  it("reaches Fargate on a step of load no later than per-minute polling plus one minute, and no wake is lost", async () => {
    const trace = loadTrace(join(SHARED_DIR, "data", "traces", "step-daily.csv"), 1);
    const steps = findSteps(trace, breakEvenRps(workloadFrom(config)));
    // The same stacks, but the core heartbeat every minute: what the scaler did before it slept.
    const stack = JSON.parse(readFileSync(CORE, "utf8"));
    for (const rule of Object.values(stack.resource.aws_cloudwatch_event_rule) as Array<{
      schedule_expression?: string;
    }>)
      rule.schedule_expression = "rate(1 minute)";
    const polling = join(mkdtempSync(join(tmpdir(), "polling-")), "cdk.tf.json");
    writeFileSync(polling, JSON.stringify(stack));
    for (const seed of [1, 2]) {
      const world = parseWorld({ seed, aws: { albCreateTailRate: 0 } });
      const sleeping = await simulateLambdaFlex(trace, { config, world, workload: w });
      const polled = await simulateLambdaFlex(trace, { config, world, workload: w, coreStackFile: polling });
      expect(sleeping.strategy.log!.map((l) => l.to)).toEqual(polled.strategy.log!.map((l) => l.to));
      const a = stepTimings(sleeping, steps);
      const b = stepTimings(polled, steps);
      a.forEach((t, i) => expect(t.toServing!).toBeLessThanOrEqual(b[i]!.toServing! + 1));
      // The wake alarm fires once per step; the scaler re-arms itself until the policy decides.
      expect(sleeping.scaler.invocationsByTrigger.alarm).toBeGreaterThanOrEqual(steps.length);
      expect(sleeping.scaler.invocationsByTrigger.rearm).toBeGreaterThan(0);
    }
  }, 180_000);
});
