import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  configurationSections,
  currentSources,
  generatedPages,
  main,
  renderConfigurationPage,
  renderGenerated,
  renderIdleBill,
  schemaDescriptions,
  stalePages,
} from "../../scripts/config-docs";
import { ROOT } from "../helpers/processes";

const PAGE = join(ROOT, "docs", "configuration.md");

/** Every leaf key of a JSON schema, dotted. */
function leaves(s: { properties?: Record<string, any> }, prefix: string[] = []): string[] {
  return Object.entries(s.properties ?? {}).flatMap(([k, v]) =>
    v.type === "object" && v.properties ? leaves(v, [...prefix, k]) : [[...prefix, k].join(".")],
  );
}

describe("docs/configuration.md, generated from config/schema.ts", () => {
  const src = currentSources();

  it("is committed exactly as scripts/config-docs.ts renders it (run npm run docs when this fails)", () => {
    expect(readFileSync(PAGE, "utf8")).toBe(renderConfigurationPage(src));
    expect(stalePages(ROOT)).toEqual([]);
  });

  it("lists every key of the schema once, with its type, default, bounds and description", () => {
    const page = renderConfigurationPage(src);
    const rows = [...page.matchAll(/^\| `([A-Za-z.]+)` \| ([^|]+) \|/gm)].map((m) => m[1]);
    const keys = leaves(src.jsonSchema as any);
    expect(keys.length).toBeGreaterThan(60);
    expect(rows.filter((r) => !r!.startsWith("LAMBDAFLEX_")).sort()).toEqual([...keys].sort());
    expect(page).toContain(
      "| `scaling.warmupMinutes` | number | `15` | >= 1; <= 120 | Expected minutes from the warming commit",
    );
    expect(page).toContain(
      "| `fargate.cpu` | number | `512` (lambdaflex.config.json) | one of `256`, `512`, `1024`, `2048`, `4096` |",
    );
    expect(page).toContain("| `alertEmail` | string | unset (optional) | an e-mail address |");
  });

  it("takes each description from the key's doc comment, a trailing comment, or the section's constant", () => {
    const d = schemaDescriptions(src.schemaSource);
    expect(d.get("scaling.stragglerMinutes")).toMatch(/^Weighted switch: after the record is gone/);
    expect(d.get("lambda.timeoutSeconds")).toBe("API Gateway's integration limit is 29 s");
    expect(d.get("app.healthPath")).toMatch(/^Path the ALB's target group health check GETs/); // app: AppSchema
    expect(d.get("workload")).toMatch(/^What the cost model assumes about each request/); // the constant's comment
    expect(d.has("logRetentionDays")).toBe(false); // no comment in the schema: "-" on the page
  });

  it("changes when the schema's text or shape changes, so a stale page fails", () => {
    const page = renderConfigurationPage(src);
    const redescribed = src.schemaSource.replace(
      "/** Least time the tier serves before it may be drained. */",
      "/** Least minutes serving before a drain. */",
    );
    expect(redescribed).not.toBe(src.schemaSource);
    const changed = renderConfigurationPage({ ...src, schemaSource: redescribed });
    expect(changed).not.toBe(page);
    expect(changed).toContain(
      "| `scaling.minDwellMinutes` | integer | `15` | >= 0; <= 1440 | Least minutes serving before a drain. |",
    );

    const js = structuredClone(src.jsonSchema) as any;
    js.properties.scaling.properties.newKnob = { type: "integer", minimum: 2, default: 7 };
    const rows = configurationSections(js, schemaDescriptions(src.schemaSource), src.file).flatMap((s) => s.rows);
    expect(rows.find((r) => r.path === "scaling.newKnob")).toEqual({
      path: "scaling.newKnob",
      type: "integer",
      default: "`7`",
      bounds: ">= 2",
      description: "",
    });
  });

  it("names the page --check finds stale, and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "config-docs-"));
    try {
      mkdirSync(join(dir, "docs"));
      const page = renderConfigurationPage(src);
      writeFileSync(join(dir, "docs", "configuration.md"), page.replace("| `region` |", "| `regoin` |"));
      expect(stalePages(dir, page)).toEqual(["docs/configuration.md"]);
      writeFileSync(join(dir, "docs", "configuration.md"), page);
      expect(stalePages(dir, page)).toEqual([]);
      rmSync(join(dir, "docs", "configuration.md"));
      expect(stalePages(dir, page)).toEqual(["docs/configuration.md"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 0 on --check with the committed docs, 2 on an unknown flag, and prints usage with --help", () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(
      main(
        ["--check"],
        (l) => out.push(l),
        (l) => err.push(l),
      ),
    ).toBe(0);
    expect(err).toEqual([]);
    expect(
      main(
        ["--chek"],
        (l) => out.push(l),
        (l) => err.push(l),
      ),
    ).toBe(2);
    expect(err[0]).toMatch(/^docs: Unknown option '--chek'\nusage: npm run docs/);
    expect(
      main(
        ["--help"],
        (l) => out.push(l),
        (l) => err.push(l),
      ),
    ).toBe(0);
    expect(out.at(-1)).toMatch(/^usage: npm run docs \[-- --check\]/);
  });
});

describe("the idle bill on docs/cost-model.md, generated from deploy/core/cdk.tf.json", () => {
  it("is committed as the committed core stack renders it, and a changed figure is stale", () => {
    const pages = generatedPages(ROOT);
    expect(pages.map((p) => p.path)).toEqual([join(ROOT, "docs", "cost-model.md")]);
    const [page] = pages;
    expect(page!.rendered).toBe(page!.text);
    expect(page!.text).toMatch(/^\| \*\*total\*\* \(limit 0\.75\) \| \| \*\*0\.\d\d\*\* \|$/m);
    const edited = page!.text.replace(/(\| CloudWatch alarms [^|]*\| )2 \| 0\.20 \|/, "$13 | 0.30 |");
    expect(edited).not.toBe(page!.text);
    expect(
      renderGenerated(edited, {
        "idle-bill": () =>
          page!.text.split("<!-- generated:idle-bill -->\n")[1]!.split("\n<!-- /generated:idle-bill -->")[0]!,
      }),
    ).toBe(page!.text);
  });

  it("renders each item, the total against the limit, and what is free", () => {
    const text = renderIdleBill({
      items: [
        { item: "CloudWatch alarms", count: 2, usdPerMonth: 0.2, note: "$0.10 each" },
        { item: "x | y", count: 1460, usdPerMonth: 0.0146 },
      ],
      free: [{ item: "SNS topics (1)", note: "free tier" }],
      totalUsdPerMonth: 0.2146,
    });
    expect(text.split("\n").slice(2)).toEqual([
      "| item | per month | USD |",
      "|---|---|---|",
      "| CloudWatch alarms ($0.10 each) | 2 | 0.20 |",
      "| x \\| y | 1,460 | 0.0146 |",
      "| **total** (limit 0.75) | | **0.21** |",
      "",
      "Free while idle:",
      "",
      "- SNS topics (1): free tier",
    ]);
  });

  it("refuses an unknown or unclosed block", () => {
    expect(() => renderGenerated("<!-- generated:nope -->\n<!-- /generated:nope -->", {})).toThrow("unknown block");
    expect(() => renderGenerated("<!-- generated:a -->\n", { a: () => "" })).toThrow("the block a is never closed");
  });
});
