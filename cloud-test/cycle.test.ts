import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DynamoDBClient, UpdateTableCommand } from "@aws-sdk/client-dynamodb";
import { BatchDeleteImageCommand, ECRClient, ListImagesCommand } from "@aws-sdk/client-ecr";
import { ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { formatToggle, parseToggle, type TierState } from "../model/toggle";
import { GitServer } from "../__tests__/helpers/git-server";
import { terraformProviderDir } from "../__tests__/helpers/terraform";
import { CallLedger } from "./accounting";
import { cdktfDeploy } from "./cdktf-deploy";
import {
  clientOptions,
  prepareDeployment,
  releaseImage,
  workspaceOf,
  writeTokens,
  type Deployment,
} from "./deployment";
import { Emulator } from "./emulator";
import { maintainerCommit } from "./git-seed";
import { HOSTILE_OPERATIONS, runHostileCommit } from "./hostile-commit";
import { IDENTITIES, RUN_IDENTITIES } from "./identities";
import { allowedActions, writeActions } from "./iam/access-levels";
import { formatDenials, writeReport } from "./iam/account";
import { runScalerCycle } from "./scaler-cycle";
import { apply, assertNoDrift, destroy, writeOverride } from "./terraform-run";
import { TerraformCloudStandIn } from "./tfc-standin";
import { serviceNames } from "../model/names";

// The whole tier cycle on real parts: the synthesized stacks applied by real
// terraform (and once by the cdktf CLI) with the pinned AWS provider against an
// AWS API emulator, the runbook's order, every state of the toggle, then the
// production scaler driving the same cycle through real commits, then destroy.
// Every AWS call is recorded and checked against the role that makes it.

const GIT_TOKEN = "cloud-test-git-token";
const TFC_TOKEN = "cloud-test-tfc-token";
const ORGANIZATION = "lambdaflex-cloud-test";
// The longest service name the schema allows: every name derived from it must fit its AWS limit.
const SERVICE = "lambdaflex-cloud-cycle";
const OUTPUT = join(__dirname, "..", "test-output", "cloud");

/** The plan role of a stack's workspace. */
const planRole = (stack: "core" | "fargate", service: string): string =>
  (stack === "core" ? IDENTITIES.corePlan : IDENTITIES.fargatePlan).role(service);

const timings: Array<{ step: string; seconds: number }> = [];
const timed = async <T extends { seconds: number }>(step: string, run: Promise<T>): Promise<T> => {
  const out = await run;
  timings.push({ step, seconds: out.seconds });
  return out;
};

describe("the tier cycle applied against an AWS API emulator", () => {
  const root = mkdtempSync(join(tmpdir(), "lambdaflex-cloud-"));
  const git = new GitServer(GIT_TOKEN);
  let emulator: Emulator;
  let d: Deployment;
  let ledger: CallLedger;

  beforeAll(async () => {
    emulator = await Emulator.start(root);
    await git.start({ "README.md": "deployment repository\n" });
    d = await prepareDeployment({
      endpoint: emulator.url,
      pluginDir: terraformProviderDir(),
      gitUrl: git.url,
      organization: ORGANIZATION,
      service: SERVICE,
      root,
    });
    ledger = new CallLedger(emulator, d.config.service, d.target.region);
  });

  afterAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    writeFileSync(join(OUTPUT, "timings.json"), JSON.stringify(timings, null, 2));
    if (emulator) copyFileSync(emulator.callsFile, join(OUTPUT, "calls.jsonl"));
    await emulator?.stop();
    await git.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("runbook step 2: bootstrap applies with an administrator's credentials, and plans clean", async () => {
    const dir = d.stackDir("bootstrap");
    await timed(
      "bootstrap apply",
      apply(dir, RUN_IDENTITIES.bootstrap, d.target, { create_service_linked_roles: "true" }),
    );
    await assertNoDrift(dir, RUN_IDENTITIES.bootstrap, d.target, { create_service_linked_roles: "true" });
    await writeTokens(d, { git: GIT_TOKEN, terraformCloud: TFC_TOKEN });
    await ledger.loadRoles();
    // The plan roles, as IAM holds them after the apply: every action is List or Read in the Service
    // Authorization Reference, so a speculative plan (a pull request) gets no write credentials.
    for (const stack of ["core", "fargate"] as const) {
      const plan = ledger.policiesOf(planRole(stack, d.config.service));
      expect({ stack, writes: await writeActions(plan) }).toEqual({ stack, writes: [] });
      expect((await allowedActions(plan)).length).toBeGreaterThan(10);
    }
  });

  it("runbook steps 3 and 5: a release, then core through `cdktf deploy` as the core apply role, and the core plan role plans it clean", async () => {
    await releaseImage(d);
    maintainerCommit(git.bare, git.branch, d.files(), "deploy: configure and release");
    const deployed = await timed(
      "core cdktf deploy",
      cdktfDeploy("core", d.synthOut, RUN_IDENTITIES.core.apply, d.target),
    );
    if (deployed.status !== 0)
      throw new Error(`cdktf deploy core failed (exit ${deployed.status}):\n${deployed.output.slice(-6_000)}`);
    // The workspace's own directory (deploy/core) plans against the same state with the read-only plan role: nothing to do.
    await assertNoDrift(d.stackDir("core"), RUN_IDENTITIES.core, d.target);
    await ledger.loadRoles();
  });

  it("fargate walks off -> warming -> serving -> draining -> off as the scaler writes the toggle, with no drift after any apply", async () => {
    const dir = d.stackDir("fargate");
    const togglePath = join(d.repo, d.config.toggleFile);
    const elb = new ElasticLoadBalancingV2Client(clientOptions("harness", d.target.endpoint, d.target.region));
    const albs = async () =>
      ((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).map((lb) => lb.LoadBalancerName);
    const route53 = new Route53Client(clientOptions("harness", d.target.endpoint, d.target.region));
    // The service's weighted records: "lambda" (core, always there: the fallback) and "fargate" (while the tier is routed).
    const records = async () =>
      ((await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: d.zoneId }))).ResourceRecordSets ?? [])
        .filter((r) => r.Name === `${d.config.domain}.` && r.Type === "A")
        .map((r) => r.SetIdentifier)
        .sort();
    for (const state of ["off", "warming", "serving", "draining", "off"] as TierState[]) {
      const toggle = parseToggle(readFileSync(togglePath, "utf8"));
      writeFileSync(
        togglePath,
        formatToggle({
          ...toggle,
          fargate_tier: state,
          fargate_tier_since: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        }),
      );
      await timed(`fargate run ${state}`, apply(dir, RUN_IDENTITIES.fargate, d.target));
      await assertNoDrift(dir, RUN_IDENTITIES.fargate, d.target);
      expect({ state, albs: await albs(), records: await records() }).toEqual({
        state,
        albs: state === "off" ? [] : [serviceNames(d.config.service).tier.alb],
        records: state === "warming" || state === "serving" ? ["fargate", "lambda"] : ["lambda"],
      });
    }
  });

  it("the production scaler walks off -> warming -> serving -> draining -> off through real commits and real applies", async () => {
    // HCP Terraform's fargate workspace: VCS-driven on the deployment branch, auto-apply, its plan and apply roles.
    const workspace = workspaceOf(d.config, "fargate");
    const tfc = new TerraformCloudStandIn({
      organization: ORGANIZATION,
      token: TFC_TOKEN,
      workspaces: [{ name: workspace }],
      gitUrl: git.url,
      gitToken: GIT_TOKEN,
      branch: git.branch,
      workingDirectory: () => `${d.config.deployDir}/fargate`,
      apply: async ({ workDir }) => {
        writeOverride(workDir, d.target, workspace);
        try {
          const out = await apply(workDir, RUN_IDENTITIES.fargate, d.target);
          return {
            ok: true,
            log: out.output,
            changes: !/Apply complete! Resources: 0 added, 0 changed, 0 destroyed/.test(out.output),
          };
        } catch (err) {
          return { ok: false, log: (err as Error).message, changes: false };
        }
      },
    });
    const tfcUrl = await tfc.start();
    try {
      const report = await runScalerCycle({
        endpoint: d.target.endpoint,
        region: d.target.region,
        config: d.config,
        git,
        tfcUrl,
        tfc,
        log: () => {},
        emulatorCalls: () => emulator.calls(),
      });
      mkdirSync(OUTPUT, { recursive: true });
      writeFileSync(join(OUTPUT, "scaler-cycle.json"), JSON.stringify(report, null, 2));
      timings.push({ step: "scaler cycle (4 applies)", seconds: report.wallSeconds });
      expect(report.transitions.map((t) => `${t.from} -> ${t.to}`)).toEqual([
        "off -> warming",
        "warming -> serving",
        "serving -> draining",
        "draining -> off",
      ]);
      // Every commit applied, and after each the tier's resources are exactly what its state declares.
      expect(report.runs.map((r) => r.status)).toEqual(["applied", "applied", "applied", "applied"]);
      expect(report.tierChecks.filter((c) => !c.ok)).toEqual([]);
      expect(report.tierChecks.map((c) => `${c.state}: alb ${c.alb}`)).toEqual([
        "warming: alb true",
        "serving: alb true",
        "draining: alb true",
        "off: alb false",
      ]);
    } finally {
      await tfc.stop();
    }
  });

  it("denies each call of a hostile commit to deploy/fargate/cdk.tf.json: a new role, a changed trust policy, a wider task policy, a task definition with a foreign image", async () => {
    const from = ledger.nextSeq();
    const hostile = await runHostileCommit(d);
    try {
      const accounting = await ledger.setAside(from);
      writeReport(join(OUTPUT, "iam-hostile.json"), accounting);
      // The emulator enforces no IAM, so every hostile call reached it; IAM would have refused each one.
      const verdicts = HOSTILE_OPERATIONS.map((op) => ({
        op,
        decisions: accounting.verdicts
          .filter((v) => `${v.service === "ecs" ? "ecs" : "iam"}:${v.operation}` === op && v.action === op)
          .map((v) => `${v.role}: ${v.decision}`),
      }));
      const s = d.config.service;
      expect(verdicts).toEqual(
        HOSTILE_OPERATIONS.map((op) => ({
          op,
          decisions: [expect.stringMatching(new RegExp(`^${s}-tfc-fargate-apply: denied$`))],
        })),
      );
      // Neither phase of the workspace may do anything in IAM: the plan role cannot even read the role it
      // imports (the provider's iam:GetUser account probe needs no permission).
      expect(
        accounting.verdicts
          .filter((v) => v.action.startsWith("iam:") && v.decision === "allowed")
          .map((v) => `${v.role} ${v.action} ${v.decision}`),
      ).toEqual([]);
      expect(accounting.unmapped).toEqual([]);
    } finally {
      await hostile.cleanUp();
    }
  });

  it("destroys fargate and core (after lifting the table's deletion protection as the README says), then bootstrap", async () => {
    await timed("fargate destroy", destroy(d.stackDir("fargate"), RUN_IDENTITIES.fargate, d.target));
    // Core refuses to destroy the links table while deletion protection is on: the real AWS error.
    const refused = await destroy(d.stackDir("core"), RUN_IDENTITIES.core, d.target).then(
      () => "destroyed",
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/can't be deleted while DeletionProtectionEnabled is set to True/);
    // README: `aws dynamodb update-table --table-name <service>-links --no-deletion-protection-enabled`, by an administrator.
    const dynamo = new DynamoDBClient(clientOptions("admin", d.target.endpoint, d.target.region));
    await dynamo.send(
      new UpdateTableCommand({ TableName: serviceNames(d.config.service).table, DeletionProtectionEnabled: false }),
    );
    await timed("core destroy", destroy(d.stackDir("core"), RUN_IDENTITIES.core, d.target));
    // Bootstrap keeps the image repository while it holds releases; the README's teardown empties it first.
    const ecr = new ECRClient(clientOptions("admin", d.target.endpoint, d.target.region));
    const images = (await ecr.send(new ListImagesCommand({ repositoryName: d.config.service }))).imageIds ?? [];
    if (images.length)
      await ecr.send(new BatchDeleteImageCommand({ repositoryName: d.config.service, imageIds: images }));
    await timed(
      "bootstrap destroy",
      destroy(d.stackDir("bootstrap"), RUN_IDENTITIES.bootstrap, d.target, { create_service_linked_roles: "true" }),
    );
    const elb = new ElasticLoadBalancingV2Client(clientOptions("harness", d.target.endpoint, d.target.region));
    expect((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).toEqual([]);
  });

  it("makes every AWS call with a role whose policies allow it: zero denied, every call accounted", async () => {
    const accounting = await ledger.account();
    writeReport(join(OUTPUT, "iam-report.json"), accounting);
    const roles = Object.entries(accounting.summary).map(
      ([role, c]) => `${role}: ${c.allowed} allowed, ${c.denied} denied, ${c["not-required"]} need no permission`,
    );
    process.stderr.write(`cloud test IAM accounting (test-output/cloud/iam-report.json):\n  ${roles.join("\n  ")}\n`);
    expect(formatDenials(accounting)).toBe("");
    // Every accounted identity made calls: the accounting saw both phases of core and fargate, and the scaler, at work.
    const s = d.config.service;
    expect(Object.keys(accounting.summary).sort()).toEqual(
      [
        `${s}-scaler-role`,
        `${s}-tfc-core-apply`,
        `${s}-tfc-core-plan`,
        `${s}-tfc-fargate-apply`,
        `${s}-tfc-fargate-plan`,
      ].sort(),
    );
  });
});
