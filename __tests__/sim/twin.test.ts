import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { maxRearmGapMinutes } from "../../scaler/handler";
import { ALLOWED_EDGES, policyConfigFrom } from "../../scaler/policy";
import { breakEvenRps, workloadFrom } from "../../model/cost-model";
import { DEFAULT_PRICES } from "../../model/prices";
import { simulateLambdaOnly } from "../../sim/baselines";
import { simulateLambdaFlex, type TwinResult } from "../../sim/twin";
import { DEFAULT_WORLD, parseWorld } from "../../sim/world/params";

// Today's DNS-only switch: the weighted switch's end-to-end behaviour needs the scaler to shift the listener's weights.
const loaded = loadDeploymentConfig(undefined, {});
const config = { ...loaded, fargate: { ...loaded.fargate, switch: "dns" as const } };
const w = workloadFrom(config);
// A day: quiet night, a busy four-hour plateau, quiet again (requests per minute).
const DAY = [...Array(300).fill(120), ...Array(240).fill(3600), ...Array(900).fill(90)];

describe("the digital twin (production scaler against emulated AWS and Terraform Cloud)", () => {
  const history = join(mkdtempSync(join(tmpdir(), "twin-")), "toggle-history");
  let r: TwinResult;
  beforeAll(async () => {
    r = await simulateLambdaFlex(DAY, { config, world: DEFAULT_WORLD, workload: w, historyDir: history });
  }, 60_000);

  it("walks only the allowed edges through the whole cycle and ends with the tier gone", () => {
    const edges = new Set(ALLOWED_EDGES.map(([a, b]) => `${a}->${b}`));
    let state = "off";
    for (const step of r.strategy.log!) {
      expect(step.from).toBe(state);
      expect(edges.has(`${step.from}->${step.to}`)).toBe(true);
      state = step.to;
    }
    expect(r.strategy.log!.map((l) => l.to)).toEqual(["warming", "serving", "draining", "off"]);
    expect(r.resourcesByMinute.at(-1)).toBe(false);
  });

  it("leaves the toggle repository with one commit per scaler commit, in order, with the production messages", () => {
    const subjects = execFileSync("git", ["-C", history, "log", "--reverse", "--format=%H %s"])
      .toString()
      .trim()
      .split("\n");
    expect(subjects).toHaveLength(r.scaler.commits.length + 1);
    expect(subjects[0]).toMatch(/seed: the deployment repository/);
    r.scaler.commits.forEach((c, i) =>
      expect(subjects[i + 1]).toBe(`${c.oid} lambdaflex: ${c.from} -> ${c.to}: ${c.reason}`),
    );
    const toggle = JSON.parse(execFileSync("git", ["-C", history, "show", `HEAD:${config.toggleFile}`]).toString());
    expect(toggle.fargate_tier).toBe("off");
  });

  it("conserves requests and serves nothing on Fargate before it is healthy", () => {
    const total = DAY.reduce((a, b) => a + b, 0);
    expect(r.strategy.requestsByTier.lambda + r.strategy.requestsByTier.fargate).toBeCloseTo(total, 3);
    expect(r.strategy.minutesByTier.lambda + r.strategy.minutesByTier.fargate).toBe(DAY.length);
    // The only failures: long-caching clients (world clients.longCacheShare) still sent to the ALB the DNS-only
    // drain emptied (503s) and then destroyed (a dead endpoint).
    expect(r.worldReport.requestsToDeadEndpoint).toBeGreaterThan(0);
    expect(r.strategy.requestsToDeadEndpoint).toBeCloseTo(r.worldReport.requestsToDeadEndpoint, 6);
    expect(r.worldReport.failedRequests).toBeGreaterThanOrEqual(r.worldReport.requestsToDeadEndpoint);
    expect(r.worldReport.failedRequests).toBeLessThan(DEFAULT_WORLD.clients.longCacheShare * total);
    const firstWarming = r.strategy.log!.find((l) => l.to === "warming")!.minute;
    expect(r.strategy.tierByMinute.indexOf("fargate")).toBeGreaterThan(
      firstWarming + DEFAULT_WORLD.aws.albCreateMinutes[0],
    );
  });

  it("meters the scaler from its calls: hourly while off and serving, every minute while the tier changes, woken by alarms, one run per commit", () => {
    const s = r.scaler;
    const byState = r.strategy.minutesByState!;
    const changing = byState.warming + byState.draining;
    // The heartbeat (24 a day) plus the fargate stack's per-minute rule while the tier changes; serving, it sleeps.
    expect(s.invocationsByTrigger.schedule).toBeGreaterThan(changing - 15);
    expect(s.invocationsByTrigger.schedule).toBeLessThan(changing + 25);
    expect(byState.serving).toBeGreaterThan(4 * changing);
    // The plateau trips the wake-demand alarm once; the fargate stack's low-demand alarm goes off when the
    // new ALB has no traffic yet (warming) and when the plateau ends. The scaler re-arms itself while one stays in ALARM.
    expect(s.invocationsByTrigger.alarm).toBeGreaterThanOrEqual(2);
    expect(s.invocationsByTrigger.alarm).toBeLessThanOrEqual(3);
    expect(s.invocationsByTrigger.rearm).toBeGreaterThan(0);
    expect(s.invocations).toBe(
      (s.invocationsByTrigger.schedule ?? 0) + s.invocationsByTrigger.alarm! + (s.invocationsByTrigger.rearm ?? 0),
    );
    // Two metrics a minute while off, five otherwise (the state decides what the scaler reads).
    expect(s.getMetricDataMetrics).toBeGreaterThan(2 * s.invocations);
    expect(s.getMetricDataMetrics).toBeLessThan(5 * s.invocations);
    expect(s.cost.getMetricData).toBeCloseTo(s.getMetricDataMetrics * DEFAULT_PRICES.getMetricDataMetric, 12);
    expect(s.cost.invocations).toBeCloseTo(s.invocations * DEFAULT_PRICES.lambdaRequest, 12);
    // The status item is written only when it changes (a decision, its reason, an alert, what a drain
    // remembers): at least once per commit, far from once per invocation.
    expect(s.statusWrites).toBeGreaterThanOrEqual(s.commits.length);
    expect(s.statusWrites).toBeLessThan(s.invocations * 0.6);
    expect(s.pages).toEqual({});
    expect(s.snsMessages).toBe(0);
    expect(s.billedResources.alarms).toBeGreaterThan(0);
    expect(s.terraformRuns).toBe(s.commits.length);
    expect(s.logBytes).toBeGreaterThan(s.invocations * 200);
    expect(r.strategy.overheadCost).toBeCloseTo(s.totalCost, 12);
  });

  it("is cheaper than Lambda alone on a busy plateau", () => {
    expect(r.strategy.totalCost).toBeLessThan(
      simulateLambdaOnly(DAY, { config, world: DEFAULT_WORLD, workload: w }).totalCost,
    );
    expect(r.strategy.cumulativeCost.at(-1)).toBeCloseTo(r.strategy.totalCost, 9);
  });

  it("gives the same result for the same seed and a different history for another", async () => {
    const again = await simulateLambdaFlex(DAY, { config, world: DEFAULT_WORLD, workload: w });
    expect(again.scaler.commits.map((c) => [c.minute, c.to])).toEqual(r.scaler.commits.map((c) => [c.minute, c.to]));
    expect(again.strategy.totalCost).toBe(r.strategy.totalCost);
    const other = await simulateLambdaFlex(DAY, { config, world: parseWorld({ seed: 99 }), workload: w });
    expect(other.worldReport.albCreateMinutes).not.toEqual(r.worldReport.albCreateMinutes);
  }, 60_000);

  it("survives a Lambda timeout mid-invocation: the next invocation starts cold and reconciles", async () => {
    // Git requests that take 3-14 s each push many invocations (a clone and a push are 4 requests) past the 60 s timeout.
    const slow = await simulateLambdaFlex(DAY, {
      config,
      world: parseWorld({ scaler: { gitLatencyMs: [3_000, 14_000] } }),
      workload: w,
    });
    expect(slow.scaler.timeouts).toBeGreaterThan(10);
    // Every timeout makes the next invocation cold (the last one may have no next invocation in the day).
    expect(slow.scaler.coldStarts).toBeGreaterThanOrEqual(slow.scaler.timeouts);
    expect(slow.scaler.coldStarts).toBeLessThanOrEqual(slow.scaler.timeouts + 1);
    // The tier comes up; serving, the scaler sleeps until an alarm or the hourly heartbeat, and with most
    // invocations timing out the drain may fall after the day ends (a wake lost to a timeout waits for the heartbeat).
    expect(slow.strategy.log!.map((l) => l.to).slice(0, 2)).toEqual(["warming", "serving"]);
    // A push that landed before its invocation timed out is history all the same, and never repeated.
    expect(new Set(slow.scaler.commits.map((c) => c.oid)).size).toBe(slow.scaler.commits.length);
  }, 60_000);
});

describe("waking the serving scaler (weighted switch): overload spills within minutes, re-arms stay bounded", () => {
  const weighted = loadDeploymentConfig(undefined, {});
  const ww = workloadFrom(weighted);
  const twin = (trace: number[]) => simulateLambdaFlex(trace, { config: weighted, world: DEFAULT_WORLD, workload: ww });

  it("moves a spike past maxTasks to Lambda within minutes of the overload, not at the next heartbeat", async () => {
    // An hour quiet, two hours at 60 req/s (the tier comes up and serves at weight 100 on 2 tasks),
    // two hours at 12,000 req/s (past the 7,500 that 50 tasks carry), then quiet.
    const trace = [
      ...Array(60).fill(60),
      ...Array(120).fill(3600),
      ...Array(120).fill(720_000),
      ...Array(180).fill(60),
    ];
    const r = await twin(trace);
    // After a load that dear, a return would cost a warm-up of Lambda at 12,000 req/s: the idle tier stays.
    expect(r.strategy.log!.map((l) => l.to)).toEqual(["warming", "serving"]);
    // A minute of the spike on the 2 tasks it met is 702,000 requests past their capacity. Woken by the heartbeat
    // alone, the tasks answered 18.7 million late (27 such minutes); now the overload alarm wakes the scaler and it
    // looks each minute while it spills, so what is left is CloudWatch's lag before the spike shows in the metrics.
    const minuteOfExcess = 720_000 - 2 * weighted.fargate.requestsPerTaskPerSecond * 60;
    expect(r.strategy.requestsOverloaded).toBeLessThan(8 * minuteOfExcess);
    expect(r.strategy.requestsFailed.total).toBeLessThan(1);
  }, 60_000);

  it("watches a low-demand episode between bursts at a growing gap: the scaler's invocations stay within the bound", async () => {
    // Two days: two hours at 30x break-even bring the tier up, then a 15-minute burst at 30x every 90 minutes
    // keeps it (each burst prices a warm-up again); between bursts the low-demand alarm stays in ALARM.
    const burst = Math.round(30 * breakEvenRps(ww) * 60);
    const day = Array.from({ length: 1440 }, (_, m) =>
      (m >= 60 && m < 180) || (m >= 180 && (m - 180) % 90 < 15) ? burst : 60,
    );
    const trace = [...day, ...day];
    const r = await twin(trace);
    const burstMinutes = trace.filter((v) => v === burst).length;
    const transitions = r.strategy.log!.length;
    // The bound (README, "The scaler's bill"): each hour the heartbeat and at most 60 / maxGap + 3 patient looks (the
    // 1-2-4 ramp of a new episode, or of a heartbeat's chain before it lands on the first one's minute); a look a
    // minute while a burst overloads or spills, paid only then; and while each transition's run applies, a look a
    // minute for at most 30 minutes.
    const maxGap = maxRearmGapMinutes(policyConfigFrom(weighted));
    expect(maxGap).toBe(8);
    const budget = (trace.length / 60) * (1 + 60 / maxGap + 3) + burstMinutes + 30 * transitions;
    // Re-armed every minute while the alarm stayed in ALARM, the scaler ran 2,387 times on these two days ($0.15); 866 now ($0.06).
    expect(r.scaler.invocations).toBeLessThanOrEqual(budget);
  }, 60_000);
});
