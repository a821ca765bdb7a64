import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import request from "supertest";
import { createApp } from "../../service/app";
import type { Logger } from "../../model/log";
import { useLinkStore } from "./test-store";

const links = useLinkStore("links-request-body-test");
const appWith = (overrides: Partial<Parameters<typeof createApp>[0]> = {}) =>
  createApp({ store: links.store(), tier: "fargate", version: "1.2.3", ...overrides });

const json = (text: string) => Buffer.from(text, "utf8");
/** POSTs exact bytes: supertest would JSON-encode a Buffer sent as application/json. */
const postBytes = (app: ReturnType<typeof appWith>, contentType: string, bytes: Buffer) =>
  request(app.callback())
    .post("/links")
    .set("content-type", contentType)
    // superagent's type says string; a Buffer passes through to the socket unchanged.
    .serialize((b: Buffer) => b as unknown as string)
    .send(bytes);

describe("POST /links body encoding", () => {
  it("refuses a charset other than UTF-8 with 415 naming it", async () => {
    const res = await postBytes(
      appWith(),
      "application/json; charset=latin1",
      Buffer.from('{"url":"https://caf\xe9.example/"}', "latin1"),
    );
    expect(res.status).toBe(415);
    expect(res.body.error).toEqual({
      code: "unsupported_charset",
      message: "Content-Type charset must be utf-8, got latin1",
    });
  });

  it.each(["utf-8", "UTF-8", "utf8", '"utf-8"'])("accepts charset=%s", async (charset) => {
    const res = await postBytes(
      appWith(),
      `application/json; charset=${charset}`,
      json('{"url":"https://x.example/"}'),
    );
    expect(res.status).toBe(201);
  });

  it("refuses bytes that are not UTF-8 with 400 and stores nothing", async () => {
    const app = appWith({ newCode: () => "BADUTF8" });
    const body = Buffer.concat([json('{"url":"https://x.example/'), Buffer.from([0xc3, 0x28]), json('"}')]);
    const res = await postBytes(app, "application/json", body);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: "invalid_encoding",
      message: "request body is not valid UTF-8; send JSON encoded as UTF-8",
    });
    expect((await request(app.callback()).get("/links/BADUTF8")).status).toBe(404);
  });

  it("tolerates a UTF-8 byte order mark before the JSON", async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json('{"url":"https://bom.example/"}')]);
    const res = await postBytes(appWith(), "application/json", body);
    expect(res.status).toBe(201);
    expect(res.body.url).toBe("https://bom.example/");
  });
});

/** The app on a real socket: connection handling is only visible there. */
function listen(app: ReturnType<typeof appWith>): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer(app.callback());
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => {
          server.closeAllConnections();
          return new Promise((done) => server.close(() => done()));
        },
      }),
    ),
  );
}

interface Outcome {
  readonly head: string;
  /** Whether the server closed the connection within the wait. */
  readonly closedByServer: boolean;
}

/** Sends the request head and the first bytes of a body, then waits for the response and for the server to close. */
function sendPartial(port: number, head: string, firstBytes: Buffer, waitMs = 1500): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(Buffer.concat([Buffer.from(head), firstBytes])));
    let data = "";
    const finish = (closedByServer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ head: data.slice(0, data.indexOf("\r\n\r\n")), closedByServer });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on("data", (c: Buffer) => (data += c.toString("latin1")));
    socket.on("end", () => finish(true));
    socket.on("error", reject);
  });
}

const HUNDRED_MB = 100 * 1024 * 1024;

describe("responses that leave body bytes unread", () => {
  const cases = [
    { name: "a 413 for a declared 100 MB body", path: "/links", type: "application/json", status: 413 },
    { name: "a 415 for a large body of the wrong type", path: "/links", type: "text/plain", status: 415 },
    { name: "a 404 for a large body to an unknown path", path: "/no/such/path", type: "application/json", status: 404 },
  ];

  it.each(cases)("close the connection after $name instead of reading the rest", async ({ path, type, status }) => {
    const server = await listen(appWith());
    try {
      const head = `POST ${path} HTTP/1.1\r\nHost: test\r\nContent-Type: ${type}\r\nContent-Length: ${HUNDRED_MB}\r\n\r\n`;
      const outcome = await sendPartial(server.port, head, Buffer.alloc(1024, "a"));
      expect(outcome.head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(outcome.head).toMatch(/\r\nConnection: close\r\n/i);
      expect(outcome.closedByServer).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("answers a chunked body over the limit with 413 and closes", async () => {
    const server = await listen(appWith());
    try {
      const head =
        "POST /links HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
      const chunk = Buffer.concat([Buffer.from("2400\r\n"), Buffer.alloc(0x2400, "a"), Buffer.from("\r\n")]); // 9216 bytes > 8192
      const outcome = await sendPartial(server.port, head, chunk);
      expect(outcome.head).toMatch(/^HTTP\/1.1 413 /);
      expect(outcome.head).toMatch(/\r\nConnection: close\r\n/i);
      expect(outcome.closedByServer).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("keeps the connection when the whole body was read", async () => {
    const res = await request(appWith().callback())
      .post("/links")
      .set("connection", "keep-alive")
      .send({ url: "ftp://x.example/" });
    expect(res.status).toBe(400);
    expect(res.headers.connection).not.toBe("close");
  });
});

describe("a client that disconnects mid-body", () => {
  it("is logged once at info as client_aborted, not as an error", async () => {
    const logged: Array<Record<string, unknown>> = [];
    const logger: Logger = (level, msg, fields) => logged.push({ level, msg, ...fields });
    const server = await listen(appWith({ logger }));
    try {
      const socket = net.connect(server.port, "127.0.0.1");
      await new Promise((r) => socket.once("connect", r));
      socket.write(
        'POST /links HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"url":',
      );
      await new Promise((r) => setTimeout(r, 100));
      socket.destroy();
      for (let waited = 0; logged.length === 0 && waited < 2000; waited += 20)
        await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 50)); // anything logged late would show up here

      expect(logged).toEqual([
        { level: "info", msg: "client_aborted", method: "POST", path: "/links", receivedBytes: 7 },
      ]);
    } finally {
      await server.close();
    }
  });
});
