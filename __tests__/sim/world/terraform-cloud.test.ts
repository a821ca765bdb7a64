import { TerraformCloudEmulator, type TerraformCloudParams } from "../../../sim/world/terraform-cloud";
import { SimClock } from "../../../sim/world/clock";

const T0 = Date.parse("2026-11-22T10:00:00.000Z");
const MIN = 60_000;

/** mulberry32: a small seeded generator in [0, 1). */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fargate tier as Terraform sees it: the tfvars last applied; an apply takes `applyMinutes`. */
function infrastructure(clock: ReturnType<typeof eventQueue>, applyMinutes = 5) {
  const infra = {
    current: 'fargate_state = "off"\n',
    applies: [] as Array<{ tfvars: string; startMs: number; doneMs?: number }>,
    hasChanges: (tfvars: string) => tfvars !== infra.current,
    apply(tfvars: string, done: () => void) {
      const a: { tfvars: string; startMs: number; doneMs?: number } = { tfvars, startMs: clock.now() };
      infra.applies.push(a);
      clock.schedule(clock.now() + applyMinutes * MIN, () => {
        infra.current = tfvars;
        a.doneMs = clock.now();
        done();
      });
    },
  };
  return infra;
}

const CALM: TerraformCloudParams = {
  runMinutes: [1, 2],
  failureRate: 0,
  discardRate: 0,
  policySoftFailRate: 0,
  webhookSeconds: [2, 10],
};
/** The simulator's clock and event queue, advanced by whole minutes. */
function eventQueue() {
  const clock = new SimClock(T0);
  return {
    now: clock.now,
    schedule: clock.schedule,
    advance: (minutes: number) => clock.advanceTo(clock.now() + minutes * MIN),
  };
}

const tfvars = (state: string) => `fargate_state = "${state}"\n`;

function world(params: TerraformCloudParams = CALM, seed = 1, applyMinutes = 5) {
  const clock = eventQueue();
  const infra = infrastructure(clock, applyMinutes);
  const tfc = new TerraformCloudEmulator({
    organization: "acme",
    workspace: "lambdaflex-fargate",
    token: "tfc-token",
    params,
    now: clock.now,
    schedule: clock.schedule,
    random: seeded(seed),
    infrastructure: infra,
  });
  return { clock, infra, tfc };
}

describe("TerraformCloudEmulator", () => {
  it("queues a second push behind a run that is applying, and applies it after the first", () => {
    const { clock, infra, tfc } = world();
    tfc.onPush("a".repeat(40), tfvars("warming"));
    clock.advance(3); // webhook (< 10 s) + plan (<= 2 min): the first run is applying
    expect(tfc.runs().map((r) => r.status)).toEqual(["applying"]);
    tfc.onPush("b".repeat(40), tfvars("on"));
    clock.advance(1);
    expect(tfc.runs().map((r) => [r.commitSha[0], r.status])).toEqual([
      ["a", "applying"],
      ["b", "pending"],
    ]);

    clock.advance(30);
    const [first, second] = tfc.runs();
    expect([first!.status, second!.status]).toEqual(["applied", "applied"]);
    // The second run left the queue only when the first reached its final state.
    const secondLeftQueue = second!.history.find((h) => h.status !== "pending")!.atMs;
    expect(secondLeftQueue).toBe(first!.finishedAtMs);
    expect(infra.applies.map((a) => a.tfvars)).toEqual([tfvars("warming"), tfvars("on")]);
    expect(infra.current).toBe(tfvars("on"));
    expect(tfc.meter.runsByFinalStatus).toEqual({ applied: 2 });
  });

  it("changes the infrastructure only when the run's apply finishes", () => {
    const { clock, infra, tfc } = world(CALM, 1, 6);
    tfc.onPush("c".repeat(40), tfvars("warming"));
    clock.advance(3);
    expect(tfc.runs()[0]!.status).toBe("applying");
    expect(infra.current).toBe(tfvars("off"));
    clock.advance(6);
    const run = tfc.runs()[0]!;
    expect(run.status).toBe("applied");
    expect(infra.current).toBe(tfvars("warming"));
    expect(run.finishedAtMs).toBe(infra.applies[0]!.doneMs);
    expect(run.history.map((h) => h.status)).toEqual([
      "pending",
      "plan_queued",
      "planning",
      "planned",
      "apply_queued",
      "applying",
      "applied",
    ]);
  });

  it("ends a run whose plan has no changes planned_and_finished without applying", () => {
    const { clock, infra, tfc } = world();
    tfc.onPush("d".repeat(40), tfvars("off"));
    clock.advance(5);
    expect(tfc.runs()[0]!.status).toBe("planned_and_finished");
    expect(infra.applies).toHaveLength(0);
  });

  const STORMY: TerraformCloudParams = {
    runMinutes: [1, 8],
    failureRate: 0.1,
    discardRate: 0.1,
    policySoftFailRate: 0.05,
    webhookSeconds: [1, 30],
  };
  function storm(seed: number, pushes: number) {
    const w = world(STORMY, seed, 4);
    for (let i = 0; i < pushes; i++) {
      w.tfc.onPush(i.toString(16).padStart(40, "0"), tfvars(`state-${i}`)); // every push changes something
      w.clock.advance(15);
    }
    w.clock.advance(60);
    return w;
  }

  it("gives the same run history for the same seed, and a different one for another seed", () => {
    const one = storm(42, 200).tfc.runs();
    expect(storm(42, 200).tfc.runs()).toEqual(one);
    expect(storm(43, 200).tfc.runs()).not.toEqual(one);
  });

  it("errors every run and applies nothing when failureRate is 1", () => {
    const { clock, infra, tfc } = world({ ...CALM, failureRate: 1 });
    for (let i = 0; i < 5; i++) tfc.onPush(`${i}`.repeat(40), tfvars(i % 2 ? "on" : "warming"));
    clock.advance(60);
    expect(tfc.runs().map((r) => r.status)).toEqual(Array(5).fill("errored"));
    expect(infra.applies).toHaveLength(0);
    expect(infra.current).toBe(tfvars("off"));
    expect(tfc.meter).toEqual({ apiCalls: 0, runsCreated: 5, runsByFinalStatus: { errored: 5 } });
  });

  it("honours the failure, policy and discard rates over many runs", () => {
    const n = 3000;
    const { tfc } = storm(7, n);
    const counts = tfc.meter.runsByFinalStatus;
    expect(tfc.meter.runsCreated).toBe(n);
    const share = (s: string) => (counts[s] ?? 0) / n;
    // Drawn in order: errored at plan; then policy soft-fail; then discard; the rest apply.
    expect(Math.abs(share("errored") - 0.1)).toBeLessThan(0.02);
    expect(Math.abs(share("policy_soft_failed") - 0.9 * 0.05)).toBeLessThan(0.015);
    expect(Math.abs(share("discarded") - 0.9 * 0.95 * 0.1)).toBeLessThan(0.02);
    expect(Math.abs(share("applied") - 0.9 * 0.95 * 0.9)).toBeLessThan(0.03);
  });

  it("answers the API with JSON:API errors for a wrong token and unknown paths, and creates API runs for the last pushed commit", async () => {
    const { clock, tfc } = world();
    const base = "https://app.terraform.io/api/v2";
    const headers = { Authorization: "Bearer tfc-token", "Content-Type": "application/vnd.api+json" };
    const denied = await tfc.fetch(`${base}/organizations/acme/workspaces/lambdaflex-fargate`, {
      headers: { Authorization: "Bearer nope" },
    });
    expect([denied.status, denied.ok, await denied.json()]).toEqual([
      401,
      false,
      { errors: [{ status: "401", title: "unauthorized" }] },
    ]);
    expect((await tfc.fetch(`${base}/organizations/acme/workspaces/other`, { headers })).status).toBe(404);
    expect((await tfc.fetch(`${base}/nothing-here`, { headers })).status).toBe(404);

    const ws = (await (
      await tfc.fetch(`${base}/organizations/acme/workspaces/lambdaflex-fargate`, { headers })
    ).json()) as any;
    const body = JSON.stringify({
      data: {
        type: "runs",
        attributes: { message: "retry" },
        relationships: { workspace: { data: { type: "workspaces", id: ws.data.id } } },
      },
    });
    expect((await tfc.fetch(`${base}/runs`, { method: "POST", headers, body })).status).toBe(422); // nothing pushed yet
    tfc.onPush("e".repeat(40), tfvars("on"));
    tfc.onPush("f".repeat(40), tfvars("warming"));
    clock.advance(1);
    const created = await tfc.fetch(`${base}/runs`, { method: "POST", headers, body });
    expect(created.status).toBe(201);
    expect(tfc.runs().map((r) => [r.source, r.commitSha[0]])).toEqual([
      ["vcs", "e"],
      ["vcs", "f"],
      ["api", "f"],
    ]);
    expect(tfc.meter.apiCalls).toBe(6);
  });
});
