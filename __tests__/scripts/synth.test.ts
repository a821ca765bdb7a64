import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import {
  bootstrapResources,
  hcpProblems,
  idleBillProblem,
  initialToggle,
  protectedFiles,
  publish,
  repairHclDefaults,
  resourcesPerState,
  staleFiles,
  synthesize,
  toggleProblem,
} from "../../scripts/synth";
import { IDLE_BILL_LIMIT_USD, idleBillFromStack } from "../../sim/idle-bill";
import { parseToggle } from "../../model/toggle";
import { ROOT } from "../helpers/processes";
import { removeDir } from "../helpers/terraform";

const config = loadDeploymentConfig(undefined, {});

describe("synth publishing (the deployment repository layout)", () => {
  const repo = mkdtempSync(join(tmpdir(), "lambdaflex-repo-"));
  const out = mkdtempSync(join(tmpdir(), "lambdaflex-out-"));
  const dirs = synthesize(config, out);
  afterAll(() => [repo, out].forEach(removeDir));

  it("writes each stack and an initial toggle (off, configured sizing) into the deploy directory", () => {
    const changed = publish(config, dirs, repo);
    expect(changed.sort()).toEqual([
      "deploy/bootstrap/cdk.tf.json",
      expect.stringMatching(/^deploy\/core\/assets\/scaler_code_\w+\/\w+\/scaler\.zip$/),
      "deploy/core/cdk.tf.json",
      "deploy/fargate/cdk.tf.json",
      "deploy/fargate/fargate.auto.tfvars.json",
    ]);
    expect(parseToggle(readFileSync(join(repo, config.toggleFile), "utf8"))).toEqual({
      fargate_tier: "off",
      fargate_tier_since: "1970-01-01T00:00:00Z",
      fargate_min_tasks: 2,
      fargate_max_tasks: 50,
      fargate_pinned: false,
      fargate_backoff_up: 0,
      fargate_backoff_down: 0,
    });
  });

  it("counts what each tier state manages: nothing when off, the record while warming and serving, the per-minute rule while changing", () => {
    const fargate = resourcesPerState(JSON.parse(readFileSync(join(dirs.fargate!, "cdk.tf.json"), "utf8")));
    expect(fargate.off).toBe(0);
    expect(fargate.warming).toBeGreaterThan(20);
    // Serving keeps the DNS record and drops the per-minute scaler rule (rule, target, permission).
    expect(fargate.serving).toBe(fargate.warming! - 3);
    // Draining drops the DNS record (the weighted switch's tier_routed) and keeps the rule.
    expect(fargate.draining).toBe(fargate.warming! - 1);
    const core = resourcesPerState(JSON.parse(readFileSync(join(dirs.core!, "cdk.tf.json"), "utf8")));
    expect(new Set(Object.values(core)).size).toBe(1);
    // Bootstrap: everything always, except the four service-linked roles behind their variable.
    expect(resourcesPerState({ resource: { aws_route53_record: { r: { count: "${local.tier_routed}" } } } })).toEqual({
      off: 0,
      warming: 1,
      serving: 1,
      draining: 0,
    });
    expect(() =>
      resourcesPerState({ resource: { aws_route53_record: { r: { count: "${local.tier_unknown}" } } } }),
    ).toThrow("unexpected count ${local.tier_unknown}");
    const bootstrap = bootstrapResources(JSON.parse(readFileSync(join(dirs.bootstrap!, "cdk.tf.json"), "utf8")));
    expect(bootstrap.serviceLinkedRoles).toBe(4);
    expect(bootstrap.always).toBeGreaterThan(10);
  });

  it("never overwrites the toggle file, whatever it holds", () => {
    const serving =
      '{"fargate_tier":"serving","fargate_tier_since":"2026-11-22T10:00:00Z","fargate_min_tasks":4,"fargate_max_tasks":12,"fargate_pinned":true}\n';
    writeFileSync(join(repo, config.toggleFile), serving);
    publish(config, dirs, repo);
    expect(readFileSync(join(repo, config.toggleFile), "utf8")).toBe(serving);
    writeFileSync(join(repo, config.toggleFile), "corrupt{");
    publish(config, dirs, repo);
    expect(readFileSync(join(repo, config.toggleFile), "utf8")).toBe("corrupt{");
  });

  it("never writes, overwrites or deletes the image release `npm run release` commits", () => {
    expect(protectedFiles(config)).toEqual([
      "deploy/fargate/fargate.auto.tfvars.json",
      "deploy/core/image.auto.tfvars.json",
    ]);
    const release = join(repo, "deploy", "core", "image.auto.tfvars.json");
    // Absent: synth does not create it (only the toggle has a synth-made initial value).
    publish(config, dirs, repo);
    expect(existsSync(release)).toBe(false);
    expect(staleFiles(config, dirs, repo)).toEqual([]);
    // Present, even unparsable: left byte for byte, and never reported stale or removed.
    for (const contents of [`{"image_digest":"sha256:${"1".repeat(64)}"}\n`, "not even json"]) {
      writeFileSync(release, contents);
      const stackFile = join(repo, "deploy/core/cdk.tf.json");
      writeFileSync(stackFile, "{}"); // a stale stack file forces a rewrite of that directory
      expect(staleFiles(config, dirs, repo)).toEqual(["deploy/core/cdk.tf.json"]);
      expect(publish(config, dirs, repo)).toEqual(["deploy/core/cdk.tf.json"]);
      expect(readFileSync(release, "utf8")).toBe(contents);
      expect(staleFiles(config, dirs, repo)).toEqual([]);
    }
  });

  it("reports, then deletes, the fargate image release earlier versions wrote: fargate runs core's task definition", () => {
    const retired = join(repo, "deploy", "fargate", "image.auto.tfvars.json");
    writeFileSync(retired, `{"image_digest":"sha256:${"1".repeat(64)}"}\n`);
    expect(staleFiles(config, dirs, repo)).toEqual([
      "deploy/fargate/image.auto.tfvars.json (no longer used: fargate runs core's task definition; synth deletes it)",
    ]);
    expect(publish(config, dirs, repo)).toEqual([
      "deploy/fargate/image.auto.tfvars.json (removed: fargate runs core's task definition)",
    ]);
    expect(existsSync(retired)).toBe(false);
    expect(staleFiles(config, dirs, repo)).toEqual([]);
  });

  it("removes a scaler asset that is no longer generated, and nothing else", () => {
    const old = join(repo, "deploy/core/assets/scaler_code_OLD/0000/scaler.zip");
    mkdirSync(dirname(old), { recursive: true });
    writeFileSync(old, "old code");
    expect(staleFiles(config, dirs, repo)).toEqual([
      "deploy/core/assets/scaler_code_OLD/0000/scaler.zip (no longer generated)",
    ]);
    expect(publish(config, dirs, repo)).toEqual(["deploy/core/assets/scaler_code_OLD/0000/scaler.zip (removed)"]);
    expect(existsSync(old)).toBe(false);
    for (const file of protectedFiles(config)) expect(existsSync(join(repo, file))).toBe(true);
  });

  it("reports nothing stale right after publishing, and names a hand-edited stack file", () => {
    expect(staleFiles(config, dirs, repo)).toEqual([]);
    const file = join(repo, "deploy/fargate/cdk.tf.json");
    writeFileSync(file, readFileSync(file, "utf8").replace('"default": "off"', '"default": "serving"'));
    expect(staleFiles(config, dirs, repo)).toEqual(["deploy/fargate/cdk.tf.json"]);
  });
});

describe("synth:check --hcp: would deploy/ run in HCP Terraform as configured?", () => {
  const hcp = { ...config, terraformCloud: { ...config.terraformCloud, organization: "acme" } };
  const eu = { ...hcp, terraformCloud: { ...hcp.terraformCloud, hostname: "app.eu.terraform.io" } };
  const out = mkdtempSync(join(tmpdir(), "lambdaflex-hcp-"));
  afterAll(() => removeDir(out));
  const synthAs = (c: typeof config, name: string) => {
    const dirs = synthesize(c, join(out, name));
    return Object.fromEntries(
      Object.entries(dirs).map(([id, dir]) => [id, JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"))]),
    );
  };
  const asHcp = synthAs(hcp, "hcp");

  it("passes stacks synthesized for the configured organization and host", () => {
    expect(hcpProblems(hcp, asHcp)).toEqual([]);
    expect(hcpProblems(eu, synthAs(eu, "eu"))).toEqual([]);
  });

  it("names the setting to change when no organization is configured (local state)", () => {
    expect(hcpProblems(config, synthAs(config, "local"))).toEqual([
      expect.stringMatching(
        /^terraformCloud\.organization is not set, .*set terraformCloud\.organization .*in lambdaflex\.config\.json, then run `npm run synth` and commit$/,
      ),
    ]);
  });

  it("catches stacks synthesized for another host: the cloud blocks and core's remote state", () => {
    const problems = hcpProblems(eu, asHcp);
    expect(problems).toEqual([
      "deploy/core/cdk.tf.json: the cloud block's hostname is app.terraform.io, but terraformCloud.hostname is app.eu.terraform.io: run `npm run synth` and commit",
      "deploy/fargate/cdk.tf.json: the cloud block's hostname is app.terraform.io, but terraformCloud.hostname is app.eu.terraform.io: run `npm run synth` and commit",
      expect.stringMatching(
        /^deploy\/fargate\/cdk\.tf\.json: terraform_remote_state\.cross-stack-reference-input-core reads core's outputs from app\.terraform\.io, but terraformCloud\.hostname is app\.eu\.terraform\.io/,
      ),
    ]);
  });

  it("catches a stack left on local state, another organization or workspace, and a bootstrap on the cloud backend", () => {
    const local = synthAs(config, "local2");
    const broken = JSON.parse(JSON.stringify(asHcp));
    broken.core.terraform.cloud.organization = "other";
    broken.core.terraform.cloud.workspaces.name = "elsewhere";
    broken.bootstrap.terraform = { cloud: { organization: "acme", workspaces: { name: "bootstrap" } } };
    expect(hcpProblems(hcp, { ...broken, fargate: local.fargate })).toEqual([
      expect.stringContaining(
        `deploy/core/cdk.tf.json: the cloud block's organization is "other", but terraformCloud.organization is "acme"`,
      ),
      expect.stringContaining(
        `deploy/core/cdk.tf.json: the cloud block's workspace is "elsewhere", but the configured one is "lambdaflex-core"`,
      ),
      expect.stringContaining("deploy/fargate/cdk.tf.json has no `cloud` block"),
      expect.stringContaining(
        "deploy/fargate/cdk.tf.json: terraform_remote_state.cross-stack-reference-input-core reads a local backend",
      ),
      expect.stringContaining("deploy/bootstrap/cdk.tf.json must use local state"),
    ]);
  });
});

describe("npm run synth:check on this repository", () => {
  const check = (...flags: string[]) =>
    spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/synth.ts", "--check", ...flags],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, CHECKPOINT_DISABLE: "1" },
      },
    );

  it("finds the committed deploy/ output fresh and secure, and core's idle bill within the limit", () => {
    const run = check();
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("is fresh and passes the security checks");
    const idles = Number(/core idles at \$(\d+\.\d\d)\/month/.exec(run.stdout)?.[1]);
    expect(idles).toBeGreaterThan(0);
    expect(idles).toBeLessThanOrEqual(IDLE_BILL_LIMIT_USD);
    expect(existsSync(join(ROOT, config.toggleFile))).toBe(true);
  });

  it("with --hcp, fails on this repository's local-state configuration and says what to set", () => {
    const run = check("--hcp");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("deploy/ would not run in HCP Terraform:");
    expect(run.stderr).toContain("set terraformCloud.organization");
  });
});

describe("a toggle the scaler refuses (synth and synth:check)", () => {
  const GOOD =
    '{"fargate_tier":"off","fargate_tier_since":"1970-01-01T00:00:00Z","fargate_min_tasks":2,"fargate_max_tasks":50,"fargate_pinned":false}\n';
  /** A repository root holding this repository's deploy/ with the toggle replaced. */
  const repoWith = (toggle: string | undefined, withDeploy = true) => {
    const repo = mkdtempSync(join(tmpdir(), "lambdaflex-toggle-"));
    if (withDeploy) cpSync(join(ROOT, config.deployDir), join(repo, config.deployDir), { recursive: true });
    if (toggle === undefined) return repo;
    mkdirSync(dirname(join(repo, config.toggleFile)), { recursive: true });
    writeFileSync(join(repo, config.toggleFile), toggle);
    return repo;
  };
  const repos: string[] = [];
  afterAll(() => repos.forEach(removeDir));
  const synth = (repo: string, ...flags: string[]) =>
    spawnSync(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/synth.ts", ...flags], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1", LAMBDAFLEX_REPO_ROOT: repo },
    });

  it.each([
    ["invalid JSON", '{"fargate_tier":"off",', "is not valid JSON"],
    ["an empty file", "", "is empty"],
    ['fargate_tier "bogus"', GOOD.replace('"off"', '"bogus"'), 'fargate_tier = "bogus": Invalid option'],
    [
      "a missing fargate_tier_since",
      GOOD.replace('"fargate_tier_since":"1970-01-01T00:00:00Z",', ""),
      "fargate_tier_since is missing",
    ],
    ["an extra key", GOOD.replace("}", ',"fargate_tiers":"off"}'), 'fargate_tiers = "off": not a toggle field'],
    [
      "min above max",
      GOOD.replace('"fargate_min_tasks":2', '"fargate_min_tasks":60'),
      "fargate_max_tasks = 50 is below fargate_min_tasks = 60",
    ],
    ['fargate_pinned "yes"', GOOD.replace("false", '"yes"'), 'fargate_pinned = "yes": Invalid input: expected boolean'],
  ])("names %s with the scaler's own words", (_what, toggle, words) => {
    const repo = repoWith(toggle, false);
    repos.push(repo);
    const problem = toggleProblem(config, repo);
    expect(problem).toContain(`${config.toggleFile} `);
    expect(problem).toContain(words);
    expect(problem).toMatch(/The scaler refuses this toggle and synth never rewrites it: fix it by hand/);
  });

  it("names a task count above fargate.maxTasks, which the fargate stack's variables refuse", () => {
    const repo = repoWith(
      GOOD.replace('"fargate_max_tasks":50', `"fargate_max_tasks":${config.fargate.maxTasks + 1}`),
      false,
    );
    repos.push(repo);
    expect(toggleProblem(config, repo)).toBe(
      `${config.toggleFile} is invalid: fargate_max_tasks = ${config.fargate.maxTasks + 1} is above fargate.maxTasks = ${config.fargate.maxTasks} in the configuration, which the fargate stack refuses. Lower it in the toggle, or raise fargate.maxTasks and run npm run synth`,
    );
  });

  it("has nothing to say about a good toggle or a missing one (synth creates it; synth:check calls it stale)", () => {
    repos.push(repoWith(GOOD, false), repoWith(undefined, false));
    expect(toggleProblem(config, repos[repos.length - 2]!)).toBeUndefined();
    expect(toggleProblem(config, repos[repos.length - 1]!)).toBeUndefined();
  });

  it("makes synth:check exit 1 naming the field and the value, with everything else fresh", () => {
    const repo = repoWith(GOOD.replace('"off"', '"bogus"'));
    repos.push(repo);
    const run = synth(repo, "--check");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^toggle check failed: deploy\/fargate\/fargate\.auto\.tfvars\.json is invalid: fargate_tier = "bogus": /,
    );
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stdout).not.toContain("fresh");
  }, 120_000);

  it("makes synth exit 1 naming the field and the value before it writes anything, and leaves the toggle as it was", () => {
    const toggle = GOOD.replace("false", '"yes"');
    const repo = repoWith(toggle, false);
    repos.push(repo);
    const run = synth(repo);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^synth: deploy\/fargate\/fargate\.auto\.tfvars\.json is invalid: fargate_pinned = "yes": /,
    );
    expect(run.stdout).toBe("");
    expect(readFileSync(join(repo, config.toggleFile), "utf8")).toBe(toggle);
    expect(existsSync(join(repo, config.deployDir, "core"))).toBe(false);
  }, 120_000);
});

describe("the idle cost check (synth:check)", () => {
  const out = mkdtempSync(join(tmpdir(), "lambdaflex-idle-"));
  afterAll(() => removeDir(out));
  const core = (c = config) =>
    JSON.parse(readFileSync(join(synthesize(c, mkdtempSync(join(out, "s-"))).core!, "cdk.tf.json"), "utf8"));

  it("passes the default core stack and fails one that bills more than the limit a month idle, naming the largest items", () => {
    expect(IDLE_BILL_LIMIT_USD).toBe(0.75);
    expect(idleBillProblem(idleBillFromStack(core()))).toBeUndefined();
    const bill = idleBillFromStack(core({ ...config, dashboard: true }));
    const problem = idleBillProblem(bill);
    // A dashboard ($3) on top of the default bill (alarms $0.20, up to 30 release images $0.35, PITR, the heartbeat).
    expect(bill.totalUsdPerMonth).toBeCloseTo(3 + idleBillFromStack(core()).totalUsdPerMonth, 9);
    expect(problem).toMatch(
      /^the core stack bills \$3\.5\d\/month while the tier is off, above the \$0\.75 limit \(largest: CloudWatch dashboards \$3\.00, ECR release images \$0\.35, CloudWatch alarms \$0\.20\)/,
    );
  });
});

describe("repairHclDefaults", () => {
  it("re-inserts a default the HCL writer dropped and leaves present ones alone", () => {
    const hcl = 'variable "a" {\ndescription = "x"\n}\nvariable "b" {\ndefault = 3\n}\n';
    const { hcl: fixed, fixed: names } = repairHclDefaults(hcl, {
      variable: { a: { default: false }, b: { default: 3 } },
    });
    expect(names).toEqual(["a"]);
    expect(fixed).toBe('variable "a" {\ndefault = false\ndescription = "x"\n}\nvariable "b" {\ndefault = 3\n}\n');
  });

  it("starts a deployment off, with the configured sizing and no pin", () => {
    expect(parseToggle(initialToggle(config))).toEqual({
      fargate_tier: "off",
      fargate_tier_since: "1970-01-01T00:00:00Z",
      fargate_min_tasks: config.fargate.minTasks,
      fargate_max_tasks: config.fargate.maxTasks,
      fargate_pinned: false,
      fargate_backoff_up: 0,
      fargate_backoff_down: 0,
    });
  });
});
