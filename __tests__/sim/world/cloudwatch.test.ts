import {
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { CloudWatchEmulator, type MetricId } from "../../../sim/world/cloudwatch";
import { Rng } from "../../../sim/world/clock";

/** The simulator's seeded generator, so every run draws the same values. */
const rng = (seed: number): (() => number) => new Rng(seed).random;

const MIN = 60_000;
const T0 = Date.parse("2026-11-22T12:00:00Z");

function emulator(o: { random?: () => number; lag?: [number, number]; pageSize?: number } = {}) {
  let now = T0;
  const cw = new CloudWatchEmulator({
    now: () => now,
    random: o.random ?? rng(3),
    lagMinutes: o.lag ?? [1, 3],
    ...(o.pageSize ? { pageSize: o.pageSize } : {}),
  });
  return { cw, setNow: (ms: number) => (now = ms) };
}

const stat = (Id: string, m: MetricId, Stat = "Sum"): MetricDataQuery => ({
  Id,
  MetricStat: {
    Metric: {
      Namespace: m.namespace,
      MetricName: m.name,
      Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: 60,
    Stat,
  },
});
const expr = (Id: string, Expression: string): MetricDataQuery => ({ Id, Expression, Period: 60 });

async function get(
  cw: CloudWatchEmulator,
  queries: MetricDataQuery[],
  from: number,
  to: number,
  extra: Partial<GetMetricDataCommand["input"]> = {},
) {
  return (await cw.send(
    new GetMetricDataCommand({
      MetricDataQueries: queries,
      StartTime: new Date(from),
      EndTime: new Date(to),
      ScanBy: "TimestampAscending",
      ...extra,
    }),
  )) as GetMetricDataCommandOutput;
}
/** The values of query `id`, summed over every result it returned. */
const valuesOf = (out: GetMetricDataCommandOutput, id: string) =>
  out.MetricDataResults!.filter((r) => r.Id === id).flatMap((r) => r.Values ?? []);

const api: MetricId = { namespace: "AWS/ApiGateway", name: "Count", dimensions: { ApiId: "a1b2c3" } };
const gaugeMetric: MetricId = {
  namespace: "AWS/Lambda",
  name: "ConcurrentExecutions",
  dimensions: { FunctionName: "svc" },
};
const albRequests = (lb: string): MetricId => ({
  namespace: "AWS/ApplicationELB",
  name: "RequestCount",
  dimensions: { LoadBalancer: lb },
});

describe("CloudWatchEmulator publication", () => {
  it("returns a datapoint only once its drawn lag has passed", async () => {
    const { cw, setNow } = emulator({ random: () => 0.5 }); // lag 1 + 0.5 * (3 - 1) = 2 minutes
    cw.gauge(gaugeMetric, T0, 7);
    const read = async () =>
      valuesOf(await get(cw, [stat("g", gaugeMetric, "Maximum")], T0 - 10 * MIN, T0 + 10 * MIN), "g");

    setNow(T0 + MIN + 2 * MIN - 1);
    expect(await read()).toEqual([]);
    setNow(T0 + MIN + 2 * MIN);
    expect(await read()).toEqual([7]);
  });

  it("draws each datapoint's lag within the range, so the newest minutes fill in over time", async () => {
    const { cw, setNow } = emulator();
    for (let i = 0; i < 200; i++) cw.gauge(gaugeMetric, T0 + i * MIN, i);
    /** Whether minute i is published `afterEnd` ms after it ends. */
    const published = async (i: number, afterEnd: number) => {
      setNow(T0 + (i + 1) * MIN + afterEnd);
      return (
        valuesOf(await get(cw, [stat("g", gaugeMetric, "Maximum")], T0 + i * MIN, T0 + (i + 1) * MIN), "g").length === 1
      );
    };
    const by = async (afterEnd: number) => {
      let n = 0;
      for (let i = 0; i < 200; i++) if (await published(i, afterEnd)) n++;
      return n;
    };
    expect(await by(MIN - 1)).toBe(0);
    expect(await by(3 * MIN)).toBe(200);
    const atTwo = await by(2 * MIN); // uniform in [1, 3]: about half
    expect(atTwo).toBeGreaterThan(70);
    expect(atTwo).toBeLessThan(130);
  });

  it("publishes nothing for a zero count, as AWS does for a minute without requests", async () => {
    const { cw, setNow } = emulator();
    cw.count(api, T0, 5);
    cw.count(api, T0 + MIN, 0);
    cw.count(api, T0 + 2 * MIN, 9);
    setNow(T0 + 10 * MIN);

    const out = await get(cw, [stat("api", api)], T0, T0 + 3 * MIN);

    expect(out.MetricDataResults![0]).toMatchObject({
      Id: "api",
      Label: "Count",
      Values: [5, 9],
      Timestamps: [new Date(T0), new Date(T0 + 2 * MIN)],
      StatusCode: "Complete",
    });
  });

  it("answers newest first unless asked for TimestampAscending, as GetMetricData does", async () => {
    const { cw, setNow } = emulator();
    cw.count(api, T0, 1);
    cw.count(api, T0 + MIN, 2);
    setNow(T0 + 10 * MIN);
    const out = (await cw.send(
      new GetMetricDataCommand({
        MetricDataQueries: [stat("api", api)],
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 5 * MIN),
      }),
    )) as GetMetricDataCommandOutput;
    expect(out.MetricDataResults![0]!.Values).toEqual([2, 1]);
  });
});

describe("CloudWatchEmulator SEARCH", () => {
  const lb = "app/svc-alb/50dc6c495c0c9188";
  const earlier = "app/svc-alb/0a1b2c3d4e5f6a7b";
  const green = "app/svc-alb-green/1f2e3d4c5b6a7980";
  const seed = (cw: CloudWatchEmulator) => {
    for (let m = 0; m < 10; m++) {
      cw.count(albRequests(earlier), T0 + m * MIN, 700);
      cw.count(albRequests(lb), T0 + m * MIN, 100);
      cw.count(albRequests(green), T0 + m * MIN, 5000);
      cw.gauge(
        {
          namespace: "AWS/ApplicationELB",
          name: "HealthyHostCount",
          dimensions: { LoadBalancer: lb, TargetGroup: "targetgroup/svc-tg/73e2d6bc24d8a067" },
        },
        T0 + m * MIN,
        2,
      );
    }
  };
  const sumOf = async (search: string) => {
    const { cw, setNow } = emulator();
    seed(cw);
    setNow(T0 + 20 * MIN);
    const out = await get(cw, [expr("e", `SUM(SEARCH('${search}', 'Sum', 60))`)], T0, T0 + MIN);
    return { value: valuesOf(out, "e")[0], billed: cw.meter.metricsRequested };
  };

  it("reproduces the old bug: a name term also sums a longer name and an earlier ALB of that name", async () => {
    expect(await sumOf(`{AWS/ApplicationELB,LoadBalancer} MetricName="RequestCount" svc-alb`)).toEqual({
      value: 5800,
      billed: 3,
    });
  });

  it("finds one ALB by an exact dimension value", async () => {
    expect(await sumOf(`{AWS/ApplicationELB,LoadBalancer} MetricName="RequestCount" LoadBalancer="${lb}"`)).toEqual({
      value: 100,
      billed: 1,
    });
  });

  it("excludes with NOT and combines with OR", async () => {
    expect((await sumOf(`{AWS/ApplicationELB,LoadBalancer} svc-alb NOT green`)).value).toBe(800);
    expect((await sumOf(`{AWS/ApplicationELB,LoadBalancer} "${lb}" OR "${green}"`)).value).toBe(5100);
  });

  it("restricts to metrics with exactly the schema's dimension names", async () => {
    const { cw, setNow } = emulator();
    seed(cw);
    setNow(T0 + 20 * MIN);
    const out = await get(
      cw,
      [
        expr("e", `SEARCH('{AWS/ApplicationELB,LoadBalancer} svc', 'Minimum', 60)`),
        expr("h", `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} svc', 'Minimum', 60)`),
      ],
      T0,
      T0 + MIN,
    );
    expect(out.MetricDataResults!.filter((r) => r.Id === "e").map((r) => r.Label)).toEqual([
      `${earlier} RequestCount`,
      `${lb} RequestCount`,
      `${green} RequestCount`,
    ]);
    expect(out.MetricDataResults!.filter((r) => r.Id === "h").map((r) => r.Values)).toEqual([[2]]);
  });

  it.each([
    ["count", true],
    ["Count", true],
    ["COUNT", true],
    ["couNT", false],
    ["CustomCount", true],
    ["Count1", true],
    ["customcount", false],
    ["count1", false],
    ["customcount1", true],
    ['"CustomCount1"', true],
    ['"customcount1"', false],
    ['"Custom"', false],
    ["MetricName=Custom", true],
    ['MetricName="Custom"', false],
  ])("matches tokens as the search-expression docs show: %s finds CustomCount1 = %s", async (term, found) => {
    const { cw, setNow } = emulator();
    cw.count({ namespace: "MyNamespace", name: "CustomCount1", dimensions: {} }, T0, 1);
    setNow(T0 + 5 * MIN);
    const out = await get(cw, [expr("e", `SEARCH('{MyNamespace} ${term}', 'Sum', 60)`)], T0, T0 + MIN);
    expect(out.MetricDataResults!.length).toBe(found ? 1 : 0);
  });

  it("joins parts across delimiters and camel case: network-errors finds Network-Errors-2 and NetworkErrors2", async () => {
    const { cw, setNow } = emulator();
    cw.count({ namespace: "App", name: "Network-Errors-2", dimensions: {} }, T0, 1);
    cw.count({ namespace: "App", name: "NetworkErrors2", dimensions: {} }, T0, 1);
    cw.count({ namespace: "App", name: "NetworkLatency", dimensions: {} }, T0, 1);
    setNow(T0 + 5 * MIN);
    const out = await get(cw, [expr("e", `SEARCH('{App} network-errors', 'Sum', 60)`)], T0, T0 + MIN);
    expect(out.MetricDataResults!.map((r) => r.Label).sort()).toEqual(["Network-Errors-2", "NetworkErrors2"]);
  });

  it("does not find a metric that only ever counted zero, nor one silent for two weeks", async () => {
    const { cw, setNow } = emulator();
    cw.count(albRequests("app/quiet/0000000000000000"), T0, 0);
    cw.count(albRequests("app/old/0000000000000000"), T0 - 15 * 24 * 60 * MIN, 10);
    setNow(T0 + 5 * MIN);
    const out = await get(
      cw,
      [expr("e", `SEARCH('{AWS/ApplicationELB,LoadBalancer} RequestCount', 'Sum', 60)`)],
      T0 - MIN,
      T0 + MIN,
    );
    expect(out.MetricDataResults).toEqual([]);
    expect(cw.meter.metricsRequested).toBe(0);
  });

  it("rejects a malformed search as a ValidationError", async () => {
    const { cw } = emulator();
    await expect(
      get(cw, [expr("e", `SEARCH('{AWS/ApplicationELB "unterminated', 'Sum', 60)`)], T0, T0 + MIN),
    ).rejects.toMatchObject({ name: "ValidationException", Code: "ValidationError" });
  });
});

describe("CloudWatchEmulator requests", () => {
  it("meters calls and bills each MetricStat as one metric", async () => {
    const { cw } = emulator();
    await get(cw, [stat("a", api), stat("b", gaugeMetric, "Maximum")], T0, T0 + MIN);
    await get(cw, [stat("a", api)], T0, T0 + MIN);
    expect(cw.meter).toEqual({ calls: 2, metricsRequested: 3 });
  });

  it("pages with NextToken past pageSize datapoints and the pages add up to the whole", async () => {
    const { cw, setNow } = emulator({ pageSize: 4 });
    for (let m = 0; m < 6; m++) (cw.count(api, T0 + m * MIN, m + 1), cw.gauge(gaugeMetric, T0 + m * MIN, 10 + m));
    setNow(T0 + 30 * MIN);
    const pages: GetMetricDataCommandOutput[] = [];
    let token: string | undefined;
    do {
      const page = await get(
        cw,
        [stat("api", api), stat("g", gaugeMetric, "Maximum")],
        T0,
        T0 + 6 * MIN,
        token ? { NextToken: token } : {},
      );
      pages.push(page);
      token = page.NextToken;
    } while (token);

    expect(pages).toHaveLength(3);
    expect(pages[0]!.MetricDataResults!.map((r) => [r.Id, r.Values, r.StatusCode])).toEqual([
      ["api", [1, 2, 3, 4], "PartialData"],
      ["g", [], "PartialData"],
    ]);
    expect(pages.flatMap((p) => valuesOf(p, "api"))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(pages.flatMap((p) => valuesOf(p, "g"))).toEqual([10, 11, 12, 13, 14, 15]);
    expect(pages[2]!.MetricDataResults!.every((r) => r.StatusCode === "Complete")).toBe(true);
  });

  it("keeps the pages of one read consistent while datapoints keep arriving", async () => {
    const { cw, setNow } = emulator({ pageSize: 2, random: () => 0 }); // lag exactly 1 minute
    for (let m = 0; m < 4; m++) cw.count(api, T0 + m * MIN, m + 1);
    setNow(T0 + 4 * MIN); // minutes 0 to 2 are published
    const first = await get(cw, [stat("api", api)], T0, T0 + 4 * MIN);
    expect(first.NextToken).toBeDefined();
    setNow(T0 + 10 * MIN); // minute 3 is published too, after the first page
    const second = await get(cw, [stat("api", api)], T0, T0 + 4 * MIN, { NextToken: first.NextToken! });
    expect([...valuesOf(first, "api"), ...valuesOf(second, "api")]).toEqual([1, 2, 3]);
    expect(second.NextToken).toBeUndefined();
  });

  it("refuses a NextToken it did not issue", async () => {
    const { cw } = emulator();
    await expect(get(cw, [stat("a", api)], T0, T0 + MIN, { NextToken: "bogus" })).rejects.toMatchObject({
      name: "InvalidNextToken",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("rejects what AWS rejects: no StartTime, more than 500 queries, duplicate ids", async () => {
    const { cw } = emulator();
    const missing = cw.send(
      new GetMetricDataCommand({
        MetricDataQueries: [stat("a", api)],
        EndTime: new Date(T0),
      } as GetMetricDataCommand["input"]),
    );
    await expect(missing).rejects.toMatchObject({
      name: "ValidationException",
      Code: "ValidationError",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
      message: expect.stringMatching(/startTime/),
    });
    const many = Array.from({ length: 501 }, (_, i) => stat(`q${i}`, api));
    await expect(get(cw, many, T0, T0 + MIN)).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringMatching(/500/),
    });
    await expect(get(cw, [stat("a", api), stat("a", gaugeMetric)], T0, T0 + MIN)).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringMatching(/not unique/),
    });
    expect(cw.meter.metricsRequested).toBe(0);
  });

  it("fails an operation it does not serve as an unknown operation", async () => {
    const { cw } = emulator();
    await expect(
      cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "AWS/Lambda",
          MetricName: "Errors",
          StartTime: new Date(T0),
          EndTime: new Date(T0 + MIN),
          Period: 60,
        }),
      ),
    ).rejects.toMatchObject({
      name: "UnknownOperationException",
      $fault: "client",
    });
  });

  // How fast it answers is a benchmark's goal (`npm run bench`), not an assertion here.
  it("answers the simulator's load, 5 datapoints and one 5-query, 35-minute read per minute for 10,000 minutes, with every published value", async () => {
    const { cw, setNow } = emulator();
    const lb = albRequests("app/svc-alb/50dc6c495c0c9188");
    const metrics = [api, gaugeMetric, lb, { ...api, name: "4xx" }, { ...gaugeMetric, name: "Throttles" }];
    const queries = metrics.map((m, i) => stat(`q${i}`, m));
    const minutes = 10_000;
    const count = (i: number) => i % 13;
    const wrong: Array<{ minute: number; query: string; got: number[]; expected: number[] }> = [];
    let incomplete = 0;
    for (let i = 0; i < minutes; i++) {
      const t = T0 + i * MIN;
      for (const m of metrics) cw.count(m, t, count(i));
      setNow(t + MIN + 30_000);
      const out = await get(cw, queries, t - 38 * MIN, t - 3 * MIN);
      // Minutes i-38 .. i-4: each ended at least 3 minutes ago (the longest lag), so all are
      // published; a zero count publishes nothing.
      const expected: number[] = [];
      for (let j = Math.max(0, i - 38); j <= i - 4; j++) if (count(j) > 0) expected.push(count(j));
      // Compared by hand and asserted once: an expect per read would cost more than the read.
      for (const q of queries) {
        const got = valuesOf(out, q.Id!);
        if (wrong.length < 3 && (got.length !== expected.length || got.some((v, k) => v !== expected[k])))
          wrong.push({ minute: i, query: q.Id!, got, expected });
      }
      if (!out.MetricDataResults!.every((r) => r.StatusCode === "Complete")) incomplete++;
    }
    expect(wrong).toEqual([]);
    expect(incomplete).toBe(0);
    expect(cw.meter.metricsRequested).toBe(5 * minutes);
  });
});
