/**
 * How the deployment configuration reports what is wrong with it (config/schema.ts
 * `parseDeploymentConfig`): one error naming every bad field, in zod's words made
 * plainer, each unknown key with the key meant, and each value an environment
 * variable set blamed on that variable.
 */
import type { z } from "zod";

/** One bad field: its path, what is wrong, and the environment variable that set it when one did. */
export interface ConfigProblem {
  readonly field: string;
  readonly message: string;
  /** The `LAMBDAFLEX_*` variable (config/load.ts `ENV_OVERRIDES`) the bad value came from; absent when it came from the file. */
  readonly variable?: string;
}

/** Fields an environment variable overrode: field path ("fargate.minTasks") to the variable and the text it held. */
export type ConfigOrigins = Readonly<Record<string, { readonly variable: string; readonly value: string }>>;

/** Every problem in a configuration, by field path; the heading names the file, or the variables when they hold every bad value. */
export class ConfigValidationError extends Error {
  override readonly name = "ConfigValidationError";
  constructor(
    readonly problems: ReadonlyArray<ConfigProblem>,
    source: string,
  ) {
    const variables = [...new Set(problems.flatMap((p) => (p.variable ? [p.variable] : [])))];
    const where =
      variables.length === 0
        ? source
        : problems.every((p) => p.variable)
          ? `environment variable${variables.length > 1 ? "s" : ""} ${variables.join(", ")}, overriding ${source}`
          : `${source} and environment variable${variables.length > 1 ? "s" : ""} ${variables.join(", ")}`;
    super(
      `invalid LambdaFlex configuration (${where}):\n` + problems.map((p) => `  - ${p.field}: ${p.message}`).join("\n"),
    );
  }
}

/** A value as the user wrote it, short. */
const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
};
const isPrimitive = (value: unknown): boolean =>
  value === null || ["string", "number", "boolean"].includes(typeof value);
/** "a, b or c" */
const orList = (items: readonly string[]): string =>
  items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
const TYPE_NAMES: Readonly<Record<string, string>> = {
  int: "a whole number",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  record: "an object",
};

/** The object schema's keys at `path` in `root`, looking through defaults and other wrappers. */
function keysAt(root: unknown, path: readonly PropertyKey[]): string[] {
  type Node = { shape?: Record<string, Node>; _zod?: { def?: { innerType?: Node } } } | undefined;
  let node = root as Node;
  const unwrap = (n: Node): Node => {
    while (n && !n.shape && n._zod?.def?.innerType) n = n._zod.def.innerType;
    return n;
  };
  for (const key of path) node = unwrap(node)?.shape?.[String(key)];
  return Object.keys(unwrap(node)?.shape ?? {});
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(
        row[j]! + 1,
        next[j - 1]! + 1,
        row[j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
    row = next;
  }
  return row[b.length]!;
}

/** A key the section does not have: named with its section, the key meant when it is a near miss, and the section's keys. */
function unknownKey(root: unknown, section: readonly PropertyKey[], key: string): string {
  const known = keysAt(root, section);
  const name = section.length > 0 ? section.join(".") : "";
  const near = known
    .map((k) => ({ k, d: distance(key, k) }))
    .filter(({ d }) => d <= Math.max(1, Math.floor(key.length / 3)))
    .sort((x, y) => x.d - y.d)[0];
  return `unknown key ${JSON.stringify(key)} ${name ? `in ${name}` : "at the top level"}${near ? `; did you mean ${JSON.stringify(near.k)}?` : ""} (${name || "the top level"} takes ${known.join(", ")})`;
}

/** zod's words for one issue, with the allowed values and the value given where zod leaves them out. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const own = !/^(Invalid|Too (small|big))/.test(issue.message); // a message the schema wrote itself
  const input = (issue as { input?: unknown }).input;
  if (issue.code === "invalid_value" && !own)
    return `must be ${issue.values.length > 1 ? "one of " : ""}${orList(issue.values.map((v) => shown(v)))}, got ${shown(input)}`;
  if (issue.code === "invalid_type" && !own) {
    const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
    return input === undefined ? `is missing: must be ${expected}` : `must be ${expected}, got ${shown(input)}`;
  }
  if (issue.code !== "custom" && isPrimitive(input) && !/\bgot\b/.test(issue.message))
    return `${issue.message}, got ${shown(input)}`;
  return issue.message;
}

/**
 * Every issue as problems by field, each unknown key on its own (named against `root`, the schema
 * that was parsed), and a value an environment variable set blamed on that variable.
 */
export function problemsOf(root: unknown, error: z.ZodError, origins: ConfigOrigins): ConfigProblem[] {
  const problems = error.issues.flatMap((issue): ConfigProblem[] =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ field: [...issue.path, key].join("."), message: unknownKey(root, issue.path, key) }))
      : [{ field: issue.path.join(".") || "(root)", message: describeIssue(issue) }],
  );
  return problems.map((p) => {
    // The field itself, or a field the message compares it with ("must be >= fargate.minTasks"; dotted paths only, so a word is not a match).
    const origin = Object.entries(origins).find(
      ([field]) =>
        p.field === field || p.field.startsWith(`${field}.`) || (field.includes(".") && p.message.includes(field)),
    );
    if (!origin) return p;
    const [field, { variable, value }] = origin;
    return {
      ...p,
      variable,
      message: `${p.message} (${variable}=${JSON.stringify(value)} in the environment sets ${field})`,
    };
  });
}
