import http from "node:http";
import net from "node:net";
import { exitWithin, startServer, type ServerProcess } from "./server-process";

const running: ServerProcess[] = [];
const start = async (env: Record<string, string> = {}) => {
  const proc = await startServer(env);
  running.push(proc);
  return proc;
};
afterEach(async () => {
  for (const proc of running.splice(0)) {
    proc.child.kill("SIGKILL");
    await proc.exited;
  }
});

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
}

/** Writes one request on a raw socket and reads one response (Content-Length framed). */
function exchange(socket: net.Socket, request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return;
      const [statusLine, ...fields] = data.subarray(0, end).toString("latin1").split("\r\n");
      const headers = Object.fromEntries(
        fields.map((f) => [f.slice(0, f.indexOf(":")).toLowerCase(), f.slice(f.indexOf(":") + 1).trim()]),
      );
      if (data.length < end + 4 + Number(headers["content-length"] ?? 0)) return;
      cleanup();
      resolve({ status: Number(statusLine!.split(" ")[1]), headers });
    };
    const onGone = (err?: Error) => {
      cleanup();
      reject(err ?? new Error(`connection closed after ${data.length} bytes of response`));
    };
    const onClose = () => onGone();
    const cleanup = () => socket.off("data", onData).off("error", onGone).off("close", onClose);
    socket.on("data", onData).on("error", onGone).on("close", onClose);
    socket.write(request);
  });
}

const connect = (port: number) =>
  new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });

const closedByServer = (socket: net.Socket) =>
  new Promise<void>((resolve) =>
    socket.readableEnded || socket.destroyed ? resolve() : socket.once("close", () => resolve()),
  );

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`;

describe("service/server.ts shutdown", () => {
  it("answers a slow in-flight keep-alive request with Connection: close and exits 0, drained, within 2 s of it", async () => {
    const proc = await start();
    const agent = new http.Agent({ keepAlive: true });
    const body = JSON.stringify({ url: "https://in-flight.example/" });
    const req = http.request({
      host: "127.0.0.1",
      port: proc.port,
      method: "POST",
      path: "/links",
      agent,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    const answered = new Promise<http.IncomingMessage>((resolve, reject) =>
      req.on("response", resolve).on("error", reject),
    );
    req.write(body.slice(0, 10)); // in flight: the rest of the body comes after SIGTERM
    await new Promise((r) => setTimeout(r, 200));

    proc.child.kill("SIGTERM");
    await proc.waitForLog("shutting down");
    req.end(body.slice(10));
    const res = await answered;
    res.resume();
    const answeredAt = Date.now();

    expect(res.statusCode).toBe(201);
    expect(res.headers.connection).toBe("close");
    expect(await exitWithin(proc, 2000)).toBe(0);
    expect(Date.now() - answeredAt).toBeLessThan(2000);
    expect((await proc.waitForLog("stopped")).outcome).toBe("drained");
    agent.destroy();
  });

  it("serves a request written on an idle kept-alive socket just after SIGTERM, then closes that socket", async () => {
    const proc = await start();
    const sockets = await Promise.all([1, 2, 3, 4].map(() => connect(proc.port)));
    for (const [i, s] of sockets.entries()) {
      const first = await exchange(s, GET(i % 2 ? "/healthz" : "/stack-status"));
      expect(first.headers.connection).toBe("keep-alive"); // idle and reusable
    }

    proc.child.kill("SIGTERM");
    await proc.waitForLog("shutting down");
    const second = await Promise.all(sockets.map((s, i) => exchange(s, GET(i % 2 ? "/healthz" : "/stack-status"))));
    await expect(connect(proc.port)).rejects.toMatchObject({ code: "ECONNREFUSED" }); // but no new connections

    expect(second.map((a) => [a.status, a.headers.connection])).toEqual(sockets.map(() => [200, "close"]));
    await Promise.all(sockets.map(closedByServer));
    expect(await exitWithin(proc, 2000)).toBe(0);
    expect((await proc.waitForLog("stopped")).outcome).toBe("drained");
  });

  it("keeps draining when SIGINT comes twice, as Ctrl-C under npm start delivers it (terminal and npm)", async () => {
    const proc = await start();
    const body = JSON.stringify({ url: "https://twice.example/" });
    const req = http.request({
      host: "127.0.0.1",
      port: proc.port,
      method: "POST",
      path: "/links",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    const answered = new Promise<http.IncomingMessage>((resolve, reject) =>
      req.on("response", resolve).on("error", reject),
    );
    req.write(body.slice(0, 10)); // in flight across both signals
    await new Promise((r) => setTimeout(r, 200));

    proc.child.kill("SIGINT");
    await proc.waitForLog("shutting down");
    proc.child.kill("SIGINT"); // the second must not kill the process mid-drain
    await new Promise((r) => setTimeout(r, 200));
    req.end(body.slice(10));
    const res = await answered;
    res.resume();

    expect(res.statusCode).toBe(201);
    expect(await exitWithin(proc, 2000)).toBe(0);
    expect((await proc.waitForLog("stopped")).outcome).toBe("drained");
    expect(proc.lines.filter((l) => l.includes('"shutting down"'))).toHaveLength(1);
  });

  it("drains when SIGTERM comes the moment it reports listening", async () => {
    // Supervisors and tests act on the "listening" line; the signal handler must already be there.
    const procs = await Promise.all([1, 2, 3].map(() => start()));
    for (const proc of procs) proc.child.kill("SIGTERM");
    expect(await Promise.all(procs.map((p) => exitWithin(p, 2000)))).toEqual([0, 0, 0]);
  });

  it("does not wait for a client that never finishes its request headers", async () => {
    const proc = await start();
    const slowloris = await connect(proc.port);
    slowloris.write("GET /healthz HTTP/1.1\r\nHost: test\r\n"); // headers never end

    proc.child.kill("SIGTERM");
    expect(await exitWithin(proc, 2000)).toBe(0);
    expect((await proc.waitForLog("stopped")).outcome).toBe("drained");
    slowloris.destroy();
  });

  it("gives a load of kept-alive clients answers or refusals through shutdown, never a reset", async () => {
    const proc = await start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const statuses: number[] = [];
    const closes: string[] = [];
    const errors: string[] = [];
    const get = (path: string) =>
      new Promise<void>((resolve, reject) => {
        http
          .get({ host: "127.0.0.1", port: proc.port, path, agent }, (res) => {
            statuses.push(res.statusCode ?? 0);
            if (res.headers.connection === "close") closes.push(path);
            res.resume().on("end", resolve);
          })
          .on("error", reject);
      });
    // Each client reuses its socket as fast as it can until the server refuses a new connection.
    const client = async (i: number) => {
      for (;;) {
        try {
          await get(i % 2 ? "/healthz" : "/stack-status");
        } catch (err) {
          errors.push((err as NodeJS.ErrnoException).code ?? (err as Error).message);
          return;
        }
      }
    };
    const clients = Array.from({ length: 16 }, (_, i) => client(i));
    await new Promise((r) => setTimeout(r, 300));
    proc.child.kill("SIGTERM");
    await Promise.all(clients);
    agent.destroy();

    expect(statuses.length).toBeGreaterThan(16);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(errors).toEqual(Array.from({ length: 16 }, () => "ECONNREFUSED")); // only new connections are refused
    expect(closes.length).toBeGreaterThan(0); // in-flight answers told the client to close
    expect(await exitWithin(proc, 2000)).toBe(0);
    expect((await proc.waitForLog("stopped")).outcome).toBe("drained");
  });
});
