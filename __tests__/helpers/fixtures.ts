import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The shared folder that sits beside the checkout (CI clones main next to it). */
export const SHARED_DIR = process.env.LAMBDAFLEX_SHARED_DIR ?? join(__dirname, "..", "..", "..", "shared");

/** A real AWS event payload from ../shared/fixtures/aws-events, freshly parsed so tests can edit it. */
export function awsEvent<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(SHARED_DIR, "fixtures", "aws-events", `${name}.json`), "utf8")) as T;
}

export interface HttpCall {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Turns an HTTP call into an API Gateway HTTP API (v2) event, starting from the real fixture. */
export function apiGatewayV2Event(call: HttpCall): Record<string, unknown> {
  const event = awsEvent<Record<string, any>>("apigw-v2-request-no-authorizer");
  const [path, query = ""] = call.path.split("?");
  event.rawPath = path;
  event.rawQueryString = query;
  event.headers = { ...event.headers, ...(call.headers ?? {}) };
  if (call.body !== undefined) event.headers["content-length"] = String(Buffer.byteLength(call.body));
  event.requestContext.http.method = call.method;
  event.requestContext.http.path = path;
  event.body = call.body;
  event.isBase64Encoded = false;
  return event;
}

/** Turns an ALB target event into an HTTP call, starting from the real fixture. */
export function albEvent(call: HttpCall): Record<string, unknown> {
  const event = awsEvent<Record<string, any>>("alb-lambda-target-request-multivalue-headers");
  event.httpMethod = call.method;
  event.path = call.path;
  event.multiValueQueryStringParameters = {};
  for (const [k, v] of Object.entries(call.headers ?? {})) event.multiValueHeaders[k] = [v];
  event.body = call.body ?? "";
  return event;
}

/** Reads a Lambda proxy response (API Gateway v2 or ALB shape) as a plain HTTP answer. */
export function fromLambdaResponse(resp: any): HttpAnswer {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(resp.headers ?? {})) headers[k.toLowerCase()] = String(v);
  for (const [k, v] of Object.entries(resp.multiValueHeaders ?? {}))
    headers[k.toLowerCase()] = (v as string[]).join(", ");
  const body = resp.isBase64Encoded ? Buffer.from(resp.body, "base64").toString("utf8") : String(resp.body ?? "");
  return { status: resp.statusCode, headers, body };
}
