/**
 * `npm run doctor`: runs every check, prints one line per check and a fix
 * under each failure, and returns the exit code (0 all pass, 1 any fails,
 * 2 usage or configuration error). Everything it talks to is injected, so
 * tests run it against mocked AWS clients and the HCP Terraform emulator.
 */
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { Route53Client } from "@aws-sdk/client-route-53";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { SSMClient } from "@aws-sdk/client-ssm";
import { DEFAULT_CONFIG_FILE, loadDeploymentConfig } from "../../config/load";
import type { DeploymentConfig } from "../../config/schema";
import type { Fetch } from "../../scaler/adapters/terraform-cloud";
import { HELP, parseFlags, UsageError } from "../cli-flags";
import { guarded, type CheckResult } from "./check";
import { checkFargateVcpu, checkLambdaConcurrency } from "./quotas";
import { checkHostedZone, checkServiceLinkedRoles, checkTokenParameter } from "./resources";
import { checkTerraformCloud, tokenFromEnv } from "./terraform-cloud";

/** The clients and ports the checks read through. */
export interface DoctorDeps {
  readonly lambda: LambdaClient;
  readonly quotas: ServiceQuotasClient;
  readonly iam: IAMClient;
  readonly route53: Route53Client;
  readonly ssm: SSMClient;
  readonly fetch: Fetch;
  /** @default https://<terraformCloud.hostname> */
  readonly terraformCloudBaseUrl?: string;
}

/** Real clients for the configuration's region (default credential chain) and global fetch. */
export function defaultDeps(region: string): DoctorDeps {
  return {
    lambda: new LambdaClient({ region }),
    quotas: new ServiceQuotasClient({ region }),
    iam: new IAMClient({ region }),
    route53: new Route53Client({ region }),
    ssm: new SSMClient({ region }),
    fetch: globalThis.fetch as unknown as Fetch,
  };
}

/** Every check, in report order: AWS account, AWS resources, then HCP Terraform. */
export async function runChecks(
  config: DeploymentConfig,
  deps: DoctorDeps,
  env: NodeJS.ProcessEnv,
): Promise<CheckResult[]> {
  const aws = await Promise.all([
    guarded("Lambda concurrency quota", () => checkLambdaConcurrency(config, deps.lambda)),
    guarded("Fargate On-Demand vCPU quota", () => checkFargateVcpu(config, deps.quotas)),
    guarded("service-linked roles", () => checkServiceLinkedRoles(deps.iam)),
    guarded("hosted zone", () => checkHostedZone(config, deps.route53)),
    guarded(`parameter ${config.git.tokenParameterName}`, () =>
      checkTokenParameter(config.git.tokenParameterName, "git.tokenParameterName", config.region, deps.ssm),
    ),
    guarded(`parameter ${config.terraformCloud.tokenParameterName}`, () =>
      checkTokenParameter(
        config.terraformCloud.tokenParameterName,
        "terraformCloud.tokenParameterName",
        config.region,
        deps.ssm,
      ),
    ),
  ]);
  const token = tokenFromEnv(env, config.terraformCloud.hostname);
  const tfc = await guarded("HCP Terraform", () =>
    checkTerraformCloud(config, {
      fetch: deps.fetch,
      ...(token ? { token } : {}),
      ...(deps.terraformCloudBaseUrl ? { baseUrl: deps.terraformCloudBaseUrl } : {}),
    }),
  );
  return [...aws.flat(), ...tfc];
}

/**
 * The report: "ok  name: detail", or "FAIL name: detail" with "      fix: ..." under it, then a summary line.
 * Failures that share a fix (no credentials fails every AWS check alike) are printed together, at the
 * first one's place, with the fix once under them: "      fix (the 8 checks above): ...".
 */
export function formatReport(results: readonly CheckResult[]): string {
  const fixOf = (r: CheckResult) => r.fix ?? "(no fix known)";
  const lines: string[] = [];
  const printed = new Set<string>();
  for (const r of results) {
    if (r.ok) {
      lines.push(`ok  ${r.name}: ${r.detail}`);
      continue;
    }
    const fix = fixOf(r);
    if (printed.has(fix)) continue;
    printed.add(fix);
    const group = results.filter((o) => !o.ok && fixOf(o) === fix);
    lines.push(...group.map((o) => `FAIL ${o.name}: ${o.detail}`));
    lines.push(group.length === 1 ? `      fix: ${fix}` : `      fix (the ${group.length} checks above): ${fix}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  const summary =
    failed === 0
      ? `\nall ${results.length} checks passed: ready for the first deploy`
      : `\n${failed} of ${results.length} checks failed; apply the fixes above, then run npm run doctor again`;
  return [...lines, summary].join("\n");
}

const USAGE = `usage: npm run doctor [-- --help]

Checks, read-only, what a first LambdaFlex deploy needs in AWS and HCP Terraform.
  configuration   LAMBDAFLEX_CONFIG (default lambdaflex.config.json) and the LAMBDAFLEX_* overrides
  AWS             the default credential chain (AWS_PROFILE, SSO, environment, ...)
  HCP Terraform   token from LAMBDAFLEX_TFC_TOKEN, TFE_TOKEN or TF_TOKEN_<host>
Exit status: 0 all checks pass, 1 a check failed, 2 usage or configuration error.`;

/** Where the report goes. */
export interface DoctorIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * The whole command. `makeDeps` builds the clients once the region is known
 * (tests pass mocks and the emulator's URL).
 */
export async function doctorMain(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: DoctorIo,
  makeDeps: (config: DeploymentConfig) => DoctorDeps = (c) => defaultDeps(c.region),
): Promise<number> {
  let help: boolean | undefined;
  try {
    help = parseFlags({ args: [...argv], options: HELP }).values.help;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    // doctor takes no flag but --help, so whatever else is there is the mistake.
    io.err(`doctor: unknown argument ${argv.find((a) => a !== "--help" && a !== "-h")}\n${USAGE}`);
    return 2;
  }
  if (help) {
    io.out(USAGE);
    return 0;
  }
  let config: DeploymentConfig;
  try {
    config = loadDeploymentConfig(env.LAMBDAFLEX_CONFIG || DEFAULT_CONFIG_FILE, env);
  } catch (err) {
    io.err(`doctor: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const results = await runChecks(config, makeDeps(config), env);
  io.out(formatReport(results));
  return results.every((r) => r.ok) ? 0 : 1;
}
