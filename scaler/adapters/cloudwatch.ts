import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { metricsNeeded, type Metrics, type Series } from "../policy";
import type { TierState } from "../toggle";

/** The resources whose metrics the scaler reads. */
export interface MetricTargets {
  /** HTTP API id (AWS/ApiGateway Count by ApiId). */
  readonly apiId: string;
  /** The service's Lambda function (AWS/Lambda Throttles and ConcurrentExecutions). */
  readonly functionName: string;
  /** ALB and target group names. Their ARN suffixes change every time the tier is created, so they are found by SEARCH. */
  readonly albName: string;
  readonly targetGroupName: string;
}

const stat = (id: string, namespace: string, name: string, dims: Record<string, string>, statistic: string): MetricDataQuery => ({
  Id: id,
  MetricStat: {
    Metric: { Namespace: namespace, MetricName: name, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) },
    Period: 60,
    Stat: statistic,
  },
  ReturnData: true,
});

// SUM(SEARCH(...)) folds whatever ALB/target group currently carries the name into one series.
const search = (id: string, schema: string, metric: string, term: string, statistic: string): MetricDataQuery => ({
  Id: id,
  Expression: `SUM(SEARCH('{AWS/ApplicationELB,${schema}} MetricName="${metric}" ${term}', '${statistic}', 60))`,
  Period: 60,
  ReturnData: true,
});

/** Query ids, one per policy metric. */
const IDS: Record<keyof Metrics, string> = { apiRequests: "api", lambdaThrottles: "throttles", lambdaConcurrency: "concurrency", albRequests: "alb", healthyHosts: "healthy" };

/**
 * The one batched query: API Gateway, Lambda and ALB metrics at one-minute
 * resolution, limited to what the policy needs in `state` (GetMetricData is
 * billed per metric: 2 instead of 5 while off saves about $1.30 a month).
 */
export function metricQueries(t: MetricTargets, state?: TierState): MetricDataQuery[] {
  const all: Record<keyof Metrics, MetricDataQuery> = {
    apiRequests: stat("api", "AWS/ApiGateway", "Count", { ApiId: t.apiId }, "Sum"),
    lambdaThrottles: stat("throttles", "AWS/Lambda", "Throttles", { FunctionName: t.functionName }, "Sum"),
    lambdaConcurrency: stat("concurrency", "AWS/Lambda", "ConcurrentExecutions", { FunctionName: t.functionName }, "Maximum"),
    albRequests: search("alb", "LoadBalancer", "RequestCount", t.albName, "Sum"),
    healthyHosts: search("healthy", "LoadBalancer,TargetGroup", "HealthyHostCount", t.targetGroupName, "Minimum"),
  };
  const wanted = state ? metricsNeeded(state) : (Object.keys(all) as Array<keyof Metrics>);
  return wanted.map((k) => all[k]);
}

/** Lays datapoints onto a per-minute grid (oldest first); minutes without a datapoint stay undefined. */
function toSeries(result: MetricDataResult | undefined, start: number, minutes: number): Series {
  const out: Array<number | undefined> = Array(minutes).fill(undefined);
  const times = result?.Timestamps ?? [];
  const values = result?.Values ?? [];
  times.forEach((ts, i) => {
    const slot = Math.round((new Date(ts).getTime() - start) / 60_000);
    if (slot >= 0 && slot < minutes && values[i] !== undefined) out[slot] = values[i];
  });
  return out;
}

/**
 * Reads the last `minutes` complete minutes with a single GetMetricData call
 * (following NextToken pages). The current, incomplete minute is excluded.
 * Metrics not requested for `state` come back as empty series.
 */
export async function readMetrics(client: CloudWatchClient, targets: MetricTargets, now: Date, minutes: number, state?: TierState): Promise<Metrics> {
  const queries = metricQueries(targets, state);
  const end = Math.floor(now.getTime() / 60_000) * 60_000;
  const start = end - minutes * 60_000;
  const results = new Map<string, MetricDataResult>();
  let nextToken: string | undefined;
  do {
    const out = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(start),
        EndTime: new Date(end),
        ScanBy: "TimestampAscending",
        NextToken: nextToken,
      }),
    );
    for (const r of out.MetricDataResults ?? []) {
      const prev = results.get(r.Id ?? "");
      results.set(r.Id ?? "", {
        ...r,
        Timestamps: [...(prev?.Timestamps ?? []), ...(r.Timestamps ?? [])],
        Values: [...(prev?.Values ?? []), ...(r.Values ?? [])],
      });
    }
    nextToken = out.NextToken;
  } while (nextToken);
  const asked = new Set(queries.map((q) => q.Id));
  const series = (k: keyof Metrics) => (asked.has(IDS[k]) ? toSeries(results.get(IDS[k]), start, minutes) : []);
  return {
    apiRequests: series("apiRequests"),
    lambdaThrottles: series("lambdaThrottles"),
    lambdaConcurrency: series("lambdaConcurrency"),
    albRequests: series("albRequests"),
    healthyHosts: series("healthyHosts"),
  };
}
