import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sweepGrid } from "../../sim/advisor";
import { IDLE_BILL_LIMIT_USD } from "../../sim/idle-bill";
import { main, parseCommandLine, USAGE } from "../../scripts/simulate";
import { parseTrace, TraceError } from "../../sim/trace";
import { ROOT } from "../helpers/processes";
import { SHARED_DIR } from "../helpers/fixtures";

const dir = mkdtempSync(join(tmpdir(), "sim-cli-"));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const run = async (argv: string[]) => {
  const errors: string[] = [];
  const output: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const out = process.stdout.write.bind(process.stdout);
  process.stderr.write = ((s: string) => errors.push(s) > 0) as typeof process.stderr.write;
  process.stdout.write = ((s: string) => output.push(s) > 0) as typeof process.stdout.write;
  try {
    const code = await main(argv);
    return { code, stderr: errors.join(""), stdout: output.join("") };
  } finally {
    process.stderr.write = write;
    process.stdout.write = out;
  }
};

describe("trace parsing", () => {
  it("reads minute,requests with a header and applies the scale", () => {
    expect(parseTrace("minute,requests\n0,1\n1,2.5\n", "t.csv", 10)).toEqual([10, 25]);
  });

  it.each([
    ["0,1\n1,-3\n", /t\.csv:2: requests must not be negative, got -3/],
    ["minute,requests\n0,1\n1;2\n", /t\.csv:3: expected "minute,requests", got "1;2"/],
    ["0,1\n2,1\n", /t\.csv:2: expected minute 1, got 2/],
    ["0,abc\n", /t\.csv:1: requests "abc" is not a number/],
    ["minute,requests\n", /t\.csv: the trace has no data rows/],
    ["time,count\n0,1\n", /t\.csv:1: header must be "minute,requests"/],
  ])("rejects %j naming the line and the problem", (text, message) => {
    expect(() => parseTrace(text, "t.csv")).toThrow(TraceError);
    expect(() => parseTrace(text, "t.csv")).toThrow(message);
  });
});

describe("simulate CLI", () => {
  it("exits 2 with a clear message for a missing file, bad flags, a bad trace and a bad world file", async () => {
    expect(await run(["simulate", "--trace", join(dir, "nope.csv")])).toEqual({
      code: 2,
      stderr: expect.stringContaining("nope.csv: no such file"),
      stdout: "",
    });
    expect((await run(["simulate"])).stderr).toContain("--trace FILE is required");
    expect((await run(["simulate", "--trace", "x", "--scale", "0"])).stderr).toBe(
      "simulate: --scale must be greater than 0, got 0\n",
    );
    expect((await run(["simulate", "--trace", "x", "--scale=-2"])).stderr).toBe(
      "simulate: --scale must be greater than 0, got -2\n",
    );
    expect((await run(["simulate", "--trace", "x", "--scale", "lots"])).stderr).toBe(
      'simulate: --scale must be a number greater than 0, got "lots"\n',
    );
    expect((await run(["simulate", "--trace", "x", "--delay", "warp=3"])).stderr).toContain(
      "--delay was replaced by --world FILE",
    );
    expect((await run(["simulate", "--trace", file("neg.csv", "0,5\n1,-1\n")])).stderr).toContain(
      "neg.csv:2: requests must not be negative",
    );
    expect((await run(["simulate", "--trace", file("empty.csv", "")])).stderr).toContain("the trace has no data rows");
    const trace = file("ok.csv", "0,5\n1,5\n");
    const bad = await run([
      "simulate",
      "--trace",
      trace,
      "--world",
      file(
        "w.json",
        JSON.stringify({
          cloudwatch: { lagMinutes: [3, 1] },
          terraformCloud: { failureRate: 1.5 },
          aws: { albCreatMinutes: [1, 2] },
        }),
      ),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("cloudwatch.lagMinutes = [3,1]: must be [min, max] with min <= max");
    expect(bad.stderr).toContain("terraformCloud.failureRate = 1.5: Too big");
    expect(bad.stderr).toMatch(/aws.*: Unrecognized key: "albCreatMinutes"/);
    expect((await run(["simulate", "--trace", trace, "--world", file("w2.json", "{ seed: 1 ")])).stderr).toContain(
      "is not valid JSON",
    );
  });

  it("advises the swept setting (switchCostFactor, minDwellMinutes, backoffDecayMinutes) that is cheapest at equal service", async () => {
    const day = [...Array(300).fill(120), ...Array(240).fill(3600), ...Array(900).fill(90)];
    const trace = file("day.csv", "minute,requests\n" + day.map((r, i) => `${i},${r}`).join("\n") + "\n");
    const out = join(dir, "advice");
    const result = await run(["advise", "--trace", trace, "--quick", "--out", out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/sweeping.*100%/); // the progress bar, on stderr
    expect(result.stdout).toMatch(/^recommended: /);
    const advice = JSON.parse(readFileSync(join(out, "advice.json"), "utf8"));
    expect(advice.rows.length).toBeGreaterThanOrEqual(3);
    expect(advice.best.costAtEqualService).toBe(
      Math.min(...advice.rows.map((r: { costAtEqualService: number }) => r.costAtEqualService)),
    );
    expect(advice.best.costAtEqualService).toBeGreaterThanOrEqual(advice.lowerBound.costAtEqualService);
    expect(advice.recommendation).toMatch(
      /^recommended: scaling\.switchCostFactor=[\d.]+ minDwellMinutes=\d+ backoffDecayMinutes=\d+ fargate\.maxTasks=50: \$[\d.]+ at equal service/,
    );
    expect(advice.recommendation).toContain("lower bound at fargate.maxTasks=50 $");
    // Demand never passed what 50 tasks carry: no other maxTasks is worth a run.
    expect(new Set(advice.rows.map((r: { maxTasks: number }) => r.maxTasks))).toEqual(new Set([50]));
  }, 120_000);

  it("sweeps fargate.maxTasks when demand passed what it carries, and recommends the size that was cheapest at equal service", async () => {
    // Two hours at 15,000 req/s, twice what 50 tasks carry at 150 req/s each.
    const surge = [...Array(60).fill(600), ...Array(120).fill(15_000 * 60), ...Array(120).fill(600)];
    const trace = file("surge.csv", "minute,requests\n" + surge.map((r, i) => `${i},${r}`).join("\n") + "\n");
    const out = join(dir, "advice-surge");
    const result = await run(["advise", "--trace", trace, "--quick", "--out", out]);
    expect([result.code, result.stderr.includes("advise:")]).toEqual([0, false]);
    const advice = JSON.parse(readFileSync(join(out, "advice.json"), "utf8"));
    expect(advice.sizing).toEqual(
      expect.objectContaining({
        maxTasks: 50,
        peakRps: 15_000,
        maxTasksForPeakAtFullCapacity: 100,
        maxTasksForPeak: 167,
      }),
    );
    const sizes = [...new Set(advice.rows.map((r: { maxTasks: number }) => r.maxTasks))].sort(
      (a, b) => (a as number) - (b as number),
    );
    expect(sizes).toEqual([50, 75, 100, 167]);
    // More tasks carry on Fargate what 50 spilled to dearer Lambda (or failed): cheaper at equal service.
    expect(advice.best.maxTasks).toBeGreaterThan(50);
    expect(advice.best.costAtEqualService).toBeLessThan(advice.current.costAtEqualService);
    expect(advice.recommendation).toMatch(
      new RegExp(`fargate\\.maxTasks=${advice.best.maxTasks}: .*raise it to ${advice.best.maxTasks}\\)$`),
    );
  }, 180_000);

  it("accepts a byte-order mark at the start of the trace, the world file and the configuration", async () => {
    const bom = "\uFEFF";
    const config = file("bom-config.json", bom + readFileSync(join(ROOT, "lambdaflex.config.json"), "utf8"));
    const run1 = await run([
      "simulate",
      "--trace",
      file("bom.csv", `${bom}minute,requests\n0,5\n1,5\n`),
      "--world",
      file("bom-world.json", `${bom}{"seed": 3}`),
      "--config",
      config,
      "--out",
      join(dir, "bom-out"),
    ]);
    expect([run1.code, run1.stderr]).toEqual([0, ""]);
    expect(JSON.parse(readFileSync(join(dir, "bom-out", "simulation.json"), "utf8")).world.seed).toBe(3);
  });

  it("reads a negative --scale as its value and rejects it with the range, not as an ambiguous option", async () => {
    expect(await run(["simulate", "--trace", "x", "--scale", "-1"])).toEqual({
      code: 2,
      stderr: "simulate: --scale must be greater than 0, got -1\n",
      stdout: "",
    });
    expect(await run(["advise", "--scale", "-0.5", "--trace", "x"])).toEqual({
      code: 2,
      stderr: "advise: --scale must be greater than 0, got -0.5\n",
      stdout: "",
    });
  });

  it("refuses a Fargate size AWS refuses, in the same words as synth and doctor", async () => {
    const config = JSON.parse(readFileSync(join(ROOT, "lambdaflex.config.json"), "utf8"));
    const bad = file(
      "size.json",
      JSON.stringify({ ...config, fargate: { ...config.fargate, cpu: 256, memoryMb: 4096 } }),
    );
    const problem =
      "  - fargate.memoryMb: memoryMb 4096 does not go with cpu 256: Fargate takes 512-2048 MiB (512, 1024 or 2048)\n";
    const trace = file("size.csv", "0,5\n1,5\n");
    for (const command of ["simulate", "advise"]) {
      expect(await run([command, "--trace", trace, "--config", bad, "--out", join(dir, "size-out")])).toEqual({
        code: 2,
        stderr: `${command}: invalid LambdaFlex configuration (${bad}):\n${problem}`,
        stdout: "",
      });
    }
    const synth = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/synth.ts", "--check"],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, CHECKPOINT_DISABLE: "1", LAMBDAFLEX_CONFIG: bad },
      },
    );
    expect([synth.status, synth.stderr]).toEqual([1, `invalid LambdaFlex configuration (${bad}):\n${problem}`]);
  }, 60_000);

  it("parses flags with node:util parseArgs, including --flag=value", () => {
    expect(parseCommandLine(["simulate", "--trace", "t", "--world=w.json", "--scale", "30"])).toEqual(
      expect.objectContaining({ trace: "t", world: "w.json", scale: 30, out: "sim-output", quick: false }),
    );
    expect(parseCommandLine(["advise", "--trace", "t", "--quick"])).toEqual(
      expect.objectContaining({ command: "advise", out: "advise-output", quick: true }),
    );
  });

  it.each([
    [["simulate", "--trace", "t", "--traec", "u"], "simulate: Unknown option '--traec'\n"],
    [["simulate", "--trace", "t", "--quick"], "simulate: Unknown option '--quick'\n"], // advise only
    [["advise", "--trace"], "advise: Option '--trace <value>' argument missing\n"],
    [["simulate", "--trace", "t", "extra.csv"], "simulate: Unexpected argument 'extra.csv'\n"],
    [["simulat"], 'simulat: unknown command "simulat"; use simulate or advise (--help for usage)\n'],
  ])("exits 2 on %j with one line naming the mistake", async (argv, message) => {
    expect(await run(argv)).toEqual({ code: 2, stderr: message, stdout: "" });
  });

  it("says what advise sweeps, in its usage and docs/simulator.md, with the advisor's own parameter names", () => {
    const swept = Object.keys(sweepGrid()[0]!);
    expect(swept).toEqual(["switchCostFactor", "minDwellMinutes", "backoffDecayMinutes", "maxTasks"]);
    const readme = readFileSync(join(ROOT, "docs", "simulator.md"), "utf8");
    const line = readme.split("\n").find((l) => l.startsWith("npm run advise "))!;
    expect(line.slice(line.indexOf("#"))).toBe(`# sweeps ${swept.join(", ")} in the twin`);
    for (const name of swept) expect(USAGE.advise.replace(/\s+/g, " ")).toContain(name);
  });

  it("prints usage with --help and exits 0, for each command", async () => {
    const simulate = await run(["simulate", "--help"]);
    expect([simulate.code, simulate.stderr]).toEqual([0, ""]);
    expect(simulate.stdout).toMatch(/^usage: npm run simulate -- --trace FILE/);
    expect(simulate.stdout).not.toContain("--quick");
    const advise = await run(["advise", "-h"]);
    expect(advise.stdout).toMatch(/^usage: npm run advise -- --trace FILE[^]*--quick/);
    expect((await run(["--help"])).stdout).toMatch(/npm run simulate[^]*npm run advise/);
  });

  it("writes JSON with the world, the scaler and the bills, the toggle history, and the report", async () => {
    const out = join(ROOT, "test-output", "sim");
    const trace = join(SHARED_DIR, "data", "traces", "step-daily.csv");
    const world = file("world.json", JSON.stringify({ seed: 5, terraformCloud: { failureRate: 0.2 } }));
    expect((await run(["simulate", "--trace", trace, "--out", out, "--world", world])).code).toBe(0);
    const json = JSON.parse(readFileSync(join(out, "simulation.json"), "utf8"));
    expect(json.strategies.map((s: { strategy: string }) => s.strategy)).toEqual([
      "lambdaflex",
      "lambdaflex-dns-only",
      "lambda-only",
      "fargate-always-on",
      "same-world-optimum",
      "lower-bound",
    ]);
    expect(json.strategies[0].totalCost).toBeGreaterThan(0);
    // Every strategy says what became of the demand, and what it cost at equal service; the rule and the sizing travel with them.
    for (const s of json.strategies) {
      expect(
        s.requestsServed.lambda + s.requestsServed.fargate + s.requestsFailed.total + s.requestsOverloaded,
      ).toBeCloseTo(json.trace.requests, 0);
      expect(s.costAtEqualService).toBeGreaterThanOrEqual(s.totalCost);
    }
    expect(json.equalService).toEqual({
      rule: expect.stringMatching(/^cost at equal service = /),
      unservedRequestUsd: expect.any(Number),
    });
    expect(json.sizing).toEqual(expect.objectContaining({ maxTasks: 50, peakRps: 60, minutesPastCapacity: 0 }));
    // The weighted switch strands nobody; the DNS-only switch beside it sends long-caching clients to a destroyed ALB.
    expect(json.world.clients).toEqual({ longCacheShare: 0.05, longCacheMinutes: 30 });
    expect(json.strategies[0].requestsToDeadEndpoint).toBe(0);
    expect(json.strategies[1].requestsToDeadEndpoint).toBeGreaterThan(0);
    expect(json.strategies[0].log[0]).toEqual(
      expect.objectContaining({ minute: expect.any(Number), from: "off", to: "warming", reason: expect.any(String) }),
    );
    expect(json.world).toEqual(
      expect.objectContaining({
        seed: 5,
        terraformCloud: expect.objectContaining({ failureRate: 0.2, runMinutes: [1, 3] }),
        cloudwatch: expect.objectContaining({ lagMinutes: [1, 3] }),
      }),
    );
    for (const key of [
      "invocations",
      "getMetricDataMetrics",
      "commits",
      "terraformRuns",
      "terraformRunsFailed",
      "alerts",
    ])
      expect(json.scaler).toHaveProperty(key);
    expect(json.idleBill.totalUsdPerMonth).toBeLessThanOrEqual(IDLE_BILL_LIMIT_USD); // the limit synth:check enforces
    expect(json.idleBill.items.map((i: { item: string }) => i.item).join(" ")).toMatch(/alarm/i);
    const t = json.scaler.invocationsByTrigger;
    expect(json.scaler.invocations).toBe(t.schedule + (t.alarm ?? 0) + (t.rearm ?? 0));
    expect(t.schedule).toBeLessThan(3 * 1440);
    const log = spawnSync("git", ["-C", join(out, "toggle-history"), "log", "--format=%H"], { encoding: "utf8" })
      .stdout.trim()
      .split("\n");
    expect(log).toHaveLength(json.scaler.commits.length + 1);
    expect(log.slice(0, -1).reverse()).toEqual(json.scaler.commits.map((c: { oid: string }) => c.oid));
    // The page itself is opened in headless Chromium in report.test.ts; here, that the CLI wrote it whole.
    const html = readFileSync(join(out, "report.html"), "utf8");
    for (const id of ["verdict", "demand", "tier", "cost", "bill", "strategies", "scaler"])
      expect(html).toContain(`<section id="${id}">`);
    expect(json.strategies[0].bill.lambdaRequests).toEqual({ quantity: expect.any(Number), usd: expect.any(Number) });
  }, 120_000);
});
