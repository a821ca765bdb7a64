import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { synthesize, synthesizeHcl } from "../../scripts/synth";
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

// The HCL exit path (`npm run synth:hcl`) under real terraform 1.11 and the
// real hashicorp/aws provider: every stack validates with no warnings, and
// `terraform test` under mock_provider plans exactly what the JSON form plans.
terraformProviderDir(); // without a provider, this file fails once, saying how to get one

// With the optional dashboard, so its body goes through the HCL writer too.
const config = { ...loadDeploymentConfig(undefined, {}), dashboard: true };
const out = mkdtempSync(join(tmpdir(), "lambdaflex-hcl-"));
const json = synthesize(config, join(out, "json"));
synthesize(config, join(out, "hcl")); // as after `npm run synth`, into the same cdktf.out
const hcl = synthesizeHcl(config, join(out, "hcl"));
const workdirs: string[] = [out];
afterAll(() => workdirs.forEach(removeDir));

const image = `"${TEST_IMAGE_DIGEST}"`;
const run = (name: string, variables: Record<string, string>, extra: string[] = []) =>
  [
    `run "${name}" {`,
    "  command = plan",
    "  variables {",
    ...Object.entries(variables).map(([k, v]) => `    ${k} = ${v}`),
    "  }",
    ...extra,
    "}",
  ].join("\n");
const expectFailure = (variable: string) => `  expect_failures = [var.${variable}]`;
const assert = (condition: string, message: string) =>
  `  assert {\n    condition     = ${condition}\n    error_message = ${JSON.stringify(message)}\n  }`;

/** Per stack: the plan compared between the forms, covering every resource the stack can create (fargate while serving). */
const PLAN: Record<string, (overrides: string) => string> = {
  bootstrap: () => run("plan", { tfc_organization: '"acme"' }),
  core: () => run("plan", { image_digest: image }),
  fargate: (overrides) => run("plan", { fargate_tier: '"serving"' }, [overrides]),
};

/** Per stack: the variables' defaults and validations, which the HCL must keep (the JSON's are terraform.test.ts's runbook). */
const KEEPS: Record<string, (overrides: string) => string[]> = {
  bootstrap: () => [
    run("rejects_a_malformed_organization", { tfc_organization: '"acme:*"' }, [expectFailure("tfc_organization")]),
  ],
  core: () => [run("rejects_a_tag_for_a_digest", { image_digest: '"latest"' }, [expectFailure("image_digest")])],
  fargate: (overrides) => [
    run("defaults", {}, [
      overrides,
      assert('var.fargate_tier == "off" && var.fargate_pinned == false', "a default was lost"),
    ]),
    run("rejects_an_unknown_tier", { fargate_tier: '"sometimes"' }, [overrides, expectFailure("fargate_tier")]),
  ],
};

describe("HCL exit path (npm run synth:hcl)", () => {
  it("writes one cdk.tf per stack and removes the cdk.tf.json an earlier synth left beside it", () => {
    for (const dir of Object.values(hcl)) {
      expect(readFileSync(join(dir, "cdk.tf"), "utf8")).toMatch(/^terraform \{/);
      expect(() => readFileSync(join(dir, "cdk.tf.json"))).toThrow(/ENOENT/);
    }
  });

  it.each(Object.keys(PLAN))(
    "writes the %s stack so that terraform validates it without warnings and plans the same changes and values as the JSON",
    (id) => {
      // One init serves both forms: the same required_providers, no modules.
      const dir = initStack(json[id]!);
      workdirs.push(dir);
      const overrides = remoteStateOverrides(readStack(json[id]!)).replace(/^/gm, "  ");
      writeFileSync(join(dir, "plan.tftest.hcl"), [MOCK_PROVIDER, PLAN[id]!(overrides)].join("\n\n"));
      writeFileSync(join(dir, "keeps.tftest.hcl"), [MOCK_PROVIDER, ...KEEPS[id]!(overrides)].join("\n\n"));
      const fromJson = testPlan(dir, "plan", ["-filter=plan.tftest.hcl"]);

      rmSync(join(dir, "cdk.tf.json"));
      cpSync(join(hcl[id]!, "cdk.tf"), join(dir, "cdk.tf"));
      const fromHcl = testPlan(dir, "plan"); // and the defaults and validations in keeps.tftest.hcl

      // terraform test validates the configuration first, reporting what `terraform validate` would.
      expect(fromHcl.warnings).toEqual([]);
      expect(fromJson.warnings).toEqual([]);

      expect(fromJson.resources.length).toBeGreaterThanOrEqual(15);
      expect(fromJson.resources.every((r) => r.actions.join() === "create")).toBe(true);
      expect(fromHcl.resources.map((r) => `${r.address} ${r.actions.join()}`)).toEqual(
        fromJson.resources.map((r) => `${r.address} ${r.actions.join()}`),
      );
      // And every value known at plan time (policies, the dashboard body, the container definitions).
      expect(fromHcl).toEqual(fromJson);
    },
    90_000,
  );
});
