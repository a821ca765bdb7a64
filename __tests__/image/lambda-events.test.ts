import { apiGatewayV2Event, awsEvent, fromLambdaResponse } from "../helpers/fixtures";
import { useLambdaRuntime } from "../helpers/runtime-api";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// entrypoint.sh -> aws-lambda-ric (real) -> dist/lambda.mjs: what the runtime logs and returns for a bad event.
describe("entrypoint.sh in Lambda mode with events that are not HTTP requests", () => {
  const lambda = useLambdaRuntime();

  it.each([
    ["a string", "GET /"],
    ["an empty object", {}],
    ["an SNS notification", awsEvent("cloudwatch-alarm-sns-payload-single-metric")],
  ])("fails the invocation for %s with one logged error and no stack", async (_, event) => {
    const before = lambda.runtime().lines.length;
    const result = await lambda.api().invoke(event);
    expect(result.kind).toBe("error");
    expect(result.body).toEqual({
      errorType: "UnsupportedEventError",
      errorMessage: expect.stringMatching(
        /^expected an HTTP request event \(API Gateway HTTP API payload 2\.0, function URL or ALB\), got /,
      ),
      trace: [],
    });
    for (
      let waited = 0;
      !lambda
        .runtime()
        .lines.slice(before)
        .some((l) => l.includes("UnsupportedEventError")) && waited < 3000;
      waited += 50
    )
      await sleep(50);
    await sleep(100); // a second line would arrive by now
    const logged = lambda.runtime().lines.slice(before);
    expect(logged.filter((l) => /error/i.test(l))).toEqual([expect.stringContaining("Invoke Error")]);
    expect(logged.join("\n")).not.toMatch(/\bat \S+ \(|\.js:\d+/); // no stack frame anywhere
  });

  it("still serves HTTP requests after rejecting one", async () => {
    const result = await lambda.api().invoke(apiGatewayV2Event({ method: "GET", path: "/healthz" }));
    expect(fromLambdaResponse(result.body).status).toBe(200);
  });
});
