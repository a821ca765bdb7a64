/**
 * Cold start as Lambda sees it: from spawning `entrypoint.sh` in Lambda mode
 * (the real aws-lambda-ric runtime client, which loads the handler with
 * `import()`, under the image's environment and NODE_OPTIONS) to the runtime
 * posting the response to the first invocation, a real API Gateway event
 * fixture. The baseline is an empty handler started the same way in the same
 * run, runs interleaved so both see the same machine noise.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { awsEvent } from "../__tests__/helpers/fixtures";
import { FakeRuntimeApi, lambdaEnv } from "../__tests__/helpers/runtime-api";
import type { Progress } from "../scripts/progress";
import { buildBundles } from "./bundles";
import { goal, median, quantile, round } from "./stats";

const ROOT = join(__dirname, "..");
/** The event of the one invocation: an unmodified API Gateway HTTP API fixture. */
export const EVENT_FIXTURE = "apigw-v2-request-no-authorizer";
/** The handlers, as the image's CMD names them, relative to the repository (the runtime resolves them against LAMBDA_TASK_ROOT). */
export const SERVICE_HANDLER = "dist/lambda.handler";
export const EMPTY_HANDLER = "bench/fixtures/empty-handler/index.handler";

/**
 * The `ENV` instructions of the Dockerfile's last stage (the image that runs),
 * so the benchmark runs with whatever NODE_OPTIONS the image sets today.
 */
export function imageEnvironment(dockerfile: string): Record<string, string> {
  const stages = dockerfile.replace(/\\\r?\n/g, " ").split(/^FROM\s/m);
  const env: Record<string, string> = {};
  for (const line of stages[stages.length - 1]!.split(/\r?\n/)) {
    const m = /^\s*ENV\s+(.*)$/.exec(line);
    if (!m) continue;
    for (const pair of m[1]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const raw = pair[2]!;
      env[pair[1]!] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    }
  }
  return env;
}

/**
 * CPU time a process has used so far, all its threads, in ms (Linux's
 * /proc/PID/task/TID/schedstat); undefined elsewhere. Less noisy than wall
 * time on a shared machine, so it is reported beside it.
 */
export function cpuMsOf(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

/** One cold start: spawn to the first response posted; the child is killed afterwards. */
export async function coldStartOnce(
  handler: string,
  env: Record<string, string>,
  event: unknown,
): Promise<{ ms: number; cpuMs?: number; response: unknown }> {
  const api = new FakeRuntimeApi();
  const address = await api.start();
  const answered = api.invoke(event, 30_000);
  const t0 = process.hrtime.bigint();
  const child = spawn("sh", [join(ROOT, "entrypoint.sh"), handler], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env, ...lambdaEnv(address) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  try {
    const result = await answered;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpuMs = cpuMsOf(child.pid!);
    if (result.kind !== "response")
      throw new Error(`${handler}: ${result.kind} ${JSON.stringify(result.body)}\n${stderr}`);
    return { ms, cpuMs, response: result.body };
  } catch (err) {
    throw new Error(`${handler}: ${(err as Error).message}\n${stderr}`);
  } finally {
    child.kill("SIGKILL");
    await exited;
    await api.stop();
  }
}

/** The handler's files a cold start reads: lambda.mjs and the chunks it imports statically (not those it may import later). */
export function loadedFiles(dir: string, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(join(dir, file), "utf8").matchAll(
      /(?:^|[;}\s])(?:import|export)\s*(?:[^"'();]*?\bfrom\s*)?["']\.\/([^"']+)["']/g,
    ))
      visit(m[1]!);
  };
  visit(entry);
  return [...seen];
}

/** Median, p90 and CPU median of one series. */
const summary = (xs: ReadonlyArray<{ ms: number; cpuMs?: number }>) => {
  const cpu = xs.map((x) => x.cpuMs).filter((x): x is number => x !== undefined);
  return {
    medianMs: round(median(xs.map((x) => x.ms))),
    p90Ms: round(
      quantile(
        xs.map((x) => x.ms),
        0.9,
      ),
    ),
    cpuMedianMs: cpu.length === xs.length ? round(median(cpu)) : null,
  };
};

export async function benchColdStart(quick = false, progress?: Progress): Promise<Record<string, unknown>> {
  buildBundles();
  const runs = quick ? 3 : 15;
  const image = imageEnvironment(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
  // What the core stack sets on the function (stacks/core/lambda-service.ts); credentials as Lambda provides them.
  const env = {
    ...image,
    LAMBDAFLEX_STORE: "dynamodb",
    TABLE_NAME: "lambdaflex-links",
    LAMBDAFLEX_TIER: "lambda",
    LAMBDAFLEX_VERSION: "bench",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_SESSION_TOKEN: "bench",
  };
  const nodeOptions = image.NODE_OPTIONS ?? "";
  // The same service with Node mapping stacks itself, to show what that flag costs.
  const withSourceMaps = {
    ...env,
    NODE_OPTIONS: nodeOptions.includes("--enable-source-maps")
      ? nodeOptions
      : `${nodeOptions} --enable-source-maps`.trim(),
  };
  const event = awsEvent(EVENT_FIXTURE);
  // One of each first, unmeasured: the file system cache, as on a warm Lambda host.
  await coldStartOnce(EMPTY_HANDLER, env, event);
  const first = await coldStartOnce(SERVICE_HANDLER, env, event);
  const status = (first.response as { statusCode?: number }).statusCode;
  if (status !== 404)
    throw new Error(
      `${SERVICE_HANDLER} answered ${EVENT_FIXTURE} with ${JSON.stringify(first.response)}, expected its 404`,
    );
  const empty = [];
  const service = [];
  const mapped = [];
  for (let i = 0; i < runs; i++) {
    progress?.(i, runs);
    empty.push(await coldStartOnce(EMPTY_HANDLER, env, event));
    service.push(await coldStartOnce(SERVICE_HANDLER, env, event));
    mapped.push(await coldStartOnce(SERVICE_HANDLER, withSourceMaps, event));
  }
  const over = median(service.map((s) => s.ms)) - median(empty.map((s) => s.ms));
  const cpuOver =
    service.every((s) => s.cpuMs !== undefined) && empty.every((s) => s.cpuMs !== undefined)
      ? round(median(service.map((s) => s.cpuMs!)) - median(empty.map((s) => s.cpuMs!)))
      : null;
  const dist = join(ROOT, "dist");
  const size = (files: string[]) => files.reduce((n, f) => n + statSync(join(dist, f)).size, 0);
  const loaded = size(loadedFiles(dist, "lambda.mjs"));
  const shipped = size(readdirSync(dist).filter((f) => /^lambda.*\.mjs$/.test(f)));
  return {
    runs,
    event: EVENT_FIXTURE,
    handler: SERVICE_HANDLER,
    nodeOptions,
    emptyHandler: summary(empty),
    service: summary(service),
    serviceWithEnableSourceMaps: {
      nodeOptions: withSourceMaps.NODE_OPTIONS,
      ...summary(mapped),
      overServiceMs: round(median(mapped.map((s) => s.ms)) - median(service.map((s) => s.ms))),
    },
    ratio: round(median(service.map((s) => s.ms)) / median(empty.map((s) => s.ms))),
    overEmptyHandler: goal(over, "ms (median, spawn to first response)", "<= 150", over <= 150),
    cpuOverEmptyHandlerMs: cpuOver,
    loadedAtColdStart: goal(
      loaded / 1024 / 1024,
      "MiB (lambda.mjs and the chunks it imports)",
      "<= 1.5",
      loaded <= 1.5 * 1024 * 1024,
    ),
    shippedMiB: round(shipped / 1024 / 1024),
  };
}
