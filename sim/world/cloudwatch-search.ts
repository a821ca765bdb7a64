/**
 * CloudWatch's SEARCH expression language, for the GetMetricData emulator in
 * `./cloudwatch`: parsing `SEARCH('{Namespace,Dim} term', 'Stat', Period)` and
 * `SUM(SEARCH(...))`, the term grammar (NOT, AND, OR, Field=value, "exact"),
 * and CloudWatch's token matching of terms against a metric's namespace, name
 * and dimensions. It is a language of its own, with no dependence on how the
 * emulator stores datapoints, so it lives apart from the emulator.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html
 */
import type { MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { MetricId } from "./cloudwatch";

type Term = { readonly op: "term"; readonly field?: string; readonly exact: boolean; readonly text: string };
type SearchNode =
  | Term
  | { readonly op: "and" | "or"; readonly a: SearchNode; readonly b: SearchNode }
  | { readonly op: "not"; readonly a: SearchNode };
/** A parsed SEARCH expression. `stat` and `period` are as written (Period falls back to the query's); the caller validates them. */
export interface Search {
  readonly namespace?: string;
  readonly dimensions: readonly string[];
  readonly term?: SearchNode;
  readonly stat: string;
  readonly period: number | undefined;
  readonly sum: boolean;
}

interface Analysis {
  readonly source: string;
  /** Tokens at camel-case, digit and non-alphanumeric boundaries; `chunk` changes at each non-alphanumeric run. */
  readonly atoms: ReadonlyArray<{
    readonly lower: string;
    readonly start: number;
    readonly end: number;
    readonly chunk: number;
  }>;
  /** The composite of the whole string, lowercased: `Project2-trial333` -> `project2trial333`. */
  readonly whole: string;
}

const ATOM = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g;
const atomsOf = (s: string): string[] => s.match(ATOM) ?? [];

function analyse(source: string): Analysis {
  const atoms: Array<Analysis["atoms"][number]> = [];
  let chunk = 0;
  for (const m of source.matchAll(ATOM)) {
    const prev = atoms[atoms.length - 1];
    if (prev && m.index !== prev.end) chunk++;
    atoms.push({ lower: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length, chunk });
  }
  return { source, atoms, whole: source.replace(/[^A-Za-z0-9]/g, "").toLowerCase() };
}

/**
 * A partial match: the term's tokens match consecutive tokens of the string.
 * A single token matches case-insensitively; a composite one (`CustomCount`,
 * `Count1`) must appear with its case; non-alphanumerics in the term join its
 * parts (`svc-tg` matches `app/svc-tg-green/...`); the whole string's composite matches too.
 */
function partialMatch(term: string, a: Analysis): boolean {
  const parts = term.split(/[^A-Za-z0-9]+/).filter((p) => p !== "");
  if (parts.length === 0) return false;
  if (parts.join("").toLowerCase() === a.whole) return true;
  const n = a.atoms.length;
  const from = (k: number, i: number): boolean => {
    if (k === parts.length) return true;
    const p = parts[k]!;
    const width = atomsOf(p).length;
    const j = i + width - 1;
    if (j >= n) return false;
    const first = a.atoms[i]!;
    const last = a.atoms[j]!;
    const ok =
      width === 1
        ? first.lower === p.toLowerCase()
        : first.chunk === last.chunk && a.source.slice(first.start, last.end) === p;
    return ok && from(k + 1, j + 1);
  };
  for (let i = 0; i < n; i++) if (from(0, i)) return true;
  return false;
}

type Lexeme = { readonly kind: "(" | ")" | "=" | "word" | "quoted"; readonly text: string };

function lex(s: string, fail: (why: string) => Error): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) i++;
    else if (c === "(" || c === ")" || c === "=") (out.push({ kind: c, text: c }), i++);
    else if (c === '"') {
      let text = "";
      for (i++; i < s.length && s[i] !== '"'; i++) text += s[i] === "\\" ? (s[++i] ?? "") : s[i];
      if (i >= s.length) throw fail("unterminated double quote");
      out.push({ kind: "quoted", text });
      i++;
    } else {
      const m = /^[^\s()="]+/.exec(s.slice(i))![0];
      out.push({ kind: "word", text: m });
      i += m.length;
    }
  }
  return out;
}

/** Parses a search term: NOT binds tightest, then AND (also implicit), then OR; operators are case-sensitive. */
function parseTerm(s: string, fail: (why: string) => Error): SearchNode | undefined {
  const toks = lex(s, fail);
  let pos = 0;
  const isWord = (w: string) => toks[pos]?.kind === "word" && toks[pos]!.text === w;
  const primary = (): SearchNode => {
    const t = toks[pos++];
    if (!t) throw fail("search term ends early");
    if (t.kind === "(") {
      const e = or();
      if (toks[pos++]?.kind !== ")") throw fail("missing )");
      return e;
    }
    if (t.kind === "word" && toks[pos]?.kind === "=") {
      const v = toks[pos + 1];
      if (!v || (v.kind !== "word" && v.kind !== "quoted")) throw fail(`no value after ${t.text}=`);
      pos += 2;
      return { op: "term", field: t.text, exact: v.kind === "quoted", text: v.text };
    }
    if (t.kind === "word" || t.kind === "quoted") return { op: "term", exact: t.kind === "quoted", text: t.text };
    throw fail(`unexpected ${t.text}`);
  };
  const not = (): SearchNode => (isWord("NOT") ? (pos++, { op: "not", a: not() }) : primary());
  const and = (): SearchNode => {
    let a = not();
    while (pos < toks.length && toks[pos]!.kind !== ")" && !isWord("OR")) {
      if (isWord("AND")) pos++;
      a = { op: "and", a, b: not() };
    }
    return a;
  };
  const or = (): SearchNode => {
    let a = and();
    while (isWord("OR")) (pos++, (a = { op: "or", a, b: and() }));
    return a;
  };
  if (toks.length === 0) return undefined;
  const tree = or();
  if (pos !== toks.length) throw fail(`unexpected ${toks[pos]!.text}`);
  return tree;
}

const unquote = (s: string): string => s.trim().replace(/^"(.*)"$/, "$1");

/**
 * Parses a query's `SEARCH(...)` or `SUM(SEARCH(...))` expression. Malformed
 * SEARCHes fail through `invalid` as AWS does; any other expression throws an
 * Error naming what the emulator does not emulate.
 */
export function parseSearch(q: MetricDataQuery, invalid: (m: string) => Error): Search {
  const expr = q.Expression!;
  const m =
    /^\s*(SUM\s*\(\s*)?SEARCH\s*\(\s*'((?:[^'\\]|\\.)*)'\s*,\s*'([^']*)'\s*(?:,\s*(\d+)\s*)?\)\s*(\))?\s*$/.exec(expr);
  if (!m || !m[1] !== !m[5]) {
    if (/\bSEARCH\s*\(/.test(expr)) throw invalid(`Error in expression ${q.Id}: syntax error in ${expr}`);
    throw new Error(
      `CloudWatchEmulator: query ${q.Id} uses expression ${expr}; only SEARCH(...) and SUM(SEARCH(...)) are emulated.`,
    );
  }
  const fail = (why: string) => invalid(`Error in expression ${q.Id}: ${why}`);
  let body = m[2]!.replace(/\\'/g, "'").trim();
  let namespace: string | undefined;
  let dimensions: string[] = [];
  if (body.startsWith("{")) {
    const close = body.indexOf("}");
    if (close < 0) throw fail("metric schema has no closing }");
    [namespace, ...dimensions] = body.slice(1, close).split(",").map(unquote);
    if (!namespace) throw fail("metric schema needs a namespace");
    body = body.slice(close + 1).replace(/^\s*,/, "");
  }
  const term = parseTerm(body, fail);
  if (!namespace && !term) throw fail("a search needs a metric schema, a search term or both");
  const period = m[4] === undefined ? q.Period : Number(m[4]);
  return {
    ...(namespace ? { namespace } : {}),
    dimensions,
    ...(term ? { term } : {}),
    stat: m[3]!,
    period,
    sum: m[1] !== undefined,
  };
}

/** Matches searches against metrics, keeping each string's token analysis: the same names come up in every search. */
export class SearchMatcher {
  private readonly analyses = new Map<string, Analysis>();

  /** Whether a metric has exactly the schema's dimension names (when it names any) and matches the term. The caller checks the namespace and the two-week window. */
  matches(s: Search, id: MetricId): boolean {
    const names = Object.keys(id.dimensions);
    if (
      s.dimensions.length > 0 &&
      (names.length !== s.dimensions.length || !s.dimensions.every((d) => d in id.dimensions))
    )
      return false;
    return s.term === undefined || this.evaluate(s.term, id);
  }

  private evaluate(n: SearchNode, id: MetricId): boolean {
    switch (n.op) {
      case "and":
        return this.evaluate(n.a, id) && this.evaluate(n.b, id);
      case "or":
        return this.evaluate(n.a, id) || this.evaluate(n.b, id);
      case "not":
        return !this.evaluate(n.a, id);
      case "term": {
        const dims = Object.entries(id.dimensions);
        const fields =
          n.field === undefined
            ? [id.namespace, id.name, ...dims.flat()]
            : n.field === "MetricName"
              ? [id.name]
              : n.field === "Namespace"
                ? [id.namespace]
                : id.dimensions[n.field] !== undefined
                  ? [id.dimensions[n.field]!]
                  : [];
        return fields.some((f) => (n.exact ? f === n.text : partialMatch(n.text, this.analysis(f))));
      }
    }
  }

  private analysis(s: string): Analysis {
    let a = this.analyses.get(s);
    if (!a) this.analyses.set(s, (a = analyse(s)));
    return a;
  }
}
