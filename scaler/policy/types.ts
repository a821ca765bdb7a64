/**
 * The policy's vocabulary: what it decides with (PolicyConfig), what it sees
 * (Observation), what it remembers (ScalerMemory) and what it answers
 * (Decision). Types and the facts that go with them, no rules.
 */
import type { DeploymentConfig } from "../../config/schema";
import { workloadFrom } from "../../model/cost-model";
import type { TierState, Toggle } from "../../model/toggle";
import type { MoneyConfig } from "../money";

/** What the policy decides with, all from the deployment configuration (docs/scaling-policy.md). */
export interface PolicyConfig extends MoneyConfig {
  /** Minutes of metrics the cost accumulators look back over. */
  readonly historyMinutes: number;
  /** Least time the tier serves before it may be drained. */
  readonly minDwellMinutes: number;
  /** One step of backoff is forgotten per this many minutes in one state. */
  readonly backoffDecayMinutes: number;
  /** Most steps of backoff (the round-trip cost doubles per step). */
  readonly maxBackoff: number;
  readonly warmingTimeoutMinutes: number;
  readonly applyTimeoutMinutes: number;
  readonly dnsTtlSeconds: number;
  readonly deregistrationDelaySeconds: number;
  readonly drainIdleRps: number;
  /** After DNS TTL and deregistration delay, draining ends after this many more minutes even if stragglers remain. */
  readonly drainDeadlineMinutes: number;
  /** Weighted switch: minutes the ALB keeps serving through Lambda after the record is gone. */
  readonly stragglerMinutes: number;
  /** How traffic moves to the tier (config `fargate.switch`). */
  readonly fargateSwitch: "weighted" | "dns";
  readonly requestsPerTaskPerSecond: number;
  readonly targetUtilization: number;
  readonly minTasks: number;
  readonly maxTasks: number;
}

export const policyConfigFrom = (c: DeploymentConfig): PolicyConfig => {
  const { metricLagMinutes: _lag, ...scaling } = c.scaling;
  return {
    ...scaling,
    workload: workloadFrom(c),
    fargateSwitch: c.fargate.switch,
    requestsPerTaskPerSecond: c.fargate.requestsPerTaskPerSecond,
    targetUtilization: c.fargate.targetUtilization,
    minTasks: c.fargate.minTasks,
    maxTasks: c.fargate.maxTasks,
  };
};

/** A metric per minute, oldest first; the last entry is the newest complete minute. `undefined` = no datapoint. */
export type Series = ReadonlyArray<number | undefined>;

/** What the scaler read from CloudWatch (one GetMetricData call). */
export interface Metrics {
  /** API Gateway Count (Sum per minute): demand on the Lambda tier. */
  readonly apiRequests: Series;
  /** ALB RequestCount (Sum per minute): demand on the Fargate tier. */
  readonly albRequests: Series;
  /** Target group HealthyHostCount (Minimum per minute). Reported every minute while the target group exists. */
  readonly healthyHosts: Series;
  /** Lambda Throttles (Sum per minute). */
  readonly lambdaThrottles: Series;
  /** Lambda ConcurrentExecutions (Maximum per minute). */
  readonly lambdaConcurrency: Series;
  /** Targets the target group reports healthy now (ELBv2 DescribeTargetHealth, no lag); absent with no target group. */
  readonly healthyTargetsNow?: number;
  /** Percent of the ALB's requests its listener sends to the tasks now (weighted switch); absent without that listener. */
  readonly fargateWeightNow?: number;
}

/** The per-minute series of `Metrics` (each a CloudWatch query). */
export type SeriesName = Exclude<keyof Metrics, "healthyTargetsNow" | "fargateWeightNow">;

/**
 * The metrics each state decides on. GetMetricData is billed per metric every
 * minute, so the scaler asks for only these: while off, the Lambda tier's
 * demand and throttles.
 */
export function metricsNeeded(state: TierState): SeriesName[] {
  return state === "off"
    ? ["apiRequests", "lambdaThrottles"]
    : ["apiRequests", "lambdaThrottles", "lambdaConcurrency", "albRequests", "healthyHosts"];
}

/** Everything the policy knows about the world at one instant. */
export interface Observation {
  /** The committed toggle (from git). */
  readonly toggle: Toggle;
  /** Whether Route 53 has the "fargate" record; undefined when it could not be read. */
  readonly fargateRecordLive: boolean | undefined;
  readonly metrics: Metrics;
  /** Terraform Cloud's runs for the committed toggle, when the scaler can read them. */
  readonly run?: RunObservation;
  /** What the scaler remembered from earlier runs (the status item); absent when there is none or it could not be read. */
  readonly memory?: ScalerMemory;
}

/**
 * What the scaler remembers across runs that is no decision of the toggle's:
 * kept in the status item (reconcile.ts), not committed, so remembering costs a
 * DynamoDB write and never a Terraform run.
 */
export interface ScalerMemory {
  /**
   * The first time a scaler read the "fargate" record absent during the drain that began at
   * `drainSince` (the draining toggle's `fargate_tier_since`). The straggler window, the DNS TTL and
   * the deregistration delay count from it, whenever the draining run applied.
   */
  readonly recordGone?: { readonly drainSince: string; readonly at: string };
  /**
   * Lambda's excess over Fargate summed over the stay that began at `since` (the toggle's
   * `fargate_tier_since`) up to `through`: rolled forward before the metric window loses the
   * stay's first minutes, so the stay's outcome (did it save its round trip) is known when it
   * ends, however long it lasted.
   */
  readonly stay?: { readonly since: string; readonly through: string; readonly excessUsd: number };
}

/** How the fargate workspace stands with the commit the toggle was read at. */
export interface RunObservation {
  /** The newest run for that commit; undefined while it has none (webhook not delivered yet). */
  readonly forHead?: {
    readonly id: string;
    readonly status: string;
    /** failed: ended without applying (errored, canceled, discarded, policy_soft_failed, ...). */
    readonly phase: "pending" | "applied" | "failed";
    readonly commitSha?: string;
    /** When it reached its final status (ISO). */
    readonly finishedAt?: string;
  };
  /** Consecutive failed runs for that commit, newest first. */
  readonly failedAttempts: number;
}

export type AlertKind = "stuck-warming" | "apply-lagging" | "unhealthy-tier" | "apply-failed" | "toggle-from-future";

export interface Alert {
  readonly kind: AlertKind;
  readonly message: string;
}

/** What to do: nothing, or commit a new toggle. Always with a reason and the figures behind it. */
export interface Decision {
  readonly action: "none" | "commit";
  readonly from: TierState;
  readonly to: TierState;
  /** The toggle to commit; equal to the observed toggle when action is "none". */
  readonly toggle: Toggle;
  readonly reason: string;
  readonly evidence: Readonly<Record<string, number | boolean | string | null>>;
  readonly alerts: readonly Alert[];
  /** Set when the failed run for the committed toggle should be queued again (why). */
  readonly requeueRun?: string;
  /** Set when the scaler should look again within a minute whatever the alarms say (why). */
  readonly followUp?: string;
  /** Weighted switch: the percent of the ALB's requests the tasks should get now (undefined: leave the listener alone). */
  readonly fargateWeight?: number;
  /** What to remember until the next run (the status item keeps it); what is not here is forgotten. Absent: nothing. */
  readonly memory?: ScalerMemory;
}

/** True for a commit that only resizes (same state), which is not a tier transition. */
export const isResize = (d: Pick<Decision, "from" | "to" | "action">): boolean =>
  d.action === "commit" && d.from === d.to;

/** The transitions the policy may commit: forward, plus the two aborts. */
export const ALLOWED_EDGES: ReadonlyArray<readonly [TierState, TierState]> = [
  ["off", "warming"],
  ["warming", "serving"],
  ["serving", "draining"],
  ["draining", "off"],
  ["warming", "off"],
  ["warming", "draining"],
  ["draining", "serving"],
];
