import { loadDeploymentConfig } from "../../config/load";
import { formatToggle, parseToggle } from "../../scaler/toggle";
import { breakEven, lambdaExcess, roundTripCost, usd } from "../../scaler/money";
import { ALLOWED_EDGES, decide, policyConfigFrom, runRetryBackoffMinutes, tasksFor, type Metrics, type Observation, type RunObservation, type Series } from "../../scaler/policy";
import type { TierState, Toggle } from "../../scaler/toggle";

// The table is the tier state machine itself; the weighted switch's own steps are at the end.
const c = { ...policyConfigFrom(loadDeploymentConfig(undefined, {})), fargateSwitch: "dns" as const };
const weighted = { ...c, fargateSwitch: "weighted" as const };
const NOW = new Date("2026-11-22T12:00:00Z");
const H = c.historyMinutes; // minutes of history the scaler reads
const BE = breakEven(c); // req/s where both tiers cost the same (about 10.9 with the defaults)
const RT = roundTripCost(c); // the round trip, $0.0343 with the defaults
/** A round-trip price (times a backoff factor) as the reasons print it, escaped for a RegExp. */
const rt = (factor = 1): string => usd(RT * factor).replace(/[$.]/g, (ch) => `\\${ch}`);
/** A rate (req/s) as the reasons print it (2 decimals), escaped for a RegExp. */
const rps = (x: number): string => String(Math.round(x * 100) / 100).replace(".", "\\.");

/** Per-minute requests from a requests-per-second function of "minutes ago" (H-1 .. 0). */
const perMinute = (rps: (ago: number) => number | undefined): Series =>
  Array.from({ length: H }, (_, i) => {
    const v = rps(H - 1 - i);
    return v === undefined ? undefined : v * 60;
  });
const constant = (v: number | undefined): Series => Array(H).fill(v);

/** Demand patterns, in requests per second, by minutes ago; levels are multiples of break-even. */
const DEMAND: Record<string, (ago: number) => number | undefined> = {
  quiet: () => 0.2 * BE,
  sustained: () => 3 * BE,
  // Three minutes far above break-even: $0.017 of Lambda excess, half a round trip.
  burst: (ago) => (ago < 3 ? 5 * BE : 0.2 * BE),
  // One minute at 10x: $0.012 of excess.
  spike: (ago) => (ago === 3 ? 10 * BE : 0.2 * BE),
  // One minute at 30x pays a whole round trip of Lambda excess by itself.
  huge: (ago) => (ago === 3 ? 30 * BE : 0.2 * BE),
  // Busy until an hour ago, quiet since.
  falling: (ago) => (ago < 60 ? 0.2 * BE : 3 * BE),
  // Quiet with a one-minute spike at 15x every 30 minutes (for the last 4 hours).
  spiky: (ago) => (ago % 30 === 0 ? 15 * BE : 0.2 * BE),
  near: () => 1.05 * BE,
};

interface World {
  run?: RunObservation;
  demand?: keyof typeof DEMAND | "missing";
  /** Which tier carries the demand (the API or the ALB). */
  on?: "lambda" | "fargate";
  healthy?: Series;
  throttles?: number;
  record?: boolean | undefined;
  /**
   * Draining: minutes since a scaler first read the record gone, as the status item remembers it
   * (null: nothing remembered). Default: gone since the draining commit when the record is absent.
   */
  gone?: number | null;
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
  const since = new Date(NOW.getTime() - sinceMinutesAgo * 60_000).toISOString();
  const record = "record" in w ? w.record : state === "serving";
  const gone = w.gone === undefined ? (state === "draining" && record === false ? sinceMinutesAgo : null) : w.gone;
  return {
    ...(gone === null ? {} : { memory: { recordGone: { drainSince: since, at: new Date(NOW.getTime() - gone * 60_000).toISOString() } } }),
    toggle: {
      fargate_tier: state,
      fargate_tier_since: since,
      fargate_min_tasks: 2,
      fargate_max_tasks: 10,
      fargate_pinned: false,
      fargate_backoff_up: 0,
      fargate_backoff_down: 0,
      ...toggle,
    },
    fargateRecordLive: record,
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
  ["quiet", "off", 600, { demand: "quiet" }, "off", new RegExp(`Lambda cost \\$0\\.0000 more than Fargate would have; below the round trip ${rt()}`)],
  ["sustained at 3x break-even", "off", 600, { demand: "sustained" }, "warming", new RegExp(`reaching the round trip ${rt()}; adding the Fargate tier with 2 tasks`)],
  ["just back to off (rent counts only while paying it)", "off", 5, { demand: "sustained" }, "off", /below the round trip/],
  ["sustained, with up backoff 3", "off", 30, { demand: "sustained" }, "off", new RegExp(`below the round trip ${rt(8)} \\(backoff x8\\)`), undefined, { fargate_backoff_up: 3 }],
  ["backoff forgotten after the decay", "off", 6000, { demand: "sustained" }, "warming", new RegExp(`reaching the round trip ${rt()};`), undefined, { fargate_backoff_up: 1 }],
  ["a 3-minute burst", "off", 600, { demand: "burst" }, "off", /below the round trip/],
  ["a one-minute spike at 10x", "off", 600, { demand: "spike" }, "off", /below the round trip/],
  ["a one-minute spike at 30x pays a round trip", "off", 600, { demand: "huge" }, "warming", /reaching the round trip/],
  // 5% above break-even saves too little over the window to pay a round trip.
  ["just above break-even", "off", 600, { demand: "near" }, "off", /below the round trip/],
  ["missing data", "off", 600, { demand: "missing" }, "off", /below the round trip/],
  ["throttles", "off", 600, { demand: "quiet", throttles: 3 }, "warming", /throttled 3 request/],
  ["pinned", "off", 600, { demand: "sustained" }, "off", /pinned at off/, undefined, { fargate_pinned: true }],
  ["stale record", "off", 600, { demand: "quiet", record: true }, "off", /below the round trip/, "apply-lagging"],
  ["since in the future", "off", -30, { demand: "sustained" }, "off", /since is in the future/, "toggle-from-future"],

  ["quiet, just started", "warming", 5, { demand: "quiet", healthy: constant(undefined) }, "warming", /no of 1 hosts healthy/],
  ["demand gone for a round trip's worth (abort)", "warming", 40, { demand: "quiet", healthy: constant(undefined) }, "off", /demand fell while warming: .*abandoning the tier \(up backoff 1\)/],
  ["sustained, healthy", "warming", 6, { demand: "sustained", healthy: constant(2) }, "serving", new RegExp(`2 healthy hosts carry the current ${rps(3 * BE)} req/s \\(need 1\\) for 2 min`)],
  ["one healthy host carries the demand", "warming", 6, { demand: "sustained", healthy: constant(1) }, "serving", /need 1/],
  ["healthy for one minute only", "warming", 6, { demand: "sustained", healthy: lastMinuteOnly(2) }, "warming", /of 1 hosts healthy/],
  ["failed apply", "warming", 8, { demand: "sustained", healthy: constant(2), run: failedRun("errored", 1, 0) }, "warming", /holding at warming: the last Terraform run errored/, "apply-failed"],
  ["discarded run", "warming", 8, { demand: "sustained", healthy: constant(2), run: failedRun("discarded", 1, 0) }, "warming", /holding at warming: the last Terraform run discarded/, "apply-failed"],
  ["applied run", "warming", 8, { demand: "sustained", healthy: constant(2), run: { forHead: { id: "run-1", status: "applied", phase: "applied" }, failedAttempts: 0 } }, "serving", /healthy hosts/],
  ["nothing to apply", "warming", 8, { demand: "sustained", healthy: constant(2), run: { forHead: { id: "run-1", status: "planned_and_finished", phase: "applied" }, failedAttempts: 0 } }, "serving", /healthy hosts/],
  ["failed run, Lambda throttling (no hold)", "off", 600, { demand: "quiet", throttles: 4, run: failedRun("errored", 3, 1) }, "warming", /throttled 4 request/, "apply-failed"],
  ["stuck", "warming", 25, { demand: "sustained", healthy: constant(0) }, "warming", /stuck warming: 0 healthy hosts after 25 min/, "stuck-warming"],
  ["missing data", "warming", 6, { demand: "missing", healthy: constant(undefined) }, "warming", /no of 1 hosts healthy/],
  ["throttles, healthy", "warming", 3, { demand: "quiet", throttles: 5, healthy: constant(2) }, "serving", /healthy hosts/],
  ["pinned", "warming", 6, { demand: "sustained", healthy: constant(2) }, "warming", /pinned at warming/, undefined, { fargate_pinned: true }],

  ["sustained", "serving", 120, { demand: "sustained" }, "serving", /Fargate cost \$0\.0000 more than Lambda would have; below the round trip/],
  ["near break-even", "serving", 120, { demand: "near" }, "serving", /below the round trip/],
  ["falling", "serving", 120, { demand: "falling" }, "draining", new RegExp(`Fargate cost \\$0\\.0\\d+ more than Lambda would have, reaching the round trip ${rt()} plus \\$0\\.0000 to warm again .* draining Fargate$`)],
  ["rare spikes do not hold the tier", "serving", 240, { demand: "spiky" }, "draining", /draining Fargate/],
  ["a stay that did not pay adds up backoff", "serving", 60, { demand: "quiet" }, "draining", /this stay saved only \$-0\.\d+: up backoff 1/],
  ["falling, with drain backoff 2", "serving", 120, { demand: "falling" }, "serving", new RegExp(`below the round trip ${rt(4)} \\(backoff x4\\)`), undefined, { fargate_backoff_down: 2 }],
  ["failed apply", "serving", 120, { demand: "falling", run: failedRun("canceled", 1, 0) }, "serving", /holding at serving/, "apply-failed"],
  ["falling before the dwell time", "serving", 10, { demand: "falling" }, "serving", /serving for 10 of at least 15 min/],
  ["missing ALB data", "serving", 120, { demand: "missing", healthy: constant(undefined) }, "serving", /no complete ALB data/],
  ["quiet with Lambda-only counts (the old bug)", "serving", 120, { demand: "quiet", on: "lambda", healthy: constant(undefined) }, "serving", /no complete ALB data/],
  ["unhealthy tier", "serving", 120, { demand: "sustained", healthy: constant(0) }, "serving", /below the round trip/, "unhealthy-tier"],
  ["record missing after apply timeout", "serving", 120, { demand: "sustained", record: false }, "serving", /below/, "apply-lagging"],
  ["pinned", "serving", 120, { demand: "falling" }, "serving", /pinned at serving/, undefined, { fargate_pinned: true }],

  ["quiet, drained", "draining", 5, { demand: "quiet", on: "lambda", record: false, healthy: constant(2) }, "off", /drained: .* 0 req\/s/],
  ["record still live", "draining", 5, { demand: "quiet", on: "lambda", record: true }, "draining", /still live/],
  ["record unknown", "draining", 5, { demand: "quiet", on: "lambda", record: undefined }, "draining", /unknown/],
  ["too early", "draining", 1, { demand: "quiet", on: "lambda", record: false }, "draining", /stays until 2026-11-22T12:00:30Z \(1\.5 min: DNS TTL \+ deregistration delay\)/],
  ["ALB still busy", "draining", 5, { demand: "near", on: "fargate", record: false }, "draining", new RegExp(`ALB still carries ${rps(1.05 * BE)} req/s`)],
  ["stragglers past the deadline", "draining", 40, { demand: "near", on: "fargate", record: false }, "off", new RegExp(`drain deadline: the ALB still carries ${rps(1.05 * BE)} req/s 40 min after the fargate record went \\(limit 31\\.5\\)`)],
  // The drain window and its deadline count from the first run that read the record gone, never from the commit:
  // a draining run that failed and was retried removes the record late, and clients resolved the ALB until then.
  ["record gone late: the window counts from its removal", "draining", 40, { demand: "quiet", on: "lambda", record: false, gone: 1 }, "draining", /the fargate record has been gone since 2026-11-22T11:59:00\.000Z; the ALB stays until 2026-11-22T12:00:30Z/],
  ["record just read gone: the window starts now", "draining", 40, { demand: "quiet", on: "lambda", record: false, gone: null }, "draining", /gone since 2026-11-22T12:00:00Z; the ALB stays until 2026-11-22T12:01:30Z/],
  ["busy stragglers, deadline counted from the removal", "draining", 60, { demand: "near", on: "fargate", record: false, gone: 20 }, "draining", /ALB still carries/],
  ["sustained again, healthy (abort)", "draining", 15, { demand: "sustained", on: "lambda", record: false, healthy: constant(2) }, "serving", /demand came back .* \(drain backoff 1\)/],
  // Without healthy hosts the abort edge is closed; the drained tier goes off and comes back through warming.
  ["sustained again, unhealthy", "draining", 5, { demand: "sustained", on: "lambda", record: false, healthy: constant(0) }, "off", /drained/],
  ["missing ALB data", "draining", 5, { demand: "missing", record: false, healthy: constant(undefined) }, "draining", /no ALB data/],
  ["missing ALB data past the deadline", "draining", 40, { demand: "missing", record: false, healthy: constant(undefined) }, "off", /drain deadline: the fargate record gone for 40 min \(limit 31\.5\) without ALB data/],
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
      // draining -> serving keeps the drain's since, so the dwell is not granted twice.
      expect(d.toggle.fargate_tier_since).toBe(state === "draining" && expected === "serving" ? observe(state, since, world, toggle).toggle.fargate_tier_since : "2026-11-22T12:00:00Z");
    } else {
      expect(d.toggle).toEqual(observe(state, since, world, toggle).toggle);
    }
  });

  it("covers every allowed edge, including both aborts", () => {
    const taken = new Set(
      TABLE.map(([, state, since, world, , , , toggle]) => decide(c, observe(state, since, world, toggle), NOW)).filter((d) => d.action === "commit").map((d) => `${d.from}->${d.to}`),
    );
    // The weighted switch's abort drains (its record has been live since warming).
    const abort = decide(weighted, { ...observe("warming", 40, { demand: "quiet" }), metrics: { ...observe("warming", 40, { demand: "quiet" }).metrics, fargateWeightNow: 10 } }, NOW);
    taken.add(`${abort.from}->${abort.to}`);
    expect([...taken].sort()).toEqual(ALLOWED_EDGES.map(([a, b]) => `${a}->${b}`).sort());
  });

  it("sizes the warming tier from current demand within the configured bounds", () => {
    const busy = observe("off", 600, { demand: "sustained" });
    const heavy: Observation = { ...busy, metrics: { ...busy.metrics, apiRequests: constant(400 * 60) } };
    expect(decide(c, heavy, NOW).toggle.fargate_min_tasks).toBe(Math.ceil(400 / (150 * 0.6)));
    // Coming back while draining resizes the floor for the demand that came back.
    const back = observe("draining", 5, { demand: "sustained", on: "lambda", record: false, healthy: constant(5) });
    expect(decide(c, { ...back, metrics: { ...back.metrics, apiRequests: constant(400 * 60) } }, NOW).toggle).toMatchObject({ fargate_tier: "serving", fargate_min_tasks: 5 });
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
    // Serving, the scaler sleeps between alarms; a floor still to hand back asks it to look again.
    expect(early.followUp).toMatch(/floor 8 goes back to 2 after 15 min/);
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

  it("remembers when a drain's record was first read gone, for this drain only, and forgets it when the record comes back", () => {
    const draining = (w: World) => observe("draining", 40, { demand: "quiet", on: "lambda", ...w });
    const since = draining({}).toggle.fargate_tier_since;
    // First read gone now: remembered as now, keyed by the drain's since.
    const first = decide(c, draining({ record: false, gone: null }), NOW);
    expect(first.memory).toEqual({ recordGone: { drainSince: since, at: "2026-11-22T12:00:00Z" } });
    expect(first.evidence.record_gone_minutes).toBe(0);
    // Read gone before: the first reading is kept, not moved.
    const kept = decide(c, draining({ record: false, gone: 1 }), NOW);
    expect(kept.memory?.recordGone?.at).toBe(new Date(NOW.getTime() - 60_000).toISOString());
    // A reading from an earlier drain (another since) does not count for this one.
    const earlier = { ...draining({ record: false, gone: 35 }), memory: { recordGone: { drainSince: "2026-11-21T09:00:00Z", at: "2026-11-21T09:03:00Z" } } };
    expect(decide(c, earlier, NOW)).toMatchObject({ action: "none", memory: { recordGone: { drainSince: since, at: "2026-11-22T12:00:00Z" } } });
    // Route 53 unreadable: what was remembered is kept, and the drain waits.
    const unknown = decide(c, draining({ record: undefined, gone: 35 }), NOW);
    expect(unknown).toMatchObject({ action: "none", memory: { recordGone: { drainSince: since } } });
    // The record is back (clients resolve the ALB again): forgotten, so the window starts over when it goes.
    expect(decide(c, draining({ record: true, gone: 35 }), NOW).memory).toEqual({});
    // The run that applied the draining commit removed the record, so it was gone by the time that run finished:
    // with nothing remembered (the status item could not be read), the window counts from there, not from now.
    const applied = { forHead: { id: "run-4", status: "applied", phase: "applied" as const, finishedAt: "2026-11-22T11:25:00Z" }, failedAttempts: 0 };
    expect(decide(c, draining({ record: false, gone: null, run: applied }), NOW)).toMatchObject({ action: "commit", to: "off" });
    // Remembered later than that run finished: the run's end counts ...
    const recent = (finishedAt: string) => ({ forHead: { ...applied.forHead, finishedAt }, failedAttempts: 0 });
    expect(decide(c, draining({ record: false, gone: 0.5, run: recent("2026-11-22T11:59:00Z") }), NOW)).toMatchObject({
      action: "none",
      memory: { recordGone: { at: "2026-11-22T11:59:00Z" } },
    });
    // ... but never later than what was remembered.
    expect(decide(c, draining({ record: false, gone: 1, run: recent("2026-11-22T11:59:30Z") }), NOW).memory?.recordGone?.at).toBe(new Date(NOW.getTime() - 60_000).toISOString());
    // Leaving the drain forgets it too, and no other state remembers anything.
    expect(decide(c, draining({ record: false, gone: 35 }), NOW)).toMatchObject({ action: "commit", to: "off", memory: {} });
    expect(decide(c, observe("serving", 120, { demand: "sustained" }), NOW).memory).toEqual({});
  });

  it("puts the figures behind every decision in its evidence", () => {
    const d = decide(c, observe("off", 600, { demand: "sustained" }), NOW);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const price = Number(RT.toFixed(4));
    expect(d.evidence).toMatchObject({ demand_rps: r2(3 * BE), break_even_rps: r2(BE), up_price_usd: price, down_price_usd: price, backoff_up: 0, backoff_down: 0, throttles: 0, minutes_in_state: 600 });
    expect(d.evidence.lambda_behind_usd).toBeCloseTo(H * lambdaExcess(3 * BE * 60, c), 3);
  });

  it("never throws on empty or partial metrics", () => {
    const empty: Metrics = { apiRequests: [], albRequests: [], healthyHosts: [], lambdaThrottles: [], lambdaConcurrency: [] };
    for (const state of ["off", "warming", "serving", "draining"] as TierState[]) {
      const o = observe(state, 500, {});
      expect(() => decide(c, { ...o, metrics: empty }, NOW)).not.toThrow();
      // A drain without evidence ends at its deadline (500 min is far past it).
      expect(decide(c, { ...o, metrics: empty }, NOW).to).toBe(state === "draining" ? "off" : state);
    }
  });
});

describe("policy decide() with the weighted switch (the ALB fronts Lambda and the tasks)", () => {
  const withWeight = (o: Observation, weight: number, healthy: number): Observation => ({ ...o, metrics: { ...o.metrics, fargateWeightNow: weight, healthyTargetsNow: healthy } });

  it("walks the canary 10%, 50%, 100% a step a minute while warming, then serves", () => {
    const at = (weight: number) => decide(weighted, withWeight(observe("warming", 8, { demand: "sustained" }), weight, 2), NOW);
    expect([0, 10, 50].map((w) => at(w).fargateWeight)).toEqual([10, 50, 100]);
    expect(at(10)).toMatchObject({ action: "none", to: "warming" });
    const done = at(100);
    expect(done).toMatchObject({ action: "commit", to: "serving", fargateWeight: 100 });
    expect(done.reason).toMatch(/canary complete: 100% of the ALB's requests on 2 healthy tasks/);
  });

  it("never gives the tasks more than their healthy count carries: no weight without a healthy task, spill while serving", () => {
    const busy = (state: TierState, weight: number, healthy: number) => {
      const o = withWeight(observe(state, 60, { demand: "sustained" }), weight, healthy);
      // 400 req/s against 150 req/s per task.
      return decide(weighted, { ...o, metrics: { ...o.metrics, apiRequests: constant(400 * 60), albRequests: constant(undefined) } }, NOW);
    };
    expect(busy("warming", 0, 0).fargateWeight).toBe(0);
    expect(busy("warming", 10, 1).fargateWeight).toBe(37); // 150 of 400 req/s
    expect(busy("warming", 37, 1)).toMatchObject({ action: "commit", to: "serving" });
    expect(busy("serving", 100, 2).fargateWeight).toBe(75); // 300 of 400: the rest spills to Lambda
    expect(busy("serving", 75, 3).fargateWeight).toBe(100);
  });

  it("drains by weight first and keeps the ALB serving stragglers through Lambda before going off", () => {
    const drained = (minutes: number) => decide(weighted, withWeight(observe("draining", minutes, { demand: "quiet", on: "lambda", record: false }), 100, 2), NOW);
    expect(drained(5)).toMatchObject({ action: "none", fargateWeight: 0 });
    expect(drained(5).reason).toMatch(/stays until 2026-11-22T12:26:30Z \(31\.5 min: DNS TTL \+ deregistration delay \+ 30 min for clients that cache DNS longer\)/);
    expect(drained(32)).toMatchObject({ action: "commit", to: "off" });
    // 32 minutes after the commit, but the record left only 10 minutes ago (its run failed and was retried).
    const late = decide(weighted, withWeight(observe("draining", 32, { demand: "quiet", on: "lambda", record: false, gone: 10 }), 0, 2), NOW);
    expect(late).toMatchObject({ action: "none", to: "draining" });
    expect(late.reason).toMatch(/until 2026-11-22T12:21:30Z/);
    // Demand gone while warming: the record has been live, so the tier drains instead of vanishing.
    const abandoned = decide(weighted, withWeight(observe("warming", 40, { demand: "quiet" }), 10, 0), NOW);
    expect(abandoned).toMatchObject({ action: "commit", to: "draining", fargateWeight: 0 });
    expect(ALLOWED_EDGES).toContainEqual(["warming", "draining"]);
  });

  it("leaves the listener alone when it cannot read it, and in the DNS-only switch", () => {
    expect(decide(weighted, observe("serving", 120, { demand: "sustained" }), NOW).fargateWeight).toBeUndefined();
    expect(decide(c, withWeight(observe("serving", 120, { demand: "sustained" }), 100, 2), NOW).fargateWeight).toBeUndefined();
  });
});

