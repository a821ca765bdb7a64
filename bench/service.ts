/**
 * Service benchmarks, each against a baseline measured in the same run:
 *  1. container throughput on /healthz vs a bare node:http server (autocannon);
 *  2. serverless-http adapter overhead vs app.callback() on the same request;
 *  3. cold init of the bundled Lambda handler vs an empty node process, and its size.
 */
import { spawn } from "node:child_process";
import http from "node:http";
import { Socket } from "node:net";
import { statSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import serverless from "serverless-http";
import { createApp } from "../service/app";
import { DynamoLinkStore } from "../service/store/dynamo-link-store";
import { localDynamoClient } from "../service/store/embedded-dynamo";
import { goal, median, quantile, round } from "./stats";
import { apiGatewayV2Event } from "../__tests__/helpers/fixtures";

const ROOT = join(__dirname, "..");
const HEALTHZ_BODY = JSON.stringify({ status: "ok" });

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

const load = async (port: number, seconds: number, path = "/healthz") => {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: 32, duration: seconds });
  return { requestsPerSec: result.requests.average, p99Ms: result.latency.p99, errors: result.errors + result.non2xx };
};

/** Interleaved rounds (baseline, then ours) so both see the same machine noise; the median ratio is reported. */
async function throughput(seconds: number, rounds: number) {
  const bareSource = `const http=require("http");const body=${JSON.stringify(HEALTHZ_BODY)};
http.createServer((q,s)=>{s.writeHead(200,{"content-type":"application/json; charset=utf-8","content-length":Buffer.byteLength(body),"cache-control":"no-store"});s.end(body)})
.listen(0,"127.0.0.1",function(){console.log(JSON.stringify({port:this.address().port}))})`;
  const bare = spawn(process.execPath, ["-e", bareSource], { stdio: ["ignore", "pipe", "inherit"] });
  const ours = spawn("sh", [join(ROOT, "entrypoint.sh")], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", NODE_NO_WARNINGS: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const [barePort, ourPort] = await Promise.all([listen(bare), listen(ours)]);
    await load(barePort, 2); // warm both up (JIT), then alternate
    await load(ourPort, 2);
    const measure = async (path: string) => {
      const measured: Array<{ baseline: number; service: number; ratio: number }> = [];
      for (let i = 0; i < rounds; i++) {
        const baseline = await load(barePort, seconds, path);
        const service = await load(ourPort, seconds, path);
        measured.push({ baseline: baseline.requestsPerSec, service: service.requestsPerSec, ratio: round(service.requestsPerSec / baseline.requestsPerSec) });
      }
      return { rounds: measured, baselineMedianRps: median(measured.map((m) => m.baseline)), serviceMedianRps: median(measured.map((m) => m.service)), ratio: median(measured.map((m) => m.ratio)) };
    };
    const healthz = await measure("/healthz");
    // A query string skips the server's health-check fast path: the same bytes through Koa's router.
    const viaKoa = await measure("/healthz?via=koa");
    return {
      ...healthz,
      ratio: goal(healthz.ratio, "x bare node:http (median of paired rounds)", ">= 0.7", healthz.ratio >= 0.7),
      throughKoaRoute: { ...viaKoa, ratio: round(viaKoa.ratio) },
    };
  } finally {
    bare.kill("SIGKILL");
    ours.kill("SIGTERM");
  }
}

async function adapterOverhead(iterations: number) {
  // The store is never called on /healthz; the client points nowhere on purpose.
  const app = createApp({ store: new DynamoLinkStore("unused", localDynamoClient("http://127.0.0.1:9")), tier: "lambda", version: "bench" });
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

const timeProcess = (args: string[], env: NodeJS.ProcessEnv): Promise<number> =>
  new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: "ignore" });
    child.on("exit", (code) =>
      code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`exit ${code}`)),
    );
  });

async function coldInit(runs: number) {
  const env = { ...process.env, LAMBDAFLEX_STORE: "dynamodb", TABLE_NAME: "bench", AWS_REGION: "us-east-1", NODE_NO_WARNINGS: "1" };
  const bundle = join(ROOT, "dist", "lambda.js");
  const empty: number[] = [];
  const loaded: number[] = [];
  for (let i = 0; i < runs; i++) {
    empty.push(await timeProcess(["-e", ""], env));
    loaded.push(await timeProcess(["-e", `require(${JSON.stringify(bundle)})`], env));
  }
  const initMs = median(loaded) - median(empty);
  const bytes = statSync(bundle).size;
  return {
    runs,
    emptyNodeMedianMs: round(median(empty)),
    withHandlerMedianMs: round(median(loaded)),
    ratio: round(median(loaded) / median(empty)),
    handlerInit: goal(initMs, "ms", "<= 150", initMs <= 150),
    bundleSize: goal(bytes / 1024 / 1024, "MiB", "<= 1.5", bytes <= 1.5 * 1024 * 1024),
  };
}

/** Runs the three service benchmarks. `quick` shortens them for a smoke run. */
export async function benchService(quick = false): Promise<Record<string, unknown>> {
  return {
    containerThroughput: await throughput(quick ? 2 : 3, quick ? 3 : 7),
    lambdaAdapterOverhead: await adapterOverhead(quick ? 500 : 5000),
    coldInit: await coldInit(10),
  };
}
