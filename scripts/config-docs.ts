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
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { z } from "zod";
import { DeploymentConfigSchema } from "../config/schema";
import { ENV_OVERRIDES } from "../config/load";
import { benchPages, documentationFiles } from "../bench/readme";
import { IDLE_BILL_LIMIT_USD, idleBillFromStack, type IdleBill } from "../sim/idle-bill";
import { HELP, parseFlags, UsageError } from "./cli-flags";

const ROOT = join(__dirname, "..");
export const CONFIGURATION_PAGE = join(ROOT, "docs", "configuration.md");
/** The schema's source files: the root and the sections it imports (a section constant is found in either). */
const SCHEMA_FILES = ["schema.ts", "tier-schema.ts"].map((name) => join(ROOT, "config", name));
const CONFIG_FILE = join(ROOT, "lambdaflex.config.json");

/** Descriptions by dotted key path ("scaling.warmupMinutes"; "" for the whole configuration). */
export type Descriptions = ReadonlyMap<string, string>;

/** A comment's text without its markers, on one line. */
function commentText(raw: string): string {
  const body = raw.startsWith("/*") ? raw.replace(/^\/\*\*?/, "").replace(/\*\/$/, "") : raw.replace(/^\/\/\s?/, "");
  return body
    .split("\n")
    .map((l) => l.replace(/^\s*\*\s?/, "").trim())
    .filter((l) => l.length > 0)
    .join(" ");
}

/** The doc comments (`/** ... *\/`) right before a node. */
function docOf(node: ts.Node, source: string): string {
  const ranges = ts.getLeadingCommentRanges(source, node.getFullStart()) ?? [];
  return ranges
    .map((r) => source.slice(r.pos, r.end))
    .filter((c) => c.startsWith("/**"))
    .map(commentText)
    .join(" ");
}

/** A `// ...` comment after a property's comma, on the property's last line. */
function trailingOf(node: ts.Node, source: string): string {
  const lineEnd = source.indexOf("\n", node.getEnd());
  const rest = source.slice(node.getEnd(), lineEnd < 0 ? undefined : lineEnd);
  const m = /^,?\s*(\/\/.*)$/.exec(rest);
  return m ? commentText(m[1]!) : "";
}

/** The first `z.object({...})` literal in an expression, outermost first. */
function objectLiteralIn(node: ts.Node): ts.ObjectLiteralExpression | undefined {
  if (
    ts.isCallExpression(node) &&
    node.expression.getText().replace(/\s+/g, "") === "z.object" &&
    node.arguments[0] &&
    ts.isObjectLiteralExpression(node.arguments[0])
  ) {
    return node.arguments[0];
  }
  let found: ts.ObjectLiteralExpression | undefined;
  node.forEachChild((child) => {
    found ??= objectLiteralIn(child);
  });
  return found;
}

/**
 * Each key's description in the schema's source: the doc comment on the key
 * (or its trailing `//` comment), and for a section defined as its own
 * constant (`app: AppSchema`), the key's comment or else the constant's.
 */
export function schemaDescriptions(source: string, root = "DeploymentConfigSchema"): Descriptions {
  const file = ts.createSourceFile("schema.ts", source, ts.ScriptTarget.Latest, true);
  const constants = new Map<string, ts.VariableStatement>();
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations)
      if (ts.isIdentifier(d.name)) constants.set(d.name.text, statement);
  }
  const out = new Map<string, string>();
  const walk = (literal: ts.ObjectLiteralExpression, prefix: string[]): void => {
    for (const p of literal.properties) {
      if (!ts.isPropertyAssignment(p)) continue;
      const path = [...prefix, p.name.getText(file).replace(/^["']|["']$/g, "")];
      const key = path.join(".");
      let text = [docOf(p, source), trailingOf(p, source)].filter(Boolean).join(" ");
      let inner = objectLiteralIn(p.initializer);
      if (!inner && ts.isIdentifier(p.initializer) && constants.has(p.initializer.text)) {
        const statement = constants.get(p.initializer.text)!;
        text ||= docOf(statement, source);
        inner = objectLiteralIn(statement.declarationList.declarations[0]!.initializer!);
      }
      if (text) out.set(key, text);
      if (inner) walk(inner, path);
    }
  };
  const top = constants.get(root);
  if (!top) throw new Error(`config/schema.ts has no ${root}`);
  out.set("", docOf(top, source));
  walk(objectLiteralIn(top.declarationList.declarations[0]!.initializer!)!, []);
  return out;
}

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
};

/** One key of the configuration as the page lists it. */
export interface KeyRow {
  readonly path: string;
  readonly type: string;
  readonly default: string;
  readonly bounds: string;
  readonly description: string;
}

/** One section: a top-level object key, or "" for the top level's own scalars. */
export interface Section {
  readonly path: string;
  readonly description: string;
  readonly rows: KeyRow[];
}

/** zod's stand-in for "no upper bound" on an integer. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;
const code = (value: unknown): string => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;

function typeOf(s: JsonSchema): string {
  if (s.type === "object" && s.additionalProperties && typeof s.additionalProperties === "object") {
    return `object of ${s.additionalProperties.type ?? "values"}s`;
  }
  return s.type ?? "any";
}

function boundsOf(s: JsonSchema): string {
  const out: string[] = [];
  if (s.enum) out.push(`one of ${s.enum.map(code).join(", ")}`);
  if (s.exclusiveMinimum !== undefined) out.push(`> ${s.exclusiveMinimum}`);
  if (s.minimum !== undefined) out.push(`>= ${s.minimum}`);
  if (s.maximum !== undefined && s.maximum !== UNBOUNDED) out.push(`<= ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) out.push(`< ${s.exclusiveMaximum}`);
  if (s.minLength !== undefined) out.push(s.minLength === 1 ? "not empty" : `at least ${s.minLength} characters`);
  if (s.maxLength !== undefined) out.push(`at most ${s.maxLength} characters`);
  if (s.format)
    out.push(s.format === "uri" ? "a URL" : s.format === "email" ? "an e-mail address" : `format ${s.format}`);
  else if (s.pattern) out.push(`matches ${code(s.pattern)}`);
  return out.join("; ");
}

/** Every key of `schema` by section, with its description, the schema's default or else the value in `file`. */
export function configurationSections(
  schema: JsonSchema,
  descriptions: Descriptions,
  file: Record<string, unknown>,
): Section[] {
  const valueAt = (path: string[]): unknown =>
    path.reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), file);
  const row = (path: string[], s: JsonSchema, required: boolean): KeyRow => {
    const inFile = valueAt(path);
    const fallback =
      inFile !== undefined ? `${code(inFile)} (lambdaflex.config.json)` : required ? "required" : "unset (optional)";
    return {
      path: path.join("."),
      type: typeOf(s),
      default: s.default !== undefined ? code(s.default) : fallback,
      bounds: boundsOf(s),
      description: descriptions.get(path.join(".")) ?? "",
    };
  };
  const isSection = (s: JsonSchema) => s.type === "object" && s.properties !== undefined;
  const top: KeyRow[] = [];
  const sections: Section[] = [];
  for (const [key, s] of Object.entries(schema.properties ?? {})) {
    const required = schema.required?.includes(key) ?? false;
    if (!isSection(s)) {
      top.push(row([key], s, required));
      continue;
    }
    const rows = Object.entries(s.properties!).map(([k, inner]) =>
      row([key, k], inner, s.required?.includes(k) ?? false),
    );
    const note = s.default !== undefined ? " The whole section may be left out: every key then takes its default." : "";
    sections.push({ path: key, description: `${descriptions.get(key) ?? ""}${note}`.trim(), rows });
  }
  return [{ path: "", description: "Keys at the top level of the file.", rows: top }, ...sections];
}

/** Text for a table cell: pipes escaped, and `<` outside code spans, so `<service>` is not read as a tag. */
const cell = (text: string): string =>
  text
    .replace(/\|/g, "\\|")
    .replace(/\n/g, " ")
    .split("`")
    .map((part, i) => (i % 2 === 0 ? part.replace(/<(?=[A-Za-z/!])/g, "&lt;") : part))
    .join("`");

function table(rows: readonly KeyRow[]): string[] {
  return [
    "| key | type | default | bounds | description |",
    "|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| \`${r.path}\` | ${r.type} | ${cell(r.default)} | ${cell(r.bounds) || "-"} | ${cell(r.description) || "-"} |`,
    ),
  ];
}

/** What the page is made from, so a test can render it from a changed source. */
export interface ConfigurationSources {
  /** The text of config/schema.ts and config/tier-schema.ts, one after the other. */
  readonly schemaSource: string;
  /** `z.toJSONSchema(DeploymentConfigSchema, { io: "input" })`. */
  readonly jsonSchema: JsonSchema;
  /** lambdaflex.config.json, parsed. */
  readonly file: Record<string, unknown>;
  /** config/load.ts's ENV_OVERRIDES. */
  readonly envOverrides: Readonly<Record<string, { path: readonly string[] }>>;
}

export function currentSources(): ConfigurationSources {
  return {
    schemaSource: SCHEMA_FILES.map((path) => readFileSync(path, "utf8")).join("\n"),
    jsonSchema: z.toJSONSchema(DeploymentConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema,
    file: JSON.parse(readFileSync(CONFIG_FILE, "utf8").replace(/^\uFEFF/, "")),
    envOverrides: ENV_OVERRIDES,
  };
}

/** docs/configuration.md's text. */
export function renderConfigurationPage(src: ConfigurationSources = currentSources()): string {
  const descriptions = schemaDescriptions(src.schemaSource);
  const sections = configurationSections(src.jsonSchema, descriptions, src.file);
  const lines = [
    "# Configuration",
    "",
    "<!-- Generated by scripts/config-docs.ts from config/schema.ts, config/load.ts and",
    "     lambdaflex.config.json. Do not edit: change the schema and run `npm run docs`. -->",
    "",
    "[Back to the README](../README.md). What the app sees of it: [Bring your own service](bring-your-own-service.md);",
    "the scaling keys' reasons: [Scaling policy](scaling-policy.md#settings); the simulator's",
    "world file, which is not this file: [Simulator](simulator.md).",
    "",
    "`lambdaflex.config.json` holds the documented defaults; `config/schema.ts`",
    "documents and validates every field (zod) and reports every bad field by",
    "name in one error. Every section is strict: an unknown key (`fargate.swtich`)",
    "is refused with its section and, for a near miss, the key meant. An enum",
    "lists the values it takes (`fargate.cpu: must be one of 256, 512, 1024, 2048",
    "or 4096, got 300`), and the Fargate cpu/memory pairs and the name lengths AWS",
    "enforces are checked here, so `synth`, `simulate`, `advise` and `doctor`",
    "refuse the same configuration in the same words. A byte-order mark at the",
    "start of the file is accepted.",
    "",
    `${descriptions.get("") ?? ""}`,
    "",
    "In the tables, *default* is the schema's default, or else the value the",
    "committed `lambdaflex.config.json` holds (marked so) for a key the file must",
    "set; *bounds* are what the schema accepts; *description* is the key's comment",
    "in `config/schema.ts` (`-` where it has none).",
    "",
    "## Keys",
    "",
  ];
  for (const s of sections) {
    lines.push(`### ${s.path ? `\`${s.path}\`` : "Top level"}`, "");
    if (s.description) lines.push(s.description, "");
    lines.push(...table(s.rows), "");
  }
  lines.push(
    "## Checks across keys",
    "",
    "Beyond each key's own bounds, `config/schema.ts` refuses:",
    "",
    "- a `service` longer than its tightest derived AWS name allows (22 characters,",
    "  for `<service>-lambda-tg` within Elastic Load Balancing's 32; `config/derived-names.ts`",
    "  lists every derived name with its limit);",
    "- a `fargate.memoryMb` that is not a Fargate size for `fargate.cpu`: 512/1024/2048",
    "  for 256; 1024-4096 for 512; 2048-8192 for 1024; 4096-16384 for 2048;",
    "  8192-30720 for 4096 (in steps of 1024; `FARGATE_MEMORY`);",
    "- `fargate.maxTasks` below `fargate.minTasks`;",
    "- a `toggleFile` outside `<deployDir>/fargate/`, the fargate workspace's working directory;",
    "- in `app.environment`: a name Lambda refuses (a letter, then at least one letter,",
    "  digit or underscore), a name the stacks set (`PORT`, `TABLE_NAME`, `LAMBDAFLEX_STORE`,",
    "  `LAMBDAFLEX_TIER`, `LAMBDAFLEX_VERSION`), a name Lambda or ECS sets (every `AWS_*`",
    "  name except `AWS_LWA_*`, `TZ`, `LAMBDA_TASK_ROOT`, `LAMBDA_RUNTIME_DIR`,",
    '  `ECS_CONTAINER_METADATA_URI*`, `ECS_AGENT_URI`), a value with `"`, `\\`, a control',
    "  character, `${` or `%{` (cdktf 0.21 writes values into Terraform templates",
    "  unescaped), and names and values above 3,584 bytes together.",
    "",
    "Configurations from earlier versions that still carry the rate thresholds",
    "(`scaling.upThresholdRps`, `downThresholdRps`, `upWindowMinutes`,",
    "`downWindowMinutes`) are refused with the key named: the scaler decides on",
    "money (see [Scaling policy](scaling-policy.md)).",
    "",
    "## Environment overrides",
    "",
    "`LAMBDAFLEX_CONFIG` selects another file; these variables override single",
    "fields (`ENV_OVERRIDES` in `config/load.ts`; `__tests__/config/load.test.ts`",
    "checks this table against it). A bad value from one of them is blamed on the",
    "variable, not the file. The rate-threshold variables of earlier",
    "versions are refused by name rather than ignored.",
    "",
    "| variable | field |",
    "|---|---|",
    ...Object.entries(src.envOverrides).map(([name, { path }]) => `| \`${name}\` | \`${path.join(".")}\` |`),
    "",
  );
  return lines.join("\n");
}

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
