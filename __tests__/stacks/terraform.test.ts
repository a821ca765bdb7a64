import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { synthesize } from "../../scripts/synth";
import { TIER_STATES } from "../../model/toggle";
import {
  addressOf,
  EXPECTED_PLAN,
  initRunbook,
  initStack,
  lambdaTargetGroupOverride,
  MOCK_PROVIDER,
  readStack,
  remoteStateOverrides,
  removeDir,
  terraform,
  terraformProviderDir,
  TEST_IMAGE_DIGEST,
  tierPlanAsserts,
} from "../helpers/terraform";

// Real terraform 1.11 with the real hashicorp/aws 5.100.0 provider (a local
// mirror, or the registry): init, validate, and `terraform test` under
// mock_provider. The HCL exit path is hcl.test.ts.
terraformProviderDir(); // without a provider, this file fails once, saying how to get one
const config = loadDeploymentConfig(undefined, {});
const out = mkdtempSync(join(tmpdir(), "lambdaflex-synth-"));
const stacks = synthesize(config, out);
const workdirs: string[] = [];
afterAll(() => [out, ...workdirs].forEach(removeDir));

const init = (stackDir: string) => {
  const dir = initStack(stackDir);
  workdirs.push(dir);
  return dir;
};

/** A `run` block, with the module it runs when that is not the root (core). */
const run = (
  name: string,
  body: { module?: string; command?: "plan" | "apply"; variables?: Record<string, string>; extra?: string[] },
) =>
  [
    `run "${name}" {`,
    `  command = ${body.command ?? "plan"}`,
    body.module ? `  module {\n    source = "./${body.module}"\n  }` : "",
    body.variables
      ? `  variables {\n${Object.entries(body.variables)
          .map(([k, v]) => `    ${k} = ${v}`)
          .join("\n")}\n  }`
      : "",
    ...(body.extra ?? []),
    `}`,
  ]
    .filter(Boolean)
    .join("\n");

const assert = (condition: string, message: string) =>
  `  assert {\n    condition     = ${condition}\n    error_message = ${JSON.stringify(message)}\n  }`;
const indent = (block: string) => block.replace(/^/gm, "  ");

/** The shared mock, plus an ARN for EventBridge rules (the Lambda permission validates its source_arn). */
const MOCK_WITH_RULES = MOCK_PROVIDER.replace(
  /\n}$/,
  '\n  mock_resource "aws_cloudwatch_event_rule" {\n    defaults = { arn = "arn:aws:events:us-east-1:123456789012:rule/lambdaflex-scaler-minute" }\n  }\n}',
);

/** The scaler's per-minute rule, its target and its invoke permission: planned only while the tier exists. */
const scalerMinuteAsserts = (fargate: Record<string, any>, state: string) => {
  // Every minute only while the tier changes; serving, alarms and the heartbeat wake the scaler.
  const n = state === "warming" || state === "draining" ? 1 : 0;
  return ["rule", "target", "permission"]
    .map((part) =>
      assert(
        `length(${addressOf(fargate, `fargate/scaler-minute/${part}`)}) == ${n}`,
        `${state}: expected ${n} scaler-minute ${part}`,
      ),
    )
    .join("\n");
};

describe("synthesized stacks under real terraform", () => {
  it("synthesizes the three stacks, bootstrap first", () => {
    expect(Object.keys(stacks)).toEqual(["bootstrap", "core", "fargate"]);
  });

  it.each(Object.keys(stacks))("%s passes terraform validate with the real AWS provider", (id) => {
    const result = terraform(["validate"], init(stacks[id]!));
    expect(result.output).toContain("Success! The configuration is valid.");
    expect(result.status).toBe(0);
  });

  it("plans the runbook in order: bootstrap, core, then fargate through every tier state on one state", () => {
    const bootstrap = readStack(stacks.bootstrap!);
    const core = readStack(stacks.core!);
    const fargate = readStack(stacks.fargate!);
    expect(Object.keys(EXPECTED_PLAN)).toEqual([...TIER_STATES]);
    const b = (path: string) => addressOf(bootstrap, `bootstrap/${path}`);
    const slrs = ["ecs", "elastic-load-balancing", "ecs-autoscaling", "api-gateway"].map((k) =>
      b(`service-linked-roles/${k}`),
    );
    const tokens = ["git-token", "tfc-token"].map((k) => b(`tokens/${k}`));
    const sub = (role: string) =>
      `jsondecode(${role}.assume_role_policy).Statement[0].Condition.StringEquals["app.terraform.io:sub"]`;
    const trusts = (stack: string, phase: string) =>
      `${sub(b(`${stack}-roles/${phase}/role`))} == "organization:acme:project:Default Project:workspace:lambdaflex-${stack}:run_phase:${phase}"`;
    const image = `"${TEST_IMAGE_DIGEST}"`;
    const overrides = indent(`${remoteStateOverrides(fargate)}\n\n${lambdaTargetGroupOverride(fargate)}`);

    const runs = [
      // 1. Bootstrap, once, with local credentials (applied under the mock, so the trust policies are known).
      run("bootstrap", {
        module: "bootstrap",
        command: "apply",
        variables: { tfc_organization: '"acme"' },
        extra: [
          assert(
            slrs.map((r) => `length(${r}) == 1`).join(" && "),
            "the four service-linked roles are created by default",
          ),
          assert(
            ["core", "fargate"].flatMap((stack) => ["plan", "apply"].map((phase) => trusts(stack, phase))).join(" && "),
            "each run role trusts one phase of its own workspace's runs",
          ),
          assert(
            `${b("task-roles/task/role")}.permissions_boundary == ${b("task-boundary/policy")}.arn`,
            "the task role carries the boundary",
          ),
          assert(
            tokens.map((t) => `${t}.type == "SecureString" && ${t}.value_wo_version == 1`).join(" && "),
            "token parameters are SecureStrings written once",
          ),
          assert(
            `${b("images/repository")}.image_tag_mutability == "IMMUTABLE" && ${b("tier-logs")}.retention_in_days == 30`,
            "immutable tags; the tier's log group keeps 30 days",
          ),
        ],
      }),
      run("bootstrap_when_doctor_finds_the_service_linked_roles", {
        module: "bootstrap",
        variables: { tfc_organization: '"acme"', create_service_linked_roles: "false" },
        extra: [
          assert(slrs.map((r) => `length(${r}) == 0`).join(" && "), "create_service_linked_roles=false creates none"),
        ],
      }),
      run("bootstrap_rejects_a_malformed_organization", {
        module: "bootstrap",
        variables: { tfc_organization: '"acme:*"' },
        extra: ["  expect_failures = [var.tfc_organization]"],
      }),
      // 2. Core, in its workspace, with the released digest.
      run("core", {
        variables: { image_digest: image },
        extra: [
          assert(
            `${addressOf(core, "core/lambda-record/record")}.weighted_routing_policy[0].weight == 0 && ${addressOf(core, "core/lambda-record/record")}.set_identifier == "lambda"`,
            "the lambda record must be the weight-0 fallback",
          ),
          assert(
            `${addressOf(core, "core/lambda/function")}.architectures[0] == "arm64" && ${addressOf(core, "core/lambda/function")}.package_type == "Image"`,
            "the function must run the image on arm64",
          ),
          assert(
            `endswith(${addressOf(core, "core/lambda/function")}.image_uri, "@${TEST_IMAGE_DIGEST}")`,
            "the function runs the released digest",
          ),
          assert(
            `${addressOf(core, "core/links/table")}.point_in_time_recovery[0].enabled && ${addressOf(core, "core/links/table")}.billing_mode == "PAY_PER_REQUEST"`,
            "the table must be on-demand with PITR",
          ),
          assert(
            `${addressOf(core, "core/scaler/heartbeat")}.schedule_expression == "rate(1 hour)"`,
            "core runs the scaler hourly, not every minute",
          ),
          assert(
            `endswith(jsondecode(${addressOf(core, "core/tier-task/task")}.container_definitions)[0].image, "@${TEST_IMAGE_DIGEST}")`,
            "the tier's task definition runs the released digest",
          ),
          // The topic's ARN is unknown at plan time; that it is the topic is a property test (core-stack.test.ts).
          assert(
            `${addressOf(core, "core/scaler/async")}.maximum_retry_attempts == 0 && length(${addressOf(core, "core/scaler/async")}.destination_config[0].on_failure) == 1`,
            "a failed scaler run is not retried but sent on",
          ),
        ],
      }),
      run("core_rejects_a_tag_for_a_digest", {
        variables: { image_digest: '"latest"' },
        extra: ["  expect_failures = [var.image_digest]"],
      }),
      // 3. Fargate: its first run plans nothing (off), then the scaler's commits, in the order they come.
      //    Each state: both target groups while the tier exists, the listener's weights (lambda 100,
      //    ecs 0), ELB's invoke permission scoped to the Lambda target group, the record in warming and serving.
      ...[...TIER_STATES, "off"].map((state, i) =>
        run(`fargate_${i}_${state}`, {
          module: "fargate",
          command: "apply",
          variables: { fargate_tier: `"${state}"` },
          extra: [overrides, tierPlanAsserts(fargate, state, { values: true }), scalerMinuteAsserts(fargate, state)],
        }),
      ),
      run("fargate_rejects_unknown_tier", {
        module: "fargate",
        variables: { fargate_tier: '"on"' },
        extra: [overrides, "  expect_failures = [var.fargate_tier]"],
      }),
      // A toggle cannot size the tier beyond the reviewed configuration (fargate.maxTasks).
      run("fargate_rejects_more_tasks_than_configured", {
        module: "fargate",
        variables: {
          fargate_tier: '"serving"',
          fargate_min_tasks: String(config.fargate.maxTasks + 1),
          fargate_max_tasks: String(config.fargate.maxTasks + 1),
        },
        extra: [overrides, "  expect_failures = [var.fargate_min_tasks, var.fargate_max_tasks]"],
      }),
    ];
    const dir = initRunbook(
      { bootstrap: stacks.bootstrap!, core: stacks.core!, fargate: stacks.fargate! },
      { "runbook.tftest.hcl": [MOCK_WITH_RULES, ...runs].join("\n\n") },
    );
    workdirs.push(dir);
    const result = terraform(["test"], dir);
    expect(result.output).toMatch(new RegExp(`Success! ${runs.length} passed, 0 failed`));
    expect(result.status).toBe(0);
    // Every tier state ran, in the runbook's order, each against the previous one's state.
    const order = [...result.output.matchAll(/run "([^"]+)"\.\.\. pass/g)].map((m) => m[1]);
    expect(order.filter((n) => n!.startsWith("fargate_") && !n!.startsWith("fargate_rejects_"))).toEqual([
      "fargate_0_off",
      "fargate_1_warming",
      "fargate_2_serving",
      "fargate_3_draining",
      "fargate_4_off",
    ]);
    expect(order.indexOf("bootstrap")).toBeLessThan(order.indexOf("core"));
    expect(order.indexOf("core")).toBeLessThan(order.indexOf("fargate_0_off"));
  });
});
