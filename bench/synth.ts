/**
 * Synth benchmark: wall time of `npm run synth` (all stacks, median of 5)
 * against a one-resource stack synthesized the same way in the same run, plus
 * the resource count of each stack: the bootstrap stack's (always, and the
 * service-linked roles behind `create_service_linked_roles`) and the other
 * stacks' in each tier state, counted as `npm run synth` counts them.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../config/load";
import { bootstrapResources, resourcesPerState, synthesize } from "../scripts/synth";
import { STACKS } from "../stacks/app";
import { buildBundles } from "./bundles";
import { goal, median, round } from "./stats";

const ROOT = join(__dirname, "..");
const TSX = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

const wall = (args: string[], env: NodeJS.ProcessEnv): number => {
  const t0 = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [TSX, ...args], { cwd: ROOT, env, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`${args.join(" ")} failed: ${run.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};

/**
 * Resources per stack as `npm run synth` reports them: bootstrap has no tier
 * states (its only condition is `create_service_linked_roles`), the others
 * count per tier state.
 */
export function resourceCounts(dirs: Record<string, string>): Record<string, Record<string, number>> {
  return Object.fromEntries(
    Object.entries(dirs).map(([id, dir]) => {
      const stack = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));
      return [id, id === STACKS.bootstrap ? bootstrapResources(stack) : resourcesPerState(stack)];
    }),
  );
}

export async function benchSynth(quick = false): Promise<Record<string, unknown>> {
  buildBundles(); // the core stack carries dist/scaler.zip
  const runs = quick ? 3 : 5;
  const repo = mkdtempSync(join(tmpdir(), "lambdaflex-bench-repo-"));
  const env = { ...process.env, CHECKPOINT_DISABLE: "1", LAMBDAFLEX_REPO_ROOT: repo };
  const baseline: number[] = [];
  const full: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      baseline.push(wall([join("bench", "fixtures", "one-resource-stack.ts")], env));
      full.push(wall([join("scripts", "synth.ts")], env));
    }
    const out = mkdtempSync(join(tmpdir(), "lambdaflex-bench-synth-"));
    const dirs = synthesize(loadDeploymentConfig(undefined, {}), out);
    const counts = resourceCounts(dirs);
    rmSync(out, { recursive: true, force: true });
    const seconds = median(full) / 1000;
    return {
      runs,
      oneResourceStackMedianMs: round(median(baseline)),
      allStacksMedianMs: round(median(full)),
      ratio: round(median(full) / median(baseline)),
      allStacks: goal(seconds, "s", "< 3", seconds < 3),
      resources: counts,
    };
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
