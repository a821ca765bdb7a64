/**
 * The table builder of `npm run docs` (scripts/config-docs.ts): the
 * configuration's JSON schema (`z.toJSONSchema`) turned into one row per key
 * (path, type, default, bounds, description), grouped by section, and the
 * rows as Markdown tables.
 */
import type { Descriptions } from "./config-docs-comments";

export type JsonSchema = {
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
export const cell = (text: string): string =>
  text
    .replace(/\|/g, "\\|")
    .replace(/\n/g, " ")
    .split("`")
    .map((part, i) => (i % 2 === 0 ? part.replace(/<(?=[A-Za-z/!])/g, "&lt;") : part))
    .join("`");

/** A section's keys as a Markdown table. */
export function table(rows: readonly KeyRow[]): string[] {
  return [
    "| key | type | default | bounds | description |",
    "|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| \`${r.path}\` | ${r.type} | ${cell(r.default)} | ${cell(r.bounds) || "-"} | ${cell(r.description) || "-"} |`,
    ),
  ];
}
