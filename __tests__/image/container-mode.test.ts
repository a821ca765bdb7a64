import http from "node:http";
import { runEntrypoint, type Spawned } from "../helpers/processes";

const start = async (env: Record<string, string> = {}): Promise<{ proc: Spawned; base: string; port: number }> => {
  const proc = runEntrypoint({ PORT: "0", HOST: "127.0.0.1", ...env });
  const listening = await proc.waitForLog("listening");
  const port = listening.port as number;
  return { proc, base: `http://127.0.0.1:${port}`, port };
};

/** Starts a POST whose body is only half sent, so the request stays in flight. */
const halfSentPost = (port: number, body: string) => {
  const req = http.request({
    host: "127.0.0.1",
    port,
    method: "POST",
    path: "/links",
    headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on("error", reject);
  });
  req.write(body.slice(0, 10));
  return { finish: () => req.end(body.slice(10)), response, abort: () => req.destroy() };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A GET on a new connection (fetch would reuse a kept-alive socket, which shutdown still serves). */
const getOnNewConnection = (url: string) =>
  new Promise<http.IncomingMessage>((resolve, reject) => http.get(url, { agent: false }, resolve).on("error", reject));

describe("entrypoint.sh in container mode", () => {
  it("serves HTTP on PORT as the fargate tier with an embedded store", async () => {
    const { proc, base } = await start();
    try {
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
      expect(await (await fetch(`${base}/stack-status`)).json()).toMatchObject({ tier: "fargate", coldStart: true });
      const created = await fetch(`${base}/links`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: "https://fargate.example/" }),
      });
      expect(created.status).toBe(201);
      const { code } = (await created.json()) as { code: string };
      const follow = await fetch(`${base}/${code}`, { redirect: "manual" });
      expect(follow.status).toBe(302);
      expect(follow.headers.get("location")).toBe("https://fargate.example/");
    } finally {
      proc.child.kill("SIGTERM");
      await proc.exited;
    }
  });

  it("on SIGTERM finishes the in-flight request, refuses new connections, then exits 0", async () => {
    const { proc, base, port } = await start();
    await fetch(`${base}/healthz`); // the store is up
    const slow = halfSentPost(port, JSON.stringify({ url: "https://in-flight.example/" }));
    await sleep(200);
    proc.child.kill("SIGTERM");
    await proc.waitForLog("shutting down");
    await expect(getOnNewConnection(`${base}/healthz`)).rejects.toThrow();
    slow.finish();
    const answer = await slow.response;
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body).url).toBe("https://in-flight.example/");
    expect(await proc.exited).toBe(0);
    expect((await proc.waitForLog("stopped")).outcome).toBe("drained");
  });

  it("exits 0 within the bounded time when a request never finishes", async () => {
    const { proc, port } = await start({ SHUTDOWN_TIMEOUT_MS: "500" });
    const stuck = halfSentPost(port, JSON.stringify({ url: "https://never.example/" }));
    stuck.response.catch(() => undefined);
    await sleep(200);
    const t0 = Date.now();
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await proc.waitForLog("stopped")).outcome).toBe("timed-out");
    stuck.abort();
  });

  it("refuses to start on an invalid PORT and says which value was wrong", async () => {
    const proc = runEntrypoint({ PORT: "http", HOST: "127.0.0.1" });
    expect(await proc.exited).toBe(1);
    expect(proc.lines.join("\n")).toContain('PORT must be 0-65535, got \\"http\\"');
  });
});
