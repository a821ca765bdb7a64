/**
 * CloudWatch metrics as the scaler sees them through GetMetricData: datapoints
 * published late, no datapoint for a zero count, SEARCH expressions with
 * CloudWatch's token matching, NextToken pages, and the errors AWS returns.
 * It sits behind the same `send(command)` port as the SDK client, so the
 * production adapter cannot tell it from AWS.
 *
 * Simplifications, each harmless for the scaler: one sample per minute, so every
 * statistic of a minute is its value; Period 60 only; SEARCH and SUM(SEARCH)
 * are the only expressions (parsed and matched in ./cloudwatch-search).
 */
import {
  CloudWatchServiceException,
  GetMetricDataCommand,
  InvalidNextToken,
  ValidationException,
  type GetMetricDataCommandOutput,
  type GetMetricDataInput,
  type MetricDataQuery,
  type MetricDataResult,
} from "@aws-sdk/client-cloudwatch";
import { parseSearch, SearchMatcher, type Search } from "./cloudwatch-search";

/** A metric: namespace, name and dimensions (a set: their order does not matter, as in CloudWatch). */
export interface MetricId {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface CloudWatchEmulatorOptions {
  /** The simulated clock, in ms since the epoch. */
  readonly now: () => number;
  /** The world's seeded generator, in [0, 1). */
  readonly random: () => number;
  /** Publication lag after the minute ends, in minutes, drawn uniformly per datapoint: [min, max]. */
  readonly lagMinutes: readonly [number, number];
  /** Datapoints per page before NextToken when the request sets no MaxDatapoints; AWS's default is 100,800. */
  readonly pageSize?: number;
}

const MINUTE = 60_000;
/** One-minute datapoints are kept 15 days (then only coarser periods exist): CloudWatch concepts, "Metrics retention". */
const RETENTION_MINUTES = 15 * 24 * 60;
/** "A search expression can find only metrics that have reported data within the past two weeks": CloudWatch user guide, search expressions. */
const SEARCH_WINDOW_MS = 14 * 24 * 60 * MINUTE;
/** GetMetricData takes at most 500 queries: API reference. */
const MAX_QUERIES = 500;
const DEFAULT_PAGE_SIZE = 100_800;
/** Statistics whose value for a single sample is the sample itself. */
const ONE_SAMPLE_STAT = /^(Sum|Average|Minimum|Maximum|p(\d{1,2}(\.\d+)?|100))$/;

/** The datapoints of one metric, indexed by minute number (ms / 60,000) minus `base`; NaN where none. */
class Recorded {
  base = Number.NaN;
  values: number[] = [];
  visibleAt: number[] = [];
  firstVisibleAt = Number.POSITIVE_INFINITY;
  lastMinute = Number.NEGATIVE_INFINITY;
  constructor(readonly id: MetricId) {}

  put(minute: number, value: number, visibleAt: number): void {
    if (Number.isNaN(this.base)) this.base = minute;
    if (minute < this.base) {
      // Rare (a world recording out of order): shift the index once.
      const pad = this.base - minute;
      this.values = Array<number>(pad).fill(Number.NaN).concat(this.values);
      this.visibleAt = Array<number>(pad).fill(Number.POSITIVE_INFINITY).concat(this.visibleAt);
      this.base = minute;
    }
    const i = minute - this.base;
    while (this.values.length <= i) {
      this.values.push(Number.NaN);
      this.visibleAt.push(Number.POSITIVE_INFINITY);
    }
    this.values[i] = value;
    this.visibleAt[i] = visibleAt;
    this.firstVisibleAt = Math.min(this.firstVisibleAt, visibleAt);
    this.lastMinute = Math.max(this.lastMinute, minute);
  }

  /** The value published for `minute` by `asOf`, or undefined. */
  at(minute: number, asOf: number): number | undefined {
    const i = minute - this.base;
    if (!(i >= 0 && i < this.values.length) || this.visibleAt[i]! > asOf) return undefined;
    const v = this.values[i]!;
    return Number.isNaN(v) ? undefined : v;
  }
}

const keyOf = (namespace: string, name: string, dims: ReadonlyArray<readonly [string, string]>): string =>
  `${namespace}\u0000${name}\u0000${[...dims]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("\u0000")}`;

/**
 * CloudWatch GetMetricData over metrics the simulated world records. Each
 * datapoint becomes visible at the end of its minute plus a lag drawn per
 * datapoint; recording a minute again replaces it.
 */
export class CloudWatchEmulator {
  /** What the scaler's calls cost: calls, and metrics requested (billed: each MetricStat 1, each SEARCH the metrics it matched; every page is a request). */
  readonly meter = { calls: 0, metricsRequested: 0 };
  private readonly byKey = new Map<string, Recorded>();
  private readonly byNamespace = new Map<string, Recorded[]>();
  private readonly matcher = new SearchMatcher();
  private requests = 0;

  constructor(private readonly o: CloudWatchEmulatorOptions) {
    const [lo, hi] = o.lagMinutes;
    if (!(lo >= 0 && hi >= lo))
      throw new RangeError(`lagMinutes must be [min, max] with 0 <= min <= max, got [${lo}, ${hi}]`);
    if (o.pageSize !== undefined && !(Number.isInteger(o.pageSize) && o.pageSize > 0))
      throw new RangeError(`pageSize must be a positive integer, got ${o.pageSize}`);
  }

  /** A count metric for the minute starting at minuteMs: zero publishes no datapoint, as AWS does. */
  count(metric: MetricId, minuteMs: number, value: number): void {
    if (!(value >= 0)) throw new RangeError(`a count must be >= 0, got ${value} for ${metric.name}`);
    if (value > 0) this.record(metric, minuteMs, value);
  }

  /** A gauge, published every minute while its resource exists. */
  gauge(metric: MetricId, minuteMs: number, value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`a gauge must be finite, got ${value} for ${metric.name}`);
    this.record(metric, minuteMs, value);
  }

  /** CloudWatch's own read for alarm evaluation (not an API call, not billed): the value published for the minute starting at minuteMs by asOfMs. */
  datapoint(metric: MetricId, minuteMs: number, asOfMs: number): number | undefined {
    return this.byKey
      .get(keyOf(metric.namespace, metric.name, Object.entries(metric.dimensions)))
      ?.at(minuteMs / MINUTE, asOfMs);
  }

  /** Answers GetMetricDataCommand with GetMetricDataOutput shapes; any other command fails as AWS does for an unknown operation. */
  async send(command: unknown): Promise<unknown> {
    this.meter.calls++;
    const requestId = `00000000-0000-4000-8000-${(++this.requests).toString(16).padStart(12, "0")}`;
    if (!(command instanceof GetMetricDataCommand)) {
      const op = (command as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof command;
      throw new CloudWatchServiceException({
        name: "UnknownOperationException",
        $fault: "client",
        message: `The CloudWatch emulator does not serve ${op}`,
        $metadata: { httpStatusCode: 400, requestId },
      });
    }
    return this.getMetricData(command.input, requestId);
  }

  private record(metric: MetricId, minuteMs: number, value: number): void {
    if (minuteMs % MINUTE !== 0)
      throw new RangeError(`minuteMs must start a minute, got ${new Date(minuteMs).toISOString()}`);
    const key = keyOf(metric.namespace, metric.name, Object.entries(metric.dimensions));
    let r = this.byKey.get(key);
    if (!r) {
      r = new Recorded({ namespace: metric.namespace, name: metric.name, dimensions: { ...metric.dimensions } });
      this.byKey.set(key, r);
      const list = this.byNamespace.get(metric.namespace) ?? [];
      list.push(r);
      this.byNamespace.set(metric.namespace, list);
    }
    const [lo, hi] = this.o.lagMinutes;
    r.put(minuteMs / MINUTE, value, minuteMs + MINUTE + (lo + (hi - lo) * this.o.random()) * MINUTE);
  }

  private getMetricData(input: GetMetricDataInput, requestId: string): GetMetricDataCommandOutput {
    const invalid = (message: string) =>
      Object.assign(new ValidationException({ message, $metadata: { httpStatusCode: 400, requestId } }), {
        Code: "ValidationError",
        Type: "Sender",
        Error: { Type: "Sender", Code: "ValidationError", Message: message },
      });
    const queries = input.MetricDataQueries;
    if (!queries || queries.length === 0)
      throw invalid(
        "1 validation error detected: Value null at 'metricDataQueries' failed to satisfy constraint: Member must not be null",
      );
    if (queries.length > MAX_QUERIES)
      throw invalid(
        `1 validation error detected: Value at 'metricDataQueries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_QUERIES}`,
      );
    for (const f of ["StartTime", "EndTime"] as const) {
      if (!(input[f] instanceof Date) || Number.isNaN(input[f].getTime()))
        throw invalid(
          `1 validation error detected: Value null at '${f[0]!.toLowerCase()}${f.slice(1)}' failed to satisfy constraint: Member must not be null`,
        );
    }
    const startMs = input.StartTime!.getTime();
    const endMs = input.EndTime!.getTime();
    if (startMs >= endMs) throw invalid("The parameter StartTime must be less than the parameter EndTime.");
    if (input.ScanBy !== undefined && input.ScanBy !== "TimestampAscending" && input.ScanBy !== "TimestampDescending")
      throw invalid(`Invalid ScanBy: ${input.ScanBy}`);
    const ids = new Set<string>();
    for (const q of queries) {
      if (!q.Id || !/^[a-z][a-zA-Z0-9_]*$/.test(q.Id))
        throw invalid(
          `Invalid metric data query id '${q.Id}': it must start with a lowercase letter and contain only letters, digits and underscores.`,
        );
      if (ids.has(q.Id)) throw invalid("The values for parameter id in MetricDataQueries are not unique.");
      ids.add(q.Id);
      if (!q.MetricStat === !q.Expression)
        throw invalid(`Query ${q.Id}: exactly one of MetricStat and Expression must be set.`);
    }
    let offset = 0;
    let asOf = this.o.now();
    if (input.NextToken !== undefined) {
      // The token pins the clock of the first page, so pages do not shift as datapoints keep arriving.
      const token = /^(\d+):(\d+)$/.exec(Buffer.from(input.NextToken, "base64").toString());
      if (!token) {
        const message = `Invalid NextToken: ${input.NextToken}`;
        throw Object.assign(new InvalidNextToken({ message, $metadata: { httpStatusCode: 400, requestId } }), {
          Code: "InvalidNextToken",
          Type: "Sender",
        });
      }
      offset = Number(token[1]);
      asOf = Number(token[2]);
    }
    const m0 = Math.max(Math.floor(startMs / MINUTE), Math.floor(asOf / MINUTE) - RETENTION_MINUTES);
    const m1 = Math.ceil(endMs / MINUTE); // exclusive
    const series: Array<{ id: string; label: string; minutes: number[]; values: number[] }> = [];
    let billed = 0;
    for (const q of queries) {
      const out = q.MetricStat ? this.metricStat(q, m0, m1, asOf, invalid) : this.expression(q, m0, m1, asOf, invalid);
      billed += out.billed;
      if (q.ReturnData !== false) series.push(...out.series);
    }
    this.meter.metricsRequested += billed;
    if (input.ScanBy !== "TimestampAscending") for (const s of series) (s.minutes.reverse(), s.values.reverse()); // AWS defaults to descending
    const pageSize = input.MaxDatapoints ?? this.o.pageSize ?? DEFAULT_PAGE_SIZE;
    const pageEnd = offset + pageSize;
    const results: MetricDataResult[] = [];
    let g = 0;
    for (const s of series) {
      const from = Math.min(Math.max(offset - g, 0), s.minutes.length);
      const to = Math.max(Math.min(pageEnd - g, s.minutes.length), from);
      results.push({
        Id: s.id,
        Label: s.label,
        Timestamps: s.minutes.slice(from, to).map((m) => new Date(m * MINUTE)),
        Values: s.values.slice(from, to),
        StatusCode: g + s.minutes.length > pageEnd ? "PartialData" : "Complete",
      });
      g += s.minutes.length;
    }
    return {
      MetricDataResults: results,
      ...(g > pageEnd ? { NextToken: Buffer.from(`${pageEnd}:${asOf}`).toString("base64") } : {}),
      Messages: [],
      $metadata: { httpStatusCode: 200, requestId, attempts: 1, totalRetryDelay: 0 },
    };
  }

  private metricStat(q: MetricDataQuery, m0: number, m1: number, asOf: number, invalid: (m: string) => Error) {
    const ms = q.MetricStat!;
    const metric = ms.Metric;
    if (!metric?.Namespace || !metric.MetricName)
      throw invalid(`Query ${q.Id}: MetricStat.Metric needs a Namespace and a MetricName.`);
    this.checkStat(q.Id!, ms.Stat, ms.Period, invalid);
    const r = this.byKey.get(
      keyOf(
        metric.Namespace,
        metric.MetricName,
        (metric.Dimensions ?? []).map((d) => [d.Name ?? "", d.Value ?? ""] as const),
      ),
    );
    const minutes: number[] = [];
    const values: number[] = [];
    if (r) {
      for (let m = Math.max(m0, r.base), end = Math.min(m1, r.base + r.values.length); m < end; m++) {
        const v = r.at(m, asOf);
        if (v !== undefined) (minutes.push(m), values.push(v));
      }
    }
    return { billed: 1, series: [{ id: q.Id!, label: q.Label ?? metric.MetricName, minutes, values }] };
  }

  private expression(q: MetricDataQuery, m0: number, m1: number, asOf: number, invalid: (m: string) => Error) {
    const search = parseSearch(q, invalid);
    this.checkStat(q.Id!, search.stat, search.period, invalid);
    const matched = this.find(search, asOf);
    if (search.sum) {
      const minutes: number[] = [];
      const values: number[] = [];
      for (let m = m0; m < m1; m++) {
        let total: number | undefined;
        for (const r of matched) {
          const v = r.at(m, asOf);
          if (v !== undefined) total = (total ?? 0) + v;
        }
        if (total !== undefined) (minutes.push(m), values.push(total));
      }
      return { billed: matched.length, series: [{ id: q.Id!, label: q.Label ?? q.Id!, minutes, values }] };
    }
    // A bare SEARCH answers one result per metric found, all under the query's Id.
    const series = matched.map((r) => {
      const minutes: number[] = [];
      const values: number[] = [];
      for (let m = m0; m < m1; m++) {
        const v = r.at(m, asOf);
        if (v !== undefined) (minutes.push(m), values.push(v));
      }
      return { id: q.Id!, label: [...Object.values(r.id.dimensions), r.id.name].join(" "), minutes, values };
    });
    return { billed: matched.length, series };
  }

  private checkStat(
    id: string,
    stat: string | undefined,
    period: number | undefined,
    invalid: (m: string) => Error,
  ): void {
    if (!stat) throw invalid(`Query ${id}: Stat is required.`);
    if (period === undefined || !(period > 0 && (period % 60 === 0 || [1, 5, 10, 20, 30].includes(period)))) {
      throw invalid(`Query ${id}: The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60, got ${period}.`);
    }
    if (period !== 60)
      throw new Error(`CloudWatchEmulator: query ${id} asks for Period ${period}; only 60 is emulated.`);
    if (!ONE_SAMPLE_STAT.test(stat))
      throw new Error(
        `CloudWatchEmulator: query ${id} asks for statistic ${stat}; only Sum, Average, Minimum, Maximum and percentiles are emulated.`,
      );
  }

  /** Metrics a search finds: in the schema's namespace with exactly its dimension names, matching the term, with data in the past two weeks. */
  private find(s: Search, asOf: number): Recorded[] {
    const pool =
      s.namespace !== undefined ? (this.byNamespace.get(s.namespace) ?? []) : [...this.byNamespace.values()].flat();
    return pool.filter((r) => {
      if (r.firstVisibleAt > asOf || r.lastMinute * MINUTE < asOf - SEARCH_WINDOW_MS) return false;
      return this.matcher.matches(s, r.id);
    });
  }
}
