/** Runs every strategy on one trace and builds the report. Shared by the CLI, the advisor and the benchmark. */
import type { DeploymentConfig } from "../config/schema";
import { roundTripCost } from "../scaler/money";
import { policyConfigFrom, roundTripShape, type PolicyConfig } from "../scaler/policy";
import { breakEvenRps, workloadFrom } from "../model/cost-model";
import { delaysFor } from "./delays";
import { lowerBound } from "./optimum";
import type { SimulationReport } from "./report";
import { simulateFargateAlways, simulateLambdaOnly } from "./baselines";
import { EQUAL_SERVICE_RULE, unservedRequestUsd } from "./equal-service";
import { DEFAULT_PRICES } from "../model/prices";
import { sizingFor } from "./sizing";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { idleBillFromStack } from "./idle-bill";
import { simulateSameWorldOptimum } from "./same-world-optimum";
import { simulateLambdaFlex } from "./twin";
import type { World } from "./world/params";

export interface RunOptions {
  readonly config: DeploymentConfig;
  readonly world: World;
  readonly source: string;
  readonly scale: number;
  /** Overrides of the policy (the advisor's sweep). */
  readonly policy?: Partial<PolicyConfig>;
  /** Where to leave the toggle repository, e.g. OUT/toggle-history. */
  readonly historyDir?: string;
  readonly onProgress?: (done: number, total: number) => void;
}

export async function runAll(trace: number[], o: RunOptions): Promise<SimulationReport> {
  const w = workloadFrom(o.config);
  const policy = { ...policyConfigFrom(o.config), ...o.policy };
  const delays = delaysFor(o.world, o.config.scaling.deregistrationDelaySeconds);
  // Three twin runs: LambdaFlex with the configured switch (weighted by default), today's DNS-only
  // switch beside it, and the same-world optimum (the configured switch; no scaler to host, the same git, Terraform Cloud and AWS).
  const progress = (offset: number) =>
    o.onProgress ? (done: number, total: number) => o.onProgress!(offset * total + done, 3 * total) : undefined;
  const twin = await simulateLambdaFlex(trace, {
    config: o.config,
    world: o.world,
    workload: w,
    policy: o.policy,
    historyDir: o.historyDir,
    onProgress: progress(0),
  });
  const dnsConfig: DeploymentConfig = { ...o.config, fargate: { ...o.config.fargate, switch: "dns" } };
  const dnsOnly = await simulateLambdaFlex(trace, {
    config: dnsConfig,
    world: o.world,
    workload: w,
    policy: o.policy,
    onProgress: progress(1),
    strategyName: "lambdaflex-dns-only",
  });
  const optimum = await simulateSameWorldOptimum(trace, {
    config: o.config,
    world: o.world,
    workload: w,
    policy: o.policy,
    onProgress: progress(2),
  });
  return {
    trace: { source: o.source, scale: o.scale, minutes: trace.length, requests: trace.reduce((a, b) => a + b, 0) },
    breakEvenRps: breakEvenRps(w),
    // The policy decides on money: its figures, not rate thresholds.
    // The round trip as the policy prices it before it has measured a warm-up: configured warm-up at the resting floor, drain window, teardown.
    thresholds: {
      roundTripUsd: Number(
        roundTripCost(policy, roundTripShape(policy, { fargate_max_tasks: policy.maxTasks }, policy.minTasks)).toFixed(
          4,
        ),
      ),
      switchCostFactor: policy.switchCostFactor,
      warmupMinutes: policy.warmupMinutes,
      teardownMinutes: policy.teardownMinutes,
    },
    world: o.world,
    // What bills every month while the tier is off, itemized from the synthesized core stack.
    idleBill: idleBillFromStack(
      JSON.parse(readFileSync(join(__dirname, "..", o.config.deployDir, "core", "cdk.tf.json"), "utf8")),
    ),
    delays: { ...delays },
    scaler: twin.scaler,
    worldReport: twin.worldReport,
    fargateShareByMinute: twin.fargateShareByMinute,
    // How the verdict compares strategies, and whether demand outgrew fargate.maxTasks.
    equalService: { rule: EQUAL_SERVICE_RULE, unservedRequestUsd: unservedRequestUsd(w, DEFAULT_PRICES) },
    sizing: sizingFor(trace, w),
    strategies: [
      twin.strategy,
      dnsOnly.strategy,
      simulateLambdaOnly(trace, { config: o.config, world: o.world, workload: w }),
      await simulateFargateAlways(trace, { config: o.config, world: o.world, workload: w }),
      // The yardstick a scaler can reach (the same world, the same data plane, clairvoyant decisions), and the one none can beat.
      optimum.strategy,
      lowerBound(trace, w, delays, policy.minDwellMinutes),
    ],
  };
}
