import fc from "fast-check";
import { loadDeploymentConfig } from "../../config/load";
import { breakEven } from "../../scaler/money";
import {
  ALLOWED_EDGES,
  decide,
  isResize,
  policyConfigFrom,
  type Observation,
  type ScalerMemory,
} from "../../scaler/policy";
import type { TierState, Toggle } from "../../model/toggle";

const c = policyConfigFrom(loadDeploymentConfig(undefined, {}));
const START = Date.parse("2026-11-22T00:00:00Z");
const HISTORY = c.historyMinutes;
const APPLY_MINUTES = 3; // commit -> Terraform applied
const BOOT_MINUTES = 4; // tasks registered -> healthy

interface Step {
  minute: number;
  from: TierState;
  to: TierState;
  observation: Observation;
  /** The minute the fargate record was last removed (what clients resolved until), if it ever was. */
  recordGoneAt?: number;
}

/**
 * A small world model: Terraform applies a commit after APPLY_MINUTES, tasks
 * turn healthy BOOT_MINUTES later (never, when `broken`), and demand goes to
 * the ALB while the fargate record exists. Returns every committed transition.
 */
function run(demandRps: number[], initial: TierState, broken = false, applyMinutes: readonly number[] = []): Step[] {
  let toggle: Toggle = {
    fargate_tier: initial,
    fargate_tier_since: new Date(START - 24 * 3600_000).toISOString(),
    fargate_min_tasks: 2,
    fargate_max_tasks: 10,
    fargate_pinned: false,
    fargate_backoff_up: 0,
    fargate_backoff_down: 0,
  };
  let applied: { state: TierState; at: number } = { state: initial, at: -1e9 };
  const pending: Array<{ state: TierState; at: number }> = [];
  const api: Array<number | undefined> = [];
  const alb: Array<number | undefined> = [];
  const healthy: Array<number | undefined> = [];
  const steps: Step[] = [];
  // What the status item carries from one run to the next.
  let memory: ScalerMemory | undefined;
  let recordGoneAt: number | undefined = initial === "serving" ? undefined : -1e9;
  for (let m = 0; m < demandRps.length; m++) {
    while (pending.length && pending[0]!.at <= m) applied = pending.shift()!;
    const exists = applied.state !== "off";
    const recordLive = applied.state === "serving";
    if (recordLive) recordGoneAt = undefined;
    else recordGoneAt ??= m;
    const hosts =
      exists && !broken && m >= applied.at + BOOT_MINUTES ? toggle.fargate_min_tasks : exists ? 0 : undefined;
    api.push(recordLive ? undefined : demandRps[m]! * 60);
    alb.push(recordLive ? demandRps[m]! * 60 : exists ? undefined : undefined);
    healthy.push(hosts);
    const observation: Observation = {
      toggle,
      fargateRecordLive: recordLive,
      metrics: {
        apiRequests: api.slice(-HISTORY),
        albRequests: alb.slice(-HISTORY),
        healthyHosts: healthy.slice(-HISTORY),
        lambdaThrottles: api.slice(-HISTORY).map(() => 0),
        lambdaConcurrency: api.slice(-HISTORY).map(() => 1),
      },
      memory,
    };
    const d = decide(c, observation, new Date(START + m * 60_000));
    memory = d.memory;
    if (d.action === "commit") {
      if (isResize(d)) expect(d.toggle.fargate_min_tasks).toBeLessThan(toggle.fargate_min_tasks);
      else steps.push({ minute: m, from: d.from, to: d.to, observation, recordGoneAt });
      toggle = d.toggle;
      // A state that keeps resources keeps them while the next apply runs; a run may take long (failed and retried, queued).
      const last = pending.at(-1)?.at ?? m;
      pending.push({
        state: d.to,
        at: Math.max(last, m + (applyMinutes[steps.length % Math.max(1, applyMinutes.length)] ?? APPLY_MINUTES)),
      });
    }
  }
  return steps;
}

const minutesInState = (s: Step) =>
  (START + s.minute * 60_000 - Date.parse(s.observation.toggle.fargate_tier_since)) / 60_000;

/** Piecewise demand: segments of a level held for a while, with noise, over one day. */
const dayOfDemand = fc
  .array(
    fc.record({ level: fc.double({ min: 0, max: 120, noNaN: true }), minutes: fc.integer({ min: 1, max: 240 }) }),
    { minLength: 1, maxLength: 30 },
  )
  .chain((segments) =>
    fc.array(fc.double({ min: -0.3, max: 0.3, noNaN: true }), { minLength: 1440, maxLength: 1440 }).map((noise) => {
      const flat = segments.flatMap((s) => Array(s.minutes).fill(s.level) as number[]);
      return noise.map((n, i) => Math.max(0, (flat[i % flat.length] ?? 0) * (1 + n)));
    }),
  );
const states = fc.constantFrom<TierState>("off", "warming", "serving", "draining");
const edges = new Set(ALLOWED_EDGES.map(([a, b]) => `${a}->${b}`));

describe("policy properties on random demand", () => {
  it("never skips a state, never leaves serving before the dwell time, never serves without healthy hosts", () => {
    fc.assert(
      fc.property(dayOfDemand, states, fc.boolean(), (demand, initial, broken) => {
        let expectedFrom = initial;
        const steps = run(demand, initial, broken);
        if (broken) expect(steps.filter((s) => s.to === "serving" && s.from === "warming")).toHaveLength(0);
        for (const step of steps) {
          expect(step.from).toBe(expectedFrom);
          expect(edges.has(`${step.from}->${step.to}`)).toBe(true);
          if (step.from === "serving") expect(minutesInState(step)).toBeGreaterThanOrEqual(c.minDwellMinutes);
          if (step.to === "serving") {
            // Enough healthy hosts for the demand of the last minutes (at least one), for 2 published minutes.
            const hosts = step.observation.metrics.healthyHosts.slice(-2);
            expect(hosts.every((h) => h !== undefined && h >= 1)).toBe(true);
          }
          expectedFrom = step.to;
        }
      }),
      { numRuns: 10 },
    );
  });

  it("removes the tier only a drain window after the record left DNS, however late the draining run applies", () => {
    // The weighted switch: TTL, deregistration delay and the straggler minutes.
    const drainMinutes = (c.dnsTtlSeconds + c.deregistrationDelaySeconds) / 60 + c.stragglerMinutes;
    let drains = 0;
    fc.assert(
      fc.property(
        dayOfDemand,
        states,
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 8 }),
        (demand, initial, applyMinutes) => {
          for (const step of run(demand, initial, false, applyMinutes)) {
            if (step.to !== "off" || step.from !== "draining") continue;
            expect(step.recordGoneAt).toBeDefined();
            expect(step.minute - step.recordGoneAt!).toBeGreaterThanOrEqual(drainMinutes);
            drains++;
          }
        },
      ),
      { numRuns: 10, seed: 24, endOnFailure: true },
    );
    // The property held on drains that happened, not vacuously.
    expect(drains).toBeGreaterThan(0);
  });

  it("settles on flat demand: at most the switch the level pays for, and never back", () => {
    const be = breakEven(c);
    const flat = fc
      .tuple(fc.double({ min: 0, max: 8, noNaN: true }), states)
      .map(([x, initial]) => ({ rps: x * be, initial }));
    fc.assert(
      fc.property(flat, ({ rps, initial }) => {
        const steps = run(Array(1440).fill(rps), initial);
        // Finishing the change in progress, then at most one switch towards the cheaper tier, never a cycle.
        expect(steps.length).toBeLessThanOrEqual(3);
        const toOff = steps.filter((s) => s.to === "off").length;
        const toWarming = steps.filter((s) => s.to === "warming").length;
        // (From draining, a level just above break-even may finish the drain and then pay for a new tier.)
        if (initial !== "draining")
          expect(
            toOff > 0 &&
              toWarming > 0 &&
              steps.findIndex((s) => s.to === "warming") > steps.findIndex((s) => s.to === "off"),
          ).toBe(false);
        if (rps < be) expect(toWarming).toBe(0);
      }),
      { numRuns: 10 },
    );
  });
});
