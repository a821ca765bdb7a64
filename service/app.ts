import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import Koa, { type Context } from "koa";
import { boundMessage, echo } from "./echo";
import { ClientAbortedError, HttpError } from "./errors";
import { jsonBody } from "./json-body";
import { silentLogger, type Logger } from "../model/log";
import { docsPage, OPENAPI_PATH, openApiDocument, serializeDocument, writeDocument } from "./openapi";
import { bodyStillArriving } from "./request-body";
import { routes, type Route } from "./router";
import { linkRoutes, randomCode } from "./routes/links";
import type { ScalerStatus } from "../model/status-item";
import { statusRoutes } from "./routes/status";
import { mapStack } from "./stack-map";
import type { LinkStore } from "./store/link-store";

/** Everything the app needs, injected so tests and both entry points build it the same way. */
export interface AppDeps {
  readonly store: LinkStore;
  readonly tier: "lambda" | "fargate";
  readonly version: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** @default a random base62 code */
  readonly newCode?: () => string;
  /** @default a random id per app instance */
  readonly instanceId?: string;
  /** @default 8192 */
  readonly maxBodyBytes?: number;
  /** @default 2048 */
  readonly maxUrlLength?: number;
  /** @default always unknown */
  readonly scalerStatus?: () => Promise<ScalerStatus | undefined>;
}

/**
 * Builds the Koa app. It never listens and never asks which platform it runs
 * on: the Lambda handler and the HTTP server both wrap `app.callback()`.
 */
export function createApp(deps: AppDeps): Koa {
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger ?? silentLogger;
  const startedAt = clock();

  const table: Route[] = [
    ...statusRoutes({
      tier: deps.tier,
      version: deps.version,
      instanceId: deps.instanceId ?? randomUUID(),
      clock,
      startedAt,
      scalerStatus: deps.scalerStatus ?? (async () => undefined),
    }),
    {
      method: "GET",
      path: OPENAPI_PATH,
      handler: (ctx) => {
        ctx.respond = false;
        writeDocument(ctx.req, ctx.res, openApi);
      },
      doc: {
        operationId: "openapi",
        summary: "This OpenAPI 3 document",
        responses: {
          "200": { description: "The document", content: { "application/json": { schema: { type: "object" } } } },
          "304": { description: "Not modified: the If-None-Match header names the document's current ETag" },
        },
      },
    },
    {
      method: "GET",
      path: "/docs",
      handler: (ctx) => {
        ctx.type = "text/html; charset=utf-8";
        ctx.body = page;
      },
      doc: {
        operationId: "docs",
        summary: "Human-readable API reference (no external resources)",
        responses: { "200": { description: "HTML page", content: { "text/html": { schema: { type: "string" } } } } },
      },
    },
  ];
  const fixedPaths = new Set(table.map((r) => r.path.slice(1)));
  table.push(
    ...linkRoutes({
      store: deps.store,
      clock,
      newCode: deps.newCode ?? randomCode,
      maxBodyBytes: deps.maxBodyBytes ?? 8192,
      maxUrlLength: deps.maxUrlLength ?? 2048,
      reserved: new Set([...fixedPaths, "links"]),
    }),
  );
  // Serialized once per app: every request sends the same bytes, and a client holding them revalidates with If-None-Match.
  const openApi = serializeDocument(openApiDocument(table, deps.version));
  const page = docsPage(table, deps.version);

  const dispatch = routes(table);
  const app = new Koa();
  app.proxy = true; // behind API Gateway or the ALB: trust X-Forwarded-* for protocol and client IP
  // One middleware: routing, with the error boundary that decides what reaches the client.
  app.use(async (ctx) => {
    try {
      await dispatch(ctx);
    } catch (err) {
      answerError(ctx, err, logger);
    } finally {
      // Otherwise Node would read and discard the rest of the body to reuse the connection.
      if (bodyStillArriving(ctx.req)) ctx.set("Connection", "close");
    }
  });
  // Koa logs every error to stderr by default; ours are already handled and logged above.
  app.silent = true;
  fixed.set(app, new Map([[OPENAPI_PATH, (req, res) => writeDocument(req, res, openApi)]]));
  return app;
}

/** Answers a GET or HEAD to one path with what its route would send, without Koa. */
export type FixedResponse = (req: IncomingMessage, res: ServerResponse) => void;

const fixed = new WeakMap<Koa, ReadonlyMap<string, FixedResponse>>();

/**
 * The app's routes whose response depends on nothing but the request's
 * method and headers (today /openapi.json), by exact path: the HTTP server
 * answers them before Koa, as it does /healthz, with the same function
 * the route calls, so the bytes are the same either way.
 */
export function fixedResponses(app: Koa): ReadonlyMap<string, FixedResponse> {
  return fixed.get(app) ?? new Map();
}

/** Turns what a route threw into the response; only HttpError messages (bounded) reach the client. */
function answerError(ctx: Context, err: unknown, logger: Logger): void {
  if (err instanceof ClientAbortedError) {
    // The client's doing, not a fault of ours: an error log here is one anyone could fill.
    logger("info", "client_aborted", {
      method: echo(ctx.method),
      path: echo(ctx.path),
      receivedBytes: err.receivedBytes,
    });
    ctx.status = 400; // written only if the socket is somehow still open
    jsonBody(ctx, { error: { code: "client_aborted", message: "the request body did not arrive" } });
    return;
  }
  if (err instanceof HttpError) {
    ctx.status = err.status;
    for (const [k, v] of Object.entries(err.headers ?? {})) ctx.set(k, v);
    jsonBody(ctx, {
      error: { code: err.code, message: boundMessage(err.message), ...(err.details ? { details: err.details } : {}) },
    });
    return;
  }
  // Koa's own client errors (for example a bad URI) carry `expose` and a 4xx status.
  const e = err as { status?: number; expose?: boolean; message?: string };
  if (e.expose && typeof e.status === "number" && e.status < 500) {
    ctx.status = e.status;
    jsonBody(ctx, { error: { code: "bad_request", message: boundMessage(e.message ?? "bad request") } });
    return;
  }
  const { name, message, stack } = (err ?? {}) as Partial<Error>;
  logger("error", "unhandled error", {
    method: echo(ctx.method),
    path: echo(ctx.path),
    // Mapped to the TypeScript sources when the code runs from a bundle with a source map beside it.
    error: { name, message, stack: typeof stack === "string" ? mapStack(stack) : undefined },
  });
  ctx.status = 500;
  jsonBody(ctx, { error: { code: "internal", message: "internal server error" } });
}
