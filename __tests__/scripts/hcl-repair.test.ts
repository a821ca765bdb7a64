import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { hclQuoted, repairHclStrings, unquoteReferences } from "../../scripts/hcl-repair";
import { synthesizeApp, synthesizeHclApp } from "../../scripts/synth";
import { initStack, removeDir, terraform, testPlan } from "../helpers/terraform";

describe("hclQuoted", () => {
  it.each([
    ["plain", '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["a\\d", '"a\\\\d"'],
    ["line1\nline2\r\tend", '"line1\\nline2\\r\\tend"'],
    ['{"id":"${aws_s3_bucket.b.id}"}', '"{\\"id\\":\\"${aws_s3_bucket.b.id}\\"}"'],
    ['${jsonencode({"k" = "a } b", "n" = "${var.x}"})}', '"${jsonencode({"k" = "a } b", "n" = "${var.x}"})}"'],
    ['$${not.a.reference} "q"', '"$${not.a.reference} \\"q\\""'],
    ['%{ if var.on }"on"%{ endif }', '"%{ if var.on }\\"on\\"%{ endif }"'],
  ])("writes %j as %s", (template, hcl) => {
    expect(hclQuoted(template)).toBe(hcl);
  });

  it("refuses a template with an unterminated sequence", () => {
    expect(() => hclQuoted("${var.x")).toThrow(/unterminated template sequence/);
  });
});

describe("repairHclStrings", () => {
  it("rewrites each value cdktf wrote wrongly, only where it is a whole value", () => {
    const hcl = [
      'resource "t" "n" {',
      'body = "{"a":"${x.id}"}"',
      'note = "{"a":"${x.id}"}"-suffix',
      "value = <<EOF",
      "one",
      "two",
      "EOF",
      "}",
    ].join("\n");
    const { hcl: fixed, fixed: paths } = repairHclStrings(hcl, {
      resource: { t: { n: { body: '{"a":"${x.id}"}', value: "one\ntwo" } } },
    });
    expect(fixed.split("\n")).toEqual([
      'resource "t" "n" {',
      'body = "{\\"a\\":\\"${x.id}\\"}"',
      'note = "{"a":"${x.id}"}"-suffix',
      'value = "one\\ntwo"',
      "}",
    ]);
    expect(paths.sort()).toEqual(["resource.t.n.body", "resource.t.n.value"]);
  });

  it("refuses values cdktf writes alike, and a value it cannot find", () => {
    expect(() => repairHclStrings('a = "x\\"y"\nb = "x\\"y"\n', { a: 'x"y', b: 'x\\"y' })).toThrow(
      /cdktf writes b and a alike/,
    );
    expect(() => repairHclStrings("a = something else\n", { a: "x\\y" })).toThrow(/cannot find how cdktf wrote a/);
  });
});

describe("unquoteReferences", () => {
  it("unquotes depends_on and ignore_changes entries and leaves other lists alone", () => {
    const hcl = [
      "depends_on = [",
      '"aws_iam_role.r",',
      '"module.m",',
      "]",
      "lifecycle {",
      "  ignore_changes = [",
      '"desired_count",',
      "]",
      "}",
      "actions = [",
      '"s3.GetObject",',
      "]",
    ].join("\n");
    expect(unquoteReferences(hcl)).toEqual({
      hcl: [
        "depends_on = [",
        "aws_iam_role.r,",
        "module.m,",
        "]",
        "lifecycle {",
        "  ignore_changes = [",
        "desired_count,",
        "]",
        "}",
        "actions = [",
        '"s3.GetObject",',
        "]",
      ].join("\n"),
      fixed: 3,
    });
  });
});

/** A stack with every kind of string cdktf's HCL writer gets wrong. */
function fixture(app: App): void {
  const stack = new TerraformStack(app, "fixture");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const parameter = new SsmParameter(stack, "parameter", { name: "lambdaflex-fixture", type: "String", value: "v" });
  new CloudwatchDashboard(stack, "dashboard", {
    dashboardName: "fixture",
    // JSON.stringify around a reference: the dashboard body the issue reported ("Missing newline after argument").
    dashboardBody: JSON.stringify({
      widgets: [
        {
          type: "metric",
          properties: {
            title: parameter.name,
            metrics: [
              [{ expression: `SEARCH('{AWS/ApplicationELB,LoadBalancer} MetricName="RequestCount"', 'Sum', 60)` }],
            ],
          },
        },
      ],
    }),
  });
  new SsmParameter(stack, "multiline", {
    name: "lambdaflex-fixture-2",
    type: "String",
    description: "[a regex] \\d+",
    value: `first line\nsecond "line" after ${parameter.name}`,
    dependsOn: [parameter],
  });
  new TerraformOutput(stack, "quoted", { value: `the "parameter" ${parameter.name}` });
}

describe("HCL of a stack with quotes, backslashes, line breaks and references (under terraform)", () => {
  const out = mkdtempSync(join(tmpdir(), "lambdaflex-hcl-fixture-"));
  const workdirs = [out];
  afterAll(() => workdirs.forEach(removeDir));

  it("fails to parse as cdktf writes it, and validates and plans like the JSON once repaired", () => {
    synthesizeApp(fixture, join(out, "raw"), true);
    const raw = terraform(["validate"], join(out, "raw", "stacks", "fixture"));
    expect(raw.output).toContain("Missing newline after argument");

    synthesizeApp(fixture, join(out, "json"));
    synthesizeHclApp(fixture, join(out, "hcl"));
    const dir = initStack(join(out, "json", "stacks", "fixture"));
    workdirs.push(dir);
    writeFileSync(join(dir, "plan.tftest.hcl"), 'mock_provider "aws" {}\n\nrun "plan" {\n  command = plan\n}\n');
    const fromJson = testPlan(dir, "plan");
    rmSync(join(dir, "cdk.tf.json"));
    cpSync(join(out, "hcl", "stacks", "fixture", "cdk.tf"), join(dir, "cdk.tf"));
    const fromHcl = testPlan(dir, "plan");

    expect(fromHcl.warnings).toEqual([]);
    const after = (address: string) =>
      fromHcl.resources.find((r) => r.address === address)?.after as Record<string, string>;
    expect(after("aws_ssm_parameter.multiline")).toEqual(
      expect.objectContaining({
        description: "[a regex] \\d+",
        value: 'first line\nsecond "line" after lambdaflex-fixture',
      }),
    );
    expect(
      JSON.parse(after("aws_cloudwatch_dashboard.dashboard").dashboard_body!).widgets[0].properties.metrics[0][0]
        .expression,
    ).toContain('MetricName="RequestCount"');
    expect(fromHcl.outputs.quoted).toEqual({ actions: ["create"], after: 'the "parameter" lambdaflex-fixture' });
    expect(fromHcl).toEqual(fromJson);
    expect(readFileSync(join(dir, "cdk.tf"), "utf8")).toContain("depends_on = [\naws_ssm_parameter.parameter,\n]");
  }, 60_000);
});
