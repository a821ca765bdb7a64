import type { ServerResponse } from "node:http";

/** The load balancer's health check path. */
export const HEALTHZ_PATH = "/healthz";

// A string, not a Buffer: Node then sends headers and body in one write instead of a writev.
const BODY = JSON.stringify({ status: "ok" });
const HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "content-length": String(Buffer.byteLength(BODY)),
  "cache-control": "no-store",
};

/**
 * Answers a health check with pre-built bytes and no dependency call, so a
 * slow DynamoDB never makes the ALB kill healthy tasks. The Koa route and the
 * HTTP server's fast path (which answers before Koa) both use this.
 */
export function writeHealthz(res: ServerResponse, method: string): void {
  res.writeHead(200, HEADERS);
  res.end(method === "HEAD" ? undefined : BODY);
}
