/**
 * The floors of the house, checked: a file may import from its own floor and
 * the floors below, never from a floor above, and `service/` and `scaler/`
 * (siblings on one floor) never from each other. `npm test` runs it; a new
 * import that runs uphill fails the build with the file, the line and the rule.
 *
 *   4  scripts/ bench/ cloud-test/ examples/ __tests__/ main.ts   every `npm run` entry and the tests
 *   3  sim/                                                        the twin and the simulator
 *   2  stacks/                                                     the cdktf stacks
 *   1  service/  scaler/                                           the two programs, siblings
 *   0  model/  config/                                             shared contracts; model/ takes only types from config/
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";

export const FLOORS: Readonly<Record<string, number>> = {
  model: 0,
  config: 0,
  service: 1,
  scaler: 1,
  stacks: 2,
  sim: 3,
  scripts: 4,
  bench: 4,
  "cloud-test": 4,
  examples: 4,
  __tests__: 4,
  "main.ts": 4,
};

/** Folders on one floor that must not import each other. */
const SIBLINGS: ReadonlyArray<readonly [string, string]> = [["service", "scaler"]];

export interface ImportViolation {
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly rule: string;
}

/** The top-level folder (or root file) a repository-relative path belongs to. */
const roomOf = (path: string): string => path.split("/")[0]!;

const IMPORT =
  /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[^'"`;]*?\s+from\s+)?["']([^"']+)["']|(?:import|require|jest\.mock)\(\s*["']([^"']+)["']/g;

/** Uphill imports in `files` (repository-relative path to source). */
export function importViolations(files: ReadonlyMap<string, string>): ImportViolation[] {
  const out: ImportViolation[] = [];
  for (const [file, source] of files) {
    const from = roomOf(file);
    const floor = FLOORS[from];
    if (floor === undefined) continue;
    for (const m of source.matchAll(IMPORT)) {
      const spec = m[3] ?? m[4]!;
      if (!spec.startsWith(".")) continue;
      const target = normalize(join(dirname(file), spec))
        .split(sep)
        .join("/");
      const to = roomOf(target);
      const toFloor = FLOORS[to] ?? FLOORS[`${to}.ts`];
      if (toFloor === undefined || to === from) continue;
      const line = source.slice(0, m.index + m[0].length - m[0].trimStart().length).split("\n").length;
      const typeOnly = m[1] === "import" && m[2] !== undefined;
      if (toFloor > floor)
        out.push({
          file,
          line,
          target,
          rule: `${from}/ (floor ${floor}) imports from ${to}/ (floor ${toFloor}), a floor above`,
        });
      else if (SIBLINGS.some(([a, b]) => (a === from && b === to) || (a === to && b === from)))
        out.push({ file, line, target, rule: `${from}/ and ${to}/ are siblings and do not import each other` });
      else if (from === "model" && to === "config" && !typeOnly)
        out.push({ file, line, target, rule: "model/ takes only types from config/ (use import type)" });
    }
  }
  return out;
}

/** Every .ts/.js source under the floors' folders, skipping generated and installed trees. */
export function readSources(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === "node_modules" || name === "dist" || name === "fixtures") continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|js|mjs)$/.test(name))
        files.set(relative(root, path).split(sep).join("/"), readFileSync(path, "utf8"));
    }
  };
  for (const room of Object.keys(FLOORS)) {
    const path = join(root, room);
    try {
      if (statSync(path).isDirectory()) walk(path);
      else files.set(room, readFileSync(path, "utf8"));
    } catch {
      // a room this checkout does not have
    }
  }
  return files;
}

if (require.main === module) {
  const root = join(__dirname, "..");
  const sources = readSources(root);
  const violations = importViolations(sources);
  for (const v of violations) console.error(`${v.file}:${v.line}: imports ${v.target}: ${v.rule}`);
  if (violations.length) {
    console.error(
      `check-imports: ${violations.length} import(s) run uphill; move the shared part down (model/ holds contracts both sides need)`,
    );
    process.exit(1);
  }
  console.log(`check-imports: ${sources.size} files, no import runs uphill`);
}
