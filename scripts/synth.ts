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
 * would bill more than $0.30 a month while the tier is off; with `--hcp` it
 * also exits 1 when the committed core and fargate stacks would not run in
 * HCP Terraform as configured. `--hcl` writes HCL (cdk.tf) to cdktf.out only,
 * repaired so that terraform validates it and plans what the JSON plans.
 */
import { App, TerraformStack } from "cdktf";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { DEFAULT_CONFIG_FILE, loadDeploymentConfig } from "../config/load";
import type { DeploymentConfig } from "../config/schema";
import { formatToggle, parseToggle, TIER_STATES, ToggleFileError } from "../model/toggle";
import { existsIn, tierCountOf } from "../model/tier-states";
import { buildStacks, STACKS, WORKSPACE_STACKS } from "../stacks/app";
import { formatIdleBill, IDLE_BILL_LIMIT_USD, idleBillFromStack, type IdleBill } from "../sim/idle-bill";
import { HELP, parseFlags, UsageError } from "./cli-flags";
import { repairHcl } from "./hcl-repair";
import { imageReleasePaths, retiredImageReleasePath } from "../model/release-file";
import { securityViolations } from "./security-checks";

export { repairHclDefaults } from "./hcl-repair";

const ROOT = join(__dirname, "..");

/** Every file under dir, relative to it. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full).map((f) => join(name, f)) : [name];
  });
}

/** Synthesizes the stacks `build` adds to an App into outdir/stacks/<id>/, as JSON (cdk.tf.json) or HCL (cdk.tf). */
export function synthesizeApp(build: (app: App) => void, outdir: string, hclOutput = false): void {
  // cdktf 0.21 reads HCL mode per stack from SYNTH_HCL_OUTPUT when the stack is
  // constructed; App's `hclOutput` alone only renames the file (JSON inside cdk.tf).
  const previous = process.env.SYNTH_HCL_OUTPUT;
  process.env.SYNTH_HCL_OUTPUT = hclOutput ? "true" : "false";
  try {
    const app = new App({ outdir, hclOutput });
    build(app);
    app.synth();
    // cdktf leaves the other form in place, and terraform would read both (duplicate resources).
    for (const stack of app.node.children.filter(TerraformStack.isStack)) {
      rmSync(join(outdir, "stacks", stack.node.id, hclOutput ? "cdk.tf.json" : "cdk.tf"), { force: true });
    }
  } finally {
    if (previous === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = previous;
  }
}

const stackDirs = (outdir: string): Record<string, string> => Object.fromEntries(Object.values(STACKS).map((id) => [id, join(outdir, "stacks", id)]));

/** Synthesizes all stacks into outdir; returns the stack directories. */
export function synthesize(config: DeploymentConfig, outdir: string, hclOutput = false): Record<string, string> {
  synthesizeApp((app) => buildStacks(app, config), outdir, hclOutput);
  return stackDirs(outdir);
}

/**
 * Synthesizes the stacks `build` adds as HCL into outdir/stacks/<id>/cdk.tf and
 * repairs what cdktf's HCL writer gets wrong (string escaping, quoted
 * references, dropped defaults: scripts/hcl-repair.ts) from a JSON synth of
 * the same app.
 */
export function synthesizeHclApp(build: (app: App) => void, outdir: string): void {
  const tmp = mkdtempSync(join(tmpdir(), "lambdaflex-json-"));
  try {
    synthesizeApp(build, tmp);
    synthesizeApp(build, outdir, true);
    for (const id of readdirSync(join(tmp, "stacks"))) {
      const json = JSON.parse(readFileSync(join(tmp, "stacks", id, "cdk.tf.json"), "utf8"));
      const file = join(outdir, "stacks", id, "cdk.tf");
      writeFileSync(file, repairHcl(readFileSync(file, "utf8"), json));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** `npm run synth:hcl`: every stack as HCL that terraform validates and plans like the JSON (__tests__/stacks/hcl.test.ts). */
export function synthesizeHcl(config: DeploymentConfig, outdir: string): Record<string, string> {
  synthesizeHclApp((app) => buildStacks(app, config), outdir);
  return stackDirs(outdir);
}

/** The toggle a fresh deployment starts from: off, with the configured sizing. */
export const initialToggle = (config: DeploymentConfig): string =>
  formatToggle({ fargate_tier: "off", fargate_tier_since: "1970-01-01T00:00:00Z", fargate_min_tasks: config.fargate.minTasks, fargate_max_tasks: config.fargate.maxTasks, fargate_pinned: false, fargate_backoff_up: 0, fargate_backoff_down: 0 });

/**
 * Files in the deploy layout that other tools own, relative to the repository
 * root: the toggle (the scaler's commits) and the image release (`npm run
 * release`). Synth creates the toggle once if it is missing and otherwise
 * never writes, overwrites or deletes any of them.
 */
export const protectedFiles = (config: DeploymentConfig): string[] => [config.toggleFile, imageReleasePaths(config.deployDir).core];

/** Files a stack directory publishes: the Terraform JSON and any assets, never state, the toggle or the image release. */
const published = (stackDir: string) =>
  listFiles(stackDir).filter((f) => f === "cdk.tf.json" || f.startsWith("assets/"));

/** Refuses to touch a file another tool owns (a guard: `published` never lists one). */
function assertNotProtected(config: DeploymentConfig, repoRoot: string, path: string): void {
  const rel = relative(repoRoot, path).split(sep).join("/");
  if (protectedFiles(config).includes(rel)) throw new Error(`refusing to write or delete ${rel}: it is owned by the scaler or \`npm run release\`, never by synth`);
}

/**
 * Copies synthesized stacks into the deploy layout, removes assets no longer
 * generated and the fargate image release earlier versions wrote, and creates
 * the toggle only if absent. Returns changed paths.
 */
export function publish(config: DeploymentConfig, stackDirs: Record<string, string>, repoRoot: string): string[] {
  const changed: string[] = [];
  for (const [id, dir] of Object.entries(stackDirs)) {
    const target = join(repoRoot, config.deployDir, id);
    const fresh = published(dir);
    for (const file of published(target).filter((f) => !fresh.includes(f))) {
      assertNotProtected(config, repoRoot, join(target, file));
      rmSync(join(target, file));
      changed.push(`${relative(repoRoot, join(target, file))} (removed)`);
    }
    for (const file of fresh) {
      const to = join(target, file);
      const content = readFileSync(join(dir, file));
      if (existsSync(to) && readFileSync(to).equals(content)) continue;
      assertNotProtected(config, repoRoot, to);
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, content);
      changed.push(relative(repoRoot, to));
    }
  }
  // No tool writes it any more, and the fargate stack would warn about its undeclared image_digest.
  const retired = join(repoRoot, retiredImageReleasePath(config.deployDir));
  if (existsSync(retired)) {
    rmSync(retired);
    changed.push(`${relative(repoRoot, retired)} (removed: fargate runs core's task definition)`);
  }
  const toggle = join(repoRoot, config.toggleFile);
  if (!existsSync(toggle)) {
    mkdirSync(dirname(toggle), { recursive: true });
    writeFileSync(toggle, initialToggle(config));
    changed.push(config.toggleFile);
  }
  return changed;
}

/** Resources Terraform would manage in each tier state, from a stack's count expressions (model/tier-states.ts). */
export function resourcesPerState(stack: Record<string, any>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const state of TIER_STATES) {
    let n = 0;
    for (const byName of Object.values(stack.resource ?? {}) as Array<Record<string, any>>) {
      for (const r of Object.values(byName)) {
        if (r.count === undefined) {
          n += 1;
          continue;
        }
        const count = tierCountOf(String(r.count));
        if (count === undefined) throw new Error(`unexpected count ${r.count}`);
        if (existsIn(count, state)) n += 1;
      }
    }
    result[state] = n;
  }
  return result;
}

/** The bootstrap stack's resources: those always created, and those behind `create_service_linked_roles`. */
export function bootstrapResources(stack: Record<string, any>): { always: number; serviceLinkedRoles: number } {
  let always = 0;
  let serviceLinkedRoles = 0;
  for (const byName of Object.values(stack.resource ?? {}) as Array<Record<string, any>>) {
    for (const r of Object.values(byName)) {
      if (r.count === undefined) always += 1;
      else if (r.count === "${var.create_service_linked_roles ? 1 : 0}") serviceLinkedRoles += 1;
      else throw new Error(`unexpected count ${r.count}`);
    }
  }
  return { always, serviceLinkedRoles };
}

/** A one-paragraph account of what was synthesized and what the toggle says. */
function describe(config: DeploymentConfig, stackDirs: Record<string, string>, repoRoot: string): string {
  const lines = Object.entries(stackDirs).map(([id, dir]) => {
    const stack = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));
    if (id === STACKS.bootstrap) {
      const { always, serviceLinkedRoles } = bootstrapResources(stack);
      return `  ${config.deployDir}/${id}: ${always} resources, plus ${serviceLinkedRoles} service-linked roles unless create_service_linked_roles=false (apply once, locally)`;
    }
    const counts = resourcesPerState(stack);
    const byState = TIER_STATES.map((s) => `${s} ${counts[s]}`).join(", ");
    return `  ${config.deployDir}/${id}: resources by tier state: ${byState}`;
  });
  const t = parseToggle(readFileSync(join(repoRoot, config.toggleFile), "utf8"), config.toggleFile); // main refused a bad one before synthesizing
  const toggle = `${t.fargate_tier} since ${t.fargate_tier_since}, tasks ${t.fargate_min_tasks}-${t.fargate_max_tasks}${t.fargate_pinned ? ", pinned" : ""}`;
  const bill = idleBillFromStack(JSON.parse(readFileSync(join(stackDirs[STACKS.core]!, "cdk.tf.json"), "utf8")));
  return `${lines.join("\n")}\n  ${config.toggleFile}: ${toggle}\n${formatIdleBill(bill)}`;
}

/**
 * Why the committed toggle would stop the scaler: the message of the scaler's
 * own parser, naming the field and the value. Undefined when it parses or is
 * absent (synth creates a missing toggle; synth:check reports it as stale).
 */
export function toggleProblem(config: DeploymentConfig, repoRoot: string): string | undefined {
  const file = join(repoRoot, config.toggleFile);
  if (!existsSync(file)) return undefined;
  try {
    const t = parseToggle(readFileSync(file, "utf8"), config.toggleFile);
    // The fargate stack's variables refuse a count above the configured ceiling (stacks/fargate/tier-variables.ts).
    const over = (["fargate_min_tasks", "fargate_max_tasks"] as const).find((k) => t[k] > config.fargate.maxTasks);
    if (over) return `${config.toggleFile} is invalid: ${over} = ${t[over]} is above fargate.maxTasks = ${config.fargate.maxTasks} in the configuration, which the fargate stack refuses. Lower it in the toggle, or raise fargate.maxTasks and run npm run synth`;
    return undefined;
  } catch (err) {
    if (!(err instanceof ToggleFileError)) throw err;
    return `${err.message}. The scaler refuses this toggle and synth never rewrites it: fix it by hand (\`git log -p ${config.toggleFile}\` shows its last good state)`;
  }
}

/** Why the core stack's idle bill is too high, or undefined when it is within the limit. */
export function idleBillProblem(bill: IdleBill, limitUsd: number = IDLE_BILL_LIMIT_USD): string | undefined {
  if (bill.totalUsdPerMonth <= limitUsd) return undefined;
  const top = [...bill.items].sort((a, b) => b.usdPerMonth - a.usdPerMonth).slice(0, 3).map((i) => `${i.item} $${i.usdPerMonth.toFixed(2)}`);
  return `the core stack bills $${bill.totalUsdPerMonth.toFixed(2)}/month while the tier is off, above the $${limitUsd.toFixed(2)} limit (largest: ${top.join(", ")}); run \`npm run synth\` for every item`;
}

/** Lists committed files that differ from a fresh synth (missing, changed, or no longer generated). */
export function staleFiles(config: DeploymentConfig, stackDirs: Record<string, string>, repoRoot: string): string[] {
  const stale: string[] = [];
  for (const [id, dir] of Object.entries(stackDirs)) {
    const target = join(repoRoot, config.deployDir, id);
    const fresh = published(dir);
    for (const file of fresh) {
      const to = join(target, file);
      if (!existsSync(to) || !readFileSync(to).equals(readFileSync(join(dir, file)))) stale.push(relative(repoRoot, to));
    }
    for (const file of published(target)) {
      if (!fresh.includes(file)) stale.push(`${relative(repoRoot, join(target, file))} (no longer generated)`);
    }
  }
  if (!existsSync(join(repoRoot, config.toggleFile))) stale.push(`${config.toggleFile} (missing toggle file)`);
  const retired = retiredImageReleasePath(config.deployDir);
  if (existsSync(join(repoRoot, retired))) stale.push(`${retired} (no longer used: fargate runs core's task definition; synth deletes it)`);
  return stale;
}

/** HCP Terraform's host when a `cloud` block or remote backend names none. */
const DEFAULT_HCP_HOST = "app.terraform.io";

/**
 * Why the committed stacks would not run in HCP Terraform as configured, one
 * problem per entry, each naming the fix. `stacks` holds the committed
 * cdk.tf.json of each stack id (missing ones are the stale check's business).
 */
export function hcpProblems(config: DeploymentConfig, stacks: Record<string, Record<string, any> | undefined>): string[] {
  const { organization, hostname } = config.terraformCloud;
  const resynth = "run `npm run synth` and commit";
  const problems: string[] = [];
  if (!organization) {
    problems.push(
      "terraformCloud.organization is not set, so core and fargate have no `cloud` block and keep local state, which HCP Terraform workspaces cannot use: " +
        `set terraformCloud.organization (and terraformCloud.hostname for an EU organization or Terraform Enterprise) in lambdaflex.config.json, then ${resynth}`,
    );
  }
  const workspaces: Record<string, string> = { [STACKS.core]: config.terraformCloud.coreWorkspace, [STACKS.fargate]: config.terraformCloud.fargateWorkspace };
  for (const id of WORKSPACE_STACKS) {
    const stack = stacks[id];
    if (!stack || !organization) continue;
    const file = `${config.deployDir}/${id}/cdk.tf.json`;
    const cloud = stack.terraform?.cloud;
    if (!cloud) {
      problems.push(`${file} has no \`cloud\` block although terraformCloud.organization is "${organization}": ${resynth}`);
      continue;
    }
    const cloudHost = cloud.hostname ?? DEFAULT_HCP_HOST;
    if (cloudHost !== hostname) problems.push(`${file}: the cloud block's hostname is ${cloudHost}, but terraformCloud.hostname is ${hostname}: ${resynth}`);
    if (cloud.organization !== organization) problems.push(`${file}: the cloud block's organization is "${cloud.organization}", but terraformCloud.organization is "${organization}": ${resynth}`);
    if (cloud.workspaces?.name !== workspaces[id]) problems.push(`${file}: the cloud block's workspace is "${cloud.workspaces?.name}", but the configured one is "${workspaces[id]}": ${resynth}`);
  }
  const fargate = stacks[STACKS.fargate];
  if (fargate && organization) {
    const file = `${config.deployDir}/${STACKS.fargate}/cdk.tf.json`;
    for (const [name, source] of Object.entries((fargate.data?.terraform_remote_state ?? {}) as Record<string, any>)) {
      if (source.backend !== "remote") {
        problems.push(`${file}: terraform_remote_state.${name} reads a ${source.backend} backend, which does not exist in HCP Terraform: ${resynth}`);
        continue;
      }
      const host = source.config?.hostname ?? DEFAULT_HCP_HOST;
      if (host !== hostname) {
        problems.push(
          `${file}: terraform_remote_state.${name} reads core's outputs from ${host}, but terraformCloud.hostname is ${hostname} ` +
            `(cdktf builds the remote state from the core stack's CloudBackend, so it must be given the hostname): ${resynth}`,
        );
      }
    }
  }
  const bootstrap = stacks[STACKS.bootstrap];
  if (bootstrap && (bootstrap.terraform?.cloud || !bootstrap.terraform?.backend?.local)) {
    problems.push(`${config.deployDir}/${STACKS.bootstrap}/cdk.tf.json must use local state (it creates the workspaces' credentials): ${resynth}`);
  }
  return problems;
}

/** The committed cdk.tf.json of each stack, where present. */
function committedStacks(config: DeploymentConfig, repoRoot: string): Record<string, Record<string, any> | undefined> {
  return Object.fromEntries(
    Object.values(STACKS).map((id) => {
      const file = join(repoRoot, config.deployDir, id, "cdk.tf.json");
      return [id, existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined];
    }),
  );
}

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
    const violations = Object.values(dirs).flatMap((d) => securityViolations(JSON.parse(readFileSync(join(d, "cdk.tf.json"), "utf8"))));
    if (violations.length > 0) {
      process.stderr.write(`security checks failed:\n${violations.map((v) => `  - [${v.check}] ${v.resource}: ${v.problem}`).join("\n")}\n`);
      return false;
    }
    const bill = idleBillFromStack(JSON.parse(readFileSync(join(dirs[STACKS.core]!, "cdk.tf.json"), "utf8")));
    const idle = idleBillProblem(bill);
    if (idle) {
      process.stderr.write(`idle cost check failed: ${idle}\n`);
      return false;
    }
    const stale = staleFiles(config, dirs, repoRoot);
    if (stale.length > 0) process.stderr.write(`synthesized output is stale; run \`npm run synth\` and commit:\n${stale.map((s) => `  - ${s}`).join("\n")}\n`);
    const problems = hcp ? hcpProblems(config, committedStacks(config, repoRoot)) : [];
    if (problems.length > 0) process.stderr.write(`${config.deployDir}/ would not run in HCP Terraform:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`);
    if (toggle || stale.length > 0 || problems.length > 0) return false;
    const { organization, hostname } = config.terraformCloud;
    const where = hcp ? `, passes the security checks and is set for HCP Terraform (organization ${organization} on ${hostname})` : " and passes the security checks";
    process.stdout.write(`synthesized output in ${config.deployDir}/ is fresh${where}; core idles at $${bill.totalUsdPerMonth.toFixed(2)}/month\n`);
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
    values = parseFlags({ args: argv, options: { ...HELP, check: { type: "boolean" }, hcp: { type: "boolean" }, hcl: { type: "boolean" } } }).values;
    if (values.hcl && (values.check || values.hcp)) throw new UsageError("--hcl writes HCL to cdktf.out/ and cannot be combined with --check or --hcp");
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
    process.stdout.write(`wrote HCL: ${Object.values(dirs).map((d) => relative(ROOT, join(d, "cdk.tf"))).join(", ")}\n`);
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
  process.stdout.write(changed.length ? `updated:\n${changed.map((c) => `  - ${c}`).join("\n")}\n` : `${config.deployDir}/ already up to date\n`);
  process.stdout.write(describe(config, dirs, repoRoot));
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
