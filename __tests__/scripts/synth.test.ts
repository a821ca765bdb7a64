import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { initialToggle, publish, repairHclDefaults, resourcesPerState, staleFiles, synthesize } from "../../scripts/synth";
import { parseToggle } from "../../scaler/toggle";
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
    });
  });

  it("counts what each tier state manages: nothing when off, one more record when serving", () => {
    const fargate = resourcesPerState(JSON.parse(readFileSync(join(dirs.fargate!, "cdk.tf.json"), "utf8")));
    expect(fargate.off).toBe(0);
    expect(fargate.warming).toBeGreaterThan(20);
    expect(fargate.serving).toBe(fargate.warming! + 1);
    expect(fargate.draining).toBe(fargate.warming);
    const core = resourcesPerState(JSON.parse(readFileSync(join(dirs.core!, "cdk.tf.json"), "utf8")));
    expect(new Set(Object.values(core)).size).toBe(1);
  });

  it("never overwrites the toggle file, whatever it holds", () => {
    const serving = '{"fargate_tier":"serving","fargate_tier_since":"2026-11-22T10:00:00Z","fargate_min_tasks":4,"fargate_max_tasks":12,"fargate_pinned":true}\n';
    writeFileSync(join(repo, config.toggleFile), serving);
    publish(config, dirs, repo);
    expect(readFileSync(join(repo, config.toggleFile), "utf8")).toBe(serving);
    writeFileSync(join(repo, config.toggleFile), "corrupt{");
    publish(config, dirs, repo);
    expect(readFileSync(join(repo, config.toggleFile), "utf8")).toBe("corrupt{");
  });

  it("removes a scaler asset that is no longer generated, and nothing else", () => {
    const old = join(repo, "deploy/core/assets/scaler_code_OLD/0000/scaler.zip");
    mkdirSync(dirname(old), { recursive: true });
    writeFileSync(old, "old code");
    expect(staleFiles(config, dirs, repo)).toEqual(["deploy/core/assets/scaler_code_OLD/0000/scaler.zip (no longer generated)"]);
    expect(publish(config, dirs, repo)).toEqual(["deploy/core/assets/scaler_code_OLD/0000/scaler.zip (removed)"]);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(join(repo, config.toggleFile))).toBe(true);
  });

  it("reports nothing stale right after publishing, and names a hand-edited stack file", () => {
    expect(staleFiles(config, dirs, repo)).toEqual([]);
    const file = join(repo, "deploy/fargate/cdk.tf.json");
    writeFileSync(file, readFileSync(file, "utf8").replace('"default": "off"', '"default": "serving"'));
    expect(staleFiles(config, dirs, repo)).toEqual(["deploy/fargate/cdk.tf.json"]);
  });
});

describe("npm run synth:check on this repository", () => {
  it("finds the committed deploy/ output fresh and secure", () => {
    const run = spawnSync(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/synth.ts", "--check"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("is fresh and passes the security checks");
    expect(existsSync(join(ROOT, config.toggleFile))).toBe(true);
  });
});

describe("repairHclDefaults", () => {
  it("re-inserts a default the HCL writer dropped and leaves present ones alone", () => {
    const hcl = 'variable "a" {\ndescription = "x"\n}\nvariable "b" {\ndefault = 3\n}\n';
    const { hcl: fixed, fixed: names } = repairHclDefaults(hcl, { variable: { a: { default: false }, b: { default: 3 } } });
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
    });
  });
});
