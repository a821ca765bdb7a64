/**
 * Repairs cdktf 0.21's HCL writer (`npm run synth:hcl`) with the truth from a
 * JSON synth of the same app. cdktf is sunset (0.21 is its final release) and
 * its writer (cdktf/lib/hcl/render.js) has no string escaping of its own:
 * - a string holding a reference is written between quotes as is, so a JSON
 *   document built with JSON.stringify around a reference (`{"a":"${x.id}"}`)
 *   becomes `"{"a":"${x.id}"}"`, which terraform rejects ("Missing newline after
 *   argument"); backslashes are never escaped (`"\d"` is an invalid escape);
 * - a string with a line break becomes a heredoc, which adds a trailing newline
 *   the JSON form does not have (or, in untyped places, a quoted string with a raw
 *   line break, which does not parse);
 * - an untyped string starting with `[`, `{` or `"` is written bare, as HCL;
 * - `depends_on` and `lifecycle.ignore_changes` entries are quoted, which
 *   terraform accepts with a "Quoted references are deprecated" warning;
 * - falsy variable defaults (`default = false`) are dropped.
 * Every string of the JSON synth is written the way terraform's native syntax
 * reads it back as the same value; a string the writer put somewhere this file
 * does not know is an error, never silently wrong HCL.
 */

/** The part of a synthesized cdk.tf.json the repairs read. */
export interface TerraformJson {
  readonly variable?: Record<string, { default?: unknown }>;
  readonly [block: string]: unknown;
}

/**
 * A JSON-syntax template string (`${...}` and `%{...}` sequences live, as in
 * cdk.tf.json) as a native-syntax quoted string with the same value: the
 * literal text escaped, the sequences copied, since their insides are native
 * expressions in both syntaxes.
 */
export function hclQuoted(template: string): string {
  let out = "";
  for (let i = 0; i < template.length;) {
    if (template.startsWith("$${", i) || template.startsWith("%%{", i)) {
      out += template.slice(i, i + 3); // an escaped, literal "${" or "%{": the same in both syntaxes
      i += 3;
    } else if (template.startsWith("${", i) || template.startsWith("%{", i)) {
      const end = endOfSequence(template, i + 2);
      out += template.slice(i, end);
      i = end;
    } else {
      out += escapeChar(template[i]!);
      i += 1;
    }
  }
  return `"${out}"`;
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };
const escapeChar = (c: string) => ESCAPES[c] ?? (c < " " ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : c);

/** The index just past the `}` closing a `${`/`%{` sequence whose contents start at `i`. */
function endOfSequence(s: string, i: number): number {
  for (let depth = 1; i < s.length;) {
    const c = s[i]!;
    if (c === '"') {
      i = endOfQuoted(s, i + 1);
      continue;
    }
    if (c === "{") depth += 1;
    if (c === "}" && --depth === 0) return i + 1;
    i += 1;
  }
  throw new Error(`unterminated template sequence in ${JSON.stringify(s.slice(0, 120))}`);
}

/** The index just past the `"` closing a quoted string (inside a sequence) whose contents start at `i`. */
function endOfQuoted(s: string, i: number): number {
  while (i < s.length) {
    if (s[i] === "\\") i += 2;
    else if (s[i] === '"') return i + 1;
    else if (s.startsWith("$${", i) || s.startsWith("%%{", i)) i += 3;
    else if (s.startsWith("${", i) || s.startsWith("%{", i)) i = endOfSequence(s, i + 2);
    else i += 1;
  }
  throw new Error(`unterminated string in template ${JSON.stringify(s.slice(0, 120))}`);
}

/** What cdktf's writer may have made of `value`, one entry per code path in render.js. */
function cdktfRenderings(value: string): string[] {
  const quoted = value.includes("${") ? `"${value}"` : `"${value.replace(/(?<!\\)"/g, '\\"')}"`;
  const lines = value.split(/\r\n|[\n\r]/);
  return [
    quoted,
    ...(lines.length > 1 ? [`<<EOF\n${lines.join("\n")}\nEOF`] : []),
    ...(/^[[{"]/.test(value) && !value.includes("${") ? [value] : []),
  ];
}

/** Every string value and object key of a synthesized stack, skipping cdktf's `//` metadata. */
function collect(node: unknown, path: string, values: Map<string, string>, keys: string[]): void {
  if (typeof node === "string") {
    if (!values.has(node)) values.set(node, path);
  } else if (Array.isArray(node)) {
    node.forEach((item, i) => collect(item, `${path}[${i}]`, values, keys));
  } else if (node && typeof node === "object") {
    for (const [key, item] of Object.entries(node)) {
      if (key === "//") continue;
      keys.push(key);
      collect(item, path ? `${path}.${key}` : key, values, keys);
    }
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Rewrites every string cdktf wrote in a form terraform would read as another
 * value, or not at all, into `hclQuoted` form. Only whole values are replaced:
 * an attribute's right-hand side (`= ...`) or a list item on its own line.
 */
export function repairHclStrings(hcl: string, json: TerraformJson): { hcl: string; fixed: string[] } {
  const values = new Map<string, string>();
  const keys: string[] = [];
  collect(json, "", values, keys);
  const badKey = keys.find((k) => /["\\\n\r]|\$\{|%\{/.test(k));
  if (badKey !== undefined)
    throw new Error(`cannot write the key ${JSON.stringify(badKey)} in HCL: cdktf writes keys unescaped; rename it`);
  const fixed: string[] = [];
  let out = hcl;
  // Two values cdktf writes alike (`a"b` and `a\"b` both as `"a\"b"`) cannot be told apart in its output.
  const correctForms = new Map([...values.keys()].map((v) => [hclQuoted(v), v]));
  for (const value of values.keys()) {
    const twin = cdktfRenderings(value)
      .map((r) => correctForms.get(r))
      .find((other) => other !== undefined && other !== value);
    if (twin !== undefined)
      throw new Error(
        `cdktf writes ${values.get(value)} and ${values.get(twin)} alike (${JSON.stringify(value)} and ${JSON.stringify(twin)}), so the HCL cannot be repaired; use the JSON synth`,
      );
  }
  // Longest first, so that a value inside a longer one is never rewritten on its own.
  for (const [value, path] of [...values].sort(([a], [b]) => b.length - a.length)) {
    const correct = hclQuoted(value);
    const wrong = cdktfRenderings(value).filter((r) => r !== correct);
    if (wrong.length === 0) continue;
    let found = false;
    for (const rendering of wrong) {
      const at = new RegExp(`(^|= )${escapeRegExp(rendering)}(?=,?$)`, "gm");
      out = out.replace(at, (_, before: string) => {
        found = true;
        return `${before}${correct}`;
      });
    }
    if (found) fixed.push(path);
    else if (!out.includes(correct))
      throw new Error(
        `cannot find how cdktf wrote ${path} (${JSON.stringify(value.slice(0, 80))}) in the HCL, so cannot check it; use the JSON synth`,
      );
  }
  return { hcl: out, fixed };
}

/** Meta-arguments whose list items are references, which cdktf quotes. */
const REFERENCE_LISTS = /^\s*(depends_on|ignore_changes|replace_triggered_by) = \[$/;
const REFERENCE = /^[A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*$/;

/** Unquotes the references in `depends_on`, `ignore_changes` and `replace_triggered_by` lists. */
export function unquoteReferences(hcl: string): { hcl: string; fixed: number } {
  let inList = false;
  let fixed = 0;
  const lines = hcl.split("\n").map((line) => {
    if (REFERENCE_LISTS.test(line)) inList = true;
    else if (inList && /^\s*\]$/.test(line)) inList = false;
    else if (inList) {
      const m = /^(\s*)"([^"]*)"(,?)$/.exec(line);
      if (m && REFERENCE.test(m[2]!)) {
        fixed += 1;
        return `${m[1]}${m[2]}${m[3]}`;
      }
    }
    return line;
  });
  return { hcl: lines.join("\n"), fixed };
}

/**
 * Re-inserts variable defaults the cdktf 0.21 HCL writer drops (it omits
 * falsy ones such as `default = false`), taking them from the JSON synth.
 * Returns the repaired HCL and the variables it fixed.
 */
export function repairHclDefaults(hcl: string, json: TerraformJson): { hcl: string; fixed: string[] } {
  const fixed: string[] = [];
  let out = hcl;
  for (const [name, spec] of Object.entries(json.variable ?? {})) {
    if (!("default" in spec)) continue;
    const open = `variable "${name}" {\n`;
    const start = out.indexOf(open);
    if (start < 0) throw new Error(`HCL output has no variable "${name}" block`);
    const end = out.indexOf("\n}\n", start);
    if (/^default\s*=/m.test(out.slice(start, end))) continue;
    out =
      out.slice(0, start + open.length) +
      `default = ${JSON.stringify(spec.default)}\n` +
      out.slice(start + open.length);
    fixed.push(name);
  }
  return { hcl: out, fixed };
}

/** All three repairs, in the order they must run (defaults are inserted already correct). */
export function repairHcl(hcl: string, json: TerraformJson): string {
  const strings = repairHclStrings(hcl, json).hcl;
  return repairHclDefaults(unquoteReferences(strings).hcl, json).hcl;
}
