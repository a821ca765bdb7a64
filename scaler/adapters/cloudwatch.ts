import {
  CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from "@aws-sdk/client-cloudwatch";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { metricsNeeded, type SeriesName, type Metrics, type Series } from "../policy";
import type { TierState } from "../../model/toggle";
import { readListener, type ListenerWeights } from "./listener";
import { countHealthyTargets, readLoadBalancerDimensions, type LoadBalancerDimensions } from "./load-balancers";

/** The resources whose metrics the scaler reads. */
export interface MetricTargets {
  /** HTTP API id (AWS/ApiGateway Count by ApiId). */
  readonly apiId: string;
  /** The service's Lambda function (AWS/Lambda Throttles and ConcurrentExecutions). */
  readonly functionName: string;
  /** ALB name. Its ARN suffix (the LoadBalancer dimension) changes every time the tier is created, so it is looked up each run. */
  readonly albName: string;
  /** Target group name, looked up the same way. */
  readonly targetGroupName: string;
  /** The Lambda target group's name (weighted switch): identifies the Lambda side of the listener's weights. */
  readonly lambdaTargetGroupName?: string;
}

/** The metrics as read, with the HTTPS listener read alongside (weighted switch): what a weight change modifies. */
export interface MetricReadings extends Metrics {
  readonly listener?: ListenerWeights;
}

/** The AWS clients readMetrics talks to: CloudWatch for the numbers, ELBv2 for the ALB's current dimensions. */
export interface MetricClients {
  readonly cloudwatch: CloudWatchClient;
  readonly elb: ElasticLoadBalancingV2Client;
}

/** Query ids, one per policy metric. */
const IDS: Record<SeriesName, string> = {
  apiRequests: "api",
  lambdaThrottles: "throttles",
  lambdaConcurrency: "concurrency",
  albRequests: "alb",
  healthyHosts: "healthy",
};

/**
 * Metrics that count events. AWS publishes no datapoint for a minute without
 * events (API Gateway Count, Lambda Throttles, ALB RequestCount), so inside the
 * published window a missing minute means zero, not unknown.
 */
const COUNTS: ReadonlySet<SeriesName> = new Set(["apiRequests", "lambdaThrottles", "albRequests"]);

const stat = (
  id: string,
  namespace: string,
  name: string,
  dims: Record<string, string>,
  statistic: string,
): MetricDataQuery => ({
  Id: id,
  MetricStat: {
    Metric: {
      Namespace: namespace,
      MetricName: name,
      Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: 60,
    Stat: statistic,
  },
  ReturnData: true,
});

/**
 * The batched query for the metrics in `wanted`, one MetricStat each (billed
 * per metric: 2 instead of 5 while off saves about $1.30 a month). ALB metrics
 * use the exact dimensions of the current ALB and target group; one whose
 * resource is absent is left out, since it has nothing to report.
 */
export function metricQueries(
  t: MetricTargets,
  wanted: ReadonlyArray<SeriesName>,
  lb: LoadBalancerDimensions = {},
): MetricDataQuery[] {
  const all: Partial<Record<SeriesName, MetricDataQuery>> = {
    apiRequests: stat(IDS.apiRequests, "AWS/ApiGateway", "Count", { ApiId: t.apiId }, "Sum"),
    lambdaThrottles: stat(IDS.lambdaThrottles, "AWS/Lambda", "Throttles", { FunctionName: t.functionName }, "Sum"),
    lambdaConcurrency: stat(
      IDS.lambdaConcurrency,
      "AWS/Lambda",
      "ConcurrentExecutions",
      { FunctionName: t.functionName },
      "Maximum",
    ),
    ...(lb.loadBalancer
      ? {
          albRequests: stat(
            IDS.albRequests,
            "AWS/ApplicationELB",
            "RequestCount",
            { LoadBalancer: lb.loadBalancer },
            "Sum",
          ),
        }
      : {}),
    ...(lb.loadBalancer && lb.targetGroup
      ? {
          healthyHosts: stat(
            IDS.healthyHosts,
            "AWS/ApplicationELB",
            "HealthyHostCount",
            { TargetGroup: lb.targetGroup, LoadBalancer: lb.loadBalancer },
            "Minimum",
          ),
        }
      : {}),
  };
  return wanted.flatMap((k) => all[k] ?? []);
}

/** Calls GetMetricData once, following NextToken pages, and merges each query's datapoints. */
async function fetchResults(
  client: CloudWatchClient,
  queries: MetricDataQuery[],
  start: Date,
  end: Date,
): Promise<Map<string, MetricDataResult>> {
  const results = new Map<string, MetricDataResult>();
  let nextToken: string | undefined;
  do {
    const out = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: start,
        EndTime: end,
        ScanBy: "TimestampAscending",
        NextToken: nextToken,
      }),
    );
    for (const r of out.MetricDataResults ?? []) {
      // Zero-filling a query CloudWatch could not answer would invent quiet minutes; fail so the reconciler decides on no evidence.
      if (r.StatusCode === "InternalError" || r.StatusCode === "Forbidden") {
        throw new Error(
          `GetMetricData answered ${r.StatusCode} for query ${r.Id}: ${(r.Messages ?? []).map((m) => m.Value).join("; ") || "no message"}`,
        );
      }
      const prev = results.get(r.Id ?? "");
      results.set(r.Id ?? "", {
        ...r,
        Timestamps: [...(prev?.Timestamps ?? []), ...(r.Timestamps ?? [])],
        Values: [...(prev?.Values ?? []), ...(r.Values ?? [])],
      });
    }
    nextToken = out.NextToken;
  } while (nextToken);
  return results;
}

/** Lays datapoints onto a per-minute grid (oldest first); missing minutes are `fill`. */
function toSeries(result: MetricDataResult | undefined, startMs: number, minutes: number, fill: 0 | undefined): Series {
  const out: Array<number | undefined> = Array(minutes).fill(fill);
  const values = result?.Values ?? [];
  (result?.Timestamps ?? []).forEach((ts, i) => {
    const slot = Math.round((new Date(ts).getTime() - startMs) / 60_000);
    if (slot >= 0 && slot < minutes && values[i] !== undefined) out[slot] = values[i];
  });
  return out;
}

/**
 * Reads `minutes` minutes ending at the newest minute CloudWatch has surely
 * published: horizon H = floor(now / 60 s) - 1 - lagMinutes (a minute index),
 * window [H - minutes + 1, H]. CloudWatch publishes a one-minute datapoint 1 to
 * 3 minutes after the minute ends, so reading up to the current minute would
 * always end in unknown minutes.
 *
 * Count metrics (apiRequests, lambdaThrottles, albRequests) are zero-filled
 * inside the window (no datapoint = zero requests); gauges (healthyHosts,
 * lambdaConcurrency) stay undefined where missing. ALB metrics use exact
 * dimensions from {@link readLoadBalancerDimensions}, looked up only when
 * `state` needs ALB metrics; with no ALB, albRequests is all zero and
 * healthyHosts all undefined, and GetMetricData is not asked for them.
 * Metrics `state` does not need come back as empty series. One GetMetricData
 * call (following NextToken pages); any API error propagates.
 *
 * @param lagMinutes the latest CloudWatch publishes a minute, in whole minutes after it ends (3 per AWS).
 */
export async function readMetrics(
  clients: MetricClients,
  targets: MetricTargets,
  now: Date,
  minutes: number,
  state: TierState,
  lagMinutes: number,
): Promise<MetricReadings> {
  if (!Number.isInteger(minutes) || minutes < 1)
    throw new RangeError(`minutes must be a positive integer, got ${minutes}`);
  if (!Number.isInteger(lagMinutes) || lagMinutes < 0)
    throw new RangeError(`lagMinutes must be a non-negative integer, got ${lagMinutes}`);
  const horizon = Math.floor(now.getTime() / 60_000) - 1 - lagMinutes;
  const startMs = (horizon - minutes + 1) * 60_000;
  const wanted = metricsNeeded(state);
  const needsAlb = wanted.includes("albRequests") || wanted.includes("healthyHosts");
  const lb = needsAlb ? await readLoadBalancerDimensions(clients.elb, targets.albName, targets.targetGroupName) : {};
  const queries = metricQueries(targets, wanted, lb);
  const [results, healthyTargetsNow, listener] = await Promise.all([
    queries.length > 0
      ? fetchResults(clients.cloudwatch, queries, new Date(startMs), new Date((horizon + 1) * 60_000))
      : new Map<string, MetricDataResult>(),
    lb.targetGroupArn ? countHealthyTargets(clients.elb, lb.targetGroupArn) : undefined,
    lb.loadBalancerArn && targets.lambdaTargetGroupName
      ? readListener(clients.elb, lb.loadBalancerArn, targets.lambdaTargetGroupName)
      : undefined,
  ]);
  // A query without a result would otherwise read as quiet minutes.
  for (const q of queries)
    if (!results.has(q.Id ?? ""))
      throw new Error(
        `GetMetricData returned no result for query ${q.Id}; asked for ${queries.map((x) => x.Id).join(", ")}`,
      );
  const series = (k: SeriesName): Series =>
    wanted.includes(k) ? toSeries(results.get(IDS[k]), startMs, minutes, COUNTS.has(k) ? 0 : undefined) : [];
  return {
    apiRequests: series("apiRequests"),
    lambdaThrottles: series("lambdaThrottles"),
    lambdaConcurrency: series("lambdaConcurrency"),
    albRequests: series("albRequests"),
    healthyHosts: series("healthyHosts"),
    ...(healthyTargetsNow !== undefined ? { healthyTargetsNow } : {}),
    ...(listener ? { fargateWeightNow: listener.fargateWeight, listener } : {}),
  };
}
