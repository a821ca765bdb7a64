/** Runs every strategy on one trace and builds the report. Shared by the CLI, the advisor and the benchmark. */
import type { DeploymentConfig } from "../config/schema";
import { policyConfigFrom, type PolicyConfig } from "../scaler/policy";
import { breakEvenRps, workloadFrom } from "./cost-model";
import type { Delays } from "./delays";
import { clairvoyantOptimum } from "./optimum";
import type { SimulationReport } from "./report";
import { simulateFargateAlways, simulateLambdaFlex, simulateLambdaOnly } from "./simulator";

export interface RunOptions {
  readonly config: DeploymentConfig;
  readonly delays: Delays;
  readonly source: string;
  readonly scale: number;
  /** Overrides of the policy (the advisor's sweep). */
  readonly policy?: Partial<PolicyConfig>;
  readonly onProgress?: (done: number, total: number) => void;
}

export function runAll(trace: number[], o: RunOptions): SimulationReport {
  const w = workloadFrom(o.config);
  const policy = { ...policyConfigFrom(o.config), ...o.policy };
  const lambdaflex = simulateLambdaFlex(trace, { policy, workload: w, delays: o.delays, onProgress: o.onProgress });
  return {
    trace: { source: o.source, scale: o.scale, minutes: trace.length, requests: trace.reduce((a, b) => a + b, 0) },
    breakEvenRps: breakEvenRps(w),
    thresholds: { upRps: policy.upThresholdRps, downRps: policy.downThresholdRps },
    delays: { ...o.delays },
    strategies: [lambdaflex, simulateLambdaOnly(trace, w), simulateFargateAlways(trace, w, o.delays), clairvoyantOptimum(trace, w, o.delays, policy.minDwellMinutes)],
  };
}
