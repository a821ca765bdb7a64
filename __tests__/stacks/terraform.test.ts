import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { synthesize, synthesizeHcl } from "../../scripts/synth";
import { TIER_STATES } from "../../scaler/toggle";
import { addressOf, EXPECTED_PLAN, initStack, MOCK_PROVIDER, readStack, remoteStateOverrides, removeDir, terraform, tierPlanAsserts } from "../helpers/terraform";

// Real terraform 1.11 with the real hashicorp/aws 5.100.0 provider (offline
// mirror): init, validate, and `terraform test` under mock_provider.
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

describe("synthesized stacks under real terraform", () => {
  it.each(Object.keys(stacks))("%s passes terraform validate with the real AWS provider", (id) => {
    const result = terraform(["validate"], init(stacks[id]!));
    expect(result.output).toContain("Success! The configuration is valid.");
    expect(result.status).toBe(0);
  });

  it("plans each tier state with exactly the resources that state needs", () => {
    const json = readStack(stacks.fargate!);
    expect(Object.keys(EXPECTED_PLAN)).toEqual([...TIER_STATES]);
    const runs = TIER_STATES.map(
      (state) => `run "tier_${state}" {\n  command = plan\n  variables {\n    fargate_tier = "${state}"\n  }\n${tierPlanAsserts(json, state)}\n}`,
    );
    const unknown = `run "rejects_unknown_tier" {\n  command = plan\n  variables {\n    fargate_tier = "on"\n  }\n  expect_failures = [var.fargate_tier]\n}`;
    const dir = init(stacks.fargate!);
    writeFileSync(join(dir, "tiers.tftest.hcl"), [MOCK_PROVIDER, remoteStateOverrides(json), ...runs, unknown].join("\n\n"));
    const result = terraform(["test"], dir);
    expect(result.output).toMatch(/Success! 5 passed, 0 failed/);
    expect(result.status).toBe(0);
  });

  it("plans the core stack under the mock provider with the Lambda record at weight 0", () => {
    const json = readStack(stacks.core!);
    const record = addressOf(json, "core/lambda-record/record");
    const fn = addressOf(json, "core/lambda/function");
    const table = addressOf(json, "core/links/table");
    const dir = init(stacks.core!);
    writeFileSync(
      join(dir, "core.tftest.hcl"),
      `${MOCK_PROVIDER}

run "core_plan" {
  command = plan
  assert {
    condition     = ${record}.weighted_routing_policy[0].weight == 0 && ${record}.set_identifier == "lambda"
    error_message = "the lambda record must be the weight-0 fallback"
  }
  assert {
    condition     = ${fn}.architectures[0] == "arm64" && ${fn}.package_type == "Image"
    error_message = "the function must run the image on arm64"
  }
  assert {
    condition     = ${table}.point_in_time_recovery[0].enabled && ${table}.billing_mode == "PAY_PER_REQUEST"
    error_message = "the table must be on-demand with PITR"
  }
}`,
    );
    const result = terraform(["test"], dir);
    expect(result.output).toMatch(/Success! 1 passed, 0 failed/);
  });
});

describe("HCL exit path (npm run synth:hcl)", () => {
  const hclOut = mkdtempSync(join(tmpdir(), "lambdaflex-hcl-"));
  workdirs.push(hclOut);
  const hclStacks = synthesizeHcl(config, hclOut);
  const hcl = readFileSync(join(hclStacks.fargate!, "cdk.tf"), "utf8");
  const json = readStack(stacks.fargate!);

  it("keeps every variable default, including the false one cdktf drops", () => {
    for (const [name, spec] of Object.entries(json.variable as Record<string, { default: unknown }>)) {
      const block = hcl.slice(hcl.indexOf(`variable "${name}" {`));
      expect(block.slice(0, block.indexOf("\n}\n"))).toContain(`default = ${JSON.stringify(spec.default)}`);
    }
  });

  it("keeps the tier validation and still rejects an unknown tier under terraform", () => {
    expect(hcl).toContain("fargate_tier must be one of off, warming, serving, draining.");
    const dir = init(hclStacks.fargate!);
    writeFileSync(
      join(dir, "hcl.tftest.hcl"),
      `${MOCK_PROVIDER}\n\n${remoteStateOverrides(json)}\n\nrun "default_is_off" {\n  command = plan\n  assert {\n    condition     = var.fargate_tier == "off" && var.fargate_pinned == false\n    error_message = "defaults lost"\n  }\n}\n\nrun "unknown" {\n  command = plan\n  variables {\n    fargate_tier = "sometimes"\n  }\n  expect_failures = [var.fargate_tier]\n}`,
    );
    const result = terraform(["test"], dir);
    expect(result.output).toMatch(/Success! 2 passed, 0 failed/);
  });
});
