import { loadDeploymentConfig } from "../../config/load";
import { formatToggle, parseToggle } from "../../model/toggle";
import { breakEven, lambdaExcess, roundTripCost, usd } from "../../scaler/money";
import {
  ALLOWED_EDGES,
  decide,
  policyConfigFrom,
  roundTripShape,
  runRetryBackoffMinutes,
  tasksFor,
  type Metrics,
  type Observation,
  type RunObservation,
  type Series,
} from "../../scaler/policy";
import type { TierState, Toggle } from "../../model/toggle";

// The table is the tier state machine itself; the weighted switch's own steps are at the end.
const c = { ...policyConfigFrom(loadDeploymentConfig(undefined, {})), fargateSwitch: "dns" as const };
const weighted = { ...c, fargateSwitch: "weighted" as const };
const NOW = new Date("2026-11-22T12:00:00Z");
const H = c.historyMinutes; // minutes of history the scaler reads
const BE = breakEven(c); // req/s where both tiers cost the same (about 10.9 with the defaults)
// The round trip as the policy prices it for the observations below (2 tasks, at most 10):
// 15 min of warm-up, then 1.5 of drain window and 10 of teardown, $0.0364 with the defaults.
const RT = roundTripCost(c, roundTripShape(c, { fargate_max_tasks: 10 }, 2));
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
  // One minute at 40x pays a whole round trip of Lambda excess by itself.
  huge: (ago) => (ago === 3 ? 40 * BE : 0.2 * BE),
  // Busy until two hours ago, quiet since.
  falling: (ago) => (ago < 120 ? 0.2 * BE : 3 * BE),
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
    ...(gone === null
      ? {}
      : { memory: { recordGone: { drainSince: since, at: new Date(NOW.getTime() - gone * 60_000).toISOString() } } }),
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
  forHead: {
    id: "run-1",
    status,
    phase: "failed",
    finishedAt: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
  },
  failedAttempts: attempts,
});

const lastMinuteOnly = (v: number): Series => Array.from({ length: H }, (_, i) => (i === H - 1 ? v : 0));

type Row = [string, TierState, number, World, TierState, RegExp, string?, Partial<Toggle>?];

// [situation, state, minutes in state, world, expected next state, reason, expected alert, toggle overrides]
const TABLE: Row[] = [
  [
    "quiet",
    "off",
    600,
    { demand: "quiet" },
    "off",
    new RegExp(`Lambda cost \\$0\\.0000 more than Fargate would have; below the round trip ${rt()}`),
  ],
  [
    "sustained at 3x break-even",
    "off",
    600,
    { demand: "sustained" },
    "warming",
    new RegExp(
      `reaching the round trip ${rt()}; adding the Fargate tier with 2 tasks for the ${rps(3 * BE)} req/s that lasted`,
    ),
  ],
  [
    "just back to off (rent counts only while paying it)",
    "off",
    5,
    { demand: "sustained" },
    "off",
    /below the round trip/,
  ],
  [
    "sustained, with up backoff 3",
    "off",
    30,
    { demand: "sustained" },
    "off",
    new RegExp(`below the round trip ${rt(8)} \\(backoff x8\\)`),
    undefined,
    { fargate_backoff_up: 3 },
  ],
  [
    "backoff forgotten after the decay",
    "off",
    6000,
    { demand: "sustained" },
    "warming",
    new RegExp(`reaching the round trip ${rt()};`),
    undefined,
    { fargate_backoff_up: 1 },
  ],
  ["a 3-minute burst", "off", 600, { demand: "burst" }, "off", /below the round trip/],
  ["a one-minute spike at 10x", "off", 600, { demand: "spike" }, "off", /below the round trip/],
  // Currency: the spike paid the round trip, but the sum holds no more than the price, and the quiet minutes since spent it.
  ["a one-minute spike at 40x, over", "off", 600, { demand: "huge" }, "off", /below the round trip/],
  // 5% above break-even saves too little over the window to pay a round trip.
  ["just above break-even", "off", 600, { demand: "near" }, "off", /below the round trip/],
  ["missing data", "off", 600, { demand: "missing" }, "off", /below the round trip/],
  ["throttles", "off", 600, { demand: "quiet", throttles: 3 }, "warming", /throttled 3 request/],
  ["pinned", "off", 600, { demand: "sustained" }, "off", /pinned at off/, undefined, { fargate_pinned: true }],
  ["stale record", "off", 600, { demand: "quiet", record: true }, "off", /below the round trip/, "apply-lagging"],
  ["since in the future", "off", -30, { demand: "sustained" }, "off", /since is in the future/, "toggle-from-future"],

  [
    "quiet, just started",
    "warming",
    5,
    { demand: "quiet", healthy: constant(undefined) },
    "warming",
    /no of 1 hosts healthy/,
  ],
  [
    "demand gone for a round trip's worth (abort)",
    "warming",
    40,
    { demand: "quiet", healthy: constant(undefined) },
    "off",
    /demand fell while warming: .*abandoning the tier \(up backoff 1\)/,
  ],
  [
    "sustained, healthy",
    "warming",
    6,
    { demand: "sustained", healthy: constant(2) },
    "serving",
    new RegExp(`2 healthy hosts carry the current ${rps(3 * BE)} req/s \\(need 1\\) for 2 min`),
  ],
  [
    "one healthy host carries the demand",
    "warming",
    6,
    { demand: "sustained", healthy: constant(1) },
    "serving",
    /need 1/,
  ],
  [
    "healthy for one minute only",
    "warming",
    6,
    { demand: "sustained", healthy: lastMinuteOnly(2) },
    "warming",
    /of 1 hosts healthy/,
  ],
  [
    "failed apply",
    "warming",
    8,
    { demand: "sustained", healthy: constant(2), run: failedRun("errored", 1, 0) },
    "warming",
    /holding at warming: the last Terraform run errored/,
    "apply-failed",
  ],
  [
    "discarded run",
    "warming",
    8,
    { demand: "sustained", healthy: constant(2), run: failedRun("discarded", 1, 0) },
    "warming",
    /holding at warming: the last Terraform run discarded/,
    "apply-failed",
  ],
  [
    "applied run",
    "warming",
    8,
    {
      demand: "sustained",
      healthy: constant(2),
      run: { forHead: { id: "run-1", status: "applied", phase: "applied" }, failedAttempts: 0 },
    },
    "serving",
    /healthy hosts/,
  ],
  [
    "nothing to apply",
    "warming",
    8,
    {
      demand: "sustained",
      healthy: constant(2),
      run: { forHead: { id: "run-1", status: "planned_and_finished", phase: "applied" }, failedAttempts: 0 },
    },
    "serving",
    /healthy hosts/,
  ],
  [
    "failed run, Lambda throttling (no hold)",
    "off",
    600,
    { demand: "quiet", throttles: 4, run: failedRun("errored", 3, 1) },
    "warming",
    /throttled 4 request/,
    "apply-failed",
  ],
  [
    "stuck",
    "warming",
    25,
    { demand: "sustained", healthy: constant(0) },
    "warming",
    /stuck warming: 0 healthy hosts after 25 min/,
    "stuck-warming",
  ],
  [
    "missing data",
    "warming",
    6,
    { demand: "missing", healthy: constant(undefined) },
    "warming",
    /no of 1 hosts healthy/,
  ],
  [
    "throttles, healthy",
    "warming",
    3,
    { demand: "quiet", throttles: 5, healthy: constant(2) },
    "serving",
    /healthy hosts/,
  ],
  [
    "pinned",
    "warming",
    6,
    { demand: "sustained", healthy: constant(2) },
    "warming",
    /pinned at warming/,
    undefined,
    { fargate_pinned: true },
  ],

  [
    "sustained",
    "serving",
    120,
    { demand: "sustained" },
    "serving",
    /Fargate cost \$0\.0000 more than Lambda would have; below the round trip/,
  ],
  ["near break-even", "serving", 120, { demand: "near" }, "serving", /below the round trip/],
  [
    "falling",
    "serving",
    240,
    { demand: "falling" },
    "draining",
    new RegExp(
      `Fargate cost \\$0\\.\\d+ more than Lambda would have, reaching the round trip ${rt()} plus \\$0\\.0\\d+ to warm again at the ${rps(3 * BE)} req/s it was busy at; draining Fargate$`,
    ),
  ],
  ["rare spikes do not hold the tier", "serving", 240, { demand: "spiky" }, "draining", /draining Fargate/],
  [
    "a stay that did not pay adds up backoff",
    "serving",
    60,
    { demand: "quiet" },
    "draining",
    /this stay saved only \$-0\.\d+: up backoff 1/,
  ],
  [
    "falling, with drain backoff 2",
    "serving",
    120,
    { demand: "falling" },
    "serving",
    new RegExp(`below the round trip ${rt(4)} \\(backoff x4\\)`),
    undefined,
    { fargate_backoff_down: 2 },
  ],
  [
    "failed apply",
    "serving",
    120,
    { demand: "falling", run: failedRun("canceled", 1, 0) },
    "serving",
    /holding at serving/,
    "apply-failed",
  ],
  [
    "falling before the dwell time",
    "serving",
    10,
    { demand: "falling" },
    "serving",
    /serving for 10 of at least 15 min/,
  ],
  [
    "missing ALB data",
    "serving",
    120,
    { demand: "missing", healthy: constant(undefined) },
    "serving",
    /no complete ALB data/,
  ],
  [
    "quiet with Lambda-only counts (the old bug)",
    "serving",
    120,
    { demand: "quiet", on: "lambda", healthy: constant(undefined) },
    "serving",
    /no complete ALB data/,
  ],
  [
    "unhealthy tier",
    "serving",
    120,
    { demand: "sustained", healthy: constant(0) },
    "serving",
    /below the round trip/,
    "unhealthy-tier",
  ],
  [
    "record missing after apply timeout",
    "serving",
    120,
    { demand: "sustained", record: false },
    "serving",
    /below/,
    "apply-lagging",
  ],
  [
    "pinned",
    "serving",
    120,
    { demand: "falling" },
    "serving",
    /pinned at serving/,
    undefined,
    { fargate_pinned: true },
  ],

  [
    "quiet, drained",
    "draining",
    5,
    { demand: "quiet", on: "lambda", record: false, healthy: constant(2) },
    "off",
    /drained: .* 0 req\/s/,
  ],
  ["record still live", "draining", 5, { demand: "quiet", on: "lambda", record: true }, "draining", /still live/],
  ["record unknown", "draining", 5, { demand: "quiet", on: "lambda", record: undefined }, "draining", /unknown/],
  [
    "too early",
    "draining",
    1,
    { demand: "quiet", on: "lambda", record: false },
    "draining",
    /stays until 2026-11-22T12:00:30Z \(1\.5 min: DNS TTL \+ deregistration delay\)/,
  ],
  [
    "ALB still busy",
    "draining",
    5,
    { demand: "near", on: "fargate", record: false },
    "draining",
    new RegExp(`ALB still carries ${rps(1.05 * BE)} req/s`),
  ],
  [
    "stragglers past the deadline",
    "draining",
    40,
    { demand: "near", on: "fargate", record: false },
    "off",
    new RegExp(
      `drain deadline: the ALB still carries ${rps(1.05 * BE)} req/s 40 min after the fargate record went \\(limit 31\\.5\\)`,
    ),
  ],
  // The drain window and its deadline count from the first run that read the record gone, never from the commit:
  // a draining run that failed and was retried removes the record late, and clients resolved the ALB until then.
  [
    "record gone late: the window counts from its removal",
    "draining",
    40,
    { demand: "quiet", on: "lambda", record: false, gone: 1 },
    "draining",
    /the fargate record has been gone since 2026-11-22T11:59:00\.000Z; the ALB stays until 2026-11-22T12:00:30Z/,
  ],
  [
    "record just read gone: the window starts now",
    "draining",
    40,
    { demand: "quiet", on: "lambda", record: false, gone: null },
    "draining",
    /gone since 2026-11-22T12:00:00Z; the ALB stays until 2026-11-22T12:01:30Z/,
  ],
  [
    "busy stragglers, deadline counted from the removal",
    "draining",
    60,
    { demand: "near", on: "fargate", record: false, gone: 20 },
    "draining",
    /ALB still carries/,
  ],
  [
    "sustained again, healthy (abort)",
    "draining",
    15,
    { demand: "sustained", on: "lambda", record: false, healthy: constant(2) },
    "serving",
    /demand came back .* \(drain backoff 1\)/,
  ],
  // Without healthy hosts the abort edge is closed; the drained tier goes off and comes back through warming.
  [
    "sustained again, unhealthy",
    "draining",
    5,
    { demand: "sustained", on: "lambda", record: false, healthy: constant(0) },
    "off",
    /drained/,
  ],
  [
    "missing ALB data",
    "draining",
    5,
    { demand: "missing", record: false, healthy: constant(undefined) },
    "draining",
    /no ALB data/,
  ],
  [
    "missing ALB data past the deadline",
    "draining",
    40,
    { demand: "missing", record: false, healthy: constant(undefined) },
    "off",
    /drain deadline: the fargate record gone for 40 min \(limit 31\.5\) without ALB data/,
  ],
  [
    "throttles, healthy (abort)",
    "draining",
    5,
    { demand: "quiet", on: "lambda", throttles: 2, record: false },
    "serving",
    /demand came back/,
  ],
  [
    "stuck apply",
    "draining",
    40,
    { demand: "quiet", on: "lambda", record: true },
    "draining",
    /still live/,
    "apply-lagging",
  ],
  [
    "pinned",
    "draining",
    5,
    { demand: "quiet", on: "lambda", record: false },
    "draining",
    /pinned at draining/,
    undefined,
    { fargate_pinned: true },
  ],
];

describe("policy decide()", () => {
  // Objects, not arrays: jest passes a `done` callback to a row shorter than the test function's arity.
  const rows = TABLE.map(([situation, state, since, world, expected, reason, alert, toggle]) => ({
    situation,
    state,
    since,
    world,
    expected,
    reason,
    alert,
    toggle,
  }));
  it.each(rows)(
    "$situation in $state ($since min) -> $expected",
    ({ state, since, world, expected, reason, alert, toggle }) => {
      const d = decide(c, observe(state, since, world, toggle), NOW);
      expect(d.to).toBe(expected);
      expect(d.action).toBe(expected === state ? "none" : "commit");
      expect(d.reason).toMatch(reason);
      expect(d.alerts.map((a) => a.kind)).toEqual(alert ? [alert] : []);
      if (d.action === "commit") {
        expect(ALLOWED_EDGES).toContainEqual([state, expected]);
        expect(d.toggle.fargate_tier).toBe(expected);
        // draining -> serving keeps the drain's since, so the dwell is not granted twice.
        expect(d.toggle.fargate_tier_since).toBe(
          state === "draining" && expected === "serving"
            ? observe(state, since, world, toggle).toggle.fargate_tier_since
            : "2026-11-22T12:00:00Z",
        );
      } else {
        expect(d.toggle).toEqual(observe(state, since, world, toggle).toggle);
      }
    },
  );

  it("covers every allowed edge, including both aborts", () => {
    const taken = new Set(
      TABLE.map(([, state, since, world, , , , toggle]) => decide(c, observe(state, since, world, toggle), NOW))
        .filter((d) => d.action === "commit")
        .map((d) => `${d.from}->${d.to}`),
    );
    // The weighted switch's abort drains (its record has been live since warming); its round trip
    // includes the 30-minute straggler window, so it takes longer to pay.
    const quietWarming = observe("warming", 90, { demand: "quiet" });
    const abort = decide(
      weighted,
      { ...quietWarming, metrics: { ...quietWarming.metrics, fargateWeightNow: 10 } },
      NOW,
    );
    taken.add(`${abort.from}->${abort.to}`);
    expect([...taken].sort()).toEqual(ALLOWED_EDGES.map(([a, b]) => `${a}->${b}`).sort());
  });

  it("sizes the warming tier from current demand within the configured bounds", () => {
    const busy = observe("off", 600, { demand: "sustained" });
    const heavy: Observation = { ...busy, metrics: { ...busy.metrics, apiRequests: constant(400 * 60) } };
    expect(decide(c, heavy, NOW).toggle.fargate_min_tasks).toBe(Math.ceil(400 / (150 * 0.6)));
    // Coming back while draining resizes the floor for the demand that came back.
    const back = observe("draining", 5, { demand: "sustained", on: "lambda", record: false, healthy: constant(5) });
    expect(
      decide(c, { ...back, metrics: { ...back.metrics, apiRequests: constant(400 * 60) } }, NOW).toggle,
    ).toMatchObject({ fargate_tier: "serving", fargate_min_tasks: 5 });
    expect(decide(c, busy, NOW).toggle.fargate_min_tasks).toBe(2);
    expect(tasksFor(1e6, c)).toBe(c.maxTasks);
  });

  it("sizes within the toggle's own maximum, so the committed file passes its parser", () => {
    const heavy = observe("off", 600, { demand: "sustained" }, { fargate_max_tasks: 3 });
    const d = decide(c, { ...heavy, metrics: { ...heavy.metrics, apiRequests: constant(400 * 60) } }, NOW);
    expect(d.toggle.fargate_min_tasks).toBe(3);
    expect(() => parseToggle(formatToggle(d.toggle))).not.toThrow();
    // A toggle whose maximum is below the configured minimum still gets a valid floor when it goes off.
    const off = decide(
      c,
      observe(
        "draining",
        5,
        { demand: "quiet", on: "lambda", record: false },
        { fargate_min_tasks: 1, fargate_max_tasks: 1 },
      ),
      NOW,
    );
    expect(off.toggle).toMatchObject({ fargate_tier: "off", fargate_min_tasks: 1, fargate_max_tasks: 1 });
  });

  it("queues a failed run again only after a backoff that doubles per failure, up to 30 min", () => {
    expect([1, 2, 3, 4, 5, 6, 9].map(runRetryBackoffMinutes)).toEqual([2, 4, 8, 16, 30, 30, 30]);
    const at = (attempts: number, ago: number) =>
      decide(c, observe("serving", 120, { demand: "sustained", run: failedRun("errored", attempts, ago) }), NOW);
    expect(at(1, 1).requeueRun).toBeUndefined();
    expect(at(1, 2).requeueRun).toMatch(/run-1 errored \(1 in a row\); retrying after 2 min/);
    expect(at(3, 7).requeueRun).toBeUndefined();
    expect(at(3, 8).requeueRun).toMatch(/3 in a row/);
    expect(at(3, 8).action).toBe("none");
    // A run still on its way, or none yet for this commit, is no reason to queue another.
    const pending = decide(
      c,
      observe("serving", 120, {
        demand: "sustained",
        run: { forHead: { id: "run-2", status: "applying", phase: "pending" }, failedAttempts: 0 },
      }),
      NOW,
    );
    expect(pending.requeueRun).toBeUndefined();
    expect(
      decide(c, observe("serving", 120, { demand: "sustained", run: { failedAttempts: 0 } }), NOW).requeueRun,
    ).toBeUndefined();
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
    const d = decide(
      c,
      observe("draining", 5, { demand: "quiet", on: "lambda", record: false }, { fargate_min_tasks: 6 }),
      NOW,
    );
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
    const earlier = {
      ...draining({ record: false, gone: 35 }),
      memory: { recordGone: { drainSince: "2026-11-21T09:00:00Z", at: "2026-11-21T09:03:00Z" } },
    };
    expect(decide(c, earlier, NOW)).toMatchObject({
      action: "none",
      memory: { recordGone: { drainSince: since, at: "2026-11-22T12:00:00Z" } },
    });
    // Route 53 unreadable: what was remembered is kept, and the drain waits.
    const unknown = decide(c, draining({ record: undefined, gone: 35 }), NOW);
    expect(unknown).toMatchObject({ action: "none", memory: { recordGone: { drainSince: since } } });
    // The record is back (clients resolve the ALB again): forgotten, so the window starts over when it goes.
    expect(decide(c, draining({ record: true, gone: 35 }), NOW).memory).toEqual({});
    // The run that applied the draining commit removed the record, so it was gone by the time that run finished:
    // with nothing remembered (the status item could not be read), the window counts from there, not from now.
    const applied = {
      forHead: { id: "run-4", status: "applied", phase: "applied" as const, finishedAt: "2026-11-22T11:25:00Z" },
      failedAttempts: 0,
    };
    expect(decide(c, draining({ record: false, gone: null, run: applied }), NOW)).toMatchObject({
      action: "commit",
      to: "off",
    });
    // Remembered later than that run finished: the run's end counts ...
    const recent = (finishedAt: string) => ({ forHead: { ...applied.forHead, finishedAt }, failedAttempts: 0 });
    expect(decide(c, draining({ record: false, gone: 0.5, run: recent("2026-11-22T11:59:00Z") }), NOW)).toMatchObject({
      action: "none",
      memory: { recordGone: { at: "2026-11-22T11:59:00Z" } },
    });
    // ... but never later than what was remembered.
    expect(
      decide(c, draining({ record: false, gone: 1, run: recent("2026-11-22T11:59:30Z") }), NOW).memory?.recordGone?.at,
    ).toBe(new Date(NOW.getTime() - 60_000).toISOString());
    // A run stamped ahead of the scaler's clock (another machine's clock) counts from now, not from the future.
    const ahead = decide(c, draining({ record: false, gone: null, run: recent("2026-11-22T12:40:00Z") }), NOW);
    expect(ahead.memory?.recordGone?.at).toBe("2026-11-22T12:00:00Z");
    expect(ahead.evidence.record_gone_minutes).toBe(0);
    // Leaving the drain forgets it too, and no other state remembers anything.
    expect(decide(c, draining({ record: false, gone: 35 }), NOW)).toMatchObject({
      action: "commit",
      to: "off",
      memory: {},
    });
    expect(decide(c, observe("serving", 120, { demand: "sustained" }), NOW).memory).toEqual({});
  });

  it("puts the figures behind every decision in its evidence", () => {
    const d = decide(c, observe("off", 600, { demand: "sustained" }), NOW);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const price = Number(RT.toFixed(4));
    // Without up backoff, no lead rent: classic ski rental on the round trip.
    expect(d.evidence).toMatchObject({
      demand_rps: r2(3 * BE),
      break_even_rps: r2(BE),
      up_price_usd: price,
      down_price_usd: price,
      lead_rent_usd: 0,
      warmup_minutes: 15,
      backoff_up: 0,
      backoff_down: 0,
      throttles: 0,
      minutes_in_state: 600,
    });
    // With a step of it, the doubled round trip plus Lambda's excess at the current rate for the 15 minutes the tier takes to warm.
    const backedOff = decide(c, observe("off", 30, { demand: "sustained" }, { fargate_backoff_up: 1 }), NOW);
    const leadRent = 15 * lambdaExcess(3 * BE * 60, c);
    expect(backedOff.evidence.lead_rent_usd).toBeCloseTo(leadRent, 4);
    expect(backedOff.evidence.up_price_usd).toBeCloseTo(2 * RT + leadRent, 4);
    // The sum holds no more than the price: money past it is never needed.
    expect(d.evidence.lambda_behind_usd).toBe(price);
  });

  it("never throws on empty or partial metrics", () => {
    const empty: Metrics = {
      apiRequests: [],
      albRequests: [],
      healthyHosts: [],
      lambdaThrottles: [],
      lambdaConcurrency: [],
    };
    for (const state of ["off", "warming", "serving", "draining"] as TierState[]) {
      const o = observe(state, 500, {});
      expect(() => decide(c, { ...o, metrics: empty }, NOW)).not.toThrow();
      // A drain without evidence ends at its deadline (500 min is far past it).
      expect(decide(c, { ...o, metrics: empty }, NOW).to).toBe(state === "draining" ? "off" : state);
    }
  });
});

describe("policy decide(), second generation: loads shaped against the money rule", () => {
  /** An off stay of `minutes` whose demand (req/s) is `rps(ago)`, on Lambda. */
  const offWith = (rps: (ago: number) => number, toggle: Partial<Toggle> = {}): Observation => {
    const o = observe("off", 600, { demand: "quiet" }, toggle);
    return { ...o, metrics: { ...o.metrics, apiRequests: perMinute(rps) } };
  };
  const servingWith = (rps: (ago: number) => number): Observation => {
    const o = observe("serving", 240, { demand: "quiet" });
    return { ...o, metrics: { ...o.metrics, albRequests: perMinute(rps) } };
  };

  it("after a wasted switch up, buys only for a load that outlasts the warm-up: the price takes Lambda's rent while the tier warms", () => {
    // A burst at 30x break-even: a minute of it costs more excess than the whole round trip.
    const burst = (minutes: number, toggle: Partial<Toggle> = {}) =>
      offWith((ago) => (ago < minutes ? 30 * BE : 0.2 * BE), toggle);
    const e = lambdaExcess(30 * BE * 60, c);
    const trip = roundTripCost(c, roundTripShape(c, { fargate_max_tasks: 10 }, tasksFor(30 * BE, c, 10)));
    expect(e).toBeGreaterThan(RT);
    const buysAt = (toggle: Partial<Toggle>) =>
      Array.from({ length: 60 }, (_, m) => m + 1).find((m) => decide(c, burst(m, toggle), NOW).action === "commit");
    // No backoff: classic ski rental, bought once the burst has cost the round trip (its first minute, at 2 tasks).
    expect(buysAt({})).toBe(1);
    // One step of up backoff (the last switch up did not pay): twice the round trip (its floor sized for the
    // burst) plus the 15 minutes of Lambda a tier bought now cannot avoid. A burst shorter than that never buys.
    expect(decide(c, burst(5, { fargate_backoff_up: 1 }), NOW)).toMatchObject({
      action: "none",
      reason: expect.stringMatching(
        /below the round trip .* \(backoff x2\) plus \$\d\.\d+ of Lambda while it warms 15 min/,
      ),
    });
    expect(buysAt({ fargate_backoff_up: 1 })).toBe(15 + Math.ceil((2 * trip) / e));
  });

  it("does not spend money a load earned long ago, and buys only while the load is on (currency)", () => {
    // Two minutes at 300x break-even an hour ago, quiet since, and now 3 minutes at 2x.
    const stale = offWith((ago) => (ago < 3 ? 2 * BE : ago === 60 || ago === 61 ? 300 * BE : 0.2 * BE));
    const d = decide(c, stale, NOW);
    expect(d.action).toBe("none");
    // The spike's dollars were capped at the price, and the hour of quiet since (Lambda the cheaper tier) spent them.
    const quietMinute = -lambdaExcess(0.2 * BE * 60, c);
    expect(d.evidence.lambda_behind_usd).toBeCloseTo(
      Math.max(0, RT - 58 * quietMinute) + 3 * lambdaExcess(2 * BE * 60, c),
      3,
    );
    // Paid for by a spike that has just ended, but the newest minute is missing: no tier for a load that may be over.
    const missing = offWith((ago) => (ago === 0 ? (undefined as unknown as number) : ago < 4 ? 40 * BE : 0.2 * BE));
    expect(decide(c, missing, NOW).reason).toMatch(
      /but the newest minute is missing; not buying a tier for a load that may be over/,
    );
  });

  it("sizes warming for the demand that lasted the warm-up, not a spike's peak, and prices the floor it builds", () => {
    // 5x break-even for an hour, with a 2-minute spike at 100x in the last 10 minutes.
    const spiked = offWith((ago) => (ago === 4 || ago === 5 ? 100 * BE : ago < 60 ? 5 * BE : 0.2 * BE));
    const d = decide(c, spiked, NOW);
    expect(d).toMatchObject({ action: "commit", to: "warming" });
    expect(d.toggle.fargate_min_tasks).toBe(tasksFor(5 * BE, c, 10));
    expect(d.toggle.fargate_min_tasks).toBeLessThan(tasksFor(100 * BE, c, 10));
    // A bigger floor makes the round trip dearer: the up price holds its idle tasks for the warm-up.
    const big = offWith((ago) => (ago < 60 ? 60 * BE : 0.2 * BE));
    const bigD = decide(c, big, NOW);
    expect(bigD.toggle.fargate_min_tasks).toBeGreaterThan(2);
    expect(bigD.evidence.up_price_usd as number).toBeGreaterThan(RT);
  });

  it("reads a load busy two minutes in five as busy when weighing a drain, while a lone spike still cannot hold the tier", () => {
    // 40% duty cycle at 3x break-even: the tasks earn their keep, so the drain's sum stays low.
    const duty = servingWith((ago) => (ago % 5 < 2 ? 3 * BE : 0.2 * BE));
    const d = decide(c, duty, NOW);
    expect(d).toMatchObject({ action: "none", to: "serving" });
    expect(d.evidence.fargate_behind_usd).toBeLessThan(RT);
    // One minute in thirty at 15x is read at the level around it: drained.
    expect(
      decide(
        c,
        servingWith((ago) => (ago % 30 === 0 ? 15 * BE : 0.2 * BE)),
        NOW,
      ),
    ).toMatchObject({ action: "commit", to: "draining" });
  });

  it("judges a stay longer than the metric window by the sum it rolled forward, and rolls it once per half window", () => {
    // Off for 10 hours (the window is 6): sustained demand for the last 6 hours buys the tier.
    const o = observe("off", 600, { demand: "sustained" });
    const since = o.toggle.fargate_tier_since;
    // Nothing remembered: the stay's outcome is unknown, so the drain before it is not judged.
    const blind = decide(c, o, NOW);
    expect(blind).toMatchObject({ action: "commit", to: "warming", toggle: { fargate_backoff_down: 0 } });
    // Remembered 100 minutes ago: the stay had saved only $0.001 by then, and the last 100 minutes cost
    // Lambda more: the off stay did not save a round trip, so the drain that began it was a mistake.
    const through = new Date(NOW.getTime() - 100 * 60_000).toISOString();
    const judged = decide(c, { ...o, memory: { stay: { since, through, excessUsd: -0.001 } } }, NOW);
    expect(judged).toMatchObject({ action: "commit", to: "warming", toggle: { fargate_backoff_down: 1 } });
    expect(judged.reason).toMatch(/the off stay saved only \$-\d+\.\d+: drain backoff 1/);
    // A memory of another stay does not count.
    expect(
      decide(c, { ...o, memory: { stay: { since: "2026-11-01T00:00:00Z", through, excessUsd: -0.001 } } }, NOW).toggle
        .fargate_backoff_down,
    ).toBe(0);
    // Rolling: nothing before half the window, then the stay's sum up to now, kept until half a window later.
    const quiet = (minutes: number, stay?: { since: string; through: string; excessUsd: number }) => {
      const q = observe("off", minutes, { demand: "quiet" });
      return decide(c, stay ? { ...q, memory: { stay } } : q, NOW);
    };
    expect(quiet(100).memory).toEqual({});
    const rolled = quiet(200).memory!.stay!;
    expect(rolled).toMatchObject({ through: "2026-11-22T12:00:00Z" });
    expect(rolled.excessUsd).toBeCloseTo(200 * lambdaExcess(0.2 * BE * 60, c), 5);
    const q300 = observe("off", 300, { demand: "quiet" }).toggle.fargate_tier_since;
    const earlier = { since: q300, through: new Date(NOW.getTime() - 60 * 60_000).toISOString(), excessUsd: -0.2 };
    expect(quiet(300, earlier).memory).toEqual({ stay: earlier });
  });

  it("remembers the warm-up it measured in the toggle, and prices the next round trip with it", () => {
    const warming = (minutes: number, toggle: Partial<Toggle> = {}) =>
      observe("warming", minutes, { demand: "sustained", healthy: constant(2) }, toggle);
    expect(decide(c, warming(6), NOW).toggle).toMatchObject({ fargate_tier: "serving", fargate_warmup_minutes: 6 });
    // The mean with the last one measured.
    expect(decide(c, warming(6, { fargate_warmup_minutes: 20 }), NOW).toggle.fargate_warmup_minutes).toBe(13);
    expect(() => parseToggle(formatToggle(decide(c, warming(6), NOW).toggle))).not.toThrow();
    // A slower world makes the round trip dearer.
    const offSlow = decide(c, observe("off", 600, { demand: "quiet" }, { fargate_warmup_minutes: 40 }), NOW);
    expect(offSlow.evidence).toMatchObject({ warmup_minutes: 40 });
    expect(offSlow.evidence.down_price_usd as number).toBeGreaterThan(RT);
  });
});

describe("policy decide() with the weighted switch (the ALB fronts Lambda and the tasks)", () => {
  const withWeight = (o: Observation, weight: number, healthy: number): Observation => ({
    ...o,
    metrics: { ...o.metrics, fargateWeightNow: weight, healthyTargetsNow: healthy },
  });

  it("walks the canary 10%, 50%, 100% a step a minute while warming, then serves", () => {
    const at = (weight: number) =>
      decide(weighted, withWeight(observe("warming", 8, { demand: "sustained" }), weight, 2), NOW);
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
      return decide(
        weighted,
        { ...o, metrics: { ...o.metrics, apiRequests: constant(400 * 60), albRequests: constant(undefined) } },
        NOW,
      );
    };
    expect(busy("warming", 0, 0).fargateWeight).toBe(0);
    expect(busy("warming", 10, 1).fargateWeight).toBe(37); // 150 of 400 req/s
    expect(busy("warming", 37, 1)).toMatchObject({ action: "commit", to: "serving" });
    expect(busy("serving", 100, 2).fargateWeight).toBe(75); // 300 of 400: the rest spills to Lambda
    expect(busy("serving", 75, 3).fargateWeight).toBe(100);
  });

  it("drains by weight first and keeps the ALB serving stragglers through Lambda before going off", () => {
    const drained = (minutes: number) =>
      decide(
        weighted,
        withWeight(observe("draining", minutes, { demand: "quiet", on: "lambda", record: false }), 100, 2),
        NOW,
      );
    expect(drained(5)).toMatchObject({ action: "none", fargateWeight: 0 });
    expect(drained(5).reason).toMatch(
      /stays until 2026-11-22T12:26:30Z \(31\.5 min: DNS TTL \+ deregistration delay \+ 30 min for clients that cache DNS longer\)/,
    );
    expect(drained(32)).toMatchObject({ action: "commit", to: "off" });
    // 32 minutes after the commit, but the record left only 10 minutes ago (its run failed and was retried).
    const late = decide(
      weighted,
      withWeight(observe("draining", 32, { demand: "quiet", on: "lambda", record: false, gone: 10 }), 0, 2),
      NOW,
    );
    expect(late).toMatchObject({ action: "none", to: "draining" });
    expect(late.reason).toMatch(/until 2026-11-22T12:21:30Z/);
    // Demand gone while warming: the record has been live, so the tier drains instead of vanishing.
    const abandoned = decide(weighted, withWeight(observe("warming", 90, { demand: "quiet" }), 10, 0), NOW);
    expect(abandoned).toMatchObject({ action: "commit", to: "draining", fargateWeight: 0 });
    expect(ALLOWED_EDGES).toContainEqual(["warming", "draining"]);
  });

  it("leaves the listener alone when it cannot read it, and in the DNS-only switch", () => {
    expect(decide(weighted, observe("serving", 120, { demand: "sustained" }), NOW).fargateWeight).toBeUndefined();
    expect(
      decide(c, withWeight(observe("serving", 120, { demand: "sustained" }), 100, 2), NOW).fargateWeight,
    ).toBeUndefined();
  });
});
