/**
 * Service benchmarks, each against a baseline measured in the same run:
 *  1. container throughput (autocannon) on /healthz, on the same bytes through
 *     Koa's router (/healthz?via=koa) and on /openapi.json, each against a
 *     bare node:http server sending the bytes and headers the service sent
 *     for that path;
 *  2. serverless-http adapter overhead vs app.callback() on the same request.
 * The Lambda cold start has its own benchmark (bench/cold-start.ts).
 */
import { spawn } from "node:child_process";
import http from "node:http";
import { Socket } from "node:net";
import { join } from "node:path";
import autocannon from "autocannon";
import serverless from "serverless-http";
import { createApp } from "../service/app";
import { DynamoLinkStore } from "../service/store/dynamo-link-store";
import { localDynamoClient } from "../service/store/embedded-dynamo";
import { buildBundles } from "./bundles";
import { goal, median, quantile, round } from "./stats";
import { apiGatewayV2Event } from "../__tests__/helpers/fixtures";

const ROOT = join(__dirname, "..");

/** The paths loaded, with the goal each has against bare node:http (undefined: reported, no goal). */
export const THROUGHPUT_PATHS: ReadonlyArray<{ path: string; target?: number }> = [
  { path: "/healthz", target: 0.7 },
  // A query string skips the server's health-check fast path: the same bytes through Koa's router.
  { path: "/healthz?via=koa" },
  { path: "/openapi.json", target: 0.8 },
];

/** Headers Node's http server writes itself; every other header the service sent, the baseline sends too. */
const NODE_OWN_HEADERS = new Set(["date", "connection", "keep-alive", "transfer-encoding"]);

interface Captured {
  readonly headers: Record<string, string>;
  readonly body: string;
}

const capture = (port: number, path: string): Promise<Captured> =>
  new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          if (res.statusCode !== 200) return reject(new Error(`GET ${path} answered ${res.statusCode}`));
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (!NODE_OWN_HEADERS.has(k) && typeof v === "string") headers[k] = v;
          resolve({ headers, body: Buffer.concat(chunks).toString("utf8") });
        });
      })
      .on("error", reject);
  });

/** A bare node:http server answering each path (query ignored) with what the service sent for it: its headers and body, written in one `end`. */
const BARE_SOURCE = `const http=require("http");const routes=JSON.parse(process.env.BENCH_RESPONSES);
http.createServer((q,s)=>{const r=routes[q.url.split("?")[0]];if(!r){s.writeHead(404);s.end();return}s.writeHead(200,r.headers);s.end(r.body)})
.listen(0,"127.0.0.1",function(){console.log(JSON.stringify({port:this.address().port}))})`;

const listen = (child: ReturnType<typeof spawn>): Promise<number> =>
  new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /"port":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });

const load = async (port: number, seconds: number, path: string) => {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: 32, duration: seconds });
  return { requestsPerSec: result.requests.average, p99Ms: result.latency.p99, errors: result.errors + result.non2xx };
};

/** Interleaved rounds (baseline, then ours) per path so both see the same machine noise; the median ratio is reported. */
async function throughput(seconds: number, rounds: number) {
  const ours = spawn("sh", [join(ROOT, "entrypoint.sh")], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", NODE_NO_WARNINGS: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let bare: ReturnType<typeof spawn> | undefined;
  try {
    const ourPort = await listen(ours);
    const responses: Record<string, Captured> = {};
    for (const { path } of THROUGHPUT_PATHS) responses[path.split("?")[0]!] ??= await capture(ourPort, path);
    bare = spawn(process.execPath, ["-e", BARE_SOURCE], {
      env: { ...process.env, BENCH_RESPONSES: JSON.stringify(responses) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const barePort = await listen(bare);
    await load(barePort, 2, "/healthz"); // warm both up (JIT), then alternate
    await load(ourPort, 2, "/healthz");
    const byPath: Record<string, unknown> = {};
    for (const { path, target } of THROUGHPUT_PATHS) {
      const measured: Array<{ baseline: number; service: number; ratio: number; errors: number }> = [];
      for (let i = 0; i < rounds; i++) {
        const baseline = await load(barePort, seconds, path);
        const service = await load(ourPort, seconds, path);
        measured.push({
          baseline: round(baseline.requestsPerSec, 0),
          service: round(service.requestsPerSec, 0),
          ratio: round(service.requestsPerSec / baseline.requestsPerSec),
          errors: baseline.errors + service.errors,
        });
      }
      const ratio = median(measured.map((m) => m.ratio));
      byPath[path] = {
        bytes: Buffer.byteLength(responses[path.split("?")[0]!]!.body),
        rounds: measured,
        baselineMedianRps: round(median(measured.map((m) => m.baseline)), 0),
        serviceMedianRps: round(median(measured.map((m) => m.service)), 0),
        errors: measured.reduce((n, m) => n + m.errors, 0),
        ratio:
          target === undefined
            ? round(ratio)
            : goal(ratio, "x bare node:http (median of paired rounds)", `>= ${target}`, ratio >= target),
      };
    }
    return { connections: 32, secondsPerRound: seconds, paths: byPath };
  } finally {
    bare?.kill("SIGKILL");
    ours.kill("SIGTERM");
  }
}

async function adapterOverhead(iterations: number) {
  // The store is never called on /healthz; the client points nowhere on purpose.
  const app = createApp({
    store: new DynamoLinkStore("unused", localDynamoClient("http://127.0.0.1:9")),
    tier: "lambda",
    version: "bench",
  });
  const handler = serverless(app);
  const callback = app.callback();
  const event = apiGatewayV2Event({ method: "GET", path: "/healthz" });
  const direct = () =>
    new Promise<void>((resolve) => {
      const req = new http.IncomingMessage(new Socket());
      req.method = "GET";
      req.url = "/healthz";
      req.headers = { ...(event.headers as Record<string, string>) };
      req.push(null);
      const res = new http.ServerResponse(req);
      // The same kind of write-only fake socket serverless-http gives its response.
      res.assignSocket({
        _writableState: {},
        writable: true,
        on: () => undefined,
        removeListener: () => undefined,
        destroy: () => undefined,
        cork: () => undefined,
        uncork: () => undefined,
        write: (_data: unknown, _enc: unknown, cb?: () => void) => {
          if (typeof cb === "function") cb();
          return true;
        },
      } as unknown as Socket);
      res.on("finish", () => resolve());
      void callback(req, res);
    });
  const viaAdapter = () => handler(event as never, {} as never) as Promise<unknown>;
  const time = async (fn: () => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      await fn();
      samples.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    return samples;
  };
  await time(direct);
  await time(viaAdapter);
  const directUs = await time(direct);
  const adapterUs = await time(viaAdapter);
  const added = median(adapterUs) - median(directUs);
  return {
    iterations,
    directP50Us: round(median(directUs)),
    adapterP50Us: round(median(adapterUs)),
    directP99Us: round(quantile(directUs, 0.99)),
    adapterP99Us: round(quantile(adapterUs, 0.99)),
    ratio: round(median(adapterUs) / median(directUs)),
    addedP50: goal(added, "microseconds", "<= 100", added <= 100),
  };
}

/** Runs the service benchmarks on freshly built bundles. `quick` shortens them for a smoke run. */
export async function benchService(quick = false): Promise<Record<string, unknown>> {
  buildBundles();
  return {
    containerThroughput: await throughput(quick ? 2 : 3, quick ? 3 : 7),
    lambdaAdapterOverhead: await adapterOverhead(quick ? 500 : 5000),
  };
}
