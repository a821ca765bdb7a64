/**
 * Replays a per-minute trace through a strategy and accounts for cost and
 * capacity. LambdaFlex runs the scaler's own `decide()` on what the scaler
 * would observe (lagged metrics, the committed toggle, live DNS records).
 */
import { decide, isResize, metricsNeeded, type Metrics, type PolicyConfig } from "../scaler/policy";
import type { TierState, Toggle } from "../scaler/toggle";
import { coldStarts, fargateFixedMinuteCost, fargateMinuteCost, lambdaMinuteCost, scalerMinuteCost, tasksNeeded, type Workload } from "./cost-model";
import type { Delays } from "./delays";
import { DEFAULT_PRICES, type PriceTable } from "./prices";

export type Tier = "lambda" | "fargate";


/** What each strategy reports. */
export interface StrategyResult {
  readonly strategy: string;
  readonly totalCost: number;
  /** Of totalCost: the scaler's own running cost (LambdaFlex only). */
  readonly overheadCost: number;
  readonly costPerMillionRequests: number;
  readonly transitions: number;
  readonly transitionsPerDay: number;
  readonly minutesByTier: Record<Tier, number>;
  /** Minutes with the Fargate tier's resources existing (and costing). */
  readonly minutesWithFargateResources: number;
  readonly minutesByState?: Record<TierState, number>;
  readonly requestsByTier: Record<Tier, number>;
  readonly shortfallMinutes: number;
  /** Per-minute tier served (for charts and invariants). */
  readonly tierByMinute: Tier[];
  readonly cumulativeCost: number[];
  /** Committed transitions, for LambdaFlex. */
  readonly log?: Array<{ minute: number; from: TierState; to: TierState; reason: string }>;
}

interface Accumulator {
  cost: number;
  overhead: number;
  tiers: Tier[];
  cumulative: number[];
  requests: Record<Tier, number>;
  shortfall: number;
  fargateResourceMinutes: number;
}

const newAcc = (): Accumulator => ({ cost: 0, overhead: 0, tiers: [], cumulative: [], requests: { lambda: 0, fargate: 0 }, shortfall: 0, fargateResourceMinutes: 0 });

function finish(name: string, trace: number[], acc: Accumulator, transitions: number, extra: Partial<StrategyResult> = {}): StrategyResult {
  const total = trace.reduce((a, b) => a + b, 0);
  const days = trace.length / 1440;
  return {
    strategy: name,
    totalCost: acc.cost,
    overheadCost: acc.overhead,
    costPerMillionRequests: total > 0 ? (acc.cost / total) * 1e6 : 0,
    transitions,
    transitionsPerDay: days > 0 ? transitions / days : 0,
    minutesByTier: { lambda: acc.tiers.filter((t) => t === "lambda").length, fargate: acc.tiers.filter((t) => t === "fargate").length },
    minutesWithFargateResources: acc.fargateResourceMinutes,
    requestsByTier: acc.requests,
    shortfallMinutes: acc.shortfall,
    tierByMinute: acc.tiers,
    cumulativeCost: acc.cumulative,
    ...extra,
  };
}

/** Every request on Lambda, always. */
export function simulateLambdaOnly(trace: number[], w: Workload, p: PriceTable = DEFAULT_PRICES): StrategyResult {
  const acc = newAcc();
  trace.forEach((r, t) => {
    acc.cost += lambdaMinuteCost(r, coldStarts(r, trace[t - 1] ?? 0, w), w, p);
    acc.tiers.push("lambda");
    acc.requests.lambda += r;
    if (r / 60 > w.lambdaCapacityRps) acc.shortfall++;
    acc.cumulative.push(acc.cost);
  });
  return finish("lambda-only", trace, acc, 0);
}

/** The Fargate tier always on, target tracking with its lag. */
export function simulateFargateAlways(trace: number[], w: Workload, d: Delays, p: PriceTable = DEFAULT_PRICES): StrategyResult {
  const acc = newAcc();
  trace.forEach((r, t) => {
    const tasks = tasksNeeded((trace[Math.max(0, t - d.autoscaleLagMinutes)] ?? 0) / 60, w);
    acc.cost += fargateMinuteCost(r, tasks, w, p);
    acc.tiers.push("fargate");
    acc.requests.fargate += r;
    acc.fargateResourceMinutes++;
    if (r / 60 > tasks * w.requestsPerTaskPerSecond) acc.shortfall++;
    acc.cumulative.push(acc.cost);
  });
  return finish("fargate-always-on", trace, acc, 0);
}

/** Options of a LambdaFlex run. */
export interface LambdaFlexOptions {
  readonly policy: PolicyConfig;
  readonly workload: Workload;
  readonly delays: Delays;
  readonly prices?: PriceTable;
  /** Alarms billed for the scaler. @default 6 */
  readonly scalerAlarms?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * LambdaFlex: the scaler's policy every minute, with Terraform Cloud, AWS
 * creation, health checks, DNS and draining modelled by the delays.
 */
export function simulateLambdaFlex(trace: number[], o: LambdaFlexOptions): StrategyResult {
  const { policy, workload: w, delays: d } = o;
  const p = o.prices ?? DEFAULT_PRICES;
  const history = Math.max(policy.upWindowMinutes, policy.downWindowMinutes) + 5;
  const START = Date.UTC(2026, 0, 1);
  const acc = newAcc();
  // The scaler requests only the metrics the state decides on (2 while off, 5 otherwise).
  const overheadFor = (state: TierState) => scalerMinuteCost(metricsNeeded(state).length, o.scalerAlarms ?? 6, p);
  let toggle: Toggle = { fargate_tier: "off", fargate_tier_since: new Date(START - 86_400_000).toISOString(), fargate_min_tasks: policy.minTasks, fargate_max_tasks: policy.maxTasks, fargate_pinned: false };
  // The world as Terraform leaves it.
  let resourcesFrom = Infinity; // minute the Fargate resources start costing
  let resourcesUntil = Infinity; // minute they stop (after a destroy)
  let readyAt = Infinity; // minute tasks are healthy
  let recordSince = Infinity; // minute the fargate record exists (traffic follows one TTL later)
  let recordGoneSince = -Infinity;
  let minTasks = policy.minTasks;
  const applies: Array<{ at: number; to: TierState; minTasks: number }> = [];
  const api: Array<number | undefined> = [];
  const alb: Array<number | undefined> = [];
  const healthy: Array<number | undefined> = [];
  const throttles: number[] = [];
  const log: NonNullable<StrategyResult["log"]> = [];
  const minutesByState: Record<TierState, number> = { off: 0, warming: 0, serving: 0, draining: 0 };

  for (let t = 0; t < trace.length; t++) {
    while (applies.length && applies[0]!.at <= t) {
      const a = applies.shift()!;
      minTasks = a.minTasks;
      if (a.to === "off") {
        resourcesUntil = t + d.destroyMinutes;
        readyAt = Infinity;
        recordSince = Infinity;
      } else {
        if (!(resourcesFrom <= t && t < resourcesUntil)) {
          resourcesFrom = t;
          resourcesUntil = Infinity;
          readyAt = t + d.createMinutes + d.taskBootMinutes;
        }
        if (a.to === "serving" && recordSince === Infinity) recordSince = t;
        if (a.to !== "serving" && recordSince !== Infinity) {
          recordSince = Infinity;
          recordGoneSince = t;
        }
      }
    }
    const r = trace[t]!;
    const rps = r / 60;
    const exists = resourcesFrom <= t && t < resourcesUntil;
    const ready = exists && t >= readyAt;
    const onFargate = ready && (t >= recordSince + d.dnsTtlMinutes || (recordSince === Infinity && t < recordGoneSince + d.dnsTtlMinutes));
    const lagged = trace[Math.max(0, t - d.autoscaleLagMinutes)]! / 60;
    const tasks = exists ? (onFargate ? Math.max(minTasks, tasksNeeded(lagged, w)) : minTasks) : 0;
    let cost = 0;
    if (exists) {
      acc.fargateResourceMinutes++;
      cost += onFargate ? fargateMinuteCost(r, tasks, w, p) : fargateFixedMinuteCost(tasks, w, p);
    }
    if (onFargate) {
      acc.requests.fargate += r;
      if (rps > tasks * w.requestsPerTaskPerSecond) acc.shortfall++;
    } else {
      cost += lambdaMinuteCost(r, coldStarts(r, trace[t - 1] ?? 0, w), w, p);
      acc.requests.lambda += r;
      if (rps > w.lambdaCapacityRps) acc.shortfall++;
    }
    const overhead = overheadFor(toggle.fargate_tier);
    cost += overhead;
    acc.overhead += overhead;
    acc.cost += cost;
    acc.cumulative.push(acc.cost);
    acc.tiers.push(onFargate ? "fargate" : "lambda");
    minutesByState[toggle.fargate_tier]++;

    // What CloudWatch records for minute t (no datapoint when a count is zero).
    api.push(!onFargate && r > 0 ? r : undefined);
    alb.push(onFargate && r > 0 ? r : undefined);
    healthy.push(exists ? (ready ? tasks : 0) : undefined);
    throttles.push(!onFargate && rps > w.lambdaCapacityRps ? Math.round((rps - w.lambdaCapacityRps) * 60) : 0);

    // The scaler at the end of minute t sees metrics up to t - lag.
    const upTo = t + 1 - d.metricLagMinutes;
    const from = Math.max(0, upTo - history);
    const metrics: Metrics = {
      apiRequests: api.slice(from, Math.max(from, upTo)),
      albRequests: alb.slice(from, Math.max(from, upTo)),
      healthyHosts: healthy.slice(from, Math.max(from, upTo)),
      lambdaThrottles: throttles.slice(from, Math.max(from, upTo)),
      lambdaConcurrency: [],
    };
    const now = new Date(START + (t + 1) * 60_000);
    const decision = decide(policy, { toggle, fargateRecordLive: recordSince <= t, metrics }, now);
    if (decision.action === "commit") {
      if (!isResize(decision)) log.push({ minute: t, from: decision.from, to: decision.to, reason: decision.reason });
      toggle = decision.toggle;
      applies.push({ at: t + 1 + d.commitToApplyMinutes, to: decision.to, minTasks: decision.toggle.fargate_min_tasks });
    }
    if (o.onProgress && t % 5000 === 0) o.onProgress(t, trace.length);
  }
  o.onProgress?.(trace.length, trace.length);
  return finish("lambdaflex", trace, acc, log.length, { log, minutesByState });
}

