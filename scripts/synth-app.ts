/**
 * Synthesis: the stacks into `<outdir>/stacks/<id>/`, as JSON (what deploy/ publishes) or as HCL
 * repaired so that terraform validates it and plans what the JSON plans.
 */
import { App, TerraformStack } from "cdktf";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeploymentConfig } from "../config/schema";
import { buildStacks, STACKS } from "../stacks/app";
import { repairHcl } from "./hcl-repair";

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

const stackDirs = (outdir: string): Record<string, string> =>
  Object.fromEntries(Object.values(STACKS).map((id) => [id, join(outdir, "stacks", id)]));

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

/** `npm run synth:hcl`: every stack as HCL that terraform validates and plans like the JSON (stacks/hcl.test.ts). */
export function synthesizeHcl(config: DeploymentConfig, outdir: string): Record<string, string> {
  synthesizeHclApp((app) => buildStacks(app, config), outdir);
  return stackDirs(outdir);
}
