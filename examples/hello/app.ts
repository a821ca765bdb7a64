/**
 * A second app that keeps the LambdaFlex image contract (README, "Bring your
 * own service"): it listens on `PORT`, answers `GET /healthz` with 200 and no
 * dependency call, and runs under the Lambda runtime interface client. It has
 * no framework: one Node request listener serves both modes, wrapped by
 * serverless-http for Lambda and by `http.createServer` for the server.
 *
 *   GET  /healthz          200 {"status":"ok"}
 *   GET  /hello?name=Ada   200 {"greeting":"Hello, Ada!"}   (the word from GREETING)
 *   POST /echo  (JSON)     200 {"echo":<the parsed body>}
 *
 * Errors are JSON `{"error":"..."}`: 400, 404, 405 (with Allow), 413, 415.
 * Run by entrypoint.sh: `_HANDLER=dist/examples/hello/app.handler` in Lambda
 * mode, `LAMBDAFLEX_SERVER=dist/examples/hello/app.js` in server mode.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import serverless from "serverless-http";

const MAX_BODY_BYTES = 8192;
const greetingWord = process.env.GREETING || "Hello";

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

const fail = (status: number, error: string, headers?: Record<string, string>): Answer => ({
  status,
  body: { error },
  headers,
});

/** The whole body, or undefined once it passes the limit (the rest is not read). */
async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buf.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

async function route(req: http.IncomingMessage): Promise<Answer> {
  const url = new URL(req.url ?? "/", "http://app.invalid");
  const allow = ({ "/healthz": "GET", "/hello": "GET", "/echo": "POST" } as Record<string, string>)[url.pathname];
  if (!allow) return fail(404, `no route for ${url.pathname.slice(0, 64)}`);
  if (req.method !== allow) return fail(405, `${url.pathname} takes ${allow}`, { allow });
  if (url.pathname === "/healthz")
    return { status: 200, body: { status: "ok" }, headers: { "cache-control": "no-store" } };
  if (url.pathname === "/hello") {
    const name = (url.searchParams.get("name") ?? "world").slice(0, 64);
    return { status: 200, body: { greeting: `${greetingWord}, ${name}!` } };
  }
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? ""))
    return fail(415, "send Content-Type: application/json");
  const body = await readBody(req);
  if (body === undefined) return fail(413, `body over ${MAX_BODY_BYTES} bytes`, { connection: "close" });
  try {
    return { status: 200, body: { echo: JSON.parse(body.toString("utf8")) } };
  } catch {
    return fail(400, "body is not valid JSON");
  }
}

/** The app: one listener for both modes. */
export function listener(req: http.IncomingMessage, res: http.ServerResponse): void {
  route(req)
    .catch((err: Error) => {
      log("error", "request failed", { error: err.message });
      return fail(500, "internal error");
    })
    .then(({ status, body, headers }) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        "content-type": "application/json; charset=utf-8",
        "content-length": String(Buffer.byteLength(text)),
        ...headers,
      });
      res.end(text);
    });
}

/** Lambda entry point (API Gateway HTTP API, function URL and ALB events). */
export const handler = serverless(listener);

function log(level: string, msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ level, msg, app: "hello", ...fields })}\n`);
}

/** Server mode: listen on PORT and drain on SIGTERM (ECS waits 30 s before SIGKILL). */
function serve(env: NodeJS.ProcessEnv): void {
  const port = Number(env.PORT || "8080");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be 0-65535, got ${JSON.stringify(env.PORT)}`);
  const server = http.createServer(listener);
  server.keepAliveTimeout = 65_000; // longer than the ALB's 60 s idle timeout, so the ALB closes idle connections
  process.once("SIGTERM", () => {
    log("info", "shutting down");
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 20_000).unref();
  });
  server.listen(port, env.HOST || "0.0.0.0", () =>
    log("info", "listening", { port: (server.address() as AddressInfo).port }),
  );
}

if (require.main === module) {
  try {
    serve(process.env);
  } catch (err) {
    log("error", "startup failed", { error: (err as Error).message });
    process.exit(1);
  }
}
