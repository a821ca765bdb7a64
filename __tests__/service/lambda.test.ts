import { readFileSync } from "node:fs";
import { join } from "node:path";
import { albEvent, apiGatewayV2Event, awsEvent, fromLambdaResponse } from "../helpers/fixtures";
import { useLinkStore } from "./test-store";

const TABLE = "links-lambda-test";
const links = useLinkStore(TABLE);

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
let handler: Handler;
const logged: string[] = [];

beforeAll(async () => {
  Object.assign(process.env, {
    LAMBDAFLEX_STORE: "dynamodb",
    TABLE_NAME: TABLE,
    DYNAMODB_ENDPOINT: links.endpoint(),
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
  });
  // The service's JSON logger writes to stdout; keep its lines for assertions.
  jest.spyOn(process.stdout, "write").mockImplementation((line) => (logged.push(String(line)), true));
  ({ handler } = await import("../../service/lambda"));
});
afterAll(() => jest.restoreAllMocks());
beforeEach(() => (logged.length = 0));

const CONTEXT = { awsRequestId: "test", functionName: "lambdaflex-test" };
const invoke = async (event: unknown) => fromLambdaResponse(await handler(event, CONTEXT));

/** A function URL request: payload format 2.0 on a lambda-url domain (AWS docs, "Invoking Lambda function URLs"). */
const functionUrlEvent = (path: string) => {
  const event = apiGatewayV2Event({ method: "GET", path }) as { requestContext: Record<string, unknown> };
  event.requestContext.domainName = "abcdefghij.lambda-url.us-east-1.on.aws";
  event.requestContext.domainPrefix = "abcdefghij";
  return event;
};

describe("Lambda handler accepts the HTTP events it is wired to", () => {
  it.each(["apigw-v2-request-no-authorizer", "apigw-v2-request-jwt-authorizer", "apigw-v2-request-lambda-authorizer"])(
    "answers the unmodified %s fixture for its path",
    async (name) => {
      const event = awsEvent<{ rawPath: string }>(name);
      const res = await invoke(event);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body).error.message).toBe(`no route for GET ${event.rawPath}`);
    },
  );

  it("answers the unmodified ALB fixture in the ALB shape", async () => {
    const raw = (await handler(awsEvent("alb-lambda-target-request-multivalue-headers"), CONTEXT)) as {
      statusCode: number;
      multiValueHeaders: object;
    };
    expect(raw.statusCode).toBe(404);
    expect(raw.multiValueHeaders).toHaveProperty("content-type", ["application/json; charset=utf-8"]);
  });

  it("serves ALB and function URL requests", async () => {
    expect((await invoke(albEvent({ method: "GET", path: "/healthz" }))).status).toBe(200);
    expect((await invoke(functionUrlEvent("/healthz"))).status).toBe(200);
  });

  it.each([
    ["apigw-v2-request-no-authorizer", "rawPath"],
    ["alb-lambda-target-request-multivalue-headers", "path"],
  ] as const)("serves the %s fixture when requestPath equals %s", async (name, pathField) => {
    const event = awsEvent<Record<string, unknown>>(name);
    event[pathField] = "/healthz";
    event.requestPath = "/healthz";
    const res = (await handler(event, CONTEXT)) as { statusCode: number };
    expect(res.statusCode).toBe(200);
  });

  it("answers a 100,000-character path with a short 404", async () => {
    const res = await invoke(apiGatewayV2Event({ method: "GET", path: "/" + "x".repeat(100_000) }));
    expect(res.status).toBe(404);
    expect(res.body.length).toBeLessThan(600);
  });
});

describe("Lambda handler rejects events that are not HTTP requests", () => {
  const withoutRequestContext = () => {
    const event = awsEvent<Record<string, unknown>>("apigw-v2-request-no-authorizer");
    delete event.requestContext;
    return event;
  };
  const albWithBadHeaders = () => {
    const event = awsEvent<{ multiValueHeaders: Record<string, unknown> }>(
      "alb-lambda-target-request-multivalue-headers",
    );
    event.multiValueHeaders.accept = "*/*";
    return event;
  };
  const albWithoutElb = () => {
    const event = awsEvent<{ requestContext: Record<string, unknown> }>("alb-lambda-target-request-multivalue-headers");
    delete event.requestContext.elb;
    return event;
  };
  /** A real fixture whose path is /healthz and whose requestPath names another route. */
  const withRequestPath = (name: string, pathField: "rawPath" | "path", requestPath: unknown) => () => {
    const event = awsEvent<Record<string, unknown>>(name);
    event[pathField] = "/healthz";
    event.requestPath = requestPath;
    return event;
  };
  const albWithElb = (elb: unknown) => () => {
    const event = awsEvent<{ requestContext: Record<string, unknown> }>("alb-lambda-target-request-multivalue-headers");
    event.requestContext.elb = elb;
    return event;
  };
  const scheduledEvent = () =>
    JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "eventbridge-scheduled-event.json"), "utf8"));
  const expected = "expected an HTTP request event (API Gateway HTTP API payload 2.0, function URL or ALB), got";

  const cases: Array<{ name: string; event: () => unknown; message: string }> = [
    { name: "a string", event: () => "GET /", message: `${expected} a string` },
    { name: "null", event: () => null, message: `${expected} null` },
    { name: "an empty object", event: () => ({}), message: `${expected} an empty object` },
    {
      name: "an SNS notification",
      event: () => awsEvent("cloudwatch-alarm-sns-payload-single-metric"),
      message: `${expected} an event from aws:sns`,
    },
    {
      name: "an EventBridge scheduled event",
      event: scheduledEvent,
      message: `${expected} an EventBridge event from aws.events`,
    },
    {
      name: "an HTTP API event without requestContext",
      event: withoutRequestContext,
      message: "HTTP API event field requestContext must be an object, got undefined",
    },
    {
      name: "an ALB event with a header that is not a list",
      event: albWithBadHeaders,
      message: "ALB event field multiValueHeaders must be an object of string arrays, got a string at key accept",
    },
    {
      name: "an HTTP API event whose requestPath is not its rawPath",
      event: withRequestPath("apigw-v2-request-no-authorizer", "rawPath", "/links/zzz"),
      message: 'HTTP API event field requestPath must be absent or equal rawPath "/healthz", got "/links/zzz"',
    },
    {
      name: "an HTTP API event (JWT authorizer) whose requestPath is empty",
      event: withRequestPath("apigw-v2-request-jwt-authorizer", "rawPath", ""),
      message: 'HTTP API event field requestPath must be absent or equal rawPath "/healthz", got ""',
    },
    {
      name: "an HTTP API event whose requestPath is a number",
      event: withRequestPath("apigw-v2-request-lambda-authorizer", "rawPath", 42),
      message: 'HTTP API event field requestPath must be absent or equal rawPath "/healthz", got a number',
    },
    {
      name: "an ALB event whose requestPath is not its path",
      event: withRequestPath("alb-lambda-target-request-multivalue-headers", "path", "/links/zzz"),
      message: 'ALB event field requestPath must be absent or equal path "/healthz", got "/links/zzz"',
    },
    {
      name: "an ALB event whose requestContext.elb is a string",
      event: albWithElb("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1"),
      message: "ALB event field requestContext.elb must be an object, got a string",
    },
    {
      name: "an ALB event whose requestContext.elb is null",
      event: albWithElb(null),
      message: "ALB event field requestContext.elb must be an object, got null",
    },
    {
      name: "an ALB event whose requestContext.elb is an array",
      event: albWithElb([]),
      message: "ALB event field requestContext.elb must be an object, got an array",
    },
    {
      name: "an ALB event whose requestContext.elb has no targetGroupArn",
      event: albWithElb({}),
      message: "ALB event field requestContext.elb.targetGroupArn must be a string, got undefined",
    },
    {
      name: "a payload 1.0 event",
      event: albWithoutElb,
      message: `${expected} an API Gateway payload format 1.0 event; configure the integration with payload format 2.0`,
    },
  ];

  it.each(cases)(
    "fails the invocation for $name with UnsupportedEventError and no stack",
    async ({ event, message }) => {
      const err = await handler(event(), CONTEXT).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).toMatchObject({ name: "UnsupportedEventError", message });
      expect(err?.stack).toBeUndefined();
      expect(logged).toEqual([]); // the runtime logs the failed invocation once; the app never saw it
    },
  );
});
