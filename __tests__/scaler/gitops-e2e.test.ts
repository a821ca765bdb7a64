import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { publish, synthesize } from "../../scripts/synth";
import { formatImageRelease, imageReleasePaths } from "../../model/release-file";
import type { PublishedStatus } from "../../scaler/adapters/status";
import { toggleReader } from "../../scaler/git-toggle";
import { accumulated, lambdaExcess, roundTripCost } from "../../scaler/money";
import { policyConfigFrom, roundTripShape, type Metrics } from "../../scaler/policy";
import { reconcile } from "../../scaler/reconcile";
import { parseToggle, type TierState } from "../../model/toggle";
import { GitServer } from "../helpers/git-server";
import { ROOT } from "../helpers/processes";
import {
  initStack,
  MOCK_PROVIDER,
  readStack,
  remoteStateOverrides,
  removeDir,
  terraform,
  TEST_IMAGE_DIGEST,
  tierPlanAsserts,
} from "../helpers/terraform";

// The whole GitOps loop on real parts: the synthesized fargate stack and its
// toggle in a git repository served by `git http-backend`, the real reconciler
// committing over smart HTTP, and real `terraform test` (mock AWS provider)
// planning every committed tree. Only AWS itself is modelled: Terraform Cloud
// applies a commit APPLY minutes after it lands, and tasks turn healthy BOOT
// minutes after that.
const APPLY = 3;
const BOOT = 4;
const HISTORY = 90;
const START = Date.parse("2026-11-23T08:00:00Z");

/** The demand series, requests per second per minute: quiet, a burst, sustained high, calm. */
const PHASES: Array<[string, number, number]> = [
  ["quiet", 30, 2],
  ["burst", 3, 60],
  ["quiet", 12, 2],
  ["sustained high", 110, 45],
  ["calm", 150, 1],
];
const DEMAND = PHASES.flatMap(([, minutes, rps]) => Array(minutes).fill(rps) as number[]);

const listFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) =>
    statSync(join(dir, n)).isDirectory() ? listFiles(join(dir, n)).map((f) => join(n, f)) : [n],
  );

describe("GitOps loop end to end", () => {
  const config = loadDeploymentConfig(undefined, {});
  const server = new GitServer("e2e-token");
  const work: string[] = [];
  afterAll(async () => {
    await server.stop();
    work.forEach(removeDir);
  });

  it("scales off -> warming -> serving -> draining -> off on a real repository, and terraform plans each committed state", async () => {
    // Seed the deployment repository with the synthesized stacks and the initial toggle.
    const out = mkdtempSync(join(tmpdir(), "e2e-synth-"));
    const repo = mkdtempSync(join(tmpdir(), "e2e-repo-"));
    work.push(out, repo);
    publish(config, synthesize(config, out), repo);
    // A release has been recorded, as `npm run release` leaves it (the stacks require image_digest).
    const release = formatImageRelease({
      image_digest: TEST_IMAGE_DIGEST,
      image_tag: "release-e2e",
      released_at: "2026-11-22T00:00:00Z",
    });
    for (const path of Object.values(imageReleasePaths(config.deployDir))) writeFileSync(join(repo, path), release);
    const files = Object.fromEntries(listFiles(repo).map((f) => [f, readFileSync(join(repo, f), "latin1")]));
    await server.start(files);

    // One terraform working directory, initialised once; each committed tree is copied in and tested.
    const tfDir = initStack(join(repo, config.deployDir, "fargate"));
    work.push(tfDir);
    const stackJson = readStack(tfDir);
    const planCommittedTree = (state: TierState) => {
      for (const f of ["cdk.tf.json", "fargate.auto.tfvars.json"]) {
        writeFileSync(join(tfDir, f), server.show(`${config.deployDir}/fargate/${f}`) + "\n");
      }
      const asserts = tierPlanAsserts(stackJson, state);
      // No variables block: the plan must follow the committed *.auto.tfvars.json alone.
      writeFileSync(
        join(tfDir, "committed.tftest.hcl"),
        `${MOCK_PROVIDER}\n\n${remoteStateOverrides(stackJson)}\n\nrun "committed_${state}" {\n  command = plan\n  assert {\n    condition     = var.fargate_tier == "${state}"\n    error_message = "toggle not applied"\n  }\n${asserts}\n}\n`,
      );
      return terraform(["test"], tfDir);
    };

    // The toggle read as the production handler reads it (scaler/handler.ts): one reader for the
    // whole run, which asks the server only for the branch head while nothing changed and clones
    // when a commit lands. A fresh clone every minute (checkoutToggle) made this test ~215 clones
    // through git http-backend, most of its run time, and minutes on a loaded machine.
    const workRoot = mkdtempSync(join(tmpdir(), "e2e-reader-"));
    work.push(workRoot);
    const readToggle = toggleReader({
      url: server.url,
      branch: "main",
      path: config.toggleFile,
      token: "e2e-token",
      username: "x-access-token",
      author: { name: "LambdaFlex scaler", email: "scaler@lambdaflex.invalid" },
      workRoot,
    });

    // The modelled world.
    let applied: { state: TierState; at: number } = { state: "off", at: -1e9 };
    const pending: Array<{ state: TierState; at: number; minTasks: number }> = [];
    let minTasks = 2;
    const api: Array<number | undefined> = [];
    const alb: Array<number | undefined> = [];
    const healthy: Array<number | undefined> = [];
    const transitions: Array<{ minute: number; from: TierState; to: TierState }> = [];
    const plans: string[] = [];
    let minute = 0;
    // The status item, as production keeps it: what the scaler remembers from one run to the next.
    let status: PublishedStatus | undefined;

    for (; minute < DEMAND.length; minute++) {
      while (pending.length && pending[0]!.at <= minute) {
        const p = pending.shift()!;
        applied = { state: p.state, at: p.at };
        minTasks = p.minTasks;
      }
      const exists = applied.state !== "off";
      const live = applied.state === "serving";
      api.push(live ? undefined : DEMAND[minute]! * 60);
      alb.push(live ? DEMAND[minute]! * 60 : undefined);
      healthy.push(exists ? (minute >= applied.at + BOOT ? minTasks : 0) : undefined);
      const metrics: Metrics = {
        apiRequests: api.slice(-HISTORY),
        albRequests: alb.slice(-HISTORY),
        healthyHosts: healthy.slice(-HISTORY),
        lambdaThrottles: api.slice(-HISTORY).map(() => 0),
        lambdaConcurrency: api.slice(-HISTORY).map((v) => (v ?? 0) / 600),
      };
      const now = new Date(START + minute * 60_000);
      const result = await reconcile({
        policy: policyConfigFrom(config),
        service: config.service,
        toggleFile: config.toggleFile,
        dryRun: false,
        logger: () => undefined,
        now: () => now,
        metrics: async () => metrics,
        records: async () => ({ lambda: true, fargate: live }),
        publish: async (s) => void (status = s),
        readStatus: async () => status,
        checkout: readToggle,
      });
      if (result.outcome === "committed") {
        const d = result.decision!;
        transitions.push({ minute, from: d.from, to: d.to });
        pending.push({ state: d.to, at: minute + APPLY, minTasks: d.toggle.fargate_min_tasks });
        const committed = parseToggle(server.show(config.toggleFile));
        expect(committed.fargate_tier).toBe(d.to);
        const plan = planCommittedTree(d.to);
        plans.push(`${d.to}: ${/Success! 1 passed, 0 failed/.test(plan.output) ? "plan matches" : plan.output}`);
      }
    }

    expect(plans.every((p) => p.endsWith("plan matches"))).toBe(true);
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual([
      "off->warming",
      "warming->serving",
      "serving->draining",
      "draining->off",
    ]);
    const at = (phaseStart: string) => {
      const i = PHASES.findIndex(([name]) => name === phaseStart);
      return PHASES.slice(0, i).reduce((a, [, m]) => a + m, 0);
    };
    const sustained = at("sustained high");
    const calm = at("calm");
    // The burst (3 min at 60 req/s) costs less Lambda excess than a round trip; the sustained phase
    // (45 req/s, $0.0043 a minute beyond Fargate, on what the burst left: the quiet between them is
    // shorter than a warm-up, so it is one load) pays the up price: the round trip as this world bills
    // it (warm-up, drain window with stragglers, teardown). Both from the money model, as the scaler adds them up.
    const policy = policyConfigFrom(config);
    const behind = (minutes: number) =>
      accumulated(
        DEMAND.slice(0, minutes).map((r) => r * 60),
        (v) => lambdaExcess(v, policy),
      );
    const upPrice = roundTripCost(policy, roundTripShape(policy, { fargate_max_tasks: config.fargate.maxTasks }, 2));
    expect(behind(sustained)).toBeLessThan(upPrice);
    const pays = Array.from({ length: 110 }, (_, i) => sustained + i).find((m) => behind(m + 1) >= upPrice)!;
    expect(pays - sustained).toBeGreaterThan(3);
    expect(transitions[0]!.minute).toBeGreaterThanOrEqual(pays - 1);
    expect(transitions[0]!.minute).toBeLessThanOrEqual(pays + 2);
    expect(transitions[1]!.minute).toBe(transitions[0]!.minute + APPLY + BOOT + 1);
    // Scale-down waits for the dwell time, then for Fargate's excess to pay a round trip plus a warm-up at the last half hour's high.
    expect(transitions[2]!.minute - transitions[1]!.minute).toBeGreaterThanOrEqual(config.scaling.minDwellMinutes);
    expect(transitions[2]!.minute).toBeGreaterThanOrEqual(calm + 20);
    expect(transitions[2]!.minute).toBeGreaterThan(calm);
    // Off comes a drain window (TTL, deregistration delay, stragglers) after the record left with the draining apply.
    const drainMinutes =
      (config.scaling.dnsTtlSeconds + config.scaling.deregistrationDelaySeconds) / 60 + config.scaling.stragglerMinutes;
    expect(transitions[3]!.minute - transitions[2]!.minute).toBeGreaterThanOrEqual(APPLY + drainMinutes);

    // The toggle's git log is the scaling history.
    const log = server.git(["log", "--format=%cI %s", "main", "--", config.toggleFile]).split("\n").reverse();
    expect(log).toHaveLength(5);
    expect(log[0]).toMatch(/seed deployment repository/);
    expect(log.slice(1).map((l) => l.split(" ").slice(1, 5).join(" "))).toEqual([
      "lambdaflex: off -> warming:",
      "lambdaflex: warming -> serving:",
      "lambdaflex: serving -> draining:",
      "lambdaflex: draining -> off:",
    ]);
    // Nothing but the toggle was ever committed by the scaler.
    expect(server.git(["log", "--format=", "--name-only", "main~4..main"]).split("\n").filter(Boolean)).toEqual(
      Array(4).fill(config.toggleFile),
    );

    const report = join(ROOT, "test-output");
    mkdirSync(report, { recursive: true });
    writeFileSync(
      join(report, "gitops-history.txt"),
      [
        `phases: ${PHASES.map(([n, m, r]) => `${n} ${m} min at ${r} req/s`).join(", ")}`,
        `transitions (minute from start): ${transitions.map((t) => `${t.minute} ${t.from}->${t.to}`).join(", ")}`,
        `terraform test per commit: ${plans.join("; ")}`,
        "",
        server.git(["log", "--format=%h %cI %an%n  %s", "main", "--", config.toggleFile]),
        "",
      ].join("\n"),
    );
    expect(relative(ROOT, report)).toBe("test-output");
  }, 240_000);
});
