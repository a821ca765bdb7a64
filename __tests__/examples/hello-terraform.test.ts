import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { parseDeploymentConfig } from "../../config/schema";
import { synthesize } from "../../scripts/synth";
import { ROOT } from "../helpers/processes";
import {
  initStack,
  MOCK_PROVIDER,
  readStack,
  remoteStateOverrides,
  removeDir,
  terraformProviderDir,
  TEST_IMAGE_DIGEST,
  testPlan,
} from "../helpers/terraform";

// The example's app settings under real terraform 1.11 and hashicorp/aws
// (mock_provider): the health path and every variable arrive in the plan
// exactly as configured, including the punctuation the schema lets through
// (cdktf writes values into Terraform templates unescaped: config/schema.ts).
terraformProviderDir(); // without a provider, this file fails once, saying how to get one

const TRICKY = "it's $HOME at 100% {ok}, blåbær & <b>; $ %";
const example = loadDeploymentConfig(join(ROOT, "examples", "hello", "lambdaflex.config.json"), {});
const config = parseDeploymentConfig({
  ...example,
  app: { ...example.app, environment: { ...example.app.environment, TRICKY } },
});
const out = mkdtempSync(join(tmpdir(), "lambdaflex-hello-tf-"));
const stacks = synthesize(config, out);
const workdirs = [out];
afterAll(() => workdirs.forEach(removeDir));

/** What `terraform test` plans for one stack with these variables. */
function plan(id: "core" | "fargate", variables: Record<string, string>) {
  const dir = initStack(stacks[id]!);
  workdirs.push(dir);
  const overrides = remoteStateOverrides(readStack(stacks[id]!)).replace(/^/gm, "  ");
  const vars = Object.entries(variables).map(([k, v]) => `    ${k} = ${JSON.stringify(v)}`);
  writeFileSync(
    join(dir, "plan.tftest.hcl"),
    [
      MOCK_PROVIDER,
      ['run "plan" {', "  command = plan", "  variables {", ...vars, "  }", overrides, "}"].join("\n"),
    ].join("\n\n"),
  );
  const planned = testPlan(dir, "plan");
  expect(planned.warnings).toEqual([]);
  return (type: string) => planned.resources.filter((r) => r.address.startsWith(`${type}.`)).map((r) => r.after as any);
}

describe("examples/hello's app settings under terraform", () => {
  it("plans the Lambda function and the tier's task definition (both core's) with app.environment, values unchanged", () => {
    const after = plan("core", { image_digest: TEST_IMAGE_DIGEST });
    const [fn] = after("aws_lambda_function").filter((f) => f.function_name === "hello-api");
    expect(fn.environment[0].variables).toMatchObject({ GREETING: "Hej", TRICKY, LAMBDAFLEX_TIER: "lambda" });
    const [task] = after("aws_ecs_task_definition");
    const environment = JSON.parse(task.container_definitions)[0].environment as Array<{ name: string; value: string }>;
    expect(Object.fromEntries(environment.map((v) => [v.name, v.value]))).toMatchObject({
      GREETING: "Hej",
      TRICKY,
      PORT: "8080",
      LAMBDAFLEX_TIER: "fargate",
    });
  });

  it("plans both target groups (tasks, service Lambda) on app.healthPath", () => {
    const after = plan("fargate", { fargate_tier: "warming" });
    expect(after("aws_lb_target_group").map((tg) => tg.health_check[0].path)).toEqual([
      config.app.healthPath,
      config.app.healthPath,
    ]);
  });
});
