import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { writeFileSync } from "node:fs";
import { commitOf, main, repositoryRelative, type BenchIo } from "../../bench/run";
import { ROOT } from "../helpers/processes";
import { removeDir } from "../helpers/terraform";

const dir = mkdtempSync(join(tmpdir(), "bench-run-"));
afterAll(() => removeDir(dir));

/** A fake benchmark that records a file by absolute path, as the cost and twin benchmarks do. */
const entries = {
  cost: async (quick: boolean, progress: (done: number, total: number) => void) => {
    progress(1, 2);
    return { trace: join(ROOT, "package.json"), route: "/healthz", quick };
  },
  twin: async () => ({ seeds: [1] }),
};

const run = async (argv: string[], extra: Partial<BenchIo> = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const resultsDir = join(dir, "results");
  const io: BenchIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    progress: { isTTY: false, write: (t) => progress.push(t) },
    resultsDir,
    root: ROOT,
    commit: () => ({ sha: "a".repeat(40), dirty: true }),
    ...extra,
  };
  const code = await main(argv, entries, io);
  return { code, out: out.join("\n"), err: err.join("\n"), progress: progress.join(""), resultsDir };
};

describe("npm run bench", () => {
  it("prints results without writing the committed files unless --save is given", async () => {
    const printed = await run(["--only", "cost", "--quick"]);
    expect(printed.code).toBe(0);
    const result = JSON.parse(printed.out.slice(0, printed.out.lastIndexOf("}") + 1));
    expect(result).toEqual(
      expect.objectContaining({
        name: "cost",
        quick: true,
        trace: "package.json",
        commit: { sha: "a".repeat(40), dirty: true },
      }),
    );
    expect(new Date(result.at).toISOString()).toBe(result.at);
    expect(printed.out).toContain("(not saved: pass --save to write bench/results/cost.json)");
    expect(existsSync(join(printed.resultsDir, "cost.json"))).toBe(false);
    // One progress line per tenth in a log, not carriage returns.
    expect(printed.progress).toBe("bench cost: 0%\nbench cost: 50%\nbench cost: 100%\n");

    const saved = await run(["--save"]);
    expect(saved.code).toBe(0);
    const cost = JSON.parse(readFileSync(join(saved.resultsDir, "cost.json"), "utf8"));
    expect(cost).toEqual(
      expect.objectContaining({ name: "cost", quick: false, trace: "package.json", route: "/healthz" }),
    );
    expect(JSON.parse(readFileSync(join(saved.resultsDir, "twin.json"), "utf8")).seeds).toEqual([1]);
    expect(saved.out).toContain(`wrote ${relative(ROOT, join(saved.resultsDir, "cost.json"))}`);
  });

  it("with --save, rewrites the README's marked blocks from the result files, and leaves it alone without --save", async () => {
    const readme = join(dir, "README.md");
    writeFileSync(readme, "# x\n<!-- bench:twin -->\nstale\n<!-- /bench:twin -->\nend\n");
    const blocks = {
      twin: (r: Record<string, any>) =>
        `seeds ${JSON.stringify(r.twin.seeds)}, commit ${r.twin.commit.sha.slice(0, 7)}`,
    };
    await run(["--only", "twin"], { pages: [readme], readmeBlocks: blocks });
    expect(readFileSync(readme, "utf8")).toContain("stale");
    const saved = await run(["--only", "twin", "--save"], { pages: [readme], readmeBlocks: blocks });
    expect(readFileSync(readme, "utf8")).toBe(
      "# x\n<!-- bench:twin -->\nseeds [1], commit aaaaaaa\n<!-- /bench:twin -->\nend\n",
    );
    expect(saved.out).toContain("rewrote the figures in");
  });

  it("records the checkout's commit, and whether code differs from it", () => {
    const commit = commitOf(ROOT);
    expect(commit?.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof commit?.dirty).toBe("boolean");
    expect(commitOf(dir)).toBeNull();
  });

  it("exits 2 naming an unknown flag or benchmark, and prints usage with --help", async () => {
    expect(await run(["--sav"])).toEqual(
      expect.objectContaining({
        code: 2,
        err: expect.stringMatching(/^bench: Unknown option '--sav'\nusage: npm run bench/),
      }),
    );
    expect(await run(["--quick", "--save"])).toEqual(
      expect.objectContaining({
        code: 2,
        err: expect.stringMatching(/^bench: --quick results are a smoke test, not figures to commit/),
      }),
    );
    expect(await run(["--only", "cots"])).toEqual(
      expect.objectContaining({
        code: 2,
        err: expect.stringMatching(/^bench: --only "cots" is not a benchmark; choose one of cost, twin\n/),
      }),
    );
    expect(await run(["--help"])).toEqual(
      expect.objectContaining({ code: 0, out: expect.stringMatching(/^usage: npm run bench[^]*--save/), err: "" }),
    );
  });

  it("rewrites absolute paths of existing files only", () => {
    expect(repositoryRelative({ a: [join(ROOT, "bench", "run.ts")], b: "/healthz", c: 3 }, ROOT)).toEqual({
      a: ["bench/run.ts"],
      b: "/healthz",
      c: 3,
    });
    expect(repositoryRelative(join(ROOT, "..", "shared"), ROOT)).toBe(
      existsSync(join(ROOT, "..", "shared")) ? "../shared" : join(ROOT, "..", "shared"),
    );
  });
});
