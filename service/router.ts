import type { Context } from "koa";
import { echo } from "./echo";
import { HttpError } from "./errors";

/** OpenAPI fragments a route carries, so the document is built from the same table that routes. */
export interface RouteDoc {
  readonly operationId: string;
  readonly summary: string;
  readonly requestBody?: object;
  readonly responses: Readonly<Record<string, object>>;
  readonly parameters?: ReadonlyArray<object>;
}

export interface Route {
  readonly method: "GET" | "POST";
  /** OpenAPI path template, e.g. `/links/{code}`. */
  readonly path: string;
  readonly doc: RouteDoc;
  readonly handler: (ctx: Context, params: Readonly<Record<string, string>>) => Promise<void> | void;
}

interface Compiled {
  readonly route: Route;
  readonly regex: RegExp;
  readonly names: string[];
}

const compile = (route: Route): Compiled => {
  const names: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return "([A-Za-z0-9_-]{1,64})";
  });
  return { route, regex: new RegExp(`^${source}$`), names };
};

/**
 * A table-driven router: the first route whose path and method match wins.
 * A path that matches only under other methods is a 405 with `Allow`;
 * no match at all is a 404. A literal path shadows templates that would also
 * match it, and among the rest the first listed wins.
 */
export function routes(table: ReadonlyArray<Route>): (ctx: Context) => Promise<void> | void {
  const compiled = table.map(compile);
  const literals = new Map<string, Compiled[]>();
  for (const c of compiled) {
    if (c.names.length === 0) literals.set(c.route.path, [...(literals.get(c.route.path) ?? []), c]);
  }
  const templates = compiled.filter((c) => c.names.length > 0);
  const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
  return (ctx) => {
    const method = ctx.method === "HEAD" ? "GET" : ctx.method;
    // A literal path (`/links`) owns its path, so `/{code}` never makes GET /links valid.
    const literal = literals.get(ctx.path);
    if (literal) {
      for (const { route } of literal) if (route.method === method) return route.handler(ctx, NO_PARAMS);
      return methodNotAllowed(
        ctx,
        literal.map((c) => c.route.method),
      );
    }
    const allowed: string[] = [];
    for (const { route, regex, names } of templates) {
      const m = regex.exec(ctx.path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      return route.handler(ctx, Object.fromEntries(names.map((n, i) => [n, m[i + 1] ?? ""])));
    }
    if (allowed.length > 0) return methodNotAllowed(ctx, allowed);
    throw new HttpError(404, "not_found", `no route for ${echo(ctx.method)} ${echo(ctx.path)}`);
  };
}

function methodNotAllowed(ctx: Context, methods: string[]): never {
  const allow = [...new Set(methods)].sort().join(", ");
  throw new HttpError(
    405,
    "method_not_allowed",
    `${echo(ctx.method)} is not allowed on ${echo(ctx.path)}; use ${allow}`,
    undefined,
    { Allow: allow },
  );
}
