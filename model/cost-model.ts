/**
 * The cost model: what one minute costs on each tier, the break-even request
 * rate, and the thresholds derived from it. Pure functions over the price table.
 */
import type { DeploymentConfig } from "../config/schema";
import { ALB_LCU, DEFAULT_PRICES, GB, HOURS_PER_MONTH, type PriceTable } from "./prices";

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
  /** Seconds a client connection stays open (ALB LCU dimension: 3,000 active connections per LCU). */
  readonly connectionSeconds: number;
  /** Bytes the ALB processes per request (ALB LCU dimension: 1 GB/hour per LCU, 0.4 GB for Lambda targets). */
  readonly bytesPerRequest: number;
  /** Log bytes ingested per request through API Gateway (its access-log line). */
  readonly accessLogBytes: number;
  /** Log bytes ingested per Lambda invocation (JSON platform records). */
  readonly platformLogBytes: number;
  /** Log bytes a Lambda cold start adds. */
  readonly initLogBytes: number;
  /** Log bytes the app writes per request, on either tier. */
  readonly appLogBytesPerRequest: number;
  /** CloudWatch alarms that exist while the tier does: target tracking's two, the low-demand and the overload alarm. */
  readonly tierAlarms: number;
  /** Requests per second the Lambda tier can take before throttling (API stage limit or concurrency / duration). */
  readonly lambdaCapacityRps: number;
}

/**
 * Alarms the fargate stack brings while the tier exists: ECS target tracking creates two
 * (scale out, scale in; https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html)
 * and the stack declares the low-demand and overload alarms (`__tests__/model/cost-model.test.ts` counts them in the synthesized stack).
 */
export const TIER_ALARMS = 4;

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
  newConnectionFraction: c.workload.newConnectionFraction,
  connectionSeconds: c.workload.connectionSeconds,
  bytesPerRequest: c.workload.bytesPerRequest,
  accessLogBytes: c.workload.accessLogBytes,
  platformLogBytes: c.workload.platformLogBytes,
  initLogBytes: c.workload.initLogBytes,
  appLogBytesPerRequest: c.workload.appLogBytesPerRequest,
  tierAlarms: TIER_ALARMS,
  lambdaCapacityRps: Math.min(
    c.api.throttleRateLimit,
    (c.lambda.reservedConcurrency ?? accountConcurrency) / (c.lambda.meanDurationMs / 1000),
  ),
});

/** Lambda cold starts in a minute: new concurrent instances compared with the minute before. */
export function coldStarts(requests: number, previousRequests: number, w: Workload): number {
  const concurrency = (r: number) => Math.ceil((r / 60) * (w.meanDurationMs / 1000));
  return Math.max(0, concurrency(requests) - concurrency(previousRequests));
}

/** GB-seconds the Lambda tier bills for a minute: every invocation's duration and each cold start's init. */
export function lambdaGbSeconds(requests: number, coldStarts: number, w: Workload): number {
  const gb = w.lambdaMemoryMb / 1024;
  return requests * (w.meanDurationMs / 1000) * gb + coldStarts * (w.coldStartMs / 1000) * gb;
}

/**
 * Log GB ingested for a minute of the Lambda tier: an access-log line for each of the
 * `viaApi` requests that came through API Gateway (the ALB's Lambda target group writes
 * none), the platform records and the app's own lines for every invocation, and the
 * records of each cold start.
 */
export function lambdaLogGb(requests: number, coldStarts: number, w: Workload, viaApi = requests): number {
  return (
    (viaApi * w.accessLogBytes +
      requests * (w.platformLogBytes + w.appLogBytesPerRequest) +
      coldStarts * w.initLogBytes) /
    GB
  );
}

/**
 * Lambda tier cost of one minute: API Gateway and Lambda requests, compute, cold starts,
 * and log ingestion. `viaApi` of the `requests` came through API Gateway (the rest through
 * the ALB's Lambda target group, which bills no API Gateway request and writes no access log).
 */
export function lambdaMinuteCost(
  requests: number,
  coldStarts: number,
  w: Workload,
  p: PriceTable = DEFAULT_PRICES,
  viaApi = requests,
): number {
  return (
    viaApi * p.httpApiRequest +
    requests * p.lambdaRequest +
    lambdaGbSeconds(requests, coldStarts, w) * p.lambdaGbSecondArm +
    lambdaLogGb(requests, coldStarts, w, viaApi) * p.logsIngestGb
  );
}

/** Each LCU dimension of a minute's traffic through the ALB, in LCUs; the hour bills the largest. */
export interface LcuDimensions {
  readonly newConnections: number;
  readonly activeConnections: number;
  readonly processedBytes: number;
}

/**
 * The ALB's LCU dimensions for a minute of `requests`, of which `lambdaRequests` went to
 * the Lambda target group. Client connections open at `newConnectionFraction` of the
 * request rate and stay open `connectionSeconds` (Little's law gives the active count;
 * the ALB's pooled connections to the tasks are not counted). Processed bytes count 1 GB
 * per LCU for the tasks, 0.4 GB for Lambda. Rule evaluations bill nothing (see ALB_LCU).
 */
export function albLcuDimensions(requests: number, w: Workload, lambdaRequests = 0): LcuDimensions {
  const rps = requests / 60;
  const lambdaRps = Math.min(Math.max(0, lambdaRequests), requests) / 60;
  const newPerSecond = rps * w.newConnectionFraction;
  const gbPerHour = (r: number) => (r * w.bytesPerRequest * 3600) / GB;
  return {
    newConnections: newPerSecond / ALB_LCU.newConnectionsPerSecond,
    activeConnections: (newPerSecond * w.connectionSeconds) / ALB_LCU.activeConnectionsPerMinute,
    processedBytes:
      gbPerHour(rps - lambdaRps) / ALB_LCU.targetGbPerHour + gbPerHour(lambdaRps) / ALB_LCU.lambdaTargetGbPerHour,
  };
}

/** ALB load-balancer capacity units for a minute's requests (the largest dimension wins). */
export function albLcus(requests: number, w: Workload, lambdaRequests = 0): number {
  const d = albLcuDimensions(requests, w, lambdaRequests);
  return Math.max(d.newConnections, d.activeConnections, d.processedBytes);
}

/**
 * Cost of the Fargate tier existing for one minute with `tasks` tasks: ALB hour, tasks,
 * public IPv4s, and the alarms that exist with the tier (a month's alarm price, prorated).
 */
export function fargateFixedMinuteCost(tasks: number, w: Workload, p: PriceTable = DEFAULT_PRICES): number {
  const taskHour = w.taskVcpu * p.fargateVcpuHourArm + w.taskMemoryGb * p.fargateGbHourArm;
  // Two ALB nodes (one per AZ) and one address per task, all public IPv4.
  const ipv4 = (2 + tasks) * p.publicIpv4Hour;
  const alarms = (w.tierAlarms * p.cloudwatchAlarmMonth) / HOURS_PER_MONTH;
  return (p.albHour + tasks * taskHour + ipv4 + alarms) / 60;
}

/**
 * Cost of one minute on the Fargate tier: `requests` reach the ALB, `lambdaRequests` of them
 * go on to its Lambda target group (billed on the Lambda tier too), the rest to `tasks` tasks.
 */
export function fargateMinuteCost(
  requests: number,
  tasks: number,
  w: Workload,
  p: PriceTable = DEFAULT_PRICES,
  lambdaRequests = 0,
): number {
  const taskRequests = requests - Math.min(Math.max(0, lambdaRequests), requests);
  const appLogs = ((taskRequests * w.appLogBytesPerRequest) / GB) * p.logsIngestGb;
  return fargateFixedMinuteCost(tasks, w, p) + (albLcus(requests, w, lambdaRequests) * p.albLcuHour) / 60 + appLogs;
}

/** Tasks target tracking settles on for a request rate, within the bounds. */
export function tasksNeeded(rps: number, w: Workload): number {
  return Math.min(
    w.maxTasks,
    Math.max(w.minTasks, Math.ceil(rps / (w.requestsPerTaskPerSecond * w.targetUtilization))),
  );
}

/**
 * The sustained request rate above which serving on Fargate is cheaper than
 * on Lambda, for these sizes and prices (bisection; both costs rise with rate).
 */
export function breakEvenRps(w: Workload, p: PriceTable = DEFAULT_PRICES): number {
  const diff = (rps: number) =>
    lambdaMinuteCost(rps * 60, 0, w, p) - fargateMinuteCost(rps * 60, tasksNeeded(rps, w), w, p);
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
