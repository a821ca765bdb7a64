import { apiGatewayV2Event, albEvent, awsEvent, fromLambdaResponse } from "../helpers/fixtures";
import { runEntrypoint } from "../helpers/processes";
import { FakeRuntimeApi, lambdaEnv, useLambdaRuntime } from "../helpers/runtime-api";

// entrypoint.sh -> aws-lambda-ric (real, native client) -> dist/lambda.mjs -> Koa app.
describe("entrypoint.sh in Lambda mode", () => {
  const lambda = useLambdaRuntime();

  const call = async (event: unknown) => {
    const result = await lambda.api().invoke(event);
    expect(result.kind).toBe("response");
    return fromLambdaResponse(result.body);
  };

  it("answers the first /stack-status as a cold start on the lambda tier, the second as warm", async () => {
    const first = await call(apiGatewayV2Event({ method: "GET", path: "/stack-status" }));
    const second = await call(apiGatewayV2Event({ method: "GET", path: "/stack-status" }));
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toMatchObject({ tier: "lambda", coldStart: true });
    expect(JSON.parse(second.body)).toMatchObject({
      tier: "lambda",
      coldStart: false,
      instanceId: JSON.parse(first.body).instanceId,
    });
  });

  it.each(["apigw-v2-request-no-authorizer", "apigw-v2-request-jwt-authorizer", "apigw-v2-request-lambda-authorizer"])(
    "turns the unmodified %s fixture into a JSON 404 for its path",
    async (name) => {
      const event = awsEvent<{ rawPath: string }>(name);
      const res = await call(event);
      expect(res.status).toBe(404);
      expect(res.headers["content-type"]).toMatch(/application\/json/);
      expect(JSON.parse(res.body).error.message).toBe(`no route for GET ${event.rawPath}`);
    },
  );

  it("answers the unmodified ALB fixture in the ALB response shape (multi-value headers)", async () => {
    const result = await lambda.api().invoke(awsEvent("alb-lambda-target-request-multivalue-headers"));
    const body = result.body as { statusCode: number; multiValueHeaders: Record<string, string[]> };
    expect(body.statusCode).toBe(404);
    expect(body.multiValueHeaders["content-type"]).toEqual(["application/json; charset=utf-8"]);
  });

  it("serves /healthz behind the ALB", async () => {
    const res = await call(albEvent({ method: "GET", path: "/healthz" }));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: "ok" });
  });

  it("creates, follows and reads a link through API Gateway events", async () => {
    const created = await call(
      apiGatewayV2Event({
        method: "POST",
        path: "/links",
        headers: { "content-type": "application/json" },
        body: '{"url":"https://aws.example/x"}',
      }),
    );
    expect(created.status).toBe(201);
    const { code } = JSON.parse(created.body);
    const follow = await call(apiGatewayV2Event({ method: "GET", path: `/${code}` }));
    expect(follow.status).toBe(302);
    expect(follow.headers.location).toBe("https://aws.example/x");
    const stats = await call(apiGatewayV2Event({ method: "GET", path: `/links/${code}` }));
    expect(JSON.parse(stats.body)).toMatchObject({ code, hits: 1 });
  });

  it("returns a 413 for an oversized body instead of failing the invocation", async () => {
    const big = JSON.stringify({ url: "https://x.example/" + "a".repeat(10_000) });
    const res = await call(
      apiGatewayV2Event({ method: "POST", path: "/links", headers: { "content-type": "application/json" }, body: big }),
    );
    expect(res.status).toBe(413);
  });
});

describe("entrypoint.sh in Lambda mode with a broken configuration", () => {
  it("fails init and reports the missing variable by name", async () => {
    const api = new FakeRuntimeApi();
    const runtime = runEntrypoint({ ...lambdaEnv(await api.start()), LAMBDAFLEX_STORE: "dynamodb" });
    try {
      const result = await api.invoke(apiGatewayV2Event({ method: "GET", path: "/healthz" }));
      expect(result.kind).toBe("init-error");
      expect((result.body as { errorMessage: string }).errorMessage).toContain("TABLE_NAME must be set");
      expect(await runtime.exited).not.toBe(0);
    } finally {
      runtime.child.kill("SIGKILL");
      await runtime.exited;
      await api.stop();
    }
  });
});
