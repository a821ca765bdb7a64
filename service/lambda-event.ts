import { echo } from "./echo";

/**
 * A Lambda event that is not an HTTP request this function serves. Thrown
 * from the handler, so the invocation fails (an async sender retries, then
 * dead-letters) and the runtime logs it once as "Invoke Error".
 */
export class UnsupportedEventError extends Error {
  override readonly name = "UnsupportedEventError";

  constructor(message: string) {
    super(message);
    // The runtime sends any stack to the invoker as the error's trace; ours says nothing about the sender.
    delete (this as { stack?: string }).stack;
  }
}

/** Returns undefined when the value is acceptable, else what it was instead, e.g. "a string at key accept". */
type Validate = (v: unknown) => string | undefined;
type Check = readonly [path: string, validate: Validate, expected: string];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const kindOf = (v: unknown): string => {
  if (v === null || v === undefined) return String(v);
  const kind = Array.isArray(v) ? "array" : typeof v;
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
};

const ofType =
  (type: "string" | "boolean"): Validate =>
  (v) =>
    typeof v === type ? undefined : kindOf(v);
const object: Validate = (v) => (isObject(v) ? undefined : kindOf(v));
// serverless-http treats a missing or null optional field as empty.
const optional =
  (validate: Validate): Validate =>
  (v) =>
    v === undefined || v === null ? undefined : validate(v);
const recordOf =
  (validate: Validate): Validate =>
  (v) => {
    if (!isObject(v)) return kindOf(v);
    for (const [key, value] of Object.entries(v)) {
      const wrong = validate(value);
      if (wrong) return `${wrong} at key ${echo(key, 32)}`;
    }
    return undefined;
  };
const arrayOf =
  (validate: Validate): Validate =>
  (v) => {
    if (!Array.isArray(v)) return kindOf(v);
    const i = v.findIndex((item) => validate(item) !== undefined);
    return i < 0 ? undefined : `${validate(v[i])} at index ${i}`;
  };
const string = ofType("string");

/** What serverless-http reads from an API Gateway HTTP API or function URL event (payload format 2.0; same shape). */
const HTTP_API_FIELDS: ReadonlyArray<Check> = [
  ["requestContext", object, "an object"],
  ["requestContext.http", object, "an object"],
  ["requestContext.http.method", string, "a string"],
  ["rawPath", string, "a string"],
  ["rawQueryString", optional(string), "a string"],
  ["headers", optional(recordOf(string)), "an object of strings"],
  ["cookies", optional(arrayOf(string)), "an array of strings"],
  ["body", optional(string), "a string"],
  ["isBase64Encoded", optional(ofType("boolean")), "a boolean"],
];

/** What serverless-http reads from an Application Load Balancer target event. */
const ALB_FIELDS: ReadonlyArray<Check> = [
  // AWS always sends the target group's ARN here; anything else is not an ALB's event.
  ["requestContext.elb", object, "an object"],
  ["requestContext.elb.targetGroupArn", string, "a string"],
  ["httpMethod", string, "a string"],
  ["path", string, "a string"],
  ["headers", optional(recordOf(string)), "an object of strings"],
  ["multiValueHeaders", optional(recordOf(arrayOf(string))), "an object of string arrays"],
  ["queryStringParameters", optional(recordOf(string)), "an object of strings"],
  ["multiValueQueryStringParameters", optional(recordOf(arrayOf(string))), "an object of string arrays"],
  ["body", optional(string), "a string"],
  ["isBase64Encoded", optional(ofType("boolean")), "a boolean"],
];

const at = (event: Record<string, unknown>, path: string): unknown =>
  path.split(".").reduce<unknown>((v, key) => (isObject(v) ? v[key] : undefined), event);

function checkFields(
  event: Record<string, unknown>,
  fields: ReadonlyArray<Check>,
  source: string,
  pathField: "rawPath" | "path",
): void {
  for (const [path, validate, expected] of fields) {
    const wrong = validate(at(event, path));
    if (wrong) throw new UnsupportedEventError(`${source} event field ${path} must be ${expected}, got ${wrong}`);
  }
  // serverless-http serves `requestPath || rawPath` (`requestPath || path` for ALB). No AWS
  // service sends requestPath, so one that names another path than the request's is refused
  // rather than letting it pick the route (rawPath /healthz served as /links/zzz).
  const requestPath = event.requestPath;
  if (requestPath !== undefined && requestPath !== null && requestPath !== event[pathField]) {
    const got = typeof requestPath === "string" ? `"${echo(requestPath)}"` : kindOf(requestPath);
    throw new UnsupportedEventError(
      `${source} event field requestPath must be absent or equal ${pathField} "${echo(event[pathField] as string)}", got ${got}`,
    );
  }
}

const EXPECTED = "an HTTP request event (API Gateway HTTP API payload 2.0, function URL or ALB)";

/** Names what a non-HTTP event looks like, so the log says who sent it. */
function describe(event: Record<string, unknown>): string {
  const record = Array.isArray(event.Records) && isObject(event.Records[0]) ? event.Records[0] : undefined;
  const recordSource = record?.EventSource ?? record?.eventSource;
  if (typeof recordSource === "string") return `an event from ${echo(recordSource)}`;
  if (typeof event.source === "string" && "detail-type" in event)
    return `an EventBridge event from ${echo(event.source)}`;
  if (typeof event.httpMethod === "string")
    return "an API Gateway payload format 1.0 event; configure the integration with payload format 2.0";
  const keys = Object.keys(event);
  if (keys.length === 0) return "an empty object";
  return `an object with fields ${keys
    .slice(0, 5)
    .map((k) => echo(k, 32))
    .join(", ")}${keys.length > 5 ? ", ..." : ""}`;
}

/**
 * Throws UnsupportedEventError, naming the first thing wrong, unless the
 * event is an HTTP request from API Gateway HTTP API or a function URL
 * (payload format 2.0) or from an ALB. Checked before serverless-http sees
 * the event: it would serve `{}` as `GET /` and crash on a string.
 */
export function assertHttpEvent(event: unknown): void {
  if (!isObject(event)) throw new UnsupportedEventError(`expected ${EXPECTED}, got ${kindOf(event)}`);
  // Any requestContext.elb makes serverless-http treat the event as an ALB's, so any is checked as one.
  if (isObject(event.requestContext) && "elb" in event.requestContext)
    return checkFields(event, ALB_FIELDS, "ALB", "path");
  if (event.version === "2.0") return checkFields(event, HTTP_API_FIELDS, "HTTP API", "rawPath");
  throw new UnsupportedEventError(`expected ${EXPECTED}, got ${describe(event)}`);
}
