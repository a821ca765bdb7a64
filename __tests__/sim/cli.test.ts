import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, parseArgs } from "../../sim/cli";
import { parseTrace, TraceError } from "../../sim/trace";
import { ROOT } from "../helpers/processes";
import { SHARED_DIR } from "../helpers/fixtures";

const dir = mkdtempSync(join(tmpdir(), "sim-cli-"));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const run = (argv: string[]) => {
  const errors: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const out = process.stdout.write.bind(process.stdout);
  process.stderr.write = ((s: string) => errors.push(s) > 0) as typeof process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return { code: main(argv), stderr: errors.join("") };
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
  it("exits 2 with a clear message for a missing file, bad flags and a bad trace", () => {
    expect(run(["simulate", "--trace", join(dir, "nope.csv")])).toEqual({ code: 2, stderr: expect.stringContaining("nope.csv: no such file") });
    expect(run(["simulate"]).stderr).toContain("--trace FILE is required");
    expect(run(["simulate", "--trace", "x", "--scale", "-2"]).stderr).toContain('--scale must be a positive number, got "-2"');
    expect(run(["simulate", "--trace", "x", "--delay", "warp=3"]).stderr).toContain("--delay warp=3: unknown delay");
    expect(run(["simulate", "--trace", file("neg.csv", "0,5\n1,-1\n")]).stderr).toContain("neg.csv:2: requests must not be negative");
    expect(run(["simulate", "--trace", file("empty.csv", "")]).stderr).toContain("the trace has no data rows");
  });

  it("advises the cheapest swept thresholds with no more shortfall than the optimum", () => {
    const day = [...Array(300).fill(120), ...Array(240).fill(3600), ...Array(900).fill(90)];
    const trace = file("day.csv", "minute,requests\n" + day.map((r, i) => `${i},${r}`).join("\n") + "\n");
    const out = join(dir, "advice");
    expect(run(["advise", "--trace", trace, "--quick", "--out", out]).code).toBe(0);
    const advice = JSON.parse(readFileSync(join(out, "advice.json"), "utf8"));
    expect(advice.rows.length).toBeGreaterThan(3);
    expect(advice.best.shortfallMinutes).toBeLessThanOrEqual(advice.optimumShortfallMinutes);
    expect(advice.best.totalCost).toBe(Math.min(...advice.rows.filter((r: { shortfallMinutes: number }) => r.shortfallMinutes <= advice.optimumShortfallMinutes).map((r: { totalCost: number }) => r.totalCost)));
    expect(advice.recommendation).toMatch(/^recommended: scaling\.upThresholdRps=\d+/);
  });

  it("parses delay overrides", () => {
    expect(parseArgs(["simulate", "--trace", "t", "--delay", "createMinutes=9"]).delays.createMinutes).toBe(9);
  });

  it("writes JSON and a report that renders in headless Chromium", () => {
    const out = join(ROOT, "test-output", "sim");
    const trace = join(SHARED_DIR, "data", "traces", "nasa-http-1995.csv");
    expect(run(["simulate", "--trace", trace, "--scale", "30", "--out", out]).code).toBe(0);
    const json = JSON.parse(readFileSync(join(out, "simulation.json"), "utf8"));
    expect(json.strategies.map((s: { strategy: string }) => s.strategy)).toEqual(["lambdaflex", "lambda-only", "fargate-always-on", "clairvoyant-optimum"]);
    expect(json.strategies[0].totalCost).toBeGreaterThan(0);
    const chromium = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${mkdtempSync(join(tmpdir(), "chrome-"))}`];
    const html = `file://${join(out, "report.html")}`;
    const dom = spawnSync(chromium[0]!, [...chromium.slice(1), "--dump-dom", html], { encoding: "utf8", timeout: 60_000 });
    if (dom.error) throw new Error(`chromium is not installed (Debian package "chromium"): ${dom.error.message}`);
    expect(dom.stdout).toContain('<svg id="traffic"');
    expect(dom.stdout).toContain('<svg id="cost"');
    expect((dom.stdout.match(/<tr>/g) ?? []).length).toBe(5);
    const shot = join(out, "report.png");
    spawnSync(chromium[0]!, [...chromium.slice(1), "--window-size=1000,1100", `--screenshot=${shot}`, html], { timeout: 60_000 });
    expect(existsSync(shot)).toBe(true);
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  }, 120_000);
});
