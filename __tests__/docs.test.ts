import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { documentationFiles } from "../bench/readme";
import { ROOT } from "./helpers/processes";

/** Markdown links and images, outside code blocks and code spans: [text](target). */
function links(markdown: string): string[] {
  const prose = markdown.replace(/^```[^]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

/** GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchors(markdown: string): Set<string> {
  const prose = markdown.replace(/^```[^]*?^```/gm, "");
  return new Set([...prose.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
}

const files = documentationFiles(ROOT);
const read = (rel: string) => readFileSync(join(ROOT, rel), "utf8");

describe("the documentation", () => {
  it("has a page for each reader under docs/, and the README links every one", () => {
    const pages = files.filter((f) => f.startsWith("docs/"));
    for (const page of ["architecture", "deploying", "operating", "configuration", "scaling-policy"]) {
      expect(pages).toContain(`docs/${page}.md`);
    }
    for (const page of ["bring-your-own-service", "simulator", "development", "decisions/README"]) {
      expect(pages).toContain(`docs/${page}.md`);
    }
    const fromReadme = new Set(links(read("README.md")).map((l) => normalize(l.split("#")[0]!)));
    // Every page, except a decision record, which its index links.
    const unlinked = pages.filter((p) => !fromReadme.has(p) && !/^docs\/decisions\/\d{4}-/.test(p));
    expect(unlinked).toEqual([]);
    const index = links(read("docs/decisions/README.md"));
    const records = pages
      .filter((p) => /^docs\/decisions\/\d{4}-/.test(p))
      .map((p) => p.slice("docs/decisions/".length));
    expect(records.length).toBeGreaterThan(10);
    expect(records.filter((r) => !index.includes(r))).toEqual([]);
  });

  it("has no relative link to a file or a heading that does not exist", () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const link of links(read(file))) {
        if (/^[a-z]+:/i.test(link)) continue; // https:, mailto:
        const [path, anchor] = link.split("#") as [string, string | undefined];
        const target = path === "" ? file : normalize(join(dirname(file), path));
        if (target.startsWith("..") || !existsSync(join(ROOT, target))) {
          broken.push(`${file}: ${link}`);
          continue;
        }
        if (anchor && target.endsWith(".md") && !anchors(read(target)).has(anchor))
          broken.push(`${file}: ${link} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("names no file outside the repository", () => {
    for (const file of files)
      expect({ file, outside: read(file).includes("../shared/") }).toEqual({ file, outside: false });
  });

  it("keeps the README short, opening with the two commands that run the main job and the tests", () => {
    const readme = read("README.md");
    expect(readme.split("\n").length).toBeLessThanOrEqual(200);
    expect(
      readme.startsWith(
        [
          "# LambdaFlex",
          "",
          "```sh",
          "npm ci && npm run synth    # main job: bundle, synthesize the three stacks into deploy/ (no AWS account needed)",
          "npm test                   # check the system tools, types, import floors and format, bundle, and every test",
          "```",
        ].join("\n"),
      ),
    ).toBe(true);
    const scripts = JSON.parse(read("package.json")).scripts as Record<string, string>;
    expect(scripts).toEqual(expect.objectContaining({ synth: expect.any(String), test: expect.any(String) }));
  });
});
