import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadDeploymentConfig } from "../../config/load";
import { renderHtml, type SimulationReport } from "../../sim/report";
import { billTable } from "../../sim/report/bill-table";
import { policyFigures, referenceLines } from "../../sim/report/data";
import { verdict } from "../../sim/report/verdict";
import { runAll } from "../../sim/run";
import { sizingFor } from "../../sim/sizing";
import type { StrategyResult } from "../../sim/simulator";
import { loadTrace } from "../../sim/trace";
import { DEFAULT_WORLD } from "../../sim/world/params";
import { HeadlessPage } from "../helpers/chromium";
import { SHARED_DIR } from "../helpers/fixtures";
import { ROOT } from "../helpers/processes";

/** A strategy result with only what the report reads set; `unservedUsd` is what equal service charges for its `failed` and `overloaded` requests. */
function strategy(
  name: string,
  o: {
    total: number;
    overhead?: number;
    bill?: Record<string, number>;
    resourceMinutes?: number;
    lambdaRequests?: number;
    fargateRequests?: number;
    minutes?: number;
    shortfall?: number;
    dead?: number;
    failed?: number;
    overloaded?: number;
    unservedUsd?: number;
  },
): StrategyResult {
  const minutes = o.minutes ?? 1440;
  const failed = (o.failed ?? 0) + (o.dead ?? 0);
  return {
    strategy: name,
    totalCost: o.total,
    overheadCost: o.overhead ?? 0,
    costPerMillionRequests: 0,
    transitions: 0,
    transitionsPerDay: 0,
    minutesByTier: { lambda: minutes, fargate: 0 },
    minutesWithFargateResources: o.resourceMinutes ?? 0,
    requestsByTier: { lambda: o.lambdaRequests ?? 0, fargate: o.fargateRequests ?? 0 },
    requestsServed: { lambda: o.lambdaRequests ?? 0, fargate: o.fargateRequests ?? 0 },
    requestsFailed: { throttled: o.failed ?? 0, rateLimited: 0, noTarget: 0, deadEndpoint: o.dead ?? 0, total: failed },
    requestsOverloaded: o.overloaded ?? 0,
    costAtEqualService: o.total + (o.unservedUsd ?? 0),
    shortfallMinutes: o.shortfall ?? 0,
    requestsToDeadEndpoint: o.dead ?? 0,
    requestsMisroutedToApi: 0,
    tierByMinute: Array(minutes).fill("lambda"),
    cumulativeCost: Array.from({ length: minutes }, (_, i) => (o.total * (i + 1)) / minutes),
    bill: Object.fromEntries(Object.entries(o.bill ?? {}).map(([k, usd]) => [k, { quantity: 1, usd }])),
  };
}

const scaler = (cost: Record<string, number>) =>
  ({
    cost,
    totalCost: Object.values(cost).reduce((a, b) => a + b, 0),
    invocations: 10,
    billedSeconds: 5,
    getMetricDataMetrics: 20,
    statusWrites: 2,
    rearms: 0,
    logBytes: 1e6,
    tokenReads: 3,
    billedResources: { alarms: 4, dashboards: 0 },
  }) as unknown as SimulationReport["scaler"];

describe("the demand chart's reference lines", () => {
  it.each([
    [
      "rps thresholds by name",
      { breakEvenRps: 12.75, thresholds: { upRps: 20, downRps: 8 } },
      ["break-even 12.75", "scale up above 20", "scale down below 8"],
    ],
    [
      "a list of lines",
      { breakEvenRps: 12.75, thresholds: [{ label: "enter Fargate", rps: 30 }] },
      ["break-even 12.75", "enter Fargate 30"],
    ],
    [
      "cost figures that are not rates",
      { breakEvenRps: 12.75, thresholds: { transitionCostUsd: 0.4, holdRps: 10 } },
      ["break-even 12.75", "hold 10"],
    ],
    ["no thresholds", { breakEvenRps: 12.75 }, ["break-even 12.75"]],
    ["nothing at all", {}, []],
  ])("draws the break-even and the rates the policy names, given %s", (_, report, expected) => {
    expect(referenceLines(report as never).map((l) => `${l.label} ${l.rps}`)).toEqual(expected);
  });

  it("lists the policy's figures that are not rates beside the chart, each in its unit", () => {
    expect(
      policyFigures({ thresholds: { roundTripUsd: 0.402, switchCostFactor: 1.5, warmupMinutes: 10, upRps: 20 } }),
    ).toEqual(["round trip $0.40", "switch cost factor 1.5", "warmup 10 min"]);
    expect(policyFigures({ thresholds: [{ label: "x", rps: 1 }] })).toEqual([]);
  });
});

describe("the itemized bill", () => {
  it("adds LambdaFlex's scaler items to its world bill, so every column adds up to the strategy's total", () => {
    const report = {
      strategies: [
        strategy("lambdaflex", { total: 1.5, overhead: 0.5, bill: { lambdaRequests: 0.25, albHours: 0.75 } }),
        strategy("lambda-only", { total: 2, bill: { lambdaRequests: 2 } }),
      ],
      scaler: scaler({ invocations: 0.1, getMetricData: 0.4 }),
    };
    const t = billTable(report);
    expect(t.rows.map((r) => r.label)).toEqual([
      "Lambda requests",
      "ALB hours",
      "Scaler: Lambda requests",
      "Scaler: CloudWatch GetMetricData",
    ]);
    expect(t.rows.find((r) => r.label === "Scaler: Lambda requests")!.cells).toEqual([
      { usd: 0.1, quantity: 10 },
      undefined,
    ]);
    t.totals.forEach((total, j) =>
      expect(t.rows.reduce((a, r) => a + (r.cells[j]?.usd ?? 0), 0)).toBeCloseTo(total, 10),
    );
  });

  it("shows what a result does not itemize as one row, so an older simulation still adds up", () => {
    const t = billTable({
      strategies: [
        strategy("fargate-always-on", { total: 4, bill: { albHours: 1 } }),
        strategy("lambda-only", { total: 3 }),
      ],
      scaler: scaler({}),
    });
    expect(t.rows.at(-1)).toEqual({ group: "Other", label: "Not itemized", unit: "", cells: [{ usd: 3 }, { usd: 3 }] });
  });
});

describe("the verdict", () => {
  const lf = strategy("lambdaflex", {
    total: 1.35,
    overhead: 0.05,
    bill: { apiGatewayRequests: 0.5, fargateVcpuHours: 0.8 },
    resourceMinutes: 288,
    lambdaRequests: 14,
    fargateRequests: 86,
  });
  const report = (...others: StrategyResult[]) => ({
    strategies: [lf, ...others],
    scaler: scaler({ getMetricData: 0.05 }),
    breakEvenRps: 12.75,
  });

  it.each([
    [
      "Fargate always on",
      strategy("fargate-always-on", {
        total: 4.08,
        bill: { fargateVcpuHours: 4.08 },
        resourceMinutes: 1440,
        fargateRequests: 100,
      }),
      "saved",
      /^\$2\.73 less than Fargate always on, which cost \$4\.08 \(67% less\)\.$/,
      /^LambdaFlex paid \$3\.28 less for the Fargate tier \(it existed 20% of the time, against 100%\), \$0\.50 more for the Lambda tier \(it served 14% of requests on Lambda, against 0%\) and \$0\.05 for the scaler itself\.$/,
    ],
    [
      "the optimum",
      strategy("clairvoyant-optimum", {
        total: 0.95,
        bill: { apiGatewayRequests: 0.15, fargateVcpuHours: 0.8 },
        resourceMinutes: 240,
        lambdaRequests: 4,
        fargateRequests: 96,
      }),
      "lost",
      /^\$0\.40 more than the clairvoyant optimum \(a lower bound.*\), which cost \$0\.95 \(42% more\)\.$/,
      /^LambdaFlex paid \$0\.35 more for the Lambda tier .* and \$0\.05 for the scaler itself\.$/,
    ],
    [
      "an equal strategy",
      strategy("lambda-only", { total: 1.35, bill: { apiGatewayRequests: 1.35 }, lambdaRequests: 100, shortfall: 12 }),
      "even",
      /^About the same as Lambda only \(\$1\.35\)\.$/,
      /Lambda only also could not carry the demand in 12 minutes \(LambdaFlex: 0\)\.$/,
    ],
  ])(
    "says what LambdaFlex saved or lost against %s, and which part of the bill made the difference",
    (_, alt, outcome, lead, why) => {
      const [c] = verdict(report(alt), Array(1440).fill(600)).comparisons;
      expect(c).toEqual({
        strategy: alt.strategy,
        outcome,
        lead: expect.stringMatching(lead),
        why: expect.stringMatching(why),
      });
    },
  );

  it("compares at equal service: a strategy that overloaded its tasks is charged for those requests, and can lose though its bill is lower", () => {
    const always = strategy("fargate-always-on", {
      total: 1.2,
      bill: { fargateVcpuHours: 1.2 },
      resourceMinutes: 1440,
      fargateRequests: 60,
      overloaded: 40,
      unservedUsd: 0.4,
    });
    const [c] = verdict(report(always), Array(1440).fill(600)).comparisons;
    expect(c!.outcome).toBe("saved");
    expect(c!.lead).toBe(
      "At equal service, $0.25 less than Fargate always on, which cost $1.60 ($1.20 billed, plus $0.40 for the 40 requests it failed or overloaded; 16% less).",
    );
    expect(c!.why).toContain(
      "$0.40 less for requests not served within capacity (it failed 0 and overloaded 0, against 0 and 40)",
    );
  });

  it("names the reference of every ratio, the same-world optimum and the lower bound when both are there", () => {
    const both = verdict(
      report(
        strategy("same-world-optimum", { total: 1.2 }),
        strategy("lower-bound", { total: 0.9, overloaded: 10, unservedUsd: 0.1 }),
        strategy("fargate-always-on", { total: 4.08 }),
        strategy("lambda-only", { total: 2.7 }),
      ),
      Array(1440).fill(600),
    );
    expect(both.ratios).toEqual([
      "LambdaFlex is 1.13x the same-world optimum (clairvoyant, in the twin with the world's median delays and target tracking) at equal service ($1.35 against $1.20).",
      "LambdaFlex is 1.35x the lower bound (clairvoyant, with the world's shortest delays and perfectly sized tasks) at equal service ($1.35 against $1.00).",
      "LambdaFlex is 0.50x the cheaper single tier, Lambda only, at equal service ($1.35 against $2.70).",
    ]);
    expect(both.comparisons.map((c) => c.strategy)).toEqual([
      "fargate-always-on",
      "lambda-only",
      "same-world-optimum",
      "lower-bound",
    ]);
    expect(verdict(report(strategy("lower-bound", { total: 0.9 })), Array(1440).fill(600)).ratios).toEqual([
      "LambdaFlex is 1.50x the lower bound (clairvoyant, with the world's shortest delays and perfectly sized tasks) at equal service ($1.35 against $0.90).",
    ]);
  });

  it("says when demand passed what maxTasks carries, what it cost, and the maxTasks that would have carried it; nothing when it did not", () => {
    const trace = [...Array(1380).fill(600), ...Array(60).fill(15_000 * 60)];
    const w = { maxTasks: 50, requestsPerTaskPerSecond: 150, targetUtilization: 0.6 };
    const always = strategy("fargate-always-on", { total: 4, failed: 1000, overloaded: 2_000_000, unservedUsd: 2.36 });
    const v = verdict(
      { ...report(always), sizing: sizingFor(trace, w), equalService: { rule: "", unservedRequestUsd: 1.18e-6 } },
      trace,
    );
    expect(v.sizing).toBe(
      "Demand passed what fargate.maxTasks = 50 tasks carry (7,500 req/s at 150 req/s a task) in 60 minutes, peaking at 15,000 req/s: 27,000,000 requests more than the tasks can serve, about $31.86 served on Lambda. " +
        "Over the whole trace, LambdaFlex failed 0 and overloaded 0 requests ($0.00 at equal service) and Fargate always on failed 1,000 and overloaded 2,000,000 requests ($2.36 at equal service). " +
        "fargate.maxTasks = 167 would have carried the peak on Fargate at the 60% target utilization (100 at full capacity); npm run advise sweeps maxTasks.",
    );
    expect(
      verdict({ ...report(always), sizing: sizingFor(Array(1440).fill(600), w) }, Array(1440).fill(600)).sizing,
    ).toBeUndefined();
  });

  it("puts Fargate always on first and says how often demand was above the break-even", () => {
    const v = verdict(report(strategy("lambda-only", { total: 3 }), strategy("fargate-always-on", { total: 4 })), [
      ...Array(1200).fill(60),
      ...Array(240).fill(3600),
    ]);
    expect(v.comparisons.map((c) => c.strategy)).toEqual(["fargate-always-on", "lambda-only"]);
    expect(v.headline).toBe(
      "LambdaFlex cost $1.35 for 936,000 requests over 1.0 days, $0.05 of it for the scaler itself.",
    );
    expect(v.notes[0]).toMatch(
      /^Demand was above the break-even of 12\.75 req\/s, where Fargate serves more cheaply than Lambda, in 17% of minutes/,
    );
  });
});

describe("the report in headless Chromium", () => {
  const out = join(ROOT, "test-output", "report");
  const width = 1280;
  const height = 900;
  let report: SimulationReport;
  let trace: number[];
  let page: HeadlessPage;
  const requests: string[] = [];
  const problems: string[] = [];

  /** Opens a report file and waits until its charts exist. */
  async function open(file: string): Promise<number> {
    const started = Date.now();
    const loaded = page.next("Page.loadEventFired");
    await page.send("Page.navigate", { url: pathToFileURL(file).href });
    await loaded;
    for (let i = 0; i < 100 && !(await page.evaluate<boolean>("Boolean(window.lambdaflexReport)")); i++)
      await new Promise((r) => setTimeout(r, 100));
    return Date.now() - started;
  }

  /** The number of painted pixels in each chart's canvas. */
  const painted = () =>
    page.evaluate<
      Record<string, { width: number; height: number; painted: number }>
    >(`Object.fromEntries([...document.querySelectorAll(".chart")].map((el) => {
      const c = el.querySelector("canvas");
      const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
      return [el.id, { width: c.width, height: c.height, painted: n }];
    }))`);

  beforeAll(async () => {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    // Two days of the step scenario: the tier goes through its whole cycle once a day.
    trace = loadTrace(join(SHARED_DIR, "data", "traces", "step-daily.csv")).slice(0, 2 * 1440);
    report = await runAll(trace, {
      config: loadDeploymentConfig(undefined, {}),
      world: DEFAULT_WORLD,
      source: "step-daily.csv (first 2 days)",
      scale: 1,
    });
    writeFileSync(join(out, "report.html"), renderHtml(report, trace));
    // Any host name resolves to nothing, so a request that escaped the page's CSP would fail and show up below.
    page = await HeadlessPage.launch({ width, height, extraArgs: ["--host-resolver-rules=MAP * ~NOTFOUND"] });
    page.on("Network.requestWillBeSent", (e) => requests.push(e.request.url));
    page.on(
      "Runtime.consoleAPICalled",
      (e) =>
        ["error", "warning", "assert"].includes(e.type) &&
        problems.push(
          `console.${e.type}: ${e.args.map((a: { value?: unknown; description?: string }) => a.value ?? a.description).join(" ")}`,
        ),
    );
    page.on("Runtime.exceptionThrown", (e) =>
      problems.push(`uncaught: ${e.exceptionDetails.exception?.description ?? e.exceptionDetails.text}`),
    );
    page.on(
      "Log.entryAdded",
      (e) =>
        ["error", "warning"].includes(e.entry.level) &&
        problems.push(`${e.entry.source} ${e.entry.level}: ${e.entry.text} ${e.entry.url ?? ""}`),
    );
    for (const domain of ["Page", "Runtime", "Log", "Network"]) await page.send(`${domain}.enable`);
    await page.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false });
    await open(join(out, "report.html"));
  }, 90_000);

  afterAll(async () => {
    await page?.close();
  });

  it("loads with no network request but the page itself, and logs no error", () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(join(out, "report.html")).href]);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(?!data:)/);
  });

  it("draws the demand, tier and cost charts, each with a painted canvas", async () => {
    const charts = await painted();
    expect(Object.keys(charts)).toEqual(["chart-demand", "chart-tier", "chart-cost"]);
    for (const c of Object.values(charts)) {
      expect(c.width).toBeGreaterThan(800);
      expect(c.painted).toBeGreaterThan(2000);
    }
    const legend = await page.evaluate<string>(`document.querySelector("#chart-demand .u-legend").innerText`);
    // The reference lines (whatever the policy names) are told apart in the legend, never as labels drawn over one another.
    const lines = referenceLines(report);
    expect(lines.map((l) => l.label)).toContain("break-even");
    for (const l of lines) expect(legend.split(l.label)).toHaveLength(2);
  });

  it("answers on its first screen why LambdaFlex cost more or less than Fargate always on", async () => {
    const first = await page.evaluate<{ text: string; bottom: number }>(
      `(() => { const li = document.querySelector("#verdict li"); return { text: li.innerText, bottom: li.getBoundingClientRect().bottom }; })()`,
    );
    const lf = report.strategies.find((s) => s.strategy === "lambdaflex")!;
    const always = report.strategies.find((s) => s.strategy === "fargate-always-on")!;
    expect(first.bottom).toBeLessThan(height);
    // At equal service: each bill plus what its failed and overloaded requests would have cost on Lambda.
    expect(first.text).toContain(`than Fargate always on, which cost $${always.costAtEqualService.toFixed(2)}`);
    expect(first.text).toContain(
      `$${Math.abs(lf.costAtEqualService - always.costAtEqualService).toFixed(2)} ${lf.costAtEqualService < always.costAtEqualService ? "less" : "more"}`,
    );
    expect(first.text).toMatch(/for the Fargate tier \(it existed \d+% of the time, against 100%\)/);
    expect(first.text).toMatch(/for the scaler itself/);
  });

  it("says on its first screen when demand passed what maxTasks carries, and lists what each strategy served, overloaded and failed", async () => {
    // The same results, with demand that passed maxTasks' capacity: the sizing paragraph is drawn from the report's sizing alone.
    const past = {
      ...report,
      sizing: {
        ...report.sizing!,
        minutesPastCapacity: 42,
        requestsPastCapacity: 1.2e7,
        peakRps: 11_000,
        maxTasksForPeak: 123,
        maxTasksForPeakAtFullCapacity: 74,
      },
    };
    const file = join(out, "report-past-max-tasks.html");
    writeFileSync(file, renderHtml(past, trace));
    await open(file);
    const sizing = await page.evaluate<{ text: string; bottom: number }>(
      `(() => { const p = document.querySelector("#verdict #sizing"); return { text: p.innerText, bottom: p.getBoundingClientRect().bottom }; })()`,
    );
    expect(sizing.bottom).toBeLessThan(height);
    expect(sizing.text).toContain(`Demand passed what fargate.maxTasks = ${report.sizing!.maxTasks} tasks carry`);
    expect(sizing.text).toContain("fargate.maxTasks = 123 would have carried the peak");
    const head = await page.evaluate<string[]>(
      `[...document.querySelectorAll("#strategies-table tr:first-child th")].map((th) => th.textContent)`,
    );
    expect(head).toEqual(
      expect.arrayContaining([
        "billed",
        "at equal service",
        "served on Lambda",
        "served on Fargate",
        "overloaded",
        "failed",
      ]),
    );
    await shot("first-screen-past-max-tasks");
    await open(join(out, "report.html"));
    expect(problems).toEqual([]);
  });

  it("shows a transition's reason when the pointer rests on its marker", async () => {
    const log = report.strategies.find((s) => s.strategy === "lambdaflex")!.log ?? [];
    expect(log.length).toBeGreaterThan(0); // a working scaler goes through the cycle on this trace
    const t = log[0]!;
    const point = await page.evaluate<{ x: number; y: number }>(`(() => {
      const u = window.lambdaflexReport.charts.tier;
      const r = u.over.getBoundingClientRect();
      u.over.scrollIntoView({ block: "center" });
      const r2 = u.over.getBoundingClientRect();
      return { x: r2.left + u.valToPos(${t.minute}, "x"), y: r2.top + r2.height / 2 };
    })()`);
    await page.send("Input.dispatchMouseEvent", { type: "mouseMoved", x: point.x - 40, y: point.y });
    await page.send("Input.dispatchMouseEvent", { type: "mouseMoved", x: point.x, y: point.y });
    const tip = await page.evaluate<{ text: string; hidden: boolean }>(
      `(() => { const t = document.querySelector("#chart-tier .tip"); return { text: t.innerText, hidden: t.hidden }; })()`,
    );
    expect(tip.hidden).toBe(false);
    expect(tip.text).toContain(`${t.from} → ${t.to}`);
    expect(tip.text).toContain(t.reason);
    await shot("tier-hover", "#tier", { scroll: false });
    await page.send("Input.dispatchMouseEvent", { type: "mouseMoved", x: 5, y: 5 });
  });

  it("zooms every chart to the day picked, and back to the whole trace", async () => {
    const ranges = () =>
      page.evaluate<number[][]>(
        `Object.values(window.lambdaflexReport.charts).map((u) => [u.scales.x.min, u.scales.x.max])`,
      );
    await page.evaluate(
      `(() => { const s = document.getElementById("zoom-day"); s.value = "1"; s.dispatchEvent(new Event("change")); })()`,
    );
    expect(await ranges()).toEqual([
      [1440, 2880],
      [1440, 2880],
      [1440, 2880],
    ]);
    expect(await page.evaluate(`document.getElementById("zoom-range").textContent`)).toBe(
      "showing day 1 00:00 to day 2 00:00",
    );
    await shot("demand-day-1", "#demand");
    await page.evaluate(`document.getElementById("zoom-all").click()`);
    expect(await ranges()).toEqual([
      [0, trace.length - 1],
      [0, trace.length - 1],
      [0, trace.length - 1],
    ]);
  });

  it("itemizes each strategy's bill, the scaler's items included, adding up to its total", async () => {
    const table = await page.evaluate<string[][]>(
      `[...document.querySelectorAll("#bill-table tr")].map((tr) => [...tr.children].map((c) => c.firstChild ? c.firstChild.textContent : ""))`,
    );
    const labels = table.map((r) => r[0]);
    for (const item of [
      "API Gateway requests (HTTP API)",
      "Lambda requests",
      "Lambda compute (arm64)",
      "Fargate vCPU (Linux/ARM)",
      "Fargate memory (Linux/ARM)",
      "ALB hours",
      "ALB capacity units",
      "Public IPv4 addresses",
      "Scaler: Lambda requests",
      "Scaler: CloudWatch GetMetricData",
    ]) {
      expect(labels).toContain(item);
    }
    expect(labels).not.toContain("Not itemized");
    expect(table.at(-1)).toEqual(["total", "", ...report.strategies.map((s) => `$${s.totalCost.toFixed(2)}`)]);
  });

  it("keeps a screenshot of each section", async () => {
    for (const id of ["verdict", "demand", "tier", "cost", "bill", "strategies", "scaler"]) {
      const png = await shot(id, `#${id}`);
      expect(png.readUInt32BE(16)).toBeGreaterThan(600); // width, from the PNG header
      expect(png.readUInt32BE(20)).toBeGreaterThan(60); // height
    }
    await shot("first-screen");
  });

  it("stays small and quick on an 84,000-minute trace (NASA, two months)", async () => {
    const nasa = loadTrace(join(SHARED_DIR, "data", "traces", "nasa-http-1995.csv"), 20);
    const n = nasa.length;
    // A synthetic result per strategy with NASA's length: the page's cost does not depend on how the figures came about.
    const lf = report.strategies[0]!;
    const stretched = report.strategies.map(
      (s, j) =>
        ({
          ...s,
          tierByMinute: nasa.map((r) => (r / 60 > 12.75 ? "fargate" : "lambda")),
          cumulativeCost: nasa.map((_, i) => (i + 1) * (j + 1) * 1e-4),
        }) as StrategyResult,
    );
    const log = Array.from({ length: 240 }, (_, i) => ({
      minute: Math.floor((i * n) / 240),
      from: (["off", "warming", "serving", "draining"] as const)[i % 4]!,
      to: (["warming", "serving", "draining", "off"] as const)[i % 4]!,
      reason: lf.log?.[i % 4]?.reason ?? "reason",
    }));
    stretched[0] = { ...stretched[0]!, log };
    const big: SimulationReport = {
      ...report,
      trace: {
        source: "nasa-http-1995.csv (synthetic results)",
        scale: 20,
        minutes: n,
        requests: nasa.reduce((a, b) => a + b, 0),
      },
      strategies: stretched,
      fargateShareByMinute: nasa.map((r) => (r / 60 > 12.75 ? 1 : 0)),
    };
    const file = join(out, "report-nasa.html");
    writeFileSync(file, renderHtml(big, nasa));
    expect(readFileSync(file).length).toBeLessThan(3e6);
    const ms = await open(file);
    expect(problems).toEqual([]);
    for (const c of Object.values(await painted())) expect(c.painted).toBeGreaterThan(2000);
    expect(ms).toBeLessThan(15_000);
    await shot("long-trace-charts", "#charts");
  }, 60_000);

  /** Saves a PNG of the element `selector` (or the viewport) into test-output/report (a CI artifact). */
  async function shot(name: string, selector?: string, o: { scroll: boolean } = { scroll: true }): Promise<Buffer> {
    // From the top, where the sticky zoom bar sits above the charts rather than over one of them
    // (but not under a hovering pointer: scrolling would move the page away from it).
    if (o.scroll) await page.evaluate("window.scrollTo(0, 0)");
    const clip = selector
      ? await page.evaluate<{ x: number; y: number; width: number; height: number }>(
          `(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect(); return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height }; })()`,
        )
      : undefined;
    const { data } = await page.send<{ data: string }>("Page.captureScreenshot", {
      format: "png",
      ...(clip ? { clip: { ...clip, scale: 1 }, captureBeyondViewport: true } : {}),
    });
    const png = Buffer.from(data, "base64");
    writeFileSync(join(out, `${name}.png`), png);
    return png;
  }
});
