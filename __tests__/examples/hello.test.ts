import http from "node:http";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { synthesize } from "../../scripts/synth";
import {
  albEvent,
  apiGatewayV2Event,
  awsEvent,
  fromLambdaResponse,
  type HttpAnswer,
  type HttpCall,
} from "../helpers/fixtures";
import { ROOT, runEntrypoint, type Spawned } from "../helpers/processes";
import { FakeRuntimeApi, lambdaEnv } from "../helpers/runtime-api";
import { decodeJsonencode, readStack, removeDir } from "../helpers/terraform";

// The contract, proven on a second app: examples/hello is synthesized with its own
// configuration, then run through entrypoint.sh in both modes with the environment
// the synthesized stacks give each tier, as its Dockerfile would run it.
const EXAMPLE = join(ROOT, "examples", "hello");
const config = loadDeploymentConfig(join(EXAMPLE, "lambdaflex.config.json"), {});
const dockerfile = readFileSync(join(EXAMPLE, "Dockerfile"), "utf8");
const runtimeStage = dockerfile.split(/^FROM /m).pop()!;
/** What Lambda passes entrypoint.sh as $1, and the server script server mode runs. */
const handler = JSON.parse(/^CMD (\[.*\])$/m.exec(runtimeStage)?.[1] ?? "[]")[0] as string;
const serverScript = /\bLAMBDAFLEX_SERVER=(\S+)/.exec(runtimeStage)?.[1] ?? "";

const out = mkdtempSync(join(tmpdir(), "lambdaflex-hello-"));
const dirs = synthesize(config, out);
afterAll(() => removeDir(out));
const core = readStack(dirs.core!);
const fargate = readStack(dirs.fargate!);
const lambdaFunction = (Object.values(core.resource.aws_lambda_function) as any[]).find(
  (f) => f.function_name === "hello-api",
);
// The tier's task definition is core's (the fargate stack only runs it).
const taskDefinition = Object.values(core.resource.aws_ecs_task_definition)[0] as any;
const [container] = decodeJsonencode(taskDefinition.container_definitions);
const healthPath: string = (Object.values(fargate.resource.aws_lb_target_group)[0] as any).health_check.path;

/** The synthesized variables the process can get here: references (table name, digest) are filled in by Terraform at apply time. */
const literal = (vars: Record<string, string>) =>
  Object.fromEntries(Object.entries(vars).filter(([, v]) => !v.includes("${")));
const lambdaVariables = literal(lambdaFunction.environment.variables);
const taskVariables = literal(
  Object.fromEntries(container.environment.map((v: { name: string; value: string }) => [v.name, v.value])),
);

describe("examples/hello, synthesized with its configuration", () => {
  it("health-checks app.healthPath, and the app answers it in both modes (below)", () => {
    expect(healthPath).toBe(config.app.healthPath);
  });

  it("gives app.environment to the Lambda function and the ECS task alike", () => {
    expect(config.app.environment).toEqual({ GREETING: "Hej" });
    expect(lambdaVariables).toMatchObject(config.app.environment);
    expect(taskVariables).toMatchObject(config.app.environment);
  });

  it("sizes both tiers from lambda.memoryMb, fargate.cpu and fargate.memoryMb", () => {
    expect([config.lambda.memoryMb, config.fargate.cpu, config.fargate.memoryMb]).toEqual([256, 256, 512]);
    expect(lambdaFunction.memory_size).toBe(config.lambda.memoryMb);
    expect(taskDefinition).toMatchObject({ cpu: String(config.fargate.cpu), memory: String(config.fargate.memoryMb) });
  });
});

describe("examples/hello/Dockerfile", () => {
  it("ends on the arm64 Lambda base image with only the example's bundle and entrypoint.sh, as a non-root user", () => {
    expect(runtimeStage).toMatch(/^--platform=linux\/arm64 public\.ecr\.aws\/lambda\/nodejs:22 /);
    expect([...runtimeStage.matchAll(/^COPY .*$/gm)].map((m) => m[0].split(" ").slice(-2)[0])).toEqual([
      "/src/dist/examples/hello/app.js",
      "entrypoint.sh",
    ]);
    expect(runtimeStage).toMatch(/^USER 10001:10001$/m);
    expect(runtimeStage).toContain('ENTRYPOINT ["/var/task/entrypoint.sh"]');
  });

  it("names a handler and a server script that the bundle provides", () => {
    expect([handler, serverScript]).toEqual(["dist/examples/hello/app.handler", "dist/examples/hello/app.js"]);
    expect(typeof require(join(ROOT, serverScript)).handler).toBe("function");
  });
});

/** One session: the health path, the routes, and each error. */
const SCRIPT: HttpCall[] = [
  { method: "GET", path: healthPath },
  { method: "GET", path: "/hello?name=Ada" },
  { method: "GET", path: "/hello" },
  {
    method: "POST",
    path: "/echo",
    headers: { "content-type": "application/json" },
    body: '{"n":[1,2.5,null],"s":"blåbær"}',
  },
  { method: "POST", path: "/echo", headers: { "content-type": "application/json" }, body: '{"n": ' },
  { method: "POST", path: "/echo", headers: { "content-type": "text/plain" }, body: "hi" },
  {
    method: "POST",
    path: "/echo",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ s: "x".repeat(9000) }),
  },
  { method: "GET", path: "/echo" },
  { method: "DELETE", path: "/hello" },
  { method: "GET", path: "/nope" },
];

type Sender = (call: HttpCall) => Promise<HttpAnswer>;

const line = (call: HttpCall, res: HttpAnswer) =>
  `${call.method} ${call.path} -> ${res.status} ${res.headers["content-type"] ?? "-"} allow=${res.headers.allow ?? "-"} cache=${res.headers["cache-control"] ?? "-"} ${res.body}`;

describe("examples/hello through entrypoint.sh in Lambda mode and in server mode", () => {
  let api: FakeRuntimeApi;
  let lambda: Spawned;
  let server: Spawned;
  let port = 0;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, serverScript)))
      throw new Error(`${serverScript} is missing; run \`npm run build\` first`);
    api = new FakeRuntimeApi();
    // Lambda passes the image's CMD as $1; _HANDLER is the same value by the other door entrypoint.sh reads.
    lambda = runEntrypoint({ ...lambdaEnv(await api.start()), ...lambdaVariables, _HANDLER: handler });
    // The Dockerfile's LAMBDAFLEX_SERVER and the task's variables; port 0 instead of the task's 8080.
    server = runEntrypoint({ LAMBDAFLEX_SERVER: serverScript, ...taskVariables, PORT: "0", HOST: "127.0.0.1" });
    port = (await server.waitForLog("listening")).port as number;
  });
  afterAll(async () => {
    lambda?.child.kill("SIGKILL");
    server?.child.kill("SIGKILL");
    await Promise.all([lambda?.exited, server?.exited]);
    await api?.stop();
  });

  const invoke = async (event: unknown): Promise<HttpAnswer> => {
    const result = await api.invoke(event);
    expect(result.kind).toBe("response");
    return fromLambdaResponse(result.body);
  };
  const viaApiGateway: Sender = (call) => invoke(apiGatewayV2Event(call));
  const viaAlbEvent: Sender = (call) => {
    const [path, query = ""] = call.path.split("?");
    const event = albEvent({ ...call, path: path! }) as { multiValueQueryStringParameters: Record<string, string[]> };
    for (const [k, v] of new URLSearchParams(query)) (event.multiValueQueryStringParameters[k] ??= []).push(v);
    return invoke(event);
  };
  const viaServer: Sender = (call) =>
    new Promise((resolve, reject) => {
      // A declared length: Node's client sends a GET body unframed otherwise (the server would answer 400).
      const headers = {
        ...call.headers,
        ...(call.body === undefined ? {} : { "content-length": String(Buffer.byteLength(call.body)) }),
      };
      const req = http.request(
        { host: "127.0.0.1", port, method: call.method, path: call.path, headers, agent: false },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (body += c));
          res.on("end", () =>
            resolve({ status: res.statusCode!, headers: res.headers as Record<string, string>, body }),
          );
        },
      );
      req.on("error", reject);
      req.end(call.body);
    });
  const transcript = async (send: Sender) => {
    const lines: string[] = [];
    for (const call of SCRIPT) lines.push(line(call, await send(call)));
    return lines;
  };

  it("answers the same statuses, headers and bodies as API Gateway and ALB events and as a server", async () => {
    const server = await transcript(viaServer);
    expect(await transcript(viaApiGateway)).toEqual(server);
    expect(await transcript(viaAlbEvent)).toEqual(server);
    expect(server.map((l) => l.split(" -> ")[1]!.slice(0, 3))).toEqual([
      "200",
      "200",
      "200",
      "200",
      "400",
      "415",
      "413",
      "405",
      "405",
      "404",
    ]);
    expect(server[0]).toBe(
      `GET ${healthPath} -> 200 application/json; charset=utf-8 allow=- cache=no-store {"status":"ok"}`,
    );
    // The greeting comes from app.environment, through each tier's synthesized variables.
    expect(server[1]).toContain('{"greeting":"Hej, Ada!"}');
    expect(server[3]).toContain('{"echo":{"n":[1,2.5,null],"s":"blåbær"}}');
    expect(server[7]).toContain("allow=POST");
  });

  it.each(["apigw-v2-request-no-authorizer", "apigw-v2-request-jwt-authorizer", "apigw-v2-request-lambda-authorizer"])(
    "answers the unmodified %s fixture as the server answers the same request",
    async (name) => {
      const event = awsEvent<{
        rawPath: string;
        rawQueryString: string;
        body?: string;
        requestContext: { http: { method: string } };
      }>(name);
      const call = {
        method: event.requestContext.http.method,
        path: `${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ""}`,
        body: event.body,
      };
      const [fromLambda, fromServer] = [await invoke(event), await viaServer(call)];
      expect(line(call, fromLambda)).toBe(line(call, fromServer));
      expect(fromLambda.status).toBe(404);
    },
  );

  it("answers the unmodified ALB fixture in the ALB shape, as the server answers it", async () => {
    const result = await api.invoke(awsEvent("alb-lambda-target-request-multivalue-headers"));
    const body = result.body as { statusCode: number; multiValueHeaders: Record<string, string[]> };
    expect(body.multiValueHeaders["content-type"]).toEqual(["application/json; charset=utf-8"]);
    const call = { method: "GET", path: "/?key=hello" };
    expect(line(call, fromLambdaResponse(body))).toBe(line(call, await viaServer(call)));
    expect(body.statusCode).toBe(404);
  });
});

describe("examples/hello in server mode on SIGTERM", () => {
  it("stops listening and exits 0", async () => {
    const proc = runEntrypoint({ LAMBDAFLEX_SERVER: serverScript, PORT: "0", HOST: "127.0.0.1" });
    await proc.waitForLog("listening");
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.lines.join("\n")).toContain('"msg":"shutting down"');
  });
});
