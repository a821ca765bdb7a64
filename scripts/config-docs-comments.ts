/**
 * The schema-comment reader of `npm run docs` (scripts/config-docs.ts): each
 * configuration key's description, read from the doc comment (or trailing
 * line comment) it carries in the schema's source text (config/schema.ts and
 * config/tier-schema.ts), through the TypeScript parser.
 */
import ts from "typescript";

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
