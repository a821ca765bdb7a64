import { join } from "node:path";
import { benchPages, BLOCKS, documentationFiles, provenance, readResults, renderReadme } from "../../bench/readme";
import { ROOT } from "../helpers/processes";

const blocks = { a: (r: Record<string, any>) => `a is ${r.a.value}`, b: () => "b" };

describe("the docs' figures from bench/results", () => {
  it("rewrites only what lies between a block's markers, and twice gives the same text", () => {
    const readme =
      "top\n<!-- bench:a -->\nold a\n<!-- /bench:a -->\nmiddle 1.5 s, not a marker: `<!-- bench:NAME -->`\n<!-- bench:b -->\n<!-- /bench:b -->\nend\n";
    const once = renderReadme(readme, { a: { value: 7 } }, blocks);
    expect(once).toBe(
      "top\n<!-- bench:a -->\na is 7\n<!-- /bench:a -->\nmiddle 1.5 s, not a marker: `<!-- bench:NAME -->`\n<!-- bench:b -->\nb\n<!-- /bench:b -->\nend\n",
    );
    expect(renderReadme(once, { a: { value: 7 } }, blocks)).toBe(once);
  });

  it("refuses an unknown block, an unclosed or mismatched marker, and a result file that is missing", () => {
    expect(() => renderReadme("<!-- bench:c -->\n<!-- /bench:c -->", {}, blocks)).toThrow(
      'unknown benchmark block "c"; known: a, b',
    );
    expect(() => renderReadme("<!-- bench:a -->\n", { a: { value: 1 } }, blocks)).toThrow(
      "the block a is never closed",
    );
    expect(() => renderReadme("<!-- bench:a -->\n<!-- /bench:b -->", { a: { value: 1 } }, blocks)).toThrow(
      "<!-- /bench:b --> closes the block a",
    );
    expect(() => renderReadme("<!-- bench:twin -->\n<!-- /bench:twin -->", {})).toThrow(
      "bench/results/twin.json, which does not exist: run npm run bench -- --only twin --save",
    );
  });

  it("names the file, day and commit each block's figures come from", () => {
    const at = "2026-12-07T04:09:36.923Z";
    expect(
      provenance("cost", {
        at,
        commit: { sha: "b8b51c28e2394aeb5ec9dc26d45f841f7e20726f", dirty: true },
        machine: { node: "v20.20.2", cpus: 2 },
      }),
    ).toBe("`bench/results/cost.json`: 2026-12-07, commit b8b51c2 with uncommitted changes, Node v20.20.2 on 2 CPUs");
    expect(provenance("cost", { at, commit: null, quick: true })).toBe(
      "`bench/results/cost.json`: 2026-12-07, no commit recorded, **--quick**",
    );
  });

  it("the committed docs hold every block, each page exactly as the committed results render it", () => {
    const pages = benchPages(ROOT);
    const all = pages.map((p) => p.text).join("\n");
    for (const name of Object.keys(BLOCKS)) expect(all).toContain(`<!-- bench:${name} -->`);
    // One page per block: a figure is generated in one place and linked from the others.
    for (const name of Object.keys(BLOCKS)) expect(all.split(`<!-- bench:${name} -->`).length).toBe(2);
    for (const p of pages) expect({ page: p.path, text: p.rendered }).toEqual({ page: p.path, text: p.text });
    expect(readResults(join(ROOT, "bench", "results"))).toEqual(expect.objectContaining({ synth: expect.anything() }));
  });

  it("finds the blocks in README.md and every page under docs/, and fails a page whose figure is stale", () => {
    expect(documentationFiles(ROOT)).toEqual(
      expect.arrayContaining(["README.md", "docs/benchmarks.md", "docs/architecture.md"]),
    );
    const page = benchPages(ROOT).find((p) => p.path.endsWith(join("docs", "benchmarks.md")))!;
    const stale = page.text.replace(/(<!-- bench:synth -->\n)[^\n]*/, "$1Synth: all stacks in 0.01 s");
    expect(stale).not.toBe(page.text);
    expect(renderReadme(stale, readResults(join(ROOT, "bench", "results")))).toBe(page.text);
  });
});
