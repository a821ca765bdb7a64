/**
 * The deploy layout: publishing synthesized stacks into `<deployDir>/<stack>/`, and the files in it
 * that differ from a fresh synth. The toggle and the image release belong to other tools: synth
 * creates a missing toggle and otherwise never writes, overwrites or deletes either.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import type { DeploymentConfig } from "../config/schema";
import { imageReleasePaths, retiredImageReleasePath } from "../model/release-file";
import { formatToggle } from "../model/toggle";

/** Every file under dir, relative to it. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full).map((f) => join(name, f)) : [name];
  });
}

/** The toggle a fresh deployment starts from: off, with the configured sizing. */
export const initialToggle = (config: DeploymentConfig): string =>
  formatToggle({
    fargate_tier: "off",
    fargate_tier_since: "1970-01-01T00:00:00Z",
    fargate_min_tasks: config.fargate.minTasks,
    fargate_max_tasks: config.fargate.maxTasks,
    fargate_pinned: false,
    fargate_backoff_up: 0,
    fargate_backoff_down: 0,
  });

/**
 * Files in the deploy layout that other tools own, relative to the repository
 * root: the toggle (the scaler's commits) and the image release (`npm run
 * release`). Synth creates the toggle once if it is missing and otherwise
 * never writes, overwrites or deletes any of them.
 */
export const protectedFiles = (config: DeploymentConfig): string[] => [
  config.toggleFile,
  imageReleasePaths(config.deployDir).core,
];

/** What a stack directory publishes: the Terraform JSON and its assets, never state, the toggle or the release. */
const published = (stackDir: string) =>
  listFiles(stackDir).filter((f) => f === "cdk.tf.json" || f.startsWith("assets/"));

/** Refuses to touch a file another tool owns (a guard: `published` never lists one). */
function assertNotProtected(config: DeploymentConfig, repoRoot: string, path: string): void {
  const rel = relative(repoRoot, path).split(sep).join("/");
  if (protectedFiles(config).includes(rel))
    throw new Error(
      `refusing to write or delete ${rel}: it is owned by the scaler or \`npm run release\`, never by synth`,
    );
}

/**
 * Copies synthesized stacks into the deploy layout, removes assets no longer
 * generated and the fargate image release earlier versions wrote, and creates
 * the toggle only if absent. Returns changed paths.
 */
export function publish(config: DeploymentConfig, stackDirs: Record<string, string>, repoRoot: string): string[] {
  const changed: string[] = [];
  for (const [id, dir] of Object.entries(stackDirs)) {
    const target = join(repoRoot, config.deployDir, id);
    const fresh = published(dir);
    for (const file of published(target).filter((f) => !fresh.includes(f))) {
      assertNotProtected(config, repoRoot, join(target, file));
      rmSync(join(target, file));
      changed.push(`${relative(repoRoot, join(target, file))} (removed)`);
    }
    for (const file of fresh) {
      const to = join(target, file);
      const content = readFileSync(join(dir, file));
      if (existsSync(to) && readFileSync(to).equals(content)) continue;
      assertNotProtected(config, repoRoot, to);
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, content);
      changed.push(relative(repoRoot, to));
    }
  }
  // No tool writes it any more, and the fargate stack would warn about its undeclared image_digest.
  const retired = join(repoRoot, retiredImageReleasePath(config.deployDir));
  if (existsSync(retired)) {
    rmSync(retired);
    changed.push(`${relative(repoRoot, retired)} (removed: fargate runs core's task definition)`);
  }
  const toggle = join(repoRoot, config.toggleFile);
  if (!existsSync(toggle)) {
    mkdirSync(dirname(toggle), { recursive: true });
    writeFileSync(toggle, initialToggle(config));
    changed.push(config.toggleFile);
  }
  return changed;
}

/** Lists committed files that differ from a fresh synth (missing, changed, or no longer generated). */
export function staleFiles(config: DeploymentConfig, stackDirs: Record<string, string>, repoRoot: string): string[] {
  const stale: string[] = [];
  for (const [id, dir] of Object.entries(stackDirs)) {
    const target = join(repoRoot, config.deployDir, id);
    const fresh = published(dir);
    for (const file of fresh) {
      const to = join(target, file);
      if (!existsSync(to) || !readFileSync(to).equals(readFileSync(join(dir, file))))
        stale.push(relative(repoRoot, to));
    }
    for (const file of published(target)) {
      if (!fresh.includes(file)) stale.push(`${relative(repoRoot, join(target, file))} (no longer generated)`);
    }
  }
  if (!existsSync(join(repoRoot, config.toggleFile))) stale.push(`${config.toggleFile} (missing toggle file)`);
  const retired = retiredImageReleasePath(config.deployDir);
  if (existsSync(join(repoRoot, retired)))
    stale.push(`${retired} (no longer used: fargate runs core's task definition; synth deletes it)`);
  return stale;
}
