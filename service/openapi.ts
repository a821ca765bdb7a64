import { createHash } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Route } from "./router";

/** Where the service serves its OpenAPI document. */
export const OPENAPI_PATH = "/openapi.json";

/** A JSON document serialized once: the bytes every response sends, their strong ETag, and the headers of a 200. */
export interface SerializedDocument {
  readonly body: string;
  readonly etag: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Serializes `document` as Koa would for an object body (JSON.stringify, UTF-8), once. */
export function serializeDocument(document: object): SerializedDocument {
  const body = JSON.stringify(document);
  const etag = `"${createHash("sha256").update(body, "utf8").digest("base64url")}"`;
  return {
    body,
    etag,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(Buffer.byteLength(body)),
      etag,
    },
  };
}

/** Whether If-None-Match names `etag` (weak comparison, or `*`): RFC 9110, 13.1.2. */
export function noneMatchHolds(headers: IncomingHttpHeaders, etag: string): boolean {
  const header = headers["if-none-match"];
  if (!header) return false;
  if (header.trim() === "*") return true;
  const opaque = etag.replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === opaque);
}

/**
 * Sends a serialized document: 304 with its ETag to a client that holds it,
 * otherwise 200 with the pre-built headers and, unless HEAD, the bytes. The
 * Koa route and the HTTP server's fast path (which answers before Koa) both
 * call this, so both send the same response.
 */
export function writeDocument(req: IncomingMessage, res: ServerResponse, doc: SerializedDocument): void {
  if (noneMatchHolds(req.headers, doc.etag)) {
    res.writeHead(304, { etag: doc.etag });
    res.end();
    return;
  }
  res.writeHead(200, doc.headers);
  // A string, not a Buffer: Node then sends headers and body in one write.
  res.end(req.method === "HEAD" ? undefined : doc.body);
}

/** Builds the OpenAPI 3.0 document from the route table, so it can never miss a route. */
export function openApiDocument(table: ReadonlyArray<Route>, version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const { method, path, doc } of table) {
    paths[path] ??= {};
    paths[path][method.toLowerCase()] = {
      operationId: doc.operationId,
      summary: doc.summary,
      ...(doc.parameters ? { parameters: doc.parameters } : {}),
      ...(doc.requestBody ? { requestBody: doc.requestBody } : {}),
      responses: doc.responses,
    };
  }
  return {
    openapi: "3.0.3",
    info: {
      title: "LambdaFlex demo service",
      version,
      description: "A URL shortener served by the same image on AWS Lambda and on Fargate.",
    },
    paths,
    components: {
      schemas: {
        Link: {
          type: "object",
          required: ["code", "url", "createdAt", "hits"],
          properties: {
            code: { type: "string" },
            url: { type: "string", format: "uri" },
            createdAt: { type: "string", format: "date-time" },
            hits: { type: "integer", minimum: 0 },
            shortPath: { type: "string" },
          },
        },
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: {
                code: { type: "string" },
                message: { type: "string" },
                details: {
                  type: "array",
                  items: {
                    type: "object",
                    properties: { field: { type: "string" }, problem: { type: "string" } },
                  },
                },
              },
            },
          },
        },
        StackStatus: {
          type: "object",
          required: ["tier", "instanceId", "coldStart", "version", "uptimeSeconds", "scaler"],
          properties: {
            tier: { type: "string", enum: ["lambda", "fargate"] },
            instanceId: { type: "string" },
            coldStart: { type: "boolean" },
            version: { type: "string" },
            uptimeSeconds: { type: "integer" },
            scaler: {
              type: "object",
              nullable: true,
              properties: {
                state: { type: "string" },
                decision: { type: "string" },
                reason: { type: "string" },
                at: { type: "string", format: "date-time" },
              },
            },
          },
        },
      },
    },
  };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/**
 * A self-contained API reference page rendered on the server: no scripts, no
 * fonts, no CDN, so it works with no network and under a strict CSP.
 */
export function docsPage(table: ReadonlyArray<Route>, version: string): string {
  const rows = table
    .map(({ method, path, doc }) => {
      const codes = Object.entries(doc.responses)
        .map(
          ([code, r]) =>
            `<li><code>${code}</code> ${escapeHtml((r as { description?: string }).description ?? "")}</li>`,
        )
        .join("");
      return `<section><h2><span class="m">${method}</span> <code>${escapeHtml(path)}</code></h2>
<p>${escapeHtml(doc.summary)}</p><ul>${codes}</ul></section>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LambdaFlex API ${escapeHtml(version)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:.5rem 0}.m{display:inline-block;min-width:4rem;color:#fff;background:#2b6cb0;border-radius:4px;padding:0 .4rem;font-size:.9em}
code{background:#f4f4f4;padding:0 .2rem}</style></head>
<body><h1>LambdaFlex API <small>${escapeHtml(version)}</small></h1>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.0).</p>
${rows}
</body></html>`;
}
