import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { queueRun, readRuns, TerraformCloudError, type TerraformCloudTarget } from "../scaler/adapters/terraform-cloud";
import { GitServer } from "../__tests__/helpers/git-server";
import { TerraformCloudStandIn, type ApplyArgs, type ApplyResult } from "./tfc-standin";

// The stand-in against the production adapter as its client: a real git server,
// runs polled from the branch head, and an apply callback that records calls
// (held at a gate to observe a pending run, or failing once on request).
jest.setTimeout(60_000);

const FARGATE = "lambdaflex-fargate";
const BASE = "lambdaflex-base";
const DIRS: Record<string, string> = { [FARGATE]: "deploy/fargate", [BASE]: "deploy/base" };

interface Call extends ApplyArgs {
  readonly content: string;
}

async function until<T>(read: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    const v = await read();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("TerraformCloudStandIn", () => {
  const git = new GitServer("git-token");
  const calls: Call[] = [];
  let gate: Promise<void> = Promise.resolve();
  let failNext = false;
  let standIn: TerraformCloudStandIn;
  let target: TerraformCloudTarget;
  const head = () => git.git(["rev-parse", "main"]);

  const apply = async (args: ApplyArgs): Promise<ApplyResult> => {
    // What the run checked out, read before the gate: the commit's tree at workDir.
    const file = join(args.workDir, "main.tf");
    calls.push({ ...args, content: existsSync(file) ? readFileSync(file, "utf8") : "" });
    await gate;
    if (failNext) {
      failNext = false;
      return {
        ok: false,
        changes: true,
        log: `Error: creating ECS Service: throttled (${args.commitSha.slice(0, 7)})`,
      };
    }
    return { ok: true, changes: true, log: `Apply complete! Resources: 1 added (${args.commitSha.slice(0, 7)})` };
  };

  beforeAll(async () => {
    const gitUrl = await git.start({
      "deploy/fargate/main.tf": "# v0\n",
      "deploy/base/main.tf": "# base\n",
      "README.md": "deploy repo\n",
    });
    standIn = new TerraformCloudStandIn({
      organization: "acme",
      token: "tfc-token",
      workspaces: [{ name: FARGATE }, { name: BASE, id: "ws-base0000000000" }],
      gitUrl,
      gitToken: "git-token",
      branch: "main",
      workingDirectory: (w) => DIRS[w] ?? "",
      apply,
      pollMs: 50,
    });
    target = { baseUrl: await standIn.start(), organization: "acme", workspace: FARGATE, token: "tfc-token" };
  });

  afterAll(async () => {
    await standIn?.stop();
    await git.stop();
  });

  it("creates no run for the head it sees at start", async () => {
    await standIn.whenIdle();
    expect(standIn.runs(FARGATE)).toEqual([]);
    expect(standIn.runs(BASE)).toEqual([]);
    const runs = await readRuns(target, head());
    expect(runs.forHead).toBeUndefined();
    expect(runs.workspaceId).toMatch(/^ws-[A-Za-z0-9]{16}$/);
  });

  it("runs a push under the working directory: pending, then applied, on that commit's checkout", async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    git.commitOther("deploy/fargate/main.tf", "# v1\n", "fargate: warming");
    const sha = head();

    const pending = await until(async () => (await readRuns(target, sha)).forHead, "the run for the push");
    expect(pending).toMatchObject({ commitSha: sha, phase: "pending" });
    expect(pending.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(pending.finishedAt).toBeUndefined();

    open();
    await standIn.whenIdle();
    const done = await readRuns(target, sha);
    expect(done.forHead).toMatchObject({ id: pending.id, status: "applied", phase: "applied", commitSha: sha });
    expect(done.forHead?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(done.failedAttemptsForHead).toBe(0);

    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ workspace: FARGATE, commitSha: sha, runId: pending.id, content: "# v1\n" });
    expect(calls[0]!.workDir).toBe(join(calls[0]!.checkoutDir, "deploy/fargate"));
    const [run] = standIn.runs(FARGATE);
    expect(run).toMatchObject({
      id: pending.id,
      status: "applied",
      commitSha: sha,
      source: "vcs",
      log: expect.stringContaining("Apply complete!"),
    });
    expect(run!.history).toEqual([
      "pending",
      "plan_queued",
      "planning",
      "planned",
      "apply_queued",
      "applying",
      "applied",
    ]);
    // The other workspace's directory did not change.
    expect(standIn.runs(BASE)).toEqual([]);
  });

  it("creates no run for a push outside the working directory", async () => {
    const before = await readRuns(target, head());
    git.commitOther("README.md", "deploy repo, edited\n", "docs");
    const sha = head();
    await standIn.whenIdle();
    const after = await readRuns(target, sha);
    expect(after.forHead).toBeUndefined();
    expect(after.newest?.id).toBe(before.newest?.id);
    expect(standIn.runs(FARGATE)).toHaveLength(1);
    expect(standIn.runs(BASE)).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it("reports a failed apply as failed once, and a queued run on the head then applies", async () => {
    failNext = true;
    git.commitOther("deploy/fargate/main.tf", "# v2\n", "fargate: serving");
    const sha = head();
    await standIn.whenIdle();
    const failed = await readRuns(target, sha);
    expect(failed.forHead).toMatchObject({ status: "errored", phase: "failed", commitSha: sha });
    expect(failed.forHead?.finishedAt).toBeDefined();
    expect(failed.failedAttemptsForHead).toBe(1);
    expect(standIn.runs(FARGATE)[1]).toMatchObject({ status: "errored", log: expect.stringContaining("throttled") });

    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const queued = await queueRun(target, failed.workspaceId, "LambdaFlex: retry after a failed run");
    const retry = await readRuns(target, sha);
    expect(retry.forHead).toMatchObject({ id: queued.id, phase: "pending", commitSha: sha });
    expect(retry.failedAttemptsForHead).toBe(0);
    open();
    await standIn.whenIdle();
    const applied = await readRuns(target, sha);
    expect(applied.forHead).toMatchObject({ id: queued.id, status: "applied", phase: "applied" });
    expect(applied.failedAttemptsForHead).toBe(0);
    expect(standIn.runs(FARGATE).map((r) => [r.source, r.status])).toEqual([
      ["vcs", "applied"],
      ["vcs", "errored"],
      ["api", "applied"],
    ]);
    expect(calls.map((c) => c.content)).toEqual(["# v1\n", "# v2\n", "# v2\n"]);
  });

  it("stamps runs on the clock the scaler reads, so a controlled clock drives both", async () => {
    standIn.useClock(() => new Date("2026-01-02T03:04:05.678Z"));
    try {
      git.commitOther("deploy/fargate/main.tf", "# v3\n", "fargate: draining");
      const sha = head();
      await until(async () => (await readRuns(target, sha)).forHead, "the run for the push");
      await standIn.whenIdle();
      const done = await readRuns(target, sha);
      expect(done.forHead).toMatchObject({
        phase: "applied",
        createdAt: "2026-01-02T03:04:05.678Z",
        finishedAt: "2026-01-02T03:04:05+00:00",
      });
    } finally {
      standIn.useClock(() => new Date());
    }
  });

  it("answers a wrong token with 401 (the adapter's error) and an unknown workspace with 404", async () => {
    const wrong = readRuns({ ...target, token: "nope" }, head());
    await expect(wrong).rejects.toBeInstanceOf(TerraformCloudError);
    await expect(readRuns({ ...target, token: "nope" }, head())).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining("rejected the API token"),
    });
    await expect(queueRun({ ...target, token: "nope" }, "ws-base0000000000", "x")).rejects.toMatchObject({
      status: 401,
    });
    await expect(readRuns({ ...target, workspace: "missing" }, head())).rejects.toMatchObject({ status: 404 });

    const res = await fetch(`${target.baseUrl}/api/v2/organizations/acme/workspaces/${FARGATE}`);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/vnd.api+json");
    expect(await res.json()).toEqual({ errors: [{ status: "401", title: "unauthorized" }] });
  });
});
