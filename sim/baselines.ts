/**
 * The single-tier baselines, in the same emulated AWS world as the twin (same
 * routing, throttling, target tracking and billing): Lambda only, and the
 * Fargate tier always on (created before the trace starts, serving from its
 * first minute, with target tracking).
 */
import type { DeploymentConfig } from "../config/schema";
import { formatToggle } from "../scaler/toggle";
import type { Workload } from "./cost-model";
import { DEFAULT_PRICES, type PriceTable } from "./prices";
import { MinuteLedger, type StrategyResult } from "./simulator";
import { buildAwsWorld, MINUTE, START } from "./world/build";
import type { World } from "./world/params";

export interface BaselineOptions {
  readonly config: DeploymentConfig;
  readonly world: World;
  readonly workload: Workload;
  readonly prices?: PriceTable;
}

/** Every request on Lambda, always. */
export function simulateLambdaOnly(trace: readonly number[], o: BaselineOptions): StrategyResult {
  return replay("lambda-only", trace, o, false);
}

/** The Fargate tier always on: its listener forwards every request to the tasks (the DNS switch's listener, no Lambda target group). */
export function simulateFargateAlways(trace: readonly number[], o: BaselineOptions): StrategyResult {
  return replay("fargate-always-on", trace, { ...o, config: { ...o.config, fargate: { ...o.config.fargate, switch: "dns" } } }, true);
}

/** Time to build the always-on tier before the trace starts: the longest ALB creation plus task start, with room. */
const LEAD_MINUTES = 180;

function replay(name: string, trace: readonly number[], o: BaselineOptions, fargate: boolean): StrategyResult {
  const parts = buildAwsWorld({ ...o, prices: o.prices ?? DEFAULT_PRICES, startMs: START - LEAD_MINUTES * MINUTE });
  const { clock, aws } = parts;
  if (fargate) {
    const c = o.config.fargate;
    const serving = formatToggle({ fargate_tier: "serving", fargate_tier_since: "2026-01-01T00:00:00Z", fargate_min_tasks: c.minTasks, fargate_max_tasks: c.maxTasks, fargate_pinned: false, fargate_backoff_up: 0, fargate_backoff_down: 0 });
    aws.apply(serving, () => undefined);
  }
  const ledger = new MinuteLedger();
  for (let m = 0; m < trace.length; m++) {
    clock.advanceTo(START + m * MINUTE);
    ledger.add(aws.step(trace[m]!));
  }
  return ledger.result(name, trace);
}
