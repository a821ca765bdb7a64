import request from "supertest";
import { createApp } from "../../service/app";
import { CodeTakenError } from "../../service/errors";
import { DynamoLinkStore } from "../../service/store/dynamo-link-store";
import {
  ensureLinksTable,
  localDynamoClient,
  startEmbeddedDynamo,
  type EmbeddedDynamo,
} from "../../service/store/embedded-dynamo";
import type { Link, LinkStore } from "../../service/store/link-store";

let dynamo: EmbeddedDynamo;
let store: DynamoLinkStore;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  const client = localDynamoClient(dynamo.endpoint);
  await ensureLinksTable(client, "links-app-test");
  store = new DynamoLinkStore("links-app-test", client);
});
afterAll(() => dynamo.close());

const fixedClock = () => new Date("2026-11-22T10:00:00.000Z");
const appWith = (overrides: Partial<Parameters<typeof createApp>[0]> = {}) =>
  createApp({ store, tier: "fargate", version: "1.2.3", clock: fixedClock, ...overrides }).callback();

describe("service app", () => {
  it("answers /healthz without touching the store", async () => {
    const exploding: LinkStore = {
      create: () => Promise.reject(new Error("no")),
      get: () => Promise.reject(new Error("no")),
      hit: () => Promise.reject(new Error("no")),
    };
    const res = await request(appWith({ store: exploding })).get("/healthz");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("creates a link, redirects with 302 and counts every hit", async () => {
    const app = appWith();
    const created = await request(app).post("/links").send({ url: "https://example.com/a?b=1" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: "https://example.com/a?b=1",
      hits: 0,
      createdAt: "2026-11-22T10:00:00.000Z",
    });
    const code = created.body.code as string;
    expect(code).toMatch(/^[A-Za-z0-9]{7}$/);
    expect(created.headers.location).toBe(`/links/${code}`);

    for (let i = 0; i < 3; i++) {
      const follow = await request(app).get(`/${code}`);
      expect(follow.status).toBe(302);
      expect(follow.headers.location).toBe("https://example.com/a?b=1");
      expect(follow.headers["cache-control"]).toBe("no-store");
    }
    const stats = await request(app).get(`/links/${code}`);
    expect(stats.status).toBe(200);
    expect(stats.body).toEqual({
      code,
      url: "https://example.com/a?b=1",
      createdAt: "2026-11-22T10:00:00.000Z",
      hits: 3,
    });
  });

  it("answers HEAD on a short link like GET but counts only GET", async () => {
    const app = appWith();
    const { body } = await request(app).post("/links").send({ url: "https://preview.example/" });
    for (let i = 0; i < 2; i++) {
      const probe = await request(app).head(`/${body.code}`);
      expect(probe.status).toBe(302);
      expect(probe.headers.location).toBe("https://preview.example/");
    }
    await request(app).get(`/${body.code}`);
    expect((await request(app).get(`/links/${body.code}`)).body.hits).toBe(1);
  });

  it("counts concurrent hits atomically", async () => {
    const app = appWith();
    const { body } = await request(app).post("/links").send({ url: "http://example.org/" });
    await Promise.all(Array.from({ length: 25 }, () => request(app).get(`/${body.code}`)));
    const stats = await request(app).get(`/links/${body.code}`);
    expect(stats.body.hits).toBe(25);
  });

  it("retries on a code collision and never overwrites the existing link", async () => {
    const codes = ["TAKEN01", "TAKEN01", "FRESH01"];
    const app = appWith({ newCode: () => codes.shift()! });
    const first = await request(app).post("/links").send({ url: "https://first.example/" });
    expect(first.body.code).toBe("TAKEN01");
    const second = await request(app).post("/links").send({ url: "https://second.example/" });
    expect(second.status).toBe(201);
    expect(second.body.code).toBe("FRESH01");
    expect((await request(app).get("/links/TAKEN01")).body.url).toBe("https://first.example/");
  });

  it("never hands out a code that shadows a service path", async () => {
    const codes = ["healthz", "NORMAL1"];
    const res = await request(appWith({ newCode: () => codes.shift()! }))
      .post("/links")
      .send({ url: "https://x.example/" });
    expect(res.body.code).toBe("NORMAL1");
  });

  it("gives up with 503 when every attempt collides", async () => {
    const alwaysTaken: LinkStore = {
      create: (link: Omit<Link, "hits">) => Promise.reject(new CodeTakenError(link.code)),
      get: async () => undefined,
      hit: async () => undefined,
    };
    const res = await request(appWith({ store: alwaysTaken }))
      .post("/links")
      .send({ url: "https://x.example/" });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("code_space_busy");
  });

  it("reports tier, instance, cold start, version, uptime and the scaler slot on /stack-status", async () => {
    let now = new Date("2026-11-22T10:00:00.000Z");
    const app = appWith({ clock: () => now, instanceId: "i-123", tier: "lambda" });
    const first = await request(app).get("/stack-status");
    now = new Date("2026-11-22T10:01:30.000Z");
    const second = await request(app).get("/stack-status");
    expect(first.body).toEqual({
      tier: "lambda",
      instanceId: "i-123",
      coldStart: true,
      version: "1.2.3",
      uptimeSeconds: 0,
      scaler: null,
    });
    expect(second.body).toMatchObject({ coldStart: false, uptimeSeconds: 90 });
  });

  it("shows the scaler's last decision, and survives its store failing", async () => {
    const status = {
      state: "serving",
      decision: "commit serving",
      reason: "2 healthy hosts",
      at: "2026-11-22T09:59:00Z",
    };
    const ok = await request(appWith({ scalerStatus: async () => status })).get("/stack-status");
    expect(ok.body.scaler).toEqual(status);
    const failing = await request(appWith({ scalerStatus: () => Promise.reject(new Error("ssm down")) })).get(
      "/stack-status",
    );
    expect(failing.status).toBe(200);
    expect(failing.body.scaler).toBeNull();
  });

  it("serves an OpenAPI 3 document that lists every route and method", async () => {
    const res = await request(appWith()).get("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const ops = Object.entries(res.body.paths as Record<string, object>).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(ops.sort()).toEqual(
      [
        "GET /healthz",
        "GET /stack-status",
        "GET /openapi.json",
        "GET /docs",
        "POST /links",
        "GET /links/{code}",
        "GET /{code}",
      ].sort(),
    );
    // Every $ref must resolve inside the document.
    const refs = JSON.stringify(res.body).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of refs) expect(res.body.components.schemas[ref.split("/").pop()!]).toBeDefined();
  });

  it("sends the OpenAPI document as the same bytes with one strong ETag, and 304 to a client that holds them", async () => {
    const app = appWith();
    const first = await request(app).get("/openapi.json");
    const second = await request(app).get("/openapi.json");
    expect(first.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.text).toBe(first.text);
    expect(Number(first.headers["content-length"])).toBe(Buffer.byteLength(first.text));
    const head = await request(app).head("/openapi.json");
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe(first.headers["content-length"]);
    const notModified = await request(app).get("/openapi.json").set("If-None-Match", first.headers.etag!);
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe("");
    expect(notModified.headers.etag).toBe(first.headers.etag);
    const stale = await request(app).get("/openapi.json").set("If-None-Match", '"an-older-document"');
    expect(stale.status).toBe(200);
    expect(stale.text).toBe(first.text);
    // Another version is another document, with another ETag.
    const other = await request(appWith({ version: "1.2.4" })).get("/openapi.json");
    expect(other.headers.etag).not.toBe(first.headers.etag);
  });

  it("renders /docs as HTML with no external resources", async () => {
    const res = await request(appWith()).get("/docs");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/html/);
    expect(res.text).toContain("/links/{code}");
    expect(res.text).not.toMatch(/(src|href)="https?:/);
  });

  it("returns a JSON 500 with no stack trace and logs the error as JSON", async () => {
    const logged: Array<Record<string, unknown>> = [];
    const broken: LinkStore = {
      create: () => Promise.reject(new Error("dynamo exploded at line 42")),
      get: () => Promise.reject(new Error("dynamo exploded at line 42")),
      hit: () => Promise.reject(new Error("dynamo exploded at line 42")),
    };
    const res = await request(
      appWith({ store: broken, logger: (level, msg, f) => logged.push({ level, msg, ...f }) }),
    ).get("/links/abcdefg");
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: "internal", message: "internal server error" } });
    expect(res.text).not.toContain("line 42");
    expect(logged).toEqual([
      expect.objectContaining({
        level: "error",
        path: "/links/abcdefg",
        error: expect.objectContaining({ message: "dynamo exploded at line 42" }),
      }),
    ]);
  });
});

describe("service app bad input", () => {
  const cases: Array<{
    name: string;
    send: (app: ReturnType<typeof appWith>) => request.Test;
    status: number;
    code: string;
    message?: RegExp;
  }> = [
    {
      name: "malformed JSON",
      send: (a) => request(a).post("/links").set("content-type", "application/json").send('{"url": '),
      status: 400,
      code: "invalid_json",
    },
    {
      name: "a wrong content type",
      send: (a) => request(a).post("/links").set("content-type", "text/plain").send("https://x.example"),
      status: 415,
      code: "unsupported_media_type",
      message: /text\/plain/,
    },
    { name: "no content type", send: (a) => request(a).post("/links"), status: 415, code: "unsupported_media_type" },
    {
      name: "an oversized body",
      send: (a) =>
        request(a)
          .post("/links")
          .send({ url: "https://x.example/" + "a".repeat(9000) }),
      status: 413,
      code: "payload_too_large",
      message: /8192 bytes/,
    },
    { name: "a JSON array", send: (a) => request(a).post("/links").send([1, 2]), status: 400, code: "invalid_body" },
    {
      name: "a missing url",
      send: (a) => request(a).post("/links").send({}),
      status: 400,
      code: "invalid_link",
      message: /url is required/,
    },
    {
      name: "a non-string url",
      send: (a) => request(a).post("/links").send({ url: 42 }),
      status: 400,
      code: "invalid_link",
      message: /url must be a string/,
    },
    {
      name: "an invalid url",
      send: (a) => request(a).post("/links").send({ url: "not a url" }),
      status: 400,
      code: "invalid_link",
      message: /not a valid absolute URL/,
    },
    {
      name: "a javascript: url",
      send: (a) => request(a).post("/links").send({ url: "javascript:alert(1)" }),
      status: 400,
      code: "invalid_link",
      message: /scheme must be http or https, got javascript/,
    },
    {
      name: "an ftp url",
      send: (a) => request(a).post("/links").send({ url: "ftp://x.example/f" }),
      status: 400,
      code: "invalid_link",
      message: /got ftp/,
    },
    {
      name: "a url over the length limit",
      send: (a) =>
        request(a)
          .post("/links")
          .send({ url: "https://x.example/" + "a".repeat(2100) }),
      status: 400,
      code: "invalid_link",
      message: /at most 2048 characters/,
    },
    {
      name: "an unknown field",
      send: (a) => request(a).post("/links").send({ url: "https://x.example/", admin: true }),
      status: 400,
      code: "invalid_link",
      message: /admin unknown field/,
    },
    {
      name: "an unknown code on follow",
      send: (a) => request(a).get("/NOPE123"),
      status: 404,
      code: "link_not_found",
      message: /NOPE123/,
    },
    {
      name: "an unknown code on stats",
      send: (a) => request(a).get("/links/NOPE123"),
      status: 404,
      code: "link_not_found",
    },
    { name: "an unknown path", send: (a) => request(a).get("/a/b/c"), status: 404, code: "not_found" },
    {
      name: "a wrong method on /links",
      send: (a) => request(a).put("/links"),
      status: 405,
      code: "method_not_allowed",
      message: /use POST/,
    },
    {
      name: "a wrong method on /links/{code}",
      send: (a) => request(a).delete("/links/abc1234"),
      status: 405,
      code: "method_not_allowed",
      message: /use GET/,
    },
    {
      name: "a wrong method on /healthz",
      send: (a) => request(a).post("/healthz"),
      status: 405,
      code: "method_not_allowed",
    },
  ];

  it.each(cases)("answers $name with $status and a JSON error", async ({ send, status, code, message }) => {
    const res = await send(appWith());
    expect(res.status).toBe(status);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect(res.body.error.code).toBe(code);
    if (message) expect(res.body.error.message).toMatch(message);
  });

  it("names every problem field in details", async () => {
    const res = await request(appWith()).post("/links").send({ url: "ftp://x", extra: 1 });
    expect(res.body.error.details).toEqual([
      { field: "extra", problem: "unknown field" },
      { field: "url", problem: "scheme must be http or https, got ftp" },
    ]);
  });

  it("sends Allow with a 405", async () => {
    const res = await request(appWith()).patch("/links");
    expect(res.headers.allow).toBe("POST");
  });

  it("stores nothing when the input is rejected", async () => {
    const codes = ["REJECT1"];
    const app = appWith({ newCode: () => codes[0]! });
    await request(app).post("/links").send({ url: "ftp://x.example/" });
    expect((await request(app).get("/links/REJECT1")).status).toBe(404);
  });
});

describe("service app error bodies", () => {
  const MAX_ERROR_BYTES = 600;

  it("cuts a 10,000-character path in a 404 to a short message", async () => {
    const path = "/" + "a/".repeat(5000);
    const res = await request(appWith()).get(path);
    expect(res.status).toBe(404);
    expect(res.text.length).toBeLessThan(MAX_ERROR_BYTES);
    expect(res.body.error.message).toBe(`no route for GET /${"a/".repeat(31)}a... (10001 characters)`);
  });

  it("says where JSON is malformed without repeating the body", async () => {
    const res = await request(appWith())
      .post("/links")
      .set("content-type", "application/json")
      .send('{"url": \u0007<script>alert(1)</script>');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^request body is not valid JSON( \(at character \d+\))?$/);
    expect(res.text).not.toContain("script");
  });

  it("names a few unknown fields, escaped and cut, and counts the rest", async () => {
    const fields = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`\u001b[31m${"k".repeat(100)}${i}`, i]));
    const res = await request(appWith())
      .post("/links")
      .send({ url: "https://x.example/", ...fields });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain("\u001b"); // no raw escape byte
    expect(res.body.error.details).toHaveLength(6);
    expect(res.body.error.details[0]).toEqual({
      field: `\\u001b[31m${"k".repeat(59)}... (106 characters)`,
      problem: "unknown field",
    });
    expect(res.body.error.details[5]).toEqual({ field: "body", problem: "has 55 more unknown fields" });
    expect(res.body.error.message.length).toBeLessThanOrEqual(400);
  });

  it("cuts a long Content-Type in a 415", async () => {
    const res = await request(appWith())
      .post("/links")
      .set("content-type", "text/plain; x=" + "b".repeat(5000))
      .send("x");
    expect(res.status).toBe(415);
    expect(res.text.length).toBeLessThan(MAX_ERROR_BYTES);
  });
});
