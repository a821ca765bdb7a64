import { loadDeploymentConfig } from "../../config/load";
import { formatToggle, parseToggle } from "../../scaler/toggle";
import { ALLOWED_EDGES, decide, policyConfigFrom, runRetryBackoffMinutes, tasksFor, type Metrics, type Observation, type RunObservation, type Series } from "../../scaler/policy";
import type { TierState, Toggle } from "../../scaler/toggle";

const c = policyConfigFrom(loadDeploymentConfig(undefined, {}));
const NOW = new Date("2026-11-22T12:00:00Z");
const H = 90; // minutes of history the scaler reads

/** Per-minute requests from a requests-per-second function of "minutes ago" (H-1 .. 0). */
const perMinute = (rps: (ago: number) => number | undefined): Series =>
  Array.from({ length: H }, (_, i) => {
    const v = rps(H - 1 - i);
    return v === undefined ? undefined : v * 60;
  });
const constant = (v: number | undefined): Series => Array(H).fill(v);

/** Demand patterns, in requests per second, by minutes ago. */
const DEMAND: Record<string, (ago: number) => number | undefined> = {
  quiet: () => 2,
  rising: (ago) => (ago >= 10 ? 2 : 2 + 28 * (1 - ago / 9)), // climbs to 30 in 10 min: mean 16, not yet sustained
  sustained: () => 40,
  falling: (ago) => (ago < 40 ? 2 : 40),
  spiky: (ago) => (ago === 3 ? 400 : 2),
  band: () => 12, // inside the hysteresis band (8 < 12 < 20)
  burst: (ago) => (ago < 3 ? 70 : 2), // 3 minutes far above the threshold
};

interface World {
  run?: RunObservation;
  demand?: keyof typeof DEMAND | "missing";
  /** Which tier carries the demand (the API or the ALB). */
  on?: "lambda" | "fargate";
  healthy?: Series;
  throttles?: number;
  record?: boolean | undefined;
}

function observe(state: TierState, sinceMinutesAgo: number, w: World, toggle: Partial<Toggle> = {}): Observation {
  const d = w.demand === "missing" ? constant(undefined) : perMinute(DEMAND[w.demand ?? "quiet"]!);
  const onFargate = (w.on ?? (state === "serving" ? "fargate" : "lambda")) === "fargate";
  const metrics: Metrics = {
    apiRequests: onFargate ? constant(undefined) : d,
    albRequests: onFargate ? d : constant(undefined),
    healthyHosts: w.healthy ?? constant(state === "off" ? undefined : 2),
    lambdaThrottles: Array.from({ length: H }, (_, i) => (i === H - 1 ? (w.throttles ?? 0) : 0)),
    lambdaConcurrency: constant(10),
  };
  return {
    toggle: {
      fargate_tier: state,
      fargate_tier_since: new Date(NOW.getTime() - sinceMinutesAgo * 60_000).toISOString(),
      fargate_min_tasks: 2,
      fargate_max_tasks: 10,
      fargate_pinned: false,
      ...toggle,
    },
    fargateRecordLive: "record" in w ? w.record : state === "serving",
    metrics,
    run: w.run,
  };
}

/** A run for the committed toggle that ended without applying, `minutesAgo` before NOW, the n-th failure in a row. */
const failedRun = (status: string, attempts: number, minutesAgo: number): RunObservation => ({
  forHead: { id: "run-1", status, phase: "failed", finishedAt: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString() },
  failedAttempts: attempts,
});

const lastMinuteOnly = (v: number): Series => Array.from({ length: H }, (_, i) => (i === H - 1 ? v : 0));

type Row = [string, TierState, number, World, TierState, RegExp, string?, Partial<Toggle>?];

// [situation, state, minutes in state, world, expected next state, reason, expected alert, toggle overrides]
const TABLE: Row[] = [
  ["quiet", "off", 600, { demand: "quiet" }, "off", /not sustained above 20/],
  ["rising", "off", 600, { demand: "rising" }, "off", /not sustained/],
  ["sustained", "off", 600, { demand: "sustained" }, "warming", /40 req\/s over 10 min is above 20 req\/s/],
  ["falling", "off", 600, { demand: "falling" }, "off", /not sustained/],
  ["spiky", "off", 600, { demand: "spiky" }, "off", /not sustained/],
  ["burst", "off", 600, { demand: "burst" }, "off", /not sustained/],
  ["band", "off", 600, { demand: "band" }, "off", /not sustained/],
  ["missing data", "off", 600, { demand: "missing" }, "off", /not sustained/],
  ["throttles", "off", 600, { demand: "quiet", throttles: 3 }, "warming", /throttled 3 request/],
  ["pinned", "off", 600, { demand: "sustained" }, "off", /pinned at off/, undefined, { fargate_pinned: true }],
  ["stale record", "off", 600, { demand: "quiet", record: true }, "off", /not sustained/, "apply-lagging"],

  ["quiet, just started", "warming", 5, { demand: "quiet", healthy: constant(undefined) }, "warming", /0?no of 2 hosts healthy|no of 2/],
  ["falling (abort)", "warming", 12, { demand: "quiet", healthy: constant(undefined) }, "off", /fell to 2 req\/s .*abandoning/],
  ["sustained, healthy", "warming", 6, { demand: "sustained", healthy: constant(2) }, "serving", /2 healthy hosts >= 2 for 2 min/],
  ["sustained, one healthy", "warming", 6, { demand: "sustained", healthy: constant(1) }, "warming", /1 of 2 hosts healthy/],
  ["healthy for one minute only", "warming", 6, { demand: "sustained", healthy: lastMinuteOnly(2) }, "warming", /2 of 2 hosts healthy/],
  ["failed apply", "warming", 8, { demand: "sustained", healthy: constant(2), run: failedRun("errored", 1, 0) }, "warming", /holding at warming: the last Terraform run errored/, "apply-failed"],
  ["discarded run", "warming", 8, { demand: "sustained", healthy: constant(2), run: failedRun("discarded", 1, 0) }, "warming", /holding at warming: the last Terraform run discarded/, "apply-failed"],
  ["applied run", "warming", 8, { demand: "sustained", healthy: constant(2), run: { forHead: { id: "run-1", status: "applied", phase: "applied" }, failedAttempts: 0 } }, "serving", /healthy hosts/],
  ["nothing to apply", "warming", 8, { demand: "sustained", healthy: constant(2), run: { forHead: { id: "run-1", status: "planned_and_finished", phase: "applied" }, failedAttempts: 0 } }, "serving", /healthy hosts/],
  ["failed run, Lambda throttling (no hold)", "off", 600, { demand: "quiet", throttles: 4, run: failedRun("errored", 3, 1) }, "warming", /throttled 4 request/, "apply-failed"],
  ["stuck", "warming", 25, { demand: "sustained", healthy: constant(0) }, "warming", /stuck warming: 0 healthy hosts after 25 min/, "stuck-warming"],
  ["missing data", "warming", 6, { demand: "missing", healthy: constant(undefined) }, "warming", /no of 2 hosts healthy/],
  ["throttles, healthy", "warming", 3, { demand: "quiet", throttles: 5, healthy: constant(2) }, "serving", /healthy hosts/],
  ["pinned", "warming", 6, { demand: "sustained", healthy: constant(2) }, "warming", /pinned at warming/, undefined, { fargate_pinned: true }],

  ["sustained", "serving", 120, { demand: "sustained" }, "serving", /keeps the Fargate tier/],
  ["band", "serving", 120, { demand: "band" }, "serving", /keeps the Fargate tier/],
  ["falling", "serving", 120, { demand: "falling" }, "draining", /2 req\/s over 30 min is below 8 req\/s/],
  ["failed apply", "serving", 120, { demand: "falling", run: failedRun("canceled", 1, 0) }, "serving", /holding at serving/, "apply-failed"],
  ["falling before the dwell time", "serving", 30, { demand: "falling" }, "serving", /serving for 30 of at least 60 min/],
  ["spiky", "serving", 120, { demand: "spiky" }, "serving", /keeps the Fargate tier/],
  ["missing ALB data", "serving", 120, { demand: "missing", healthy: constant(undefined) }, "serving", /no complete ALB data/],
  ["quiet with Lambda-only counts (the old bug)", "serving", 120, { demand: "quiet", on: "lambda", healthy: constant(undefined) }, "serving", /no complete ALB data/],
  ["unhealthy tier", "serving", 120, { demand: "sustained", healthy: constant(0) }, "serving", /keeps the Fargate tier/, "unhealthy-tier"],
  ["record missing after apply timeout", "serving", 120, { demand: "sustained", record: false }, "serving", /keeps/, "apply-lagging"],
  ["pinned", "serving", 120, { demand: "falling" }, "serving", /pinned at serving/, undefined, { fargate_pinned: true }],

  ["quiet, drained", "draining", 5, { demand: "quiet", on: "lambda", record: false, healthy: constant(2) }, "off", /drained: .* 0 req\/s/],
  ["record still live", "draining", 5, { demand: "quiet", on: "lambda", record: true }, "draining", /still live/],
  ["record unknown", "draining", 5, { demand: "quiet", on: "lambda", record: undefined }, "draining", /unknown/],
  ["too early", "draining", 1, { demand: "quiet", on: "lambda", record: false }, "draining", /1 of 1.5 min/],
  ["ALB still busy", "draining", 5, { demand: "band", on: "fargate", record: false }, "draining", /ALB still carries 12 req\/s/],
  ["sustained again, healthy (abort)", "draining", 5, { demand: "sustained", on: "lambda", record: false, healthy: constant(2) }, "serving", /demand came back/],
  // Without healthy hosts the abort edge is closed; the drained tier goes off and comes back through warming.
  ["sustained again, unhealthy", "draining", 5, { demand: "sustained", on: "lambda", record: false, healthy: constant(0) }, "off", /drained/],
  ["missing ALB data", "draining", 5, { demand: "missing", record: false, healthy: constant(undefined) }, "draining", /no ALB data/],
  ["throttles, healthy (abort)", "draining", 5, { demand: "quiet", on: "lambda", throttles: 2, record: false }, "serving", /demand came back/],
  ["stuck apply", "draining", 40, { demand: "quiet", on: "lambda", record: true }, "draining", /still live/, "apply-lagging"],
  ["pinned", "draining", 5, { demand: "quiet", on: "lambda", record: false }, "draining", /pinned at draining/, undefined, { fargate_pinned: true }],
];

describe("policy decide()", () => {
  // Objects, not arrays: jest passes a `done` callback to a row shorter than the test function's arity.
  const rows = TABLE.map(([situation, state, since, world, expected, reason, alert, toggle]) => ({ situation, state, since, world, expected, reason, alert, toggle }));
  it.each(rows)("$situation in $state ($since min) -> $expected", ({ state, since, world, expected, reason, alert, toggle }) => {
    const d = decide(c, observe(state, since, world, toggle), NOW);
    expect(d.to).toBe(expected);
    expect(d.action).toBe(expected === state ? "none" : "commit");
    expect(d.reason).toMatch(reason);
    expect(d.alerts.map((a) => a.kind)).toEqual(alert ? [alert] : []);
    if (d.action === "commit") {
      expect(ALLOWED_EDGES).toContainEqual([state, expected]);
      expect(d.toggle.fargate_tier).toBe(expected);
      expect(d.toggle.fargate_tier_since).toBe("2026-11-22T12:00:00Z");
    } else {
      expect(d.toggle).toEqual(observe(state, since, world, toggle).toggle);
    }
  });

  it("covers every allowed edge, including both aborts", () => {
    const taken = new Set(
      TABLE.map(([, state, since, world, , , , toggle]) => decide(c, observe(state, since, world, toggle), NOW)).filter((d) => d.action === "commit").map((d) => `${d.from}->${d.to}`),
    );
    expect([...taken].sort()).toEqual(ALLOWED_EDGES.map(([a, b]) => `${a}->${b}`).sort());
  });

  it("sizes the warming tier from current demand within the configured bounds", () => {
    const busy = observe("off", 600, { demand: "sustained" });
    const heavy: Observation = { ...busy, metrics: { ...busy.metrics, apiRequests: constant(400 * 60) } };
    expect(decide(c, heavy, NOW).toggle.fargate_min_tasks).toBe(Math.ceil(400 / (150 * 0.6)));
    expect(decide(c, busy, NOW).toggle.fargate_min_tasks).toBe(2);
    expect(tasksFor(1e6, c)).toBe(c.maxTasks);
  });

  it("sizes within the toggle's own maximum, so the committed file passes its parser", () => {
    const heavy = observe("off", 600, { demand: "sustained" }, { fargate_max_tasks: 3 });
    const d = decide(c, { ...heavy, metrics: { ...heavy.metrics, apiRequests: constant(400 * 60) } }, NOW);
    expect(d.toggle.fargate_min_tasks).toBe(3);
    expect(() => parseToggle(formatToggle(d.toggle))).not.toThrow();
    // A toggle whose maximum is below the configured minimum still gets a valid floor when it goes off.
    const off = decide(c, observe("draining", 5, { demand: "quiet", on: "lambda", record: false }, { fargate_min_tasks: 1, fargate_max_tasks: 1 }), NOW);
    expect(off.toggle).toMatchObject({ fargate_tier: "off", fargate_min_tasks: 1, fargate_max_tasks: 1 });
  });

  it("queues a failed run again only after a backoff that doubles per failure, up to 30 min", () => {
    expect([1, 2, 3, 4, 5, 6, 9].map(runRetryBackoffMinutes)).toEqual([2, 4, 8, 16, 30, 30, 30]);
    const at = (attempts: number, ago: number) => decide(c, observe("serving", 120, { demand: "sustained", run: failedRun("errored", attempts, ago) }), NOW);
    expect(at(1, 1).requeueRun).toBeUndefined();
    expect(at(1, 2).requeueRun).toMatch(/run-1 errored \(1 in a row\); retrying after 2 min/);
    expect(at(3, 7).requeueRun).toBeUndefined();
    expect(at(3, 8).requeueRun).toMatch(/3 in a row/);
    expect(at(3, 8).action).toBe("none");
    // A run still on its way, or none yet for this commit, is no reason to queue another.
    const pending = decide(c, observe("serving", 120, { demand: "sustained", run: { forHead: { id: "run-2", status: "applying", phase: "pending" }, failedAttempts: 0 } }), NOW);
    expect(pending.requeueRun).toBeUndefined();
    expect(decide(c, observe("serving", 120, { demand: "sustained", run: { failedAttempts: 0 } }), NOW).requeueRun).toBeUndefined();
  });

  it("hands a pre-sized floor back to autoscaling after serving settles, keeping the state's since", () => {
    const early = decide(c, observe("serving", 10, { demand: "sustained" }, { fargate_min_tasks: 8 }), NOW);
    expect(early.action).toBe("none");
    const o = observe("serving", 20, { demand: "sustained" }, { fargate_min_tasks: 8 });
    const d = decide(c, o, NOW);
    expect(d).toMatchObject({ action: "commit", from: "serving", to: "serving" });
    expect(d.toggle).toEqual({ ...o.toggle, fargate_min_tasks: 2 });
    expect(d.reason).toMatch(/floor goes from 8 back to 2/);
  });

  it("resets the sizing to the configured minimum when the tier goes off", () => {
    const d = decide(c, observe("draining", 5, { demand: "quiet", on: "lambda", record: false }, { fargate_min_tasks: 6 }), NOW);
    expect(d.to).toBe("off");
    expect(d.toggle.fargate_min_tasks).toBe(2);
  });

  it("puts the figures behind every decision in its evidence", () => {
    const d = decide(c, observe("off", 600, { demand: "sustained" }), NOW);
    expect(d.evidence).toMatchObject({ demand_rps: 40, up_window_mean_rps: 40, throttles: 0, minutes_in_state: 600 });
  });

  it("never throws on empty or partial metrics", () => {
    const empty: Metrics = { apiRequests: [], albRequests: [], healthyHosts: [], lambdaThrottles: [], lambdaConcurrency: [] };
    for (const state of ["off", "warming", "serving", "draining"] as TierState[]) {
      const o = observe(state, 500, {});
      expect(() => decide(c, { ...o, metrics: empty }, NOW)).not.toThrow();
      expect(decide(c, { ...o, metrics: empty }, NOW).to).toBe(state === "warming" ? "warming" : state);
    }
  });
});
