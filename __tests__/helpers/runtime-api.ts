import { runEntrypoint, type Spawned } from "./processes";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";

/** What the runtime client posted back for one invocation. */
export interface InvocationResult {
  readonly kind: "response" | "error" | "init-error";
  readonly body: unknown;
}

/**
 * A minimal Lambda Runtime API (the endpoint Lambda gives a runtime at
 * AWS_LAMBDA_RUNTIME_API) on 127.0.0.1. `invoke` queues an event and resolves
 * with what the runtime client posts back, so the real handler runs through the
 * real aws-lambda-ric.
 */
export class FakeRuntimeApi {
  private readonly server: http.Server;
  private readonly queue: Array<{ id: string; event: unknown }> = [];
  private waiting: http.ServerResponse[] = [];
  private readonly pending = new Map<string, (r: InvocationResult) => void>();
  initError: unknown;

  constructor() {
    this.server = http.createServer((req, res) => this.route(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.waiting) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  invoke(event: unknown, timeoutMs = 15_000): Promise<InvocationResult> {
    const id = randomUUID();
    const result = new Promise<InvocationResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`invocation ${id} got no answer in ${timeoutMs} ms`)), timeoutMs);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    this.queue.push({ id, event });
    this.flush();
    return result;
  }

  private flush(): void {
    while (this.queue.length > 0 && this.waiting.length > 0) {
      const res = this.waiting.shift()!;
      const { id, event } = this.queue.shift()!;
      res.writeHead(200, {
        "content-type": "application/json",
        "lambda-runtime-aws-request-id": id,
        "lambda-runtime-deadline-ms": String(Date.now() + 30_000),
        "lambda-runtime-invoked-function-arn": "arn:aws:lambda:us-east-1:123456789012:function:lambdaflex-test",
        "lambda-runtime-trace-id": "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c;Parent=1;Sampled=0",
      });
      res.end(JSON.stringify(event));
    }
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const url = req.url ?? "";
      if (req.method === "GET" && url.endsWith("/runtime/invocation/next")) {
        this.waiting.push(res);
        this.flush();
        return;
      }
      const m = /\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      if (req.method === "POST" && m) {
        const id = decodeURIComponent(m[1]!);
        this.pending.get(id)?.({ kind: m[2] as "response" | "error", body: body ? JSON.parse(body) : undefined });
        this.pending.delete(id);
        res.writeHead(202).end();
        return;
      }
      if (req.method === "POST" && url.endsWith("/runtime/init/error")) {
        this.initError = body ? JSON.parse(body) : {};
        // Lambda fails the pending invocation with the init error (Runtime.InitError).
        for (const resolve of this.pending.values()) resolve({ kind: "init-error", body: this.initError });
        this.pending.clear();
        res.writeHead(202).end();
        return;
      }
      res.writeHead(404).end();
    });
  }
}

/** The variables Lambda sets for a function; the runtime client refuses to start without them. */
export const lambdaEnv = (runtimeApi: string): Record<string, string> => ({
  AWS_LAMBDA_RUNTIME_API: runtimeApi,
  AWS_LAMBDA_FUNCTION_NAME: "lambdaflex-test",
  AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
  AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/lambdaflex-test",
  AWS_LAMBDA_LOG_STREAM_NAME: "2026/11/22/[$LATEST]test",
  AWS_REGION: "us-east-1",
});

/**
 * entrypoint.sh with the real runtime client against a fake Runtime API for
 * the enclosing describe block: started before its tests, killed after.
 */
export function useLambdaRuntime(env: Record<string, string> = {}): {
  readonly api: () => FakeRuntimeApi;
  readonly runtime: () => Spawned;
} {
  let api: FakeRuntimeApi;
  let runtime: Spawned;
  beforeAll(async () => {
    api = new FakeRuntimeApi();
    runtime = runEntrypoint({ ...lambdaEnv(await api.start()), ...env });
  });
  afterAll(async () => {
    runtime.child.kill("SIGKILL");
    await runtime.exited;
    await api.stop();
  });
  return { api: () => api, runtime: () => runtime };
}
