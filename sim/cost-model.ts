/**
 * The cost model: what one minute costs on each tier, the break-even request
 * rate, and the thresholds derived from it. Pure functions over the price table.
 */
import type { DeploymentConfig } from "../config/schema";
import { DEFAULT_PRICES, type PriceTable } from "./prices";

/** What the model needs to know about a deployment's workload and sizes. */
export interface Workload {
  readonly lambdaMemoryMb: number;
  readonly meanDurationMs: number;
  /** Billed init time of a Lambda cold start. */
  readonly coldStartMs: number;
  readonly taskVcpu: number;
  readonly taskMemoryGb: number;
  readonly requestsPerTaskPerSecond: number;
  readonly targetUtilization: number;
  readonly minTasks: number;
  readonly maxTasks: number;
  /** Fraction of requests that open a new connection (ALB LCU dimension: 25 new connections/s per LCU). */
  readonly newConnectionFraction: number;
  /** Mean response size (ALB LCU dimension: 1 GB/hour per LCU). */
  readonly bytesPerRequest: number;
  /** Requests per second the Lambda tier can take before throttling (API stage limit or concurrency / duration). */
  readonly lambdaCapacityRps: number;
}

export const workloadFrom = (c: DeploymentConfig, accountConcurrency = 1000): Workload => ({
  lambdaMemoryMb: c.lambda.memoryMb,
  meanDurationMs: c.lambda.meanDurationMs,
  coldStartMs: 500,
  taskVcpu: c.fargate.cpu / 1024,
  taskMemoryGb: c.fargate.memoryMb / 1024,
  requestsPerTaskPerSecond: c.fargate.requestsPerTaskPerSecond,
  targetUtilization: c.fargate.targetUtilization,
  minTasks: c.fargate.minTasks,
  maxTasks: c.fargate.maxTasks,
  newConnectionFraction: 0.5,
  bytesPerRequest: 10_000,
  lambdaCapacityRps: Math.min(c.api.throttleRateLimit, (c.lambda.reservedConcurrency ?? accountConcurrency) / (c.lambda.meanDurationMs / 1000)),
});

/** Lambda cold starts in a minute: new concurrent instances compared with the minute before. */
export function coldStarts(requests: number, previousRequests: number, w: Workload): number {
  const concurrency = (r: number) => Math.ceil((r / 60) * (w.meanDurationMs / 1000));
  return Math.max(0, concurrency(requests) - concurrency(previousRequests));
}

/** Lambda tier cost of one minute: API Gateway + Lambda requests, compute, and cold starts. */
export function lambdaMinuteCost(requests: number, coldStarts: number, w: Workload, p: PriceTable = DEFAULT_PRICES): number {
  const gb = w.lambdaMemoryMb / 1024;
  const compute = requests * (w.meanDurationMs / 1000) * gb + coldStarts * (w.coldStartMs / 1000) * gb;
  return requests * (p.httpApiRequest + p.lambdaRequest) + compute * p.lambdaGbSecondArm;
}

/** ALB load-balancer capacity units for a minute's requests (the largest dimension wins). */
export function albLcus(requests: number, w: Workload): number {
  const rps = requests / 60;
  const newConnections = (rps * w.newConnectionFraction) / 25;
  const gbPerHour = (rps * w.bytesPerRequest * 3600) / 1e9;
  const rules = rps / 1000;
  return Math.max(newConnections, gbPerHour, rules);
}

/** Cost of the Fargate tier existing for one minute with `tasks` tasks: ALB hour, tasks, public IPv4s. */
export function fargateFixedMinuteCost(tasks: number, w: Workload, p: PriceTable = DEFAULT_PRICES): number {
  const taskHour = w.taskVcpu * p.fargateVcpuHourArm + w.taskMemoryGb * p.fargateGbHourArm;
  // Two ALB nodes (one per AZ) and one address per task, all public IPv4.
  const ipv4 = (2 + tasks) * p.publicIpv4Hour;
  return (p.albHour + tasks * taskHour + ipv4) / 60;
}

/** Cost of one minute on the Fargate tier serving `requests` with `tasks` tasks. */
export function fargateMinuteCost(requests: number, tasks: number, w: Workload, p: PriceTable = DEFAULT_PRICES): number {
  return fargateFixedMinuteCost(tasks, w, p) + (albLcus(requests, w) * p.albLcuHour) / 60;
}

/** Tasks target tracking settles on for a request rate, within the bounds. */
export function tasksNeeded(rps: number, w: Workload): number {
  return Math.min(w.maxTasks, Math.max(w.minTasks, Math.ceil(rps / (w.requestsPerTaskPerSecond * w.targetUtilization))));
}

/**
 * The sustained request rate above which serving on Fargate is cheaper than
 * on Lambda, for these sizes and prices (bisection; both costs rise with rate).
 */
export function breakEvenRps(w: Workload, p: PriceTable = DEFAULT_PRICES): number {
  const diff = (rps: number) => lambdaMinuteCost(rps * 60, 0, w, p) - fargateMinuteCost(rps * 60, tasksNeeded(rps, w), w, p);
  let lo = 0;
  let hi = 1;
  while (diff(hi) < 0 && hi < 1e6) hi *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (diff(mid) < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
