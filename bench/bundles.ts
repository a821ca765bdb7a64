/**
 * `npm run build`, once per bench run, before the first benchmark that runs
 * the bundles or synthesizes the stacks: a fresh clone has no dist/, and a
 * stale one would measure code that is no longer checked out.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const TSX = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

let built = false;

export function buildBundles(): void {
  if (built) return;
  const run = spawnSync(process.execPath, [TSX, join("scripts", "build.ts")], { cwd: ROOT, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`npm run build failed: ${run.stderr || run.stdout}`);
  built = true;
}
