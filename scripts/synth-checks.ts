/**
 * What `synth` and `synth:check` refuse: a committed toggle the scaler's own parser rejects, a core
 * stack that bills too much while the tier is off, and committed stacks that would not run in HCP
 * Terraform as configured.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DeploymentConfig } from "../config/schema";
import { parseToggle, ToggleFileError } from "../model/toggle";
import { IDLE_BILL_LIMIT_USD, type IdleBill } from "../sim/idle-bill";
import { STACKS, WORKSPACE_STACKS } from "../stacks/app";

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
    if (over) {
      const above = `${over} = ${t[over]} is above fargate.maxTasks = ${config.fargate.maxTasks} in the configuration`;
      const fix = "Lower it in the toggle, or raise fargate.maxTasks and run npm run synth";
      return `${config.toggleFile} is invalid: ${above}, which the fargate stack refuses. ${fix}`;
    }
    return undefined;
  } catch (err) {
    if (!(err instanceof ToggleFileError)) throw err;
    const history = `\`git log -p ${config.toggleFile}\` shows its last good state`;
    return `${err.message}. The scaler refuses this toggle and synth never rewrites it: fix it by hand (${history})`;
  }
}

/** Why the core stack's idle bill is too high, or undefined when it is within the limit. */
export function idleBillProblem(bill: IdleBill, limitUsd: number = IDLE_BILL_LIMIT_USD): string | undefined {
  if (bill.totalUsdPerMonth <= limitUsd) return undefined;
  const top = [...bill.items]
    .sort((a, b) => b.usdPerMonth - a.usdPerMonth)
    .slice(0, 3)
    .map((i) => `${i.item} $${i.usdPerMonth.toFixed(2)}`);
  return `the core stack bills $${bill.totalUsdPerMonth.toFixed(
    2,
  )}/month while the tier is off, above the $${limitUsd.toFixed(2)} limit (largest: ${top.join(
    ", ",
  )}); run \`npm run synth\` for every item`;
}

/** HCP Terraform's host when a `cloud` block or remote backend names none. */
const DEFAULT_HCP_HOST = "app.terraform.io";

/**
 * Why the committed stacks would not run in HCP Terraform as configured, one
 * problem per entry, each naming the fix. `stacks` holds the committed
 * cdk.tf.json of each stack id (missing ones are the stale check's business).
 */
export function hcpProblems(
  config: DeploymentConfig,
  stacks: Record<string, Record<string, any> | undefined>,
): string[] {
  const { organization, hostname } = config.terraformCloud;
  const resynth = "run `npm run synth` and commit";
  const problems: string[] = [];
  if (!organization) {
    problems.push(
      "terraformCloud.organization is not set, so core and fargate have no `cloud` block and keep local state, " +
        "which HCP Terraform workspaces cannot use: set terraformCloud.organization (and terraformCloud.hostname " +
        `for an EU organization or Terraform Enterprise) in lambdaflex.config.json, then ${resynth}`,
    );
  }
  const workspaces: Record<string, string> = {
    [STACKS.core]: config.terraformCloud.coreWorkspace,
    [STACKS.fargate]: config.terraformCloud.fargateWorkspace,
  };
  for (const id of WORKSPACE_STACKS) {
    const stack = stacks[id];
    if (!stack || !organization) continue;
    const file = `${config.deployDir}/${id}/cdk.tf.json`;
    const cloud = stack.terraform?.cloud;
    if (!cloud) {
      problems.push(
        `${file} has no \`cloud\` block although terraformCloud.organization is "${organization}": ${resynth}`,
      );
      continue;
    }
    const cloudHost = cloud.hostname ?? DEFAULT_HCP_HOST;
    if (cloudHost !== hostname)
      problems.push(
        `${file}: the cloud block's hostname is ${cloudHost}, but terraformCloud.hostname is ${hostname}: ${resynth}`,
      );
    if (cloud.organization !== organization)
      problems.push(
        `${file}: the cloud block's organization is "${cloud.organization}", ` +
          `but terraformCloud.organization is "${organization}": ${resynth}`,
      );
    if (cloud.workspaces?.name !== workspaces[id])
      problems.push(
        `${file}: the cloud block's workspace is "${cloud.workspaces?.name}", ` +
          `but the configured one is "${workspaces[id]}": ${resynth}`,
      );
  }
  const fargate = stacks[STACKS.fargate];
  if (fargate && organization) {
    const file = `${config.deployDir}/${STACKS.fargate}/cdk.tf.json`;
    for (const [name, source] of Object.entries((fargate.data?.terraform_remote_state ?? {}) as Record<string, any>)) {
      if (source.backend !== "remote") {
        problems.push(
          `${file}: terraform_remote_state.${name} reads a ${source.backend} backend, ` +
            `which does not exist in HCP Terraform: ${resynth}`,
        );
        continue;
      }
      const host = source.config?.hostname ?? DEFAULT_HCP_HOST;
      if (host !== hostname) {
        problems.push(
          `${file}: terraform_remote_state.${name} reads core's outputs from ${host}, ` +
            `but terraformCloud.hostname is ${hostname} (cdktf builds the remote state from the core stack's ` +
            `CloudBackend, so it must be given the hostname): ${resynth}`,
        );
      }
    }
  }
  const bootstrap = stacks[STACKS.bootstrap];
  if (bootstrap && (bootstrap.terraform?.cloud || !bootstrap.terraform?.backend?.local)) {
    problems.push(
      `${config.deployDir}/${STACKS.bootstrap}/cdk.tf.json must use local state ` +
        `(it creates the workspaces' credentials): ${resynth}`,
    );
  }
  return problems;
}

/** The committed cdk.tf.json of each stack, where present. */
export function committedStacks(
  config: DeploymentConfig,
  repoRoot: string,
): Record<string, Record<string, any> | undefined> {
  return Object.fromEntries(
    Object.values(STACKS).map((id) => {
      const file = join(repoRoot, config.deployDir, id, "cdk.tf.json");
      return [id, existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined];
    }),
  );
}
