import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  awsProviderRequirement,
  downloadProvider,
  providerSourceHere,
  ProviderUnavailableError,
  terraformPlatform,
  type ProviderRequirement,
} from "../../scripts/terraform-provider";

/** The AWS provider every stack pins: the version @cdktf/provider-aws was generated from. */
export const AWS_PROVIDER: ProviderRequirement = awsProviderRequirement();

// An empty CLI configuration: no user's provider_installation or credentials leak in.
const cliConfig = join(mkdtempSync(join(tmpdir(), "tfrc-")), "terraformrc");
writeFileSync(cliConfig, "");

export interface TfResult {
  readonly status: number;
  readonly output: string;
}

/** Runs the real terraform CLI, non-interactive, with an empty CLI configuration. */
export function terraform(args: string[], cwd: string): TfResult {
  const run = spawnSync("terraform", [...args, "-no-color"], {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      TF_IN_AUTOMATION: "1",
      CHECKPOINT_DISABLE: "1",
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_INPUT: "0",
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw new Error(`terraform could not run (is it on PATH?): ${run.error.message}`);
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

/**
 * Prints `line` once per jest run rather than once per test file: jest's
 * workers share a parent process, in-band runs are that process.
 */
function sayOncePerRun(line: string): void {
  const run = process.env.JEST_WORKER_ID !== undefined && process.connected ? process.ppid : process.pid;
  try {
    writeFileSync(join(tmpdir(), `lambdaflex-tf-provider-said-${run}`), line, { flag: "wx" });
  } catch {
    return; // already said in this run
  }
  process.stderr.write(`${line}\n`);
}

let chosen: { readonly dir: string } | { readonly error: Error } | undefined;

/**
 * The provider mirror `terraform init` reads, chosen once per test file:
 * LAMBDAFLEX_TF_PLUGIN_DIR, a mirror in a likely place, or one downloaded
 * from the registry. Says which once per run. Without any, throws one
 * ProviderUnavailableError naming both ways out; call it at the top of a
 * test file so that the file fails once, with that message.
 */
export function terraformProviderDir(): string {
  chosen ??= chooseProviderDir();
  if ("error" in chosen) throw chosen.error;
  return chosen.dir;
}

function chooseProviderDir(): { readonly dir: string } | { readonly error: Error } {
  const platform = terraformPlatform();
  const source = providerSourceHere(AWS_PROVIDER, process.env, platform);
  const what = `${AWS_PROVIDER.source} ${AWS_PROVIDER.version}`;
  if (source.kind === "unavailable") return { error: new ProviderUnavailableError(source.message) };
  if (source.kind === "mirror") {
    sayOncePerRun(`terraform tests: ${what} from the local mirror ${source.dir} (${source.why})`);
    return { dir: source.dir };
  }
  sayOncePerRun(
    `terraform tests: ${what} from registry.terraform.io (${source.why}), downloaded once into ${source.cacheDir}`,
  );
  try {
    downloadProvider(AWS_PROVIDER, platform, source.cacheDir, terraform);
  } catch (err) {
    return { error: err as Error };
  }
  return { dir: source.cacheDir };
}

function init(dir: string): string {
  const result = terraform(["init", "-backend=false", `-plugin-dir=${terraformProviderDir()}`, "-input=false"], dir);
  if (result.status !== 0) throw new Error(`terraform init failed in ${dir}:\n${result.output}`);
  return dir;
}

/** Copies a stack directory into a fresh temp dir and runs `terraform init` from the provider mirror. */
export function initStack(stackDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lambdaflex-tf-"));
  cpSync(stackDir, dir, { recursive: true });
  return init(dir);
}

/**
 * One working directory for the whole runbook under `terraform test`: the
 * core stack is the root module (its scaler asset path is relative to the
 * working directory) and the bootstrap and fargate stacks sit beside it as
 * `./bootstrap` and `./fargate`, which run blocks select with `module { source = ... }`.
 * The test files are written before `terraform init`, which installs those modules.
 */
export function initRunbook(
  stacks: { readonly bootstrap: string; readonly core: string; readonly fargate: string },
  testFiles: Readonly<Record<string, string>>,
): string {
  const dir = mkdtempSync(join(tmpdir(), "lambdaflex-runbook-"));
  cpSync(stacks.core, dir, { recursive: true });
  cpSync(stacks.bootstrap, join(dir, "bootstrap"), { recursive: true });
  cpSync(stacks.fargate, join(dir, "fargate"), { recursive: true });
  // Before init: init installs the modules that test files' run blocks name.
  for (const [name, text] of Object.entries(testFiles)) writeFileSync(join(dir, name), text);
  return init(dir);
}

/** A well-formed digest for the core stack's required `image_digest` (npm run release commits the real one). */
export const TEST_IMAGE_DIGEST = `sha256:${"0".repeat(64)}`;

export const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });

/** One resource in a plan: where, what terraform would do, and the values known at plan time. */
export interface PlannedResource {
  readonly address: string;
  readonly actions: readonly string[];
  readonly after: unknown;
}

/** What one run block of `terraform test` planned, and the warnings of the whole test command. */
export interface PlannedChanges {
  readonly resources: readonly PlannedResource[];
  readonly outputs: Record<string, unknown>;
  /** Warnings, the configuration's included: `terraform test` validates it first, as `terraform validate` does. */
  readonly warnings: readonly string[];
}

/**
 * Runs `terraform test -json -verbose [args]` in an init'ed directory,
 * requires every run block to pass, and returns what the run block `run`
 * planned (terraform prints each run's plan as a `test_plan` message when verbose).
 */
export function testPlan(dir: string, run: string, args: string[] = []): PlannedChanges {
  const result = terraform(["test", "-json", "-verbose", ...args], dir);
  const messages = result.output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, any>);
  const summary = messages.find((m) => m.type === "test_summary")?.test_summary;
  if (result.status !== 0 || summary?.status !== "pass") {
    const errors = messages
      .filter((m) => m["@level"] === "error")
      .map((m) => `${m["@testrun"] ?? ""}: ${m["@message"]}\n${m.diagnostic?.detail ?? ""}`);
    throw new Error(
      `terraform test failed in ${dir} (${JSON.stringify(summary)}):\n${errors.join("\n") || result.output}`,
    );
  }
  const plan = messages.find((m) => m.type === "test_plan" && m["@testrun"] === run)?.test_plan;
  if (!plan) throw new Error(`terraform test printed no plan for run "${run}" in ${dir}`);
  return {
    warnings: messages
      .filter((m) => m["@level"] === "warn")
      .map(
        (m) =>
          `${m["@message"]}: ${m.diagnostic?.detail ?? ""} (${m.diagnostic?.range?.filename ?? ""}:${m.diagnostic?.range?.start?.line ?? ""})`,
      ),
    resources: (plan.resource_changes ?? []).map((r: any) => ({
      address: r.address,
      actions: r.change.actions,
      after: r.change.after,
    })),
    outputs: Object.fromEntries(
      Object.entries(plan.output_changes ?? {}).map(([name, change]: [string, any]) => [
        name,
        { actions: change.actions, after: change.after },
      ]),
    ),
  };
}

/** The `type.name` address of the resource a construct path created (cdktf adds a hash to names). */
export function addressOf(stackJson: Record<string, any>, constructPath: string): string {
  for (const [type, byName] of Object.entries(stackJson.resource ?? {})) {
    for (const [name, r] of Object.entries(byName as Record<string, any>)) {
      if (r["//"]?.metadata?.path === constructPath) return `${type}.${name}`;
    }
  }
  throw new Error(`no resource at construct path ${constructPath}`);
}

/**
 * `override_data` for every cross-stack output a stack reads from
 * terraform_remote_state, with values shaped like the real ones.
 */
export function remoteStateOverrides(stackJson: Record<string, any>): string {
  const text = JSON.stringify(stackJson);
  const blocks: string[] = [];
  for (const source of Object.keys(stackJson.data?.terraform_remote_state ?? {})) {
    const keys = new Set(
      [...text.matchAll(new RegExp(`terraform_remote_state\\.${source}\\.outputs\\.([\\w-]+)`, "g"))].map((m) => m[1]!),
    );
    const outputs = [...keys].map((k) => {
      // Core's functions: the scaler, and the service function the weighted switch's target group invokes.
      const fn =
        /aws_lambda_function(\w+?)_function_/.exec(k)?.[1] === "scaler" ? "lambdaflex-scaler" : "lambdaflex-api";
      const value = /aws_lambda_function.*function_name$/.test(k)
        ? fn
        : /aws_lambda_function.*arn$/.test(k)
          ? `arn:aws:lambda:us-east-1:123456789012:function:${fn}`
          : /aws_ecs_task_definition.*arn$/.test(k)
            ? "arn:aws:ecs:us-east-1:123456789012:task-definition/lambdaflex:1"
            : /repository_url/.test(k)
              ? "123456789012.dkr.ecr.us-east-1.amazonaws.com/lambdaflex"
              : /zone_id/.test(k)
                ? "Z0123456789ABCDEFGHIJ"
                : /arn/.test(k)
                  ? "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
                  : "lambdaflex-links";
      return `      "${k}" = "${value}"`;
    });
    blocks.push(
      `override_data {\n  target = data.terraform_remote_state.${source}\n  values = {\n    outputs = {\n${outputs.join("\n")}\n    }\n  }\n}`,
    );
  }
  return blocks.join("\n\n");
}

/** Mock values the AWS provider would compute, where Terraform's generated ones would not plan or apply (ARNs are validated). */
export const MOCK_PROVIDER = `mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = { names = ["us-east-1a", "us-east-1b"] }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_ecr_repository" {
    defaults = {
      arn            = "arn:aws:ecr:us-east-1:123456789012:repository/lambdaflex"
      repository_url = "123456789012.dkr.ecr.us-east-1.amazonaws.com/lambdaflex"
    }
  }
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::123456789012:oidc-provider/app.terraform.io" }
  }
  mock_resource "aws_iam_policy" {
    defaults = { arn = "arn:aws:iam::123456789012:policy/lambdaflex-task-boundary" }
  }
  mock_resource "aws_ecr_repository" {
    defaults = {
      arn            = "arn:aws:ecr:us-east-1:123456789012:repository/lambdaflex"
      repository_url = "123456789012.dkr.ecr.us-east-1.amazonaws.com/lambdaflex"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/lambdaflex-mock" }
  }
  mock_resource "aws_lb" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lambdaflex-alb/0123456789abcdef"
      arn_suffix = "app/lambdaflex-alb/0123456789abcdef"
      dns_name   = "lambdaflex-alb-123456789.us-east-1.elb.amazonaws.com"
      zone_id    = "Z35SXDOTRQ7X7K"
    }
  }
  mock_resource "aws_lb_target_group" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambdaflex-tg/0123456789abcdef"
      arn_suffix = "targetgroup/lambdaflex-tg/0123456789abcdef"
    }
  }
  mock_resource "aws_lb_listener" {
    defaults = { arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lambdaflex-alb/0123456789abcdef/0123456789abcdef" }
  }
  mock_resource "aws_acm_certificate" {
    defaults = {
      domain_validation_options = [{
        domain_name           = "app.example.com"
        resource_record_name  = "_abc.app.example.com."
        resource_record_type  = "CNAME"
        resource_record_value = "_def.acm-validations.aws."
      }]
    }
  }
}`;

/** Reads a stack's synthesized JSON. */
export const readStack = (dir: string): Record<string, any> =>
  JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));

/**
 * What each tier state must plan with the weighted switch (the default): the resources a reviewer
 * watches, by count. Both target groups, the Lambda target and its invoke permission whenever the
 * tier exists; the "fargate" record in warming and serving, gone while draining.
 */
export const EXPECTED_PLAN: Record<string, Record<string, number>> = {
  off: {
    vpc: 0,
    alb: 0,
    ecs_service: 0,
    autoscaling_target: 0,
    ecs_target_group: 0,
    lambda_target_group: 0,
    lambda_target: 0,
    lambda_permission: 0,
    fargate_record: 0,
  },
  warming: {
    vpc: 1,
    alb: 1,
    ecs_service: 1,
    autoscaling_target: 1,
    ecs_target_group: 1,
    lambda_target_group: 1,
    lambda_target: 1,
    lambda_permission: 1,
    fargate_record: 1,
  },
  serving: {
    vpc: 1,
    alb: 1,
    ecs_service: 1,
    autoscaling_target: 1,
    ecs_target_group: 1,
    lambda_target_group: 1,
    lambda_target: 1,
    lambda_permission: 1,
    fargate_record: 1,
  },
  draining: {
    vpc: 1,
    alb: 1,
    ecs_service: 1,
    autoscaling_target: 1,
    ecs_target_group: 1,
    lambda_target_group: 1,
    lambda_target: 1,
    lambda_permission: 1,
    fargate_record: 0,
  },
};

/** The `dns` switch: no Lambda target group; the record only while serving. */
export const EXPECTED_PLAN_DNS: Record<string, Record<string, number>> = Object.fromEntries(
  Object.entries(EXPECTED_PLAN).map(([state, counts]) => [
    state,
    {
      vpc: counts.vpc!,
      alb: counts.alb!,
      ecs_service: counts.ecs_service!,
      autoscaling_target: counts.autoscaling_target!,
      ecs_target_group: counts.ecs_target_group!,
      fargate_record: state === "serving" ? 1 : 0,
    },
  ]),
);

const assertBlock = (condition: string, message: string) =>
  `  assert {\n    condition     = ${condition}\n    error_message = ${JSON.stringify(message)}\n  }`;

/** Whether the synthesized fargate stack has the weighted switch's Lambda target group. */
const isWeighted = (fargateJson: Record<string, any>) =>
  Object.values(fargateJson.resource?.aws_lb_target_group ?? {}).some((tg: any) => tg.target_type === "lambda");

/**
 * `terraform test` assert blocks checking that `state` plans exactly EXPECTED_PLAN[state] in the
 * fargate stack (EXPECTED_PLAN_DNS for the dns switch). With `values` (run blocks with
 * `command = apply`), for the weighted switch also what each instance holds: the HTTPS listener
 * forwards 100 to the Lambda target group and 0 to the tasks' without stickiness, and ELB may
 * invoke the function only from that target group.
 */
export function tierPlanAsserts(
  fargateJson: Record<string, any>,
  state: string,
  opts: { readonly values?: boolean } = {},
): string {
  const weighted = isWeighted(fargateJson);
  const at = (path: string) => addressOf(fargateJson, path);
  const watched: Record<string, string> = {
    vpc: at("fargate/network/vpc"),
    alb: at("fargate/lb/alb"),
    ecs_service: at("fargate/service/service"),
    autoscaling_target: at("fargate/service/scaling-target"),
    ecs_target_group: at("fargate/lb/targets"),
    ...(weighted
      ? {
          lambda_target_group: at("fargate/lambda-target/targets"),
          lambda_target: at("fargate/lambda-target/attachment"),
          lambda_permission: at("fargate/lambda-target/invoke"),
        }
      : {}),
    fargate_record: at("fargate/fargate-record/record"),
  };
  const expected = (weighted ? EXPECTED_PLAN : EXPECTED_PLAN_DNS)[state]!;
  const counts = Object.entries(watched).map(([what, address]) => {
    const n = expected[what];
    return `  assert {\n    condition     = length(${address}) == ${n}\n    error_message = "${state}: expected ${n} ${what}, planned \${length(${address})}"\n  }`;
  });
  // The value asserts compare ARNs, which a mock provider knows only on apply (a plan leaves them unknown).
  if (!weighted || !opts.values) return counts.join("\n");
  const lambdaTg = `${watched.lambda_target_group}[0]`;
  const ecsTg = `${watched.ecs_target_group}[0]`;
  // Over the planned instances (none when off); Terraform 1.11's || does not short-circuit, so no [0] outside a for.
  const weights = `alltrue([for l in ${at("fargate/lb/https")} : l.port == 443 && length(l.default_action) == 1 && l.default_action[0].type == "forward" && l.default_action[0].forward[0].stickiness[0].enabled == false && toset([for tg in l.default_action[0].forward[0].target_group : "\${tg.arn}=\${tg.weight}"]) == toset(["\${${lambdaTg}.arn}=100", "\${${ecsTg}.arn}=0"])])`;
  const scoped = `alltrue([for p in ${watched.lambda_permission} : p.principal == "elasticloadbalancing.amazonaws.com" && p.action == "lambda:InvokeFunction" && p.source_arn == ${lambdaTg}.arn && p.function_name == "lambdaflex-api"])`;
  const target = `alltrue([for a in ${watched.lambda_target} : a.target_group_arn == ${lambdaTg}.arn && a.target_id == "arn:aws:lambda:us-east-1:123456789012:function:lambdaflex-api"])`;
  return [
    ...counts,
    assertBlock(
      `length(${at("fargate/lb/https")}) == ${expected.alb} && ${weights}`,
      `${state}: the HTTPS listener must forward lambda 100, ecs 0, without stickiness`,
    ),
    assertBlock(scoped, `${state}: ELB may invoke the service function only from the Lambda target group`),
    assertBlock(target, `${state}: the Lambda target group must hold the service function`),
  ].join("\n");
}

/**
 * `override_resource` giving the weighted switch's Lambda target group its own ARN, so that the
 * listener and permission asserts tell the two target groups apart (the mock gives every
 * aws_lb_target_group the same one). Empty for the dns switch.
 */
export function lambdaTargetGroupOverride(fargateJson: Record<string, any>): string {
  if (!isWeighted(fargateJson)) return "";
  return [
    "override_resource {",
    `  target = ${addressOf(fargateJson, "fargate/lambda-target/targets")}`,
    "  values = {",
    '    arn        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambdaflex-lambda-tg/fedcba9876543210"',
    '    arn_suffix = "targetgroup/lambdaflex-lambda-tg/fedcba9876543210"',
    "  }",
    "}",
  ].join("\n");
}

/** For property assertions on synthesized policies (scripts/security-checks.ts reads them the same way). */
export { decodeJsonencode } from "../../scripts/jsonencode";
