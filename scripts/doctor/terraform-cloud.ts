/**
 * The HCP Terraform half of the doctor: the token, the organization, both
 * workspaces' settings and variables, core's state shared with fargate, and
 * fargate's run trigger on core.
 */
import type { DeploymentConfig } from "../../config/schema";
import { TerraformCloudError, type Fetch } from "../../scaler/adapters/terraform-cloud";
import { terraformCloudApi } from "../../scaler/adapters/terraform-cloud-workspaces";
import type { TerraformCloudApi, WorkspaceResource } from "../../scaler/adapters/terraform-cloud-workspaces";
import { runRoleName } from "../../stacks/bootstrap/run-role";
import { fail, guarded, pass, type CheckResult } from "./check";
import { imageReleasePaths } from "../../model/release-file";
import { checkWorkspaceSettings, checkWorkspaceVariables, type WorkspaceExpectation } from "./workspace-settings";

/** The toggle's variables: a workspace variable of one of these names would override the scaler's commits. */
export const TOGGLE_VARIABLES = [
  "fargate_tier",
  "fargate_tier_since",
  "fargate_min_tasks",
  "fargate_max_tasks",
  "fargate_pinned",
] as const;
/** The committed image release (model/release-file.ts) the core stack reads. */
export const RELEASE_VARIABLES = ["image_digest"] as const;

/** An API token and where it came from (never the token in any output). */
export interface TokenFromEnv {
  readonly token: string;
  readonly source: string;
}

/**
 * The HCP Terraform token: LAMBDAFLEX_TFC_TOKEN, then TFE_TOKEN, then the
 * Terraform CLI's per-host variable (TF_TOKEN_app_terraform_io for
 * app.terraform.io: dots become underscores).
 */
export function tokenFromEnv(env: NodeJS.ProcessEnv, hostname: string): TokenFromEnv | undefined {
  const cliVariable = `TF_TOKEN_${hostname.replace(/\./g, "_").replace(/-/g, "__")}`;
  for (const source of ["LAMBDAFLEX_TFC_TOKEN", "TFE_TOKEN", cliVariable]) {
    const token = env[source]?.trim();
    if (token) return { token, source };
  }
  return undefined;
}

/** What the HCP Terraform checks need besides the configuration. */
export interface TerraformCloudDeps {
  readonly token?: TokenFromEnv;
  readonly fetch: Fetch;
  /** @default https://<terraformCloud.hostname> */
  readonly baseUrl?: string;
}

/** What each workspace must look like, from the configuration. */
export function expectations(config: DeploymentConfig): { core: WorkspaceExpectation; fargate: WorkspaceExpectation } {
  const tfc = config.terraformCloud;
  const ui = (name: string) => `https://${tfc.hostname}/app/${tfc.organization}/workspaces/${name}`;
  const common = { repositoryUrl: config.git.repositoryUrl, branch: config.git.branch };
  const roles = (stack: "core" | "fargate") => ({
    planRole: runRoleName(config.service, stack, "plan"),
    applyRole: runRoleName(config.service, stack, "apply"),
  });
  return {
    core: {
      ...common,
      ...roles("core"),
      name: tfc.coreWorkspace,
      directory: `${config.deployDir}/core`,
      triggeredBy: [`${config.deployDir}/core/cdk.tf.json`, imageReleasePaths(config.deployDir).core],
      notTriggeredBy: [config.toggleFile],
      autoApply: false,
      committedVariables: [...RELEASE_VARIABLES],
      uiUrl: ui(tfc.coreWorkspace),
    },
    fargate: {
      ...common,
      ...roles("fargate"),
      name: tfc.fargateWorkspace,
      directory: `${config.deployDir}/fargate`,
      triggeredBy: [config.toggleFile, `${config.deployDir}/fargate/cdk.tf.json`],
      notTriggeredBy: [],
      autoApply: true,
      committedVariables: [...TOGGLE_VARIABLES],
      uiUrl: ui(tfc.fargateWorkspace),
    },
  };
}

/** Core's state must be readable by fargate (its terraform_remote_state): shared globally or with fargate by name. */
async function checkRemoteState(
  api: TerraformCloudApi,
  core: WorkspaceResource,
  fargate: WorkspaceResource,
  e: WorkspaceExpectation,
  fargateName: string,
): Promise<CheckResult> {
  const name = "remote state sharing";
  if (core.attributes["global-remote-state"] === true)
    return pass(name, `${e.name} shares its state with every workspace of the organization`);
  const consumers = await api.remoteStateConsumers(core.id);
  if (consumers.includes(fargate.id)) return pass(name, `${e.name} shares its state with ${fargateName}`);
  return fail(
    name,
    `${e.name} does not share its state with ${fargateName}, whose terraform_remote_state reads core's outputs`,
    `Settings → General → Remote state sharing (${e.uiUrl}/settings/general) → Share with specific workspaces: ${fargateName}`,
  );
}

/**
 * A release changes only `deploy/core/`, so core's apply must queue a fargate run that moves a
 * running tier to the new task definition: a run trigger on fargate with core as its source.
 */
async function checkRunTrigger(
  api: TerraformCloudApi,
  core: WorkspaceResource,
  fargate: WorkspaceResource,
  e: { core: WorkspaceExpectation; fargate: WorkspaceExpectation },
): Promise<CheckResult> {
  const name = "run trigger";
  const sources = await api.runTriggerSources(fargate.id);
  if (sources.some((s) => s.id === core.id || (s.id === undefined && s.name === e.core.name)))
    return pass(name, `an apply in ${e.core.name} queues a run in ${e.fargate.name}`);
  const others = sources.length > 0 ? ` (its sources: ${sources.map((s) => s.name).join(", ")})` : "";
  return fail(
    name,
    `an apply in ${e.core.name} queues no run in ${e.fargate.name}${others}, so after a release a running tier keeps the old task definition until the next toggle commit`,
    `Settings → Run Triggers (${e.fargate.uiUrl}/settings/run-triggers) → Source workspace: ${e.core.name} → Add workspace`,
  );
}

/** An HCP Terraform answer the check cannot use (a token without access to the workspace's settings or variables, a 5xx) as a failure of that check. */
async function apiErrorsAsFailures(
  name: string,
  e: WorkspaceExpectation,
  check: () => Promise<CheckResult | CheckResult[]>,
): Promise<CheckResult | CheckResult[]> {
  try {
    return await check();
  } catch (err) {
    if (!(err instanceof TerraformCloudError)) throw err;
    return fail(
      name,
      err.message,
      `give the token's team read access to ${e.name}'s settings and variables (${e.uiUrl}/settings/access), or use a token that has it`,
    );
  }
}

/** Every HCP Terraform check, in the order a user fixes them; later checks are skipped when an earlier one makes them meaningless. */
export async function checkTerraformCloud(config: DeploymentConfig, deps: TerraformCloudDeps): Promise<CheckResult[]> {
  const tfc = config.terraformCloud;
  const orgName = "HCP Terraform organization";
  if (!tfc.organization) {
    return [
      fail(
        orgName,
        "terraformCloud.organization is not set, so both stacks would keep local state and nothing applies the scaler's commits",
        "set terraformCloud.organization in lambdaflex.config.json (or export LAMBDAFLEX_TFC_ORGANIZATION=<organization>)",
      ),
    ];
  }
  const tokenName = "HCP Terraform token";
  const newToken = `create a user or team token at https://${tfc.hostname}/app/settings/tokens and export LAMBDAFLEX_TFC_TOKEN=<token>`;
  if (!deps.token)
    return [
      fail(
        tokenName,
        "none of LAMBDAFLEX_TFC_TOKEN, TFE_TOKEN or TF_TOKEN_<host> is set, so HCP Terraform cannot be checked",
        newToken,
      ),
    ];
  const baseUrl = deps.baseUrl ?? `https://${tfc.hostname}`;
  const api = terraformCloudApi(
    { baseUrl, organization: tfc.organization, token: deps.token.token, tokenSource: deps.token.source },
    deps.fetch,
  );
  try {
    if (!(await api.organizationExists())) {
      return [
        fail(
          orgName,
          `${tfc.organization} does not exist on ${tfc.hostname}, or the token from ${deps.token.source} is not a member`,
          `check terraformCloud.organization (organizations you can see: https://${tfc.hostname}/app/organizations), or use a token of a member of ${tfc.organization}`,
        ),
      ];
    }
  } catch (err) {
    if (err instanceof TerraformCloudError && err.status === 401) return [fail(tokenName, err.message, newToken)];
    return [
      fail(
        orgName,
        err instanceof Error ? err.message : String(err),
        `check terraformCloud.hostname (${tfc.hostname}) and your network, then run npm run doctor again`,
      ),
    ];
  }
  const results: CheckResult[] = [pass(orgName, `${tfc.organization} on ${tfc.hostname}`)];
  const e = expectations(config);
  const found: Partial<Record<"core" | "fargate", WorkspaceResource>> = {};
  for (const role of ["core", "fargate"] as const) {
    const want = e[role];
    const name = `${want.name} workspace`;
    results.push(
      ...(await guarded(name, () =>
        apiErrorsAsFailures(name, want, async () => {
          const ws = await api.workspace(want.name);
          if (!ws) {
            return fail(
              name,
              `does not exist in ${tfc.organization} (or the token cannot see it)`,
              `https://${tfc.hostname}/app/${tfc.organization}/workspaces/new → Version control workflow → ${want.repositoryUrl}, working directory ${want.directory} (README "Terraform Cloud setup", step 2)`,
            );
          }
          found[role] = ws;
          return [
            pass(name, `exists (${ws.id})`),
            ...checkWorkspaceSettings(ws, want),
            ...checkWorkspaceVariables(await api.variables(ws.id), want),
          ];
        }),
      )),
    );
  }
  if (found.core && found.fargate) {
    const [core, fargate] = [found.core, found.fargate];
    results.push(
      ...(await guarded("remote state sharing", () =>
        apiErrorsAsFailures("remote state sharing", e.core, () =>
          checkRemoteState(api, core, fargate, e.core, e.fargate.name),
        ),
      )),
    );
    results.push(
      ...(await guarded("run trigger", () =>
        apiErrorsAsFailures("run trigger", e.fargate, () => checkRunTrigger(api, core, fargate, e)),
      )),
    );
  }
  return results;
}
