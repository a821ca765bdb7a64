import {
  queueRun,
  readRuns,
  runPhase,
  TerraformCloudError,
  type Fetch,
  type TerraformCloudTarget,
} from "../../scaler/adapters/terraform-cloud";
import { terraformCloudApi } from "../../scaler/adapters/terraform-cloud-workspaces";
import { TerraformCloudEmulator, type TerraformCloudParams } from "../../sim/world/terraform-cloud";
import { SimClock } from "../../sim/world/clock";

const T0 = Date.parse("2026-11-22T10:00:00.000Z");
const MIN = 60_000;
const SHA_A = "1e1b1b2ea2c6c0c1d1a1f1e1b1b2ea2c6c0c1d1a";
const SHA_B = "2f2c2c3fb3d7d1d2e2b2a2f2c2c3fb3d7d1d2e2b";
const SHA_C = "3a3d3d4ac4e8e2e3f3c3b3a3d3d4ac4e8e2e3f3c";
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

/**
 * The emulator on its loopback HTTP server, reached with the real global fetch.
 * Runs plan in 1 to 2 minutes, webhooks arrive within 10 s, applies take 5 minutes.
 * `params` is mutable so a test can make the next run fail in a chosen way.
 */
async function terraformCloud() {
  const clock = eventQueue();
  const params = {
    runMinutes: [1, 2] as [number, number],
    failureRate: 0,
    discardRate: 0,
    policySoftFailRate: 0,
    webhookSeconds: [2, 10] as [number, number],
  };
  const infra = {
    current: tfvars("off"),
    applied: [] as string[],
    hasChanges: (t: string) => t !== infra.current,
    apply: (t: string, done: () => void) =>
      clock.schedule(clock.now() + 5 * MIN, () => {
        infra.current = t;
        infra.applied.push(t);
        done();
      }),
  };
  let draws = 0;
  const random = () => (draws = (draws * 9301 + 49297) % 233280) / 233280;
  const tfc = new TerraformCloudEmulator({
    organization: "acme",
    workspace: "lambdaflex-fargate",
    token: "tfc-token",
    params: params satisfies TerraformCloudParams,
    now: clock.now,
    schedule: clock.schedule,
    random,
    infrastructure: infra,
  });
  const server = await tfc.listen();
  const target: TerraformCloudTarget = {
    baseUrl: server.url,
    organization: "acme",
    workspace: "lambdaflex-fargate",
    token: "tfc-token",
  };
  return { clock, params, infra, tfc, server, target };
}

let w: Awaited<ReturnType<typeof terraformCloud>>;
beforeEach(async () => {
  w = await terraformCloud();
});
afterEach(async () => {
  await w.server.close();
});

describe("readRuns", () => {
  it("finds the head commit's run while an older commit's run applies and the head's waits behind it", async () => {
    w.tfc.onPush(SHA_A, tfvars("warming"));
    w.clock.advance(3);
    w.tfc.onPush(SHA_B, tfvars("on"));
    w.clock.advance(1);

    const runs = await readRuns(w.target, SHA_B);
    expect(runs.forHead).toMatchObject({ commitSha: SHA_B, status: "pending", phase: "pending" });
    expect(runs.forHead!.finishedAt).toBeUndefined();
    expect(runs.newest!.id).toBe(runs.forHead!.id);
    // Asked about A instead, the newest run is B's but A's is found, still applying.
    const forA = await readRuns(w.target, SHA_A);
    expect(forA.forHead).toMatchObject({ commitSha: SHA_A, status: "applying", phase: "pending" });
    expect(forA.newest!.commitSha).toBe(SHA_B);

    w.clock.advance(30);
    const done = await readRuns(w.target, SHA_B);
    expect(done.forHead).toMatchObject({ commitSha: SHA_B, status: "applied", phase: "applied" });
    expect(done.failedAttemptsForHead).toBe(0);
    expect(Date.parse(done.forHead!.finishedAt!)).toBeGreaterThan(Date.parse(done.forHead!.createdAt!));
    expect(w.infra.current).toBe(tfvars("on"));
  });

  it("reports no run for a head commit whose webhook has not arrived, with the newest run for the commit before", async () => {
    w.tfc.onPush(SHA_A, tfvars("warming"));
    w.clock.advance(10);
    w.tfc.onPush(SHA_B, tfvars("on")); // the webhook takes at least 2 s; no time passes

    const runs = await readRuns(w.target, SHA_B);
    expect(runs.forHead).toBeUndefined();
    expect(runs.failedAttemptsForHead).toBe(0);
    expect(runs.newest).toMatchObject({ commitSha: SHA_A, status: "applied", phase: "applied" });
    expect(runs.workspaceId).toMatch(/^ws-/);
  });

  it.each([
    ["errored", { failureRate: 1 }],
    ["policy_soft_failed", { policySoftFailRate: 1 }],
    ["discarded", { discardRate: 1 }],
  ] as const)(
    "reads a run that ended %s as failed, with the time it ended, and nothing applied",
    async (status, rates) => {
      Object.assign(w.params, rates);
      w.tfc.onPush(SHA_A, tfvars("warming"));
      w.clock.advance(10);
      const runs = await readRuns(w.target, SHA_A);
      expect(runs.forHead).toMatchObject({ status, phase: "failed" });
      expect(runs.forHead!.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
      expect(runs.failedAttemptsForHead).toBe(1);
      expect(w.infra.applied).toEqual([]);
    },
  );

  it("reads a run an operator canceled while it planned as failed", async () => {
    w.tfc.onPush(SHA_A, tfvars("warming"));
    w.clock.advance(0.5); // webhook arrived, the run is planning
    const { forHead } = await readRuns(w.target, SHA_A);
    expect(forHead).toMatchObject({ status: "planning", phase: "pending" });
    const cancel = await fetch(`${w.server.url}/api/v2/runs/${forHead!.id}/actions/cancel`, {
      method: "POST",
      headers: { Authorization: "Bearer tfc-token" },
    });
    expect(cancel.status).toBe(202);
    w.clock.advance(10);
    expect((await readRuns(w.target, SHA_A)).forHead).toMatchObject({ status: "canceled", phase: "failed" });
    expect(w.infra.applied).toEqual([]);
  });

  it("reads a plan with no changes (planned_and_finished) as applied", async () => {
    w.tfc.onPush(SHA_C, tfvars("off"));
    w.clock.advance(10);
    const { forHead } = await readRuns(w.target, SHA_C);
    expect(forHead).toMatchObject({ status: "planned_and_finished", phase: "applied" });
    expect(forHead!.finishedAt).toBeDefined();
  });

  it("counts consecutive failed attempts for the head commit, and starts again after it applies", async () => {
    w.params.failureRate = 1;
    w.tfc.onPush(SHA_A, tfvars("warming"));
    w.clock.advance(10);
    let runs = await readRuns(w.target, SHA_A);
    expect(runs.failedAttemptsForHead).toBe(1);

    await queueRun(w.target, runs.workspaceId, "lambdaflex: retry after errored");
    w.clock.advance(10);
    runs = await readRuns(w.target, SHA_A);
    expect([runs.forHead!.status, runs.failedAttemptsForHead]).toEqual(["errored", 2]);

    w.params.failureRate = 0;
    await queueRun(w.target, runs.workspaceId, "lambdaflex: retry after errored");
    w.clock.advance(10);
    runs = await readRuns(w.target, SHA_A);
    expect([runs.forHead!.status, runs.failedAttemptsForHead]).toEqual(["applied", 0]);

    // A later failure for the same commit counts from one again, not from three.
    w.params.failureRate = 1;
    await queueRun(w.target, runs.workspaceId, "lambdaflex: re-apply");
    w.clock.advance(10);
    runs = await readRuns(w.target, SHA_A);
    expect([runs.forHead!.status, runs.failedAttemptsForHead]).toEqual(["errored", 1]);
  });
});

describe("queueRun", () => {
  it("queues a run for the branch head that Terraform Cloud then plans and applies", async () => {
    w.params.failureRate = 1;
    w.tfc.onPush(SHA_A, tfvars("warming"));
    w.clock.advance(10);
    const before = await readRuns(w.target, SHA_A);
    expect(before.forHead!.status).toBe("errored");
    expect(w.infra.current).toBe(tfvars("off"));

    w.params.failureRate = 0;
    const queued = await queueRun(w.target, before.workspaceId, "lambdaflex: retry after errored");
    expect(queued.id).toMatch(/^run-/);
    w.clock.advance(10);
    const after = await readRuns(w.target, SHA_A);
    expect(after.forHead).toMatchObject({ id: queued.id, commitSha: SHA_A, status: "applied", phase: "applied" });
    expect(w.infra.current).toBe(tfvars("warming"));
    expect(w.tfc.runs().map((r) => r.source)).toEqual(["vcs", "api"]);
  });
});

describe("errors", () => {
  it("rejects a wrong token with a TerraformCloudError carrying HTTP 401 and saying to check the token", async () => {
    const err = await readRuns({ ...w.target, token: "expired" }, SHA_A).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TerraformCloudError);
    expect(err).toMatchObject({ name: "TerraformCloudError", status: 401 });
    expect((err as Error).message).toMatch(/rejected the API token \(HTTP 401\); check the token parameter/);
    await expect(queueRun({ ...w.target, token: "expired" }, "ws-x", "retry")).rejects.toMatchObject({ status: 401 });
  });

  it("names the organization and workspace when the workspace is unknown (HTTP 404)", async () => {
    const err = await readRuns({ ...w.target, workspace: "lambdaflex-fargte" }, SHA_A).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TerraformCloudError);
    expect(err).toMatchObject({ status: 404 });
    expect((err as Error).message).toMatch(/no workspace acme\/lambdaflex-fargte/);
    await expect(queueRun(w.target, "ws-doesnotexist0000", "retry")).rejects.toMatchObject({
      status: 404,
      message: expect.stringMatching(/acme\/lambdaflex-fargate/),
    });
  });

  it("names the HTTP status and path for any other answer", async () => {
    // Nothing pushed yet: HCP Terraform cannot create a run without a configuration version (422).
    const { workspaceId } = await readRuns(w.target, SHA_A);
    await expect(queueRun(w.target, workspaceId, "retry")).rejects.toThrow(
      "Terraform Cloud answered HTTP 422 for /api/v2/runs",
    );
  });

  it("wraps a host it cannot reach in a TerraformCloudError that keeps the cause", async () => {
    const down = new TypeError("fetch failed");
    const err = await readRuns(w.target, SHA_A, () => Promise.reject(down)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TerraformCloudError);
    expect(err).toMatchObject({
      message: `cannot reach Terraform Cloud at ${w.server.url}: fetch failed`,
      cause: down,
    });
  });
});

describe("the workspace reads the doctor makes, on the same client", () => {
  const api = (token = "tfc-token") =>
    terraformCloudApi(
      { baseUrl: w.server.url, organization: "acme", token, tokenSource: "TFE_TOKEN" },
      fetch as unknown as Fetch,
    );

  it("reads what the runs reads see, and a missing workspace as undefined rather than an error", async () => {
    expect(await api().organizationExists()).toBe(true);
    const ws = await api().workspace("lambdaflex-fargate");
    expect(ws?.id).toBe((await readRuns(w.target, SHA_A)).workspaceId);
    expect(await api().workspace("lambdaflex-fargte")).toBeUndefined();
  });

  it("throws the one error class, naming where the rejected token came from", async () => {
    const err = await api("expired")
      .organizationExists()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TerraformCloudError);
    expect(err).toMatchObject({
      status: 401,
      message: `HCP Terraform at ${w.server.url} rejected the token from TFE_TOKEN (HTTP 401): it is wrong, expired or revoked`,
    });
  });
});

describe("runPhase", () => {
  it.each([
    ["applied", "applied"],
    ["planned_and_finished", "applied"],
    ["errored", "failed"],
    ["canceled", "failed"],
    ["force_canceled", "failed"],
    ["discarded", "failed"],
    ["policy_soft_failed", "failed"],
    ["pending", "pending"],
    ["planning", "pending"],
    ["policy_override", "pending"],
    ["applying", "pending"],
    ["a_state_added_later", "pending"],
  ])("treats %s as %s", (status, phase) => {
    expect(runPhase(status)).toBe(phase);
  });
});
