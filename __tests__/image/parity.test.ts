import { apiGatewayV2Event, fromLambdaResponse, type HttpAnswer, type HttpCall } from "../helpers/fixtures";
import { runEntrypoint, type Spawned } from "../helpers/processes";
import { FakeRuntimeApi, lambdaEnv } from "../helpers/runtime-api";
import {
  ensureLinksTable,
  localDynamoClient,
  startEmbeddedDynamo,
  type EmbeddedDynamo,
} from "../../service/store/embedded-dynamo";

const TABLE = "parity-links";

/** One scripted session: create, follow, stats, then the error cases. `$code` is the created code. */
const SCRIPT: HttpCall[] = [
  {
    method: "POST",
    path: "/links",
    headers: { "content-type": "application/json" },
    body: '{"url":"https://parity.example/p?q=1"}',
  },
  { method: "GET", path: "/$code" },
  { method: "GET", path: "/$code" },
  { method: "GET", path: "/links/$code" },
  { method: "POST", path: "/links", headers: { "content-type": "application/json" }, body: '{"url": ' },
  { method: "POST", path: "/links", headers: { "content-type": "text/plain" }, body: "https://x.example" },
  {
    method: "POST",
    path: "/links",
    headers: { "content-type": "application/json" },
    body: '{"url":"ftp://x.example"}',
  },
  {
    method: "POST",
    path: "/links",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: "https://x/" + "a".repeat(9000) }),
  },
  { method: "GET", path: "/links/NOSUCH1" },
  { method: "GET", path: "/NOSUCH1" },
  { method: "DELETE", path: "/links/$code" },
  { method: "GET", path: "/healthz" },
];

type Sender = (call: HttpCall) => Promise<HttpAnswer>;

/** Runs the script and returns what a client sees, with the random code and timestamps masked. */
async function runScript(send: Sender): Promise<{ transcript: string[]; code: string }> {
  let code = "";
  const transcript: string[] = [];
  for (const step of SCRIPT) {
    const call = {
      ...step,
      path: step.path.replace("$code", code),
      headers: { accept: "application/json", ...step.headers },
    };
    const res = await send(call);
    if (!code && res.status === 201) code = JSON.parse(res.body).code;
    const mask = (s: string) =>
      s
        .split(code || "\u0000")
        .join("<code>")
        .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>");
    transcript.push(
      mask(
        `${step.method} ${step.path} -> ${res.status} ${res.headers["content-type"] ?? ""} ${res.headers.location ?? ""} ${res.body}`,
      ),
    );
  }
  return { transcript, code };
}

describe("parity of Lambda mode and container mode on one store", () => {
  let dynamo: EmbeddedDynamo;
  let api: FakeRuntimeApi;
  let lambda: Spawned;
  let server: Spawned;
  let base = "";

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    await ensureLinksTable(localDynamoClient(dynamo.endpoint), TABLE);
    const store = {
      LAMBDAFLEX_STORE: "dynamodb",
      TABLE_NAME: TABLE,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: "us-east-1",
    };
    api = new FakeRuntimeApi();
    lambda = runEntrypoint({ ...lambdaEnv(await api.start()), ...store });
    server = runEntrypoint({ ...store, PORT: "0", HOST: "127.0.0.1" });
    base = `http://127.0.0.1:${(await server.waitForLog("listening")).port}`;
  });
  afterAll(async () => {
    lambda.child.kill("SIGKILL");
    server.child.kill("SIGTERM");
    await Promise.all([lambda.exited, server.exited]);
    await api.stop();
    await dynamo.close();
  });

  const viaLambda: Sender = async (call) => {
    const result = await api.invoke(apiGatewayV2Event(call));
    return fromLambdaResponse(result.body);
  };
  const viaServer: Sender = async (call) => {
    const res = await fetch(base + call.path, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      redirect: "manual",
    });
    return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  };

  it("gives the same statuses, headers that matter and bodies in both modes", async () => {
    const lambdaRun = await runScript(viaLambda);
    const serverRun = await runScript(viaServer);
    expect(lambdaRun.transcript).toEqual(serverRun.transcript);
    expect(lambdaRun.transcript.map((l) => l.split(" -> ")[1]!.slice(0, 3))).toEqual([
      "201",
      "302",
      "302",
      "200",
      "400",
      "415",
      "400",
      "413",
      "404",
      "404",
      "405",
      "200",
    ]);
  });

  it("shares state: a link made on one tier is followed and counted on the other", async () => {
    const made = await viaServer({
      method: "POST",
      path: "/links",
      headers: { "content-type": "application/json" },
      body: '{"url":"https://shared.example/"}',
    });
    const { code } = JSON.parse(made.body);
    expect((await viaLambda({ method: "GET", path: `/${code}` })).status).toBe(302);
    expect((await viaServer({ method: "GET", path: `/${code}` })).status).toBe(302);
    const stats = await viaLambda({ method: "GET", path: `/links/${code}` });
    expect(JSON.parse(stats.body).hits).toBe(2);
  });
});
