import { loadDeploymentConfig } from "../../config/load";
import type { AlertContext } from "../../scaler/adapters/alerts";
import type { MetricReadings } from "../../scaler/adapters/cloudwatch";
import type { PublishedStatus, StatusAlert } from "../../scaler/adapters/status";
import { checkoutToggle } from "../../scaler/git-toggle";
import { breakEven, roundTripCost, usd } from "../../scaler/money";
import { policyConfigFrom, roundTripShape, type Metrics } from "../../scaler/policy";
import { commitMessage, reconcile, statusChanged, type ReconcileDeps } from "../../scaler/reconcile";
import { formatToggle, type Toggle } from "../../model/toggle";
import { GitServer } from "../helpers/git-server";

const TOGGLE = "deploy/fargate/fargate.auto.tfvars.json";
const config = loadDeploymentConfig(undefined, {});
const NOW = new Date("2026-11-22T12:00:00Z");
const policy = policyConfigFrom(config);
const OFF: Toggle = {
  fargate_tier: "off",
  fargate_tier_since: "2026-11-20T00:00:00Z",
  fargate_min_tasks: 2,
  fargate_max_tasks: 10,
  fargate_pinned: false,
  fargate_backoff_up: 0,
  fargate_backoff_down: 0,
};

const flat = (rps: number | undefined): Metrics => {
  const s = Array(40).fill(rps === undefined ? undefined : rps * 60);
  return {
    apiRequests: s,
    albRequests: Array(40).fill(undefined),
    healthyHosts: Array(40).fill(undefined),
    lambdaThrottles: Array(40).fill(0),
    lambdaConcurrency: Array(40).fill(1),
  };
};

describe("reconcile against a real git server", () => {
  let server: GitServer;
  const logs: Array<Record<string, unknown>> = [];
  const statuses: PublishedStatus[] = [];

  const deps = (over: Partial<ReconcileDeps> = {}): ReconcileDeps => ({
    policy: policyConfigFrom(config),
    service: "lambdaflex",
    toggleFile: TOGGLE,
    dryRun: false,
    logger: (level, msg, fields) => logs.push({ level, msg, ...fields }),
    now: () => NOW,
    metrics: async () => flat(2),
    records: async () => ({ lambda: true, fargate: false }),
    publish: async (s) => void statuses.push(s),
    checkout: () =>
      checkoutToggle({
        url: server.url,
        branch: "main",
        path: TOGGLE,
        token: "t0ken",
        username: "x-access-token",
        author: { name: "LambdaFlex scaler", email: "scaler@test" },
      }),
    ...over,
  });
  const commits = () => Number(server.git(["rev-list", "--count", "main"]));

  beforeEach(async () => {
    server = new GitServer("t0ken");
    await server.start({ [TOGGLE]: formatToggle(OFF) });
    logs.length = 0;
    statuses.length = 0;
  });
  afterEach(() => server.stop());

  it("never commits when nothing changes, and publishes the status", async () => {
    const result = await reconcile(deps());
    expect(result.outcome).toBe("no-change");
    expect(commits()).toBe(1);
    expect(statuses).toEqual([
      expect.objectContaining({ state: "off", decision: "no change", at: "2026-11-22T12:00:00.000Z" }),
    ]);
    expect(logs.filter((l) => l.msg === "decision")).toHaveLength(1);
  });

  it("sets the listener's weights the policy asks for without a commit, and logs a failed set without stopping", async () => {
    await server.stop();
    server = new GitServer("t0ken");
    await server.start({
      [TOGGLE]: formatToggle({ ...OFF, fargate_tier: "serving", fargate_tier_since: "2026-11-22T10:00:00Z" }),
    });
    // Serving at 400 req/s on 2 healthy tasks of 150 req/s: 75% to the tasks, the rest spills to Lambda.
    const listener = {
      listenerArn: "arn:listener",
      lambdaTargetGroupArn: "arn:lambda-tg",
      ecsTargetGroupArn: "arn:ecs-tg",
      fargateWeight: 100,
    };
    const busy = async (): Promise<MetricReadings> => ({
      ...flat(undefined),
      albRequests: Array(40).fill(400 * 60),
      healthyHosts: Array(40).fill(2),
      healthyTargetsNow: 2,
      fargateWeightNow: 100,
      listener,
    });
    const set: number[] = [];
    const on: unknown[] = [];
    const result = await reconcile(
      deps({
        metrics: busy,
        records: async () => ({ lambda: true, fargate: true }),
        setWeight: async (l, w) => void (on.push(l), set.push(w)),
      }),
    );
    expect(result.outcome).toBe("no-change");
    expect(set).toEqual([75]);
    // The listener the weights go to is the one read with the metrics, handed over as a value.
    expect(on).toEqual([listener]);
    expect(commits()).toBe(1);
    expect(logs).toContainEqual(expect.objectContaining({ msg: "weights set", fargate: 75, lambda: 25, was: 100 }));
    const failing = await reconcile(
      deps({
        metrics: busy,
        records: async () => ({ lambda: true, fargate: true }),
        setWeight: () => Promise.reject(new Error("AccessDenied")),
      }),
    );
    expect(failing.outcome).toBe("no-change");
    expect(logs).toContainEqual(
      expect.objectContaining({ level: "error", msg: "could not set the listener weights", error: "AccessDenied" }),
    );
  });

  it("commits warming on sustained demand with a scaling-log commit message", async () => {
    const result = await reconcile(deps({ metrics: async () => flat(40) }));
    expect(result.outcome).toBe("committed");
    expect(commits()).toBe(2);
    expect(JSON.parse(server.show(TOGGLE))).toEqual({
      ...OFF,
      fargate_tier: "warming",
      fargate_tier_since: "2026-11-22T12:00:00Z",
    });
    const message = server.git(["log", "-1", "--format=%B", "main"]);
    expect(message).toBe(commitMessage(result.decision!, NOW).trim());
    expect(message).toMatch(
      /^lambdaflex: off -> warming: Lambda cost \$0\.\d{4} more than Fargate would have, reaching the round trip \$0\.\d{4}/,
    );
    // The round trip as this world bills it (warm-up, drain window with stragglers, teardown).
    expect(message).toContain(`reaching the round trip ${usd(roundTripCost(policy, roundTripShape(policy, OFF, 2)))};`);
    expect(message).toContain(
      `evidence: demand_rps=40 break_even_rps=${Math.round(breakEven(policy) * 100) / 100} lambda_behind_usd=`,
    );
    expect(statuses.at(-1)).toMatchObject({ state: "warming", decision: "committed warming", commit: result.commit });
  });

  it("is idempotent: a second run on the same evidence commits nothing", async () => {
    await reconcile(deps({ metrics: async () => flat(40) }));
    const again = await reconcile(deps({ metrics: async () => flat(40) }));
    expect(again.outcome).toBe("no-change");
    expect(commits()).toBe(2);
  });

  it("in dry-run logs the decision and commits nothing", async () => {
    const result = await reconcile(deps({ dryRun: true, metrics: async () => flat(40) }));
    expect(result.outcome).toBe("dry-run");
    expect(commits()).toBe(1);
    expect(logs.find((l) => l.msg === "decision")).toMatchObject({ action: "dry-run", from: "off", to: "warming" });
    expect(statuses.at(-1)).toMatchObject({ decision: "dry run: would commit warming" });
  });

  it("alerts on a corrupt toggle and never overwrites it", async () => {
    server.commitOther(TOGGLE, '{"fargate_tier": "sometimes"}\n', "human: typo");
    const before = server.git(["rev-parse", "main"]);
    const result = await reconcile(deps({ metrics: async () => flat(40) }));
    expect(result.outcome).toBe("corrupt-toggle");
    expect(server.git(["rev-parse", "main"])).toBe(before);
    expect(statuses.at(-1)).toMatchObject({
      state: "unknown",
      reason: expect.stringContaining('fargate_tier = "sometimes"'),
    });
    expect(logs.find((l) => l.msg === "decision")).toMatchObject({ action: "alert", alert: "corrupt-toggle" });
  });

  it("on a rejected push re-reads and decides again, seeing the other writer's change", async () => {
    let first = true;
    const racing = deps({
      metrics: async () => flat(40),
      checkout: async () => {
        const co = await deps().checkout();
        if (first) {
          first = false;
          // A human pins the tier between our read and our push.
          server.commitOther(
            TOGGLE,
            formatToggle({ ...OFF, fargate_pinned: true }),
            "human: pin off during the incident",
          );
        }
        return co;
      },
    });
    const result = await reconcile(racing);
    expect(result.attempts).toBe(2);
    expect(result.outcome).toBe("no-change");
    expect(result.decision!.reason).toMatch(/pinned at off/);
    expect(JSON.parse(server.show(TOGGLE)).fargate_pinned).toBe(true);
    expect(logs.some((l) => l.msg === "push rejected; re-reading the toggle")).toBe(true);
  });

  it("gives up after a bounded number of rejected pushes", async () => {
    const alwaysMoving = deps({
      metrics: async () => flat(40),
      maxAttempts: 2,
      checkout: async () => {
        const co = await deps().checkout();
        server.commitOther("README.md", String(Math.random()), "docs: churn");
        return co;
      },
    });
    await expect(reconcile(alwaysMoving)).rejects.toThrow(/rejected 2 times in a row/);
    expect(JSON.parse(server.show(TOGGLE)).fargate_tier).toBe("off");
  });

  it("holds and alerts while the run for the toggle's commit has failed, and queues it again after the backoff", async () => {
    const heads: string[] = [];
    const queued: string[] = [];
    const queuedOn: string[] = [];
    const failed = (minutesAgo: number) =>
      deps({
        metrics: async () => flat(40),
        runs: async (head) => {
          heads.push(head);
          return {
            forHead: {
              id: "run-9",
              status: "errored",
              phase: "failed",
              commitSha: head,
              finishedAt: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
            },
            failedAttempts: 1,
            workspaceId: "ws-fargate",
          };
        },
        queueRun: async (workspaceId, message) => {
          queuedOn.push(workspaceId);
          queued.push(message);
          return "run-10";
        },
      });
    const result = await reconcile(failed(1));
    expect(result.outcome).toBe("no-change");
    expect(commits()).toBe(1);
    expect(heads).toEqual([server.git(["rev-parse", "main"])]);
    expect(statuses.at(-1)).toMatchObject({
      reason: "holding at off: the last Terraform run errored",
      alerts: [
        {
          kind: "apply-failed",
          message: expect.stringMatching(
            /^Terraform Cloud run run-9 errored at [0-9a-f]{8} \(1 failed in a row\); holding at off$/,
          ),
        },
      ],
    });
    expect(queued).toEqual([]);
    await reconcile(failed(3));
    expect(queued).toEqual(["lambdaflex: retry: run run-9 errored (1 in a row); retrying after 2 min"]);
    // Queued on the workspace the runs were read from.
    expect(queuedOn).toEqual(["ws-fargate"]);
    expect(commits()).toBe(1);
  });

  it("logs and carries on when queueing a run fails", async () => {
    const result = await reconcile(
      deps({
        runs: async () => ({
          forHead: { id: "run-9", status: "discarded", phase: "failed", finishedAt: "2026-11-22T11:00:00Z" },
          failedAttempts: 2,
          workspaceId: "ws-fargate",
        }),
        queueRun: () => Promise.reject(new Error("HTTP 500")),
      }),
    );
    expect(result.outcome).toBe("no-change");
    expect(logs).toContainEqual(expect.objectContaining({ msg: "could not queue a Terraform run", error: "HTTP 500" }));
  });

  it("proceeds when Terraform Cloud cannot be read, and says so", async () => {
    const result = await reconcile(
      deps({ metrics: async () => flat(40), runs: () => Promise.reject(new Error("HTTP 503")) }),
    );
    expect(result.outcome).toBe("committed");
    expect(logs.some((l) => l.msg === "terraform cloud unavailable; run status unknown")).toBe(true);
  });

  it("decides on no evidence when CloudWatch and Route 53 fail", async () => {
    const result = await reconcile(
      deps({
        metrics: () => Promise.reject(new Error("throttled")),
        records: () => Promise.reject(new Error("r53 down")),
      }),
    );
    expect(result.outcome).toBe("no-change");
    expect(logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        "metrics unavailable; deciding on no evidence",
        "route 53 unavailable; record state unknown",
      ]),
    );
  });

  describe("status and alerts, remembered in the status item", () => {
    /** A status store like the DynamoDB item: readStatus returns what publish last wrote. */
    const remembered = () => {
      let item: PublishedStatus | undefined;
      const sent: Array<{ alert: StatusAlert; context: AlertContext }> = [];
      return {
        sent,
        item: () => item,
        over: (o: Partial<ReconcileDeps> = {}): ReconcileDeps =>
          deps({
            readStatus: async () => item,
            publish: async (s) => {
              item = s;
              statuses.push(s);
            },
            notify: async (alert, context) => void sent.push({ alert, context }),
            ...o,
          }),
      };
    };
    const failedRun = {
      runs: async () => ({
        forHead: { id: "run-9", status: "errored", phase: "failed" as const, finishedAt: "2026-11-22T11:59:00Z" },
        failedAttempts: 1,
        workspaceId: "ws-fargate",
      }),
    };
    const decisions = () => logs.filter((l) => l.msg === "decision");

    it("writes the status only when state, decision, reason or alerts change, not when only the time moves", async () => {
      const store = remembered();
      let now = NOW;
      await reconcile(store.over({ now: () => now }));
      now = new Date(NOW.getTime() + 60_000);
      await reconcile(store.over({ now: () => now }));
      expect(statuses).toHaveLength(1);
      expect(store.item()).toMatchObject({
        at: "2026-11-22T12:00:00.000Z",
        reason: expect.stringMatching(/^Lambda cost \$0\.0000 more/),
      });
      // 10% above break-even: Lambda falls behind, by less than a round trip.
      await reconcile(store.over({ now: () => now, metrics: async () => flat(1.1 * breakEven(policy)) }));
      expect(statuses).toHaveLength(2);
      expect(store.item()).toMatchObject({
        at: "2026-11-22T12:01:00.000Z",
        reason: expect.stringMatching(/^Lambda cost \$0\.00[1-9]\d more .*; below the round trip/),
      });
    });

    it("remembers in the status item when a drain's record was first read gone, and goes off a drain window after that, not after the commit", async () => {
      await server.stop();
      server = new GitServer("t0ken");
      // The draining commit is an hour old, but its run failed and was retried: the record is gone only now.
      const drainSince = "2026-11-22T11:00:00Z";
      await server.start({
        [TOGGLE]: formatToggle({ ...OFF, fargate_tier: "draining", fargate_tier_since: drainSince }),
      });
      const store = remembered();
      const quiet = async (): Promise<Metrics> => ({
        ...flat(0.1),
        albRequests: Array(40).fill(0),
        healthyHosts: Array(40).fill(2),
      });
      const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
      const run = (minutes: number, fargate: boolean | Error = false) =>
        reconcile(
          store.over({
            now: () => at(minutes),
            metrics: quiet,
            records: () =>
              fargate instanceof Error ? Promise.reject(fargate) : Promise.resolve({ lambda: true, fargate }),
          }),
        );
      expect((await run(0)).outcome).toBe("no-change");
      expect(store.item()?.memory).toEqual({ recordGone: { drainSince, at: "2026-11-22T12:00:00Z" } });
      // A minute on, and after a Route 53 read that failed, the first reading is kept.
      await run(1);
      await run(2, new Error("Throttling"));
      expect(store.item()?.memory).toEqual({ recordGone: { drainSince, at: "2026-11-22T12:00:00Z" } });
      // The drain window (TTL, deregistration delay, 30 straggler minutes: 31.5) counts from that reading.
      expect((await run(31)).decision?.reason).toMatch(
        /gone since 2026-11-22T12:00:00Z; the ALB stays until 2026-11-22T12:31:30Z/,
      );
      const off = await run(32);
      expect(off).toMatchObject({ outcome: "committed", decision: { to: "off" } });
      // Leaving the drain forgets it.
      expect(store.item()).toMatchObject({ state: "off" });
      expect(store.item()?.memory).toBeUndefined();
    });

    it("writes as before when the status cannot be read, and says so", async () => {
      const store = remembered();
      await reconcile(store.over());
      await reconcile(
        store.over({ readStatus: () => Promise.reject(new Error("ProvisionedThroughputExceededException")) }),
      );
      expect(statuses).toHaveLength(2);
      expect(logs).toContainEqual(
        expect.objectContaining({
          msg: "could not read the scaler status; writing it anyway",
          error: "ProvisionedThroughputExceededException",
        }),
      );
    });

    it("sends an alert once, not again while it holds, and again after it cleared and came back", async () => {
      const store = remembered();
      await reconcile(store.over(failedRun));
      expect(store.sent).toEqual([
        {
          alert: {
            kind: "apply-failed",
            message: "Terraform Cloud run run-9 errored (1 failed in a row); holding at off",
          },
          context: expect.objectContaining({
            service: "lambdaflex",
            state: "off",
            reason: "holding at off: the last Terraform run errored",
            evidence: expect.objectContaining({ demand_rps: 2 }),
          }),
        },
      ]);
      await reconcile(store.over(failedRun));
      expect(store.sent).toHaveLength(1);
      await reconcile(store.over());
      expect(store.item()!.alerts).toEqual([]);
      await reconcile(store.over(failedRun));
      expect(store.sent.map((s) => s.alert.kind)).toEqual(["apply-failed", "apply-failed"]);
    });

    it("sends an alert whose publish failed again on the next run", async () => {
      const store = remembered();
      await reconcile(store.over({ ...failedRun, notify: () => Promise.reject(new Error("SNS down")) }));
      expect(store.item()!.alerts).toEqual([]);
      expect(logs).toContainEqual(
        expect.objectContaining({
          msg: "could not send an alert; the next run tries again",
          kind: "apply-failed",
          error: "SNS down",
        }),
      );
      await reconcile(store.over(failedRun));
      expect(store.sent.map((s) => s.alert.kind)).toEqual(["apply-failed"]);
      expect(store.item()!.alerts).toEqual([expect.objectContaining({ kind: "apply-failed" })]);
    });

    it("sends a corrupt toggle as an alert once", async () => {
      server.commitOther(TOGGLE, '{"fargate_tier": "sometimes"}\n', "human: typo");
      const store = remembered();
      await reconcile(store.over());
      await reconcile(store.over());
      expect(store.sent).toEqual([
        {
          alert: { kind: "corrupt-toggle", message: expect.stringContaining(`${TOGGLE} is corrupt`) },
          context: expect.objectContaining({ state: "unknown" }),
        },
      ]);
      expect(statuses).toHaveLength(1);
      expect(decisions()[0]).toMatchObject({ alerts: [expect.objectContaining({ kind: "corrupt-toggle" })] });
    });

    it("keeps the decision line short while off and nothing changes, with the figures when something does", async () => {
      const store = remembered();
      await reconcile(store.over());
      await reconcile(store.over());
      await reconcile(store.over({ metrics: async () => flat(40) }));
      const [first, quiet, commit] = decisions();
      expect(first).toHaveProperty("evidence.demand_rps", 2);
      expect(quiet).not.toHaveProperty("evidence");
      expect(quiet).toMatchObject({ action: "none", to: "off", alerts: [] });
      expect(commit).toMatchObject({
        action: "commit",
        to: "warming",
        evidence: expect.objectContaining({ demand_rps: 40 }),
      });
    });
  });

  it("lets two scalers run at once (no reserved concurrency): one push wins, the other re-reads and commits nothing", async () => {
    const busy = deps({ metrics: async () => flat(40) });
    const [a, b] = await Promise.all([reconcile(busy), reconcile(busy)]);
    expect([a.outcome, b.outcome].sort()).toEqual(["committed", "no-change"]);
    expect(commits()).toBe(2);
    expect(JSON.parse(server.show(TOGGLE)).fargate_tier).toBe("warming");
    // The loser saw its push rejected, read the winner's commit, and found nothing left to do.
    expect(logs.filter((l) => l.msg === "push rejected; re-reading the toggle")).toHaveLength(1);
  });
});

describe("statusChanged", () => {
  const base: PublishedStatus = {
    state: "off",
    decision: "no change",
    reason: "quiet",
    at: "2026-11-22T12:00:00.000Z",
    alerts: [],
  };
  it.each<[string, boolean, PublishedStatus | undefined, PublishedStatus]>([
    ["no previous item", true, undefined, base],
    ["only the time moved", false, base, { ...base, at: "2026-11-22T12:01:00.000Z" }],
    ["another state", true, base, { ...base, state: "warming" }],
    ["another decision", true, base, { ...base, decision: "committed warming" }],
    ["another reason", true, base, { ...base, reason: "loud" }],
    ["an alert appeared", true, base, { ...base, alerts: [{ kind: "apply-failed", message: "m" }] }],
  ])("with %s: changed = %s", (_name, changed, prev, next) => {
    expect(statusChanged(prev, next)).toBe(changed);
  });
});
