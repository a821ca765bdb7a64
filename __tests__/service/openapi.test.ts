import http from "node:http";
import { noneMatchHolds } from "../../service/openapi";
import { startServer, type ServerProcess } from "./server-process";

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  server.child.kill("SIGKILL");
  await server.exited;
});

const send = (method: string, path: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: server.port, method, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject).end();
  });

/** Everything but the headers Node adds per response. */
const own = (h: http.IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(h).filter(([k]) => !["date", "connection", "keep-alive"].includes(k)));

describe("GET /openapi.json on the HTTP server", () => {
  // A query string skips the server's fast path, as for /healthz: the same route through Koa.
  it.each([
    ["GET", {}],
    ["HEAD", {}],
    ["GET", { "if-none-match": "*" }],
  ] as const)("answers %s %j the same before Koa as through Koa's router", async (method, headers) => {
    const fast = await send(method, "/openapi.json", headers);
    const viaKoa = await send(method, "/openapi.json?via=koa", headers);
    expect(own(fast.headers)).toEqual(own(viaKoa.headers));
    expect(fast.status).toBe(viaKoa.status);
    expect(fast.body).toBe(viaKoa.body);
  });

  it("sends the document with its length and ETag, and 304 with no body to a client that holds it", async () => {
    const full = await send("GET", "/openapi.json");
    expect(full.status).toBe(200);
    expect(JSON.parse(full.body).openapi).toMatch(/^3\./);
    expect(Number(full.headers["content-length"])).toBe(Buffer.byteLength(full.body));
    for (const path of ["/openapi.json", "/openapi.json?via=koa"]) {
      const held = await send("GET", path, { "if-none-match": `W/"x", ${full.headers.etag!}` });
      expect(held).toEqual(expect.objectContaining({ status: 304, body: "" }));
      expect(held.headers.etag).toBe(full.headers.etag);
    }
  });
});

describe("noneMatchHolds", () => {
  it("compares entity tags weakly, in a list, and takes * for any", () => {
    expect(noneMatchHolds({ "if-none-match": '"a"' }, '"a"')).toBe(true);
    expect(noneMatchHolds({ "if-none-match": 'W/"a"' }, '"a"')).toBe(true);
    expect(noneMatchHolds({ "if-none-match": '"b" , "a"' }, '"a"')).toBe(true);
    expect(noneMatchHolds({ "if-none-match": "*" }, '"a"')).toBe(true);
    expect(noneMatchHolds({ "if-none-match": '"b"' }, '"a"')).toBe(false);
    expect(noneMatchHolds({ "if-none-match": '"a' }, '"a"')).toBe(false);
    expect(noneMatchHolds({}, '"a"')).toBe(false);
  });
});
