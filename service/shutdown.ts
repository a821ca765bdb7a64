import type http from "node:http";
import net from "node:net";

export type ShutdownOutcome = "drained" | "timed-out";

export interface ShutdownOptions {
  /** Longest wait for in-flight requests; then every connection left is cut. */
  readonly timeoutMs: number;
  /**
   * How long an idle kept-alive connection may still bring a request after
   * shutdown starts. A client that wrote one a moment after SIGTERM gets an
   * answer (with `Connection: close`) instead of a reset.
   * @default 500
   */
  readonly idleGraceMs?: number;
}

export interface Drainer {
  /** Stops accepting connections, answers what is in flight, closes each connection after its last response. */
  shutdown(options: ShutdownOptions): Promise<ShutdownOutcome>;
}

/**
 * Tracks a server's connections and the responses each one still owes, so
 * that shutdown closes every connection right after its last response
 * rather than waiting for keep-alive timeouts. Call before `listen`.
 */
export function drainOnShutdown(server: http.Server): Drainer {
  const owed = new Map<net.Socket, Set<http.ServerResponse>>();
  let stopping = false;

  server.on("connection", (socket: net.Socket) => {
    owed.set(socket, new Set());
    socket.once("close", () => owed.delete(socket));
  });
  // Prepended: the app may answer synchronously (the health check does), and the header must be set first.
  server.prependListener("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (stopping) res.setHeader("Connection", "close");
    const pending = owed.get(req.socket);
    pending?.add(res);
    res.once("close", () => pending?.delete(res));
  });

  const shutdown = ({ timeoutMs, idleGraceMs = 500 }: ShutdownOptions) =>
    new Promise<ShutdownOutcome>((resolve) => {
      stopping = true;
      for (const [socket, responses] of owed) for (const res of responses) closeAfter(res, socket);
      const grace = setTimeout(() => {
        // Sockets owing nothing now are idle or have not finished sending headers (slowloris).
        for (const [socket, responses] of owed) if (responses.size === 0) socket.destroy();
      }, idleGraceMs);
      const cut = setTimeout(() => {
        for (const socket of owed.keys()) socket.destroy();
        resolve("timed-out");
      }, timeoutMs);
      grace.unref();
      cut.unref();
      // net.Server's close, not http.Server's: the latter also destroys idle kept-alive sockets at
      // once, and a request a client writes on one a few milliseconds later meets ECONNRESET.
      net.Server.prototype.close.call(server, () => {
        clearTimeout(grace);
        clearTimeout(cut);
        resolve("drained");
      });
    });

  return { shutdown };
}

/** Makes an in-flight response the connection's last. */
function closeAfter(res: http.ServerResponse, socket: net.Socket): void {
  if (!res.headersSent) res.setHeader("Connection", "close");
  // Headers already promised keep-alive: end the socket once the body is out.
  else res.once("finish", () => socket.end());
}
