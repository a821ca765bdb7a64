/**
 * `npm run docs`: writes docs/configuration.md from the configuration's own
 * sources, and rewrites the benchmark blocks of the docs pages from
 * bench/results (bench/readme.ts). `npm run docs -- --check` writes nothing
 * and exits 1 naming each page that is stale.
 *
 * The configuration page is generated from:
 * - the zod schema (`DeploymentConfigSchema` in config/schema.ts), through
 *   `z.toJSONSchema`: every key's path, type, default and bounds;
 * - the schema's source text: each key's description is the doc comment
 *   (or the trailing line comment) it carries there;
 * - lambdaflex.config.json: the documented value of a key the schema gives no default;
 * - config/load.ts: the environment variables that override single keys.
 * It also rewrites the blocks between `<!-- generated:idle-bill -->` and
 * `<!-- /generated:idle-bill -->` on any docs page: the idle bill, from the
 * committed deploy/core/cdk.tf.json through sim/idle-bill.ts (what
 * `npm run synth` prints).
 * So a key added, retyped or redescribed in the schema changes the page, and
 * __tests__/scripts/config-docs.test.ts fails until `npm run docs` is run.
 *
 * This file is the CLI; the parts are beside it: the schema-comment reader
 * (config-docs-comments.ts), the JSON-schema-to-rows table builder
 * (config-docs-table.ts), the configuration page (config-docs-page.ts) and the
 * generated blocks and stale-page check (config-docs-generated.ts).
 */
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import { benchPages } from "../bench/readme";
import { generatedPages, stalePages } from "./config-docs-generated";
import { CONFIGURATION_PAGE, renderConfigurationPage, ROOT } from "./config-docs-page";
import { HELP, parseFlags, UsageError } from "./cli-flags";

export { schemaDescriptions, type Descriptions } from "./config-docs-comments";
export { configurationSections, type KeyRow, type Section } from "./config-docs-table";
export {
  CONFIGURATION_PAGE,
  currentSources,
  renderConfigurationPage,
  type ConfigurationSources,
} from "./config-docs-page";
export { generatedPages, renderGenerated, renderIdleBill, stalePages } from "./config-docs-generated";

export const USAGE = `usage: npm run docs [-- --check]
  writes docs/configuration.md from config/schema.ts, rewrites the docs
  pages' benchmark blocks from bench/results and the idle bill from
  deploy/core/cdk.tf.json
  --check   write nothing; exit 1 naming each page that is stale`;

export function main(argv: readonly string[], out = console.log, err = console.error): number {
  let values: { check?: boolean; help?: boolean };
  try {
    values = parseFlags({ args: [...argv], options: { ...HELP, check: { type: "boolean" } } }).values;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`docs: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (values.check) {
    const stale = stalePages();
    if (stale.length === 0) return 0;
    err(`docs: stale: ${stale.join(", ")}; run npm run docs`);
    return 1;
  }
  writeFileSync(CONFIGURATION_PAGE, renderConfigurationPage());
  out(`wrote ${relative(ROOT, CONFIGURATION_PAGE)}`);
  for (const p of benchPages(ROOT)) {
    if (p.rendered === p.text) continue;
    writeFileSync(p.path, p.rendered);
    out(`rewrote the benchmark figures in ${relative(ROOT, p.path)}`);
  }
  for (const p of generatedPages(ROOT)) {
    if (p.rendered === p.text) continue;
    writeFileSync(p.path, p.rendered);
    out(`rewrote the generated blocks in ${relative(ROOT, p.path)}`);
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
