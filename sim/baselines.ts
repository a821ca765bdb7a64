/**
 * The single-tier baselines, in the same emulated AWS world as the twin (same
 * routing, throttling, target tracking and billing): Lambda only, and the
 * Fargate tier always on (created before the trace starts, serving from its
 * first minute, with target tracking).
 *
 * Fargate always on runs on the data plane LambdaFlex serves on (the weighted
 * switch): its ALB fronts the service Lambda and the tasks, and every minute
 * the tasks get the share their healthy count can carry, with the production
 * scaler's own rule and adapters, so what they cannot carry spills to Lambda
 * as it does for LambdaFlex. Compared at equal service (equal-service.ts), it
 * is not cheaper for having overloaded its tasks.
 */
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { DeploymentConfig } from "../config/schema";
import { capacityShare } from "../scaler/policy";
import { formatToggle } from "../model/toggle";
import type { Workload } from "../model/cost-model";
import { setListenerWeight } from "./listener-weights";
import { DEFAULT_PRICES, type PriceTable } from "../model/prices";
import { MinuteLedger, type StrategyResult } from "./simulator";
import type { AwsNames } from "./world/aws";
import { awsNames, buildAwsWorld, MINUTE, START } from "./world/build";
import type { World } from "./world/params";

export interface BaselineOptions {
  readonly config: DeploymentConfig;
  readonly world: World;
  readonly workload: Workload;
  readonly prices?: PriceTable;
}

/** Time to build the always-on tier before the trace starts: the longest ALB creation plus task start, with room. */
const LEAD_MINUTES = 180;

/** Every request on Lambda, always. */
export function simulateLambdaOnly(trace: readonly number[], o: BaselineOptions): StrategyResult {
  const { clock, aws } = buildAwsWorld({
    ...o,
    prices: o.prices ?? DEFAULT_PRICES,
    startMs: START - LEAD_MINUTES * MINUTE,
  });
  const ledger = new MinuteLedger();
  for (let m = 0; m < trace.length; m++) {
    clock.advanceTo(START + m * MINUTE);
    ledger.add(aws.step(trace[m]!));
  }
  return ledger.result("lambda-only", trace);
}

/** When in each minute the weights are set: after the minute's requests are routed, as the scaler runs within its minute. */
const KEEPER_OFFSET_MS = 30_000;

/**
 * The Fargate tier always on, behind the weighted switch's listener (whatever `fargate.switch` says):
 * the ALB forwards to the service Lambda's target group and the tasks', and {@link keepWeights} sets
 * the split every minute.
 */
export async function simulateFargateAlways(trace: readonly number[], o: BaselineOptions): Promise<StrategyResult> {
  const config: DeploymentConfig = { ...o.config, fargate: { ...o.config.fargate, switch: "weighted" } };
  const { clock, aws, elb } = buildAwsWorld({
    ...o,
    config,
    prices: o.prices ?? DEFAULT_PRICES,
    startMs: START - LEAD_MINUTES * MINUTE,
  });
  const c = config.fargate;
  const serving = formatToggle({
    fargate_tier: "serving",
    fargate_tier_since: "2026-01-01T00:00:00Z",
    fargate_min_tasks: c.minTasks,
    fargate_max_tasks: c.maxTasks,
    fargate_pinned: false,
    fargate_backoff_up: 0,
    fargate_backoff_down: 0,
  });
  aws.apply(serving, () => undefined);
  const keeper = {
    client: elb as unknown as ElasticLoadBalancingV2Client,
    names: awsNames(config),
    requestsPerTaskPerSecond: c.requestsPerTaskPerSecond,
  };
  const lag = config.scaling.metricLagMinutes;
  for (let m = -LEAD_MINUTES; m < 0; m++) {
    clock.advanceTo(START + m * MINUTE + KEEPER_OFFSET_MS);
    await keepWeights(keeper, recentRps(trace, m, lag));
  }
  const ledger = new MinuteLedger();
  for (let m = 0; m < trace.length; m++) {
    clock.advanceTo(START + m * MINUTE);
    ledger.add(aws.step(trace[m]!));
    clock.advanceTo(START + m * MINUTE + KEEPER_OFFSET_MS);
    await keepWeights(keeper, recentRps(trace, m, lag));
  }
  return ledger.result("fargate-always-on", trace);
}

/**
 * The demand the scaler sees at minute `m`: the mean of the 5 newest minutes CloudWatch has surely
 * published (readMetrics' window ends `lag` minutes before the last complete minute; minutes without
 * a datapoint count as zero requests), in req/s.
 */
export function recentRps(trace: readonly number[], m: number, lag: number): number {
  const newest = m - 1 - lag;
  let sum = 0;
  for (let i = newest - 4; i <= newest; i++) sum += i >= 0 ? (trace[i] ?? 0) : 0;
  return sum / 5 / 60;
}

/**
 * The spill-over of a serving scaler, for a strategy without one: the tasks get
 * `capacityShare(healthy targets now, rps)` percent of the ALB's requests and the service Lambda the rest.
 */
export function keepWeights(
  k: { client: ElasticLoadBalancingV2Client; names: AwsNames; requestsPerTaskPerSecond: number },
  rps: number,
): Promise<number | undefined> {
  return setListenerWeight(k.client, k.names, (healthy) => capacityShare(healthy, rps, k));
}
