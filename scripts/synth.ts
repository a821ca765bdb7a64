/**
 * `npm run synth [-- --check [--hcp]] [-- --hcl] [-- --help]`
 *
 * Synthesizes every stack into cdktf.out (for the cdktf CLI), then publishes
 * the deployment layout into `<deployDir>/<stack>/`:
 *   deploy/bootstrap/cdk.tf.json              <- applied once by an administrator, local state
 *   deploy/core/cdk.tf.json                   <- HCP Terraform workspace (core)
 *   deploy/core/image.auto.tfvars.json        <- written by `npm run release`; never touched here
 *   deploy/fargate/cdk.tf.json                <- HCP Terraform workspace (fargate)
 *   deploy/fargate/fargate.auto.tfvars.json   <- the toggle: created once, never overwritten
 * A `deploy/fargate/image.auto.tfvars.json` left by an earlier release is
 * deleted (fargate runs core's task definition and declares no image).
 * Both exit 1, naming the field and the value, when the committed toggle is
 * one the scaler's own parser (model/toggle.ts `parseToggle`) refuses; synth
 * never rewrites it, so a human fixes it.
 * `--check` synthesizes into a temporary directory instead and exits 1 when
 * the toggle is refused, the committed files are stale, a security check fails or the core stack
 * would bill more than $0.75 a month while the tier is off; with `--hcp` it
 * also exits 1 when the committed core and fargate stacks would not run in
 * HCP Terraform as configured. `--hcl` writes HCL (cdk.tf) to cdktf.out only,
 * repaired so that terraform validates it and plans what the JSON plans.
 *
 * This file is the command; synthesis is synth-app.ts, the deploy layout
 * synth-publish.ts, the refusals synth-checks.ts and the report synth-summary.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DEFAULT_CONFIG_FILE, loadDeploymentConfig } from "../config/load";
import type { DeploymentConfig } from "../config/schema";
import { idleBillFromStack } from "../sim/idle-bill";
import { STACKS } from "../stacks/app";
import { HELP, parseFlags, UsageError } from "./cli-flags";
import { securityViolations } from "./security-checks";
import { synthesize, synthesizeHcl } from "./synth-app";
import { committedStacks, hcpProblems, idleBillProblem, toggleProblem } from "./synth-checks";
import { publish, staleFiles } from "./synth-publish";
import { describeSynth } from "./synth-summary";

export { repairHclDefaults } from "./hcl-repair";
export { synthesize, synthesizeApp, synthesizeHcl, synthesizeHclApp } from "./synth-app";
export { hcpProblems, idleBillProblem, toggleProblem } from "./synth-checks";
export { initialToggle, protectedFiles, publish, staleFiles } from "./synth-publish";
export { bootstrapResources, resourcesPerState } from "./synth-summary";

const ROOT = join(__dirname, "..");

/**
 * `--check [--hcp]`: synthesizes into a temporary directory and reports, on
 * stderr, a toggle the scaler refuses, every failed security check, every stale committed file and (with
 * `hcp`) every reason the committed stacks would not run in HCP Terraform.
 * Returns whether all passed.
 */
function check(config: DeploymentConfig, repoRoot: string, hcp: boolean): boolean {
  const toggle = toggleProblem(config, repoRoot);
  if (toggle) process.stderr.write(`toggle check failed: ${toggle}\n`);
  const tmp = mkdtempSync(join(tmpdir(), "lambdaflex-synth-"));
  try {
    const dirs = synthesize(config, tmp);
    const violations = Object.values(dirs).flatMap((d) =>
      securityViolations(JSON.parse(readFileSync(join(d, "cdk.tf.json"), "utf8"))),
    );
    if (violations.length > 0) {
      process.stderr.write(
        `security checks failed:\n${violations
          .map((v) => `  - [${v.check}] ${v.resource}: ${v.problem}`)
          .join("\n")}\n`,
      );
      return false;
    }
    const bill = idleBillFromStack(JSON.parse(readFileSync(join(dirs[STACKS.core]!, "cdk.tf.json"), "utf8")));
    const idle = idleBillProblem(bill);
    if (idle) {
      process.stderr.write(`idle cost check failed: ${idle}\n`);
      return false;
    }
    const stale = staleFiles(config, dirs, repoRoot);
    if (stale.length > 0)
      process.stderr.write(
        `synthesized output is stale; run \`npm run synth\` and commit:\n${stale.map((s) => `  - ${s}`).join("\n")}\n`,
      );
    const problems = hcp ? hcpProblems(config, committedStacks(config, repoRoot)) : [];
    if (problems.length > 0)
      process.stderr.write(
        `${config.deployDir}/ would not run in HCP Terraform:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`,
      );
    if (toggle || stale.length > 0 || problems.length > 0) return false;
    const { organization, hostname } = config.terraformCloud;
    const where = hcp
      ? `, passes the security checks and is set for HCP Terraform (organization ${organization} on ${hostname})`
      : " and passes the security checks";
    process.stdout.write(
      `synthesized output in ${config.deployDir}/ is fresh${where}; core idles at $${bill.totalUsdPerMonth.toFixed(
        2,
      )}/month\n`,
    );
    return true;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const USAGE = `usage: npm run synth                    synthesize every stack into cdktf.out/ and publish the deploy/ layout
       npm run synth:check [-- --hcp]   exit 1 if the toggle is one the scaler refuses, deploy/ is stale, a security check fails
                                        or core idles above the limit;
                                        --hcp: also if deploy/ would not run in HCP Terraform as configured
       npm run synth:hcl                HCL (cdk.tf) into cdktf.out/stacks/* only: the exit path from cdktf
Flags of scripts/synth.ts: --check, --hcp (implies --check), --hcl, -h/--help.`;

/** The command; returns the exit code (2 for a usage error). */
function main(argv: string[]): number {
  let values;
  try {
    values = parseFlags({
      args: argv,
      options: { ...HELP, check: { type: "boolean" }, hcp: { type: "boolean" }, hcl: { type: "boolean" } },
    }).values;
    if (values.hcl && (values.check || values.hcp))
      throw new UsageError("--hcl writes HCL to cdktf.out/ and cannot be combined with --check or --hcp");
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`synth: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  process.env.CHECKPOINT_DISABLE ??= "1";
  const config = loadDeploymentConfig(process.env.LAMBDAFLEX_CONFIG || DEFAULT_CONFIG_FILE, process.env);
  const repoRoot = process.env.LAMBDAFLEX_REPO_ROOT || ROOT;
  if (values.hcl) {
    const dirs = synthesizeHcl(config, join(ROOT, "cdktf.out"));
    process.stdout.write(
      `wrote HCL: ${Object.values(dirs)
        .map((d) => relative(ROOT, join(d, "cdk.tf")))
        .join(", ")}\n`,
    );
    return 0;
  }
  if (values.check || values.hcp) return check(config, repoRoot, values.hcp === true) ? 0 : 1;
  // Before anything is written: the stacks are not published beside a toggle the scaler refuses.
  const toggle = toggleProblem(config, repoRoot);
  if (toggle) {
    process.stderr.write(`synth: ${toggle}\n`);
    return 1;
  }
  const dirs = synthesize(config, join(ROOT, "cdktf.out"));
  const changed = publish(config, dirs, repoRoot);
  process.stdout.write(
    changed.length
      ? `updated:\n${changed.map((c) => `  - ${c}`).join("\n")}\n`
      : `${config.deployDir}/ already up to date\n`,
  );
  process.stdout.write(describeSynth(config, dirs, repoRoot));
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
