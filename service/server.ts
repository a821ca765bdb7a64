import http from "node:http";
import type { AddressInfo } from "node:net";
import { fixedResponses } from "./app";
import { serviceConfigFromEnv } from "./config";
import { HEALTHZ_PATH, writeHealthz } from "./healthz";
import { jsonLogger, type Logger } from "../model/log";
import { buildRuntime } from "./runtime";
import { drainOnShutdown } from "./shutdown";

/** Starts the HTTP server (the Fargate tier's process) and wires SIGTERM/SIGINT to a graceful exit. */
export async function main(env: NodeJS.ProcessEnv = process.env, logger: Logger = jsonLogger()): Promise<http.Server> {
  const config = serviceConfigFromEnv(env, "fargate");
  const port = Number(env.PORT || "8080");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0-65535, got "${env.PORT}"`);
  // ECS waits 30 s (stopTimeout) between SIGTERM and SIGKILL; finish well inside it.
  const shutdownMs = Number(env.SHUTDOWN_TIMEOUT_MS || "20000");
  const runtime = await buildRuntime(config, logger);
  let stopping = false;
  const handle = runtime.app.callback(); // compose the middleware once, not per request
  const fixed = fixedResponses(runtime.app);
  const server = http.createServer((req, res) => {
    if (req.method === "GET" || req.method === "HEAD") {
      // The ALB's health check is answered before Koa: the same bytes as the app's route
      // (service/healthz.ts), without a framework context per probe.
      if (req.url === HEALTHZ_PATH) return writeHealthz(res, req.method);
      // So is /openapi.json, with the function its route calls (service/app.ts).
      const write = fixed.get(req.url ?? "");
      if (write) return write(req, res);
    }
    return handle(req, res);
  });
  const drainer = drainOnShutdown(server);
  // Longer than the ALB's 60 s idle timeout, so the ALB (not us) closes idle connections.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger("info", "shutting down", { signal, timeoutMs: shutdownMs });
    const outcome = await drainer.shutdown({ timeoutMs: shutdownMs });
    await runtime.close();
    logger("info", "stopped", { outcome });
    process.exit(0);
  };
  // Before "listening": whoever acts on that line may signal at once, and an
  // unhandled SIGTERM kills the process without draining. Kept for every signal
  // (`on`, not `once`): Ctrl-C under `npm start` delivers SIGINT twice, from the
  // terminal to the whole process group and again forwarded by npm, and a second
  // one with no handler would kill the process mid-drain.
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  await new Promise<void>((resolve) => server.listen(port, env.HOST || "0.0.0.0", resolve));
  const bound = (server.address() as AddressInfo).port;
  logger("info", "listening", { port: bound, tier: config.tier, version: config.version });
  return server;
}

if (require.main === module) {
  main().catch((err: Error) => {
    jsonLogger()("error", "startup failed", { error: err.message });
    process.exit(1);
  });
}
