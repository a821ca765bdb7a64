/**
 * `npm run bench [-- --quick] [-- --only NAME] [-- --save]`: runs the
 * benchmarks and prints each result as JSON, each with the date and the
 * commit it measured (and whether the tree had uncommitted changes). Only
 * with `--save` does it write the committed bench/results/<name>.json, with
 * every file path in it relative to the repository, so a result reads the
 * same on any machine, and then rewrite the figures in README.md and docs/ from the result
 * files (bench/readme.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { isAbsolute, join, relative, sep } from "node:path";
import { HELP, parseFlags, UsageError } from "../scripts/cli-flags";
import { progressBar, type Progress, type ProgressStream } from "../scripts/progress";
import { benchColdStart } from "./cold-start";
import { documentationFiles, hasBenchBlocks, readResults, renderReadme } from "./readme";
import { benchService } from "./service";
import { benchSynth } from "./synth";
import { benchCost } from "./cost";
import { benchTwin } from "./twin";

const ROOT = join(__dirname, "..");

/** A benchmark: `quick` shortens it for a smoke run; `progress` may report its steps. */
export type Benchmark = (quick: boolean, progress: Progress) => Promise<Record<string, unknown>>;

export const ENTRIES: Record<string, Benchmark> = {
  service: benchService,
  "cold-start": benchColdStart,
  synth: benchSynth,
  cost: benchCost,
  twin: benchTwin,
};

const usage = (names: string[]) => `usage: npm run bench [-- --quick] [-- --only NAME] [-- --save]

Runs the benchmarks (${names.join(", ")}) and prints each result as JSON.
  --quick       shorter runs, for a smoke test (never saved)
  --only NAME   one benchmark
  --save        also write bench/results/NAME.json (committed; paths relative to the
                repository) and rewrite the figures in the docs from bench/results
  -h, --help    this help`;

/** `value` with every absolute path of an existing file replaced by its path from `root`, in / form. */
export function repositoryRelative<T>(value: T, root: string): T {
  if (typeof value === "string")
    return (isAbsolute(value) && existsSync(value) ? relative(root, value).split(sep).join("/") : value) as T;
  if (Array.isArray(value)) return value.map((v) => repositoryRelative(v, root)) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, repositoryRelative(v, root)])) as T;
  return value;
}

/** The commit a result measured: `git rev-parse HEAD`, and whether code differed from it (changes to results and the docs aside). */
export interface Commit {
  readonly sha: string;
  readonly dirty: boolean;
}

/** The checkout's commit, or null outside a git checkout. */
export function commitOf(root: string): Commit | null {
  const git = (...args: string[]) => spawnSync("git", args, { cwd: root, encoding: "utf8" });
  const head = git("rev-parse", "HEAD");
  if (head.status !== 0) return null;
  const status = git(
    "status",
    "--porcelain",
    "--",
    ".",
    ":(exclude)bench/results",
    ":(exclude)README.md",
    ":(exclude)docs",
  );
  return { sha: head.stdout.trim(), dirty: status.status !== 0 || status.stdout.trim() !== "" };
}

/** Where the command writes: results and errors as lines, progress on a stream, result files under `resultsDir`. */
export interface BenchIo {
  out(line: string): void;
  err(line: string): void;
  readonly progress: ProgressStream;
  readonly resultsDir: string;
  readonly root: string;
  /** The pages whose marked blocks `--save` rewrites from `resultsDir` (a page with none is left alone); none: no page is touched. */
  readonly pages?: readonly string[];
  /** @default bench/readme.ts's BLOCKS */
  readonly readmeBlocks?: Parameters<typeof renderReadme>[2];
  /** @default commitOf(root) */
  readonly commit?: () => Commit | null;
}

const defaultIo: BenchIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  progress: process.stderr,
  resultsDir: join(ROOT, "bench", "results"),
  root: ROOT,
  pages: documentationFiles(ROOT).map((rel) => join(ROOT, rel)),
};

/** The whole command; returns the exit code (2 for a usage error). */
export async function main(
  argv: string[],
  entries: Record<string, Benchmark> = ENTRIES,
  io: BenchIo = defaultIo,
): Promise<number> {
  const names = Object.keys(entries);
  let values;
  try {
    values = parseFlags({
      args: argv,
      options: {
        ...HELP,
        quick: { type: "boolean", default: false },
        only: { type: "string" },
        save: { type: "boolean", default: false },
      },
    }).values;
    if (values.only !== undefined && !entries[values.only])
      throw new UsageError(
        `--only ${JSON.stringify(values.only)} is not a benchmark; choose one of ${names.join(", ")}`,
      );
    if (values.save && values.quick)
      throw new UsageError("--quick results are a smoke test, not figures to commit: pass --save or --quick, not both");
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`bench: ${err.message}\n${usage(names)}`);
    return 2;
  }
  if (values.help) {
    io.out(usage(names));
    return 0;
  }
  const quick = values.quick!;
  if (values.save) mkdirSync(io.resultsDir, { recursive: true });
  // Once, before anything is written: every result of this run measured the same tree.
  const commit = (io.commit ?? (() => commitOf(io.root)))();
  for (const name of names.filter((n) => values.only === undefined || n === values.only)) {
    const progress = progressBar(`bench ${name}`, { stream: io.progress });
    progress(0, 1);
    const measured = await entries[name]!(quick, progress);
    progress(1, 1);
    const result = repositoryRelative(
      {
        name,
        at: new Date().toISOString(),
        commit,
        machine: { node: process.version, cpus: cpus().length, model: cpus()[0]?.model },
        quick,
        ...measured,
      },
      io.root,
    );
    io.out(JSON.stringify(result, null, 2));
    if (values.save) {
      const file = join(io.resultsDir, `${name}.json`);
      writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
      io.out(`wrote ${relative(io.root, file)}`);
    } else {
      io.out(`(not saved: pass --save to write bench/results/${name}.json)`);
    }
  }
  if (values.save && io.pages) {
    const results = readResults(io.resultsDir);
    for (const page of io.pages) {
      const before = readFileSync(page, "utf8");
      if (!hasBenchBlocks(before)) continue;
      const after = renderReadme(before, results, io.readmeBlocks);
      if (after !== before) writeFileSync(page, after);
      io.out(
        after !== before
          ? `rewrote the figures in ${relative(io.root, page)} from ${relative(io.root, io.resultsDir)}`
          : `${relative(io.root, page)}: figures already match ${relative(io.root, io.resultsDir)}`,
      );
    }
  }

  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      process.stderr.write(`bench failed: ${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
