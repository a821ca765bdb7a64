/**
 * The generated blocks of `npm run docs` (scripts/config-docs.ts): the
 * `<!-- generated:NAME -->` blocks of the docs pages (the idle bill, from the
 * committed deploy/core/cdk.tf.json through sim/idle-bill.ts), and which
 * pages are stale against what their sources render.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { benchPages, documentationFiles } from "../bench/readme";
import { IDLE_BILL_LIMIT_USD, idleBillFromStack, type IdleBill } from "../sim/idle-bill";
import { renderConfigurationPage, ROOT } from "./config-docs-page";
import { cell } from "./config-docs-table";

/** The idle bill as a Markdown table, for the blocks marked `generated:idle-bill`. */
export function renderIdleBill(bill: IdleBill, source = "deploy/core/cdk.tf.json"): string {
  const usd = (x: number) => (x >= 0.015 ? x.toFixed(2) : x.toFixed(4));
  const count = (x: number) => (Math.round(x * 100) / 100).toLocaleString("en-US");
  return [
    `Generated from the committed \`${source}\` by \`sim/idle-bill.ts\` (what \`npm run synth\` prints):`,
    "",
    "| item | per month | USD |",
    "|---|---|---|",
    ...bill.items.map(
      (i) => `| ${cell(`${i.item}${i.note ? ` (${i.note})` : ""}`)} | ${count(i.count)} | ${usd(i.usdPerMonth)} |`,
    ),
    `| **total** (limit ${IDLE_BILL_LIMIT_USD.toFixed(2)}) | | **${bill.totalUsdPerMonth.toFixed(2)}** |`,
    "",
    "Free while idle:",
    "",
    ...bill.free.map((f) => `- ${cell(f.item)}: ${cell(f.note)}`),
  ].join("\n");
}

const GENERATED = /^<!-- (\/?)generated:([\w-]+) -->$/gm;

/**
 * `text` with each `generated:NAME` block's content replaced by `blocks[NAME]()`;
 * throws on an unknown or unclosed block.
 */
export function renderGenerated(text: string, blocks: Record<string, () => string>): string {
  let out = "";
  let last = 0;
  let open: string | undefined;
  for (const m of text.matchAll(GENERATED)) {
    const [marker, closing, name] = m as unknown as [string, string, string];
    if (!closing) {
      if (open || !blocks[name])
        throw new Error(`<!-- generated:${name} -->: ${open ? `inside the unclosed block ${open}` : "unknown block"}`);
      open = name;
      out += text.slice(last, m.index! + marker.length);
    } else {
      if (open !== name)
        throw new Error(`<!-- /generated:${name} --> closes ${open ? `the block ${open}` : "no block"}`);
      out += `\n${blocks[name]!()}\n`;
      last = m.index!;
      open = undefined;
    }
  }
  if (open) throw new Error(`the block ${open} is never closed (<!-- /generated:${open} -->)`);
  return out + text.slice(last);
}

/** Pages with `generated:` blocks under `root`, each with its text rendered from the committed sources. */
export function generatedPages(root = ROOT): Array<{ path: string; text: string; rendered: string }> {
  const blocks = {
    "idle-bill": () =>
      renderIdleBill(idleBillFromStack(JSON.parse(readFileSync(join(root, "deploy", "core", "cdk.tf.json"), "utf8")))),
  };
  return documentationFiles(root).flatMap((rel) => {
    const path = join(root, rel);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return [];
    }
    return /^<!-- generated:[\w-]+ -->$/m.test(text) ? [{ path, text, rendered: renderGenerated(text, blocks) }] : [];
  });
}

/** Each generated page whose committed text differs from what its sources render, as a repository-relative path. */
export function stalePages(root = ROOT, configurationPage = renderConfigurationPage()): string[] {
  const stale: string[] = [];
  const page = join(root, "docs", "configuration.md");
  let committed: string | undefined;
  try {
    committed = readFileSync(page, "utf8");
  } catch {
    committed = undefined;
  }
  if (committed !== configurationPage) stale.push(relative(root, page));
  for (const p of [...benchPages(root), ...generatedPages(root)]) {
    if (p.rendered !== p.text) stale.push(relative(root, p.path));
  }
  return [...new Set(stale)];
}
