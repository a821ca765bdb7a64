/**
 * How many bytes CloudWatch Logs ingests per request, measured on example
 * events built from the stacks' own log settings: the HTTP API stage's
 * access-log format (stacks/core/http-api.ts) and the service function's JSON
 * log format (stacks/core/lambda-service.ts, `logFormat: "JSON"`). The
 * configuration's `workload` log sizes default to these figures, and
 * `__tests__/sim/log-bytes.test.ts` holds them to the synthesized core stack,
 * so a changed format or function name shows up as a failing test.
 */

/**
 * Bytes CloudWatch Logs counts per event beyond its message: PutLogEvents sizes a
 * batch as the events' UTF-8 bytes plus 26 each
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html).
 * We assume ingestion meters events the same way.
 */
export const LOG_EVENT_OVERHEAD_BYTES = 26;

/**
 * A typical value of each `$context` variable the access-log format may name,
 * for the URL shortener's most common request (a redirect). API Gateway writes
 * `-` for an empty value.
 */
export const EXAMPLE_ACCESS_LOG_VALUES: Readonly<Record<string, string>> = {
  "$context.requestId": "JyFbaiIIoAMEPFQ=", // HTTP API request ids: 16 characters
  "$context.identity.sourceIp": "203.0.113.195",
  "$context.httpMethod": "GET",
  "$context.path": "/Ab3dE9x", // a short link: "/" and a 7-character code (service/routes/links.ts)
  "$context.status": "302",
  "$context.responseLatency": "12",
  "$context.integrationErrorMessage": "-",
};

const bytes = (s: string): number => Buffer.byteLength(s, "utf8");

/** Bytes of one access-log event for `format` (the stage's `access_log_settings.format`), overhead included. */
export function accessLogEventBytes(
  format: string,
  values: Readonly<Record<string, string>> = EXAMPLE_ACCESS_LOG_VALUES,
): number {
  const line = format.replace(/\$context\.[A-Za-z.]+/g, (v) => {
    const value = values[v];
    if (value === undefined)
      throw new Error(`no example value for ${v} in the access-log format; add one to EXAMPLE_ACCESS_LOG_VALUES`);
    return value;
  });
  return bytes(line) + LOG_EVENT_OVERHEAD_BYTES;
}

/** Where the function runs, for the ARNs Lambda writes into its records. */
export interface FunctionIdentity {
  readonly functionName: string;
  readonly region: string;
  readonly memoryMb: number;
  /** A 12-digit account id (its length is what counts). @default "123456789012" */
  readonly accountId?: string;
}

const TIME = "2026-11-22T12:00:00.000Z";
const REQUEST_ID = "79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36";

/**
 * Lambda's JSON system records at the default INFO level, shaped as CloudWatch
 * receives them: `platform.start` and `platform.report` for every invocation,
 * `platform.initStart` (and `initDurationMs` in the report) on a cold start.
 * Record shapes: https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html
 * and https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html.
 */
export function platformRecords(f: FunctionIdentity): {
  start: string;
  report: string;
  initStart: string;
  initDuration: string;
} {
  const account = f.accountId ?? "123456789012";
  const start = {
    time: TIME,
    type: "platform.start",
    record: {
      requestId: REQUEST_ID,
      functionArn: `arn:aws:lambda:${f.region}:${account}:function:${f.functionName}`,
      version: "$LATEST",
    },
  };
  const report = {
    time: TIME,
    type: "platform.report",
    record: {
      requestId: REQUEST_ID,
      metrics: { durationMs: 101.374, billedDurationMs: 102, memorySizeMB: f.memoryMb, maxMemoryUsedMB: 118 },
      status: "success",
    },
  };
  const initStart = {
    time: TIME,
    type: "platform.initStart",
    record: {
      initializationType: "on-demand",
      phase: "init",
      runtimeVersion: "nodejs:22.mainline.v122",
      runtimeVersionArn: `arn:aws:lambda:${f.region}::runtime:${"0".repeat(64)}`,
      functionName: f.functionName,
      functionVersion: "$LATEST",
      instanceId: `2026/11/22/${f.functionName}[$LATEST]${"0".repeat(32)}`,
      instanceMaxMemory: f.memoryMb * 1024 * 1024,
    },
  };
  return {
    start: JSON.stringify(start),
    report: JSON.stringify(report),
    initStart: JSON.stringify(initStart),
    initDuration: ',"initDurationMs":463.512',
  };
}

/** Bytes of Lambda's records per invocation, and what a cold start adds, overheads included. */
export function platformLogBytes(f: FunctionIdentity): { perInvocation: number; perColdStart: number } {
  const r = platformRecords(f);
  return {
    perInvocation: bytes(r.start) + bytes(r.report) + 2 * LOG_EVENT_OVERHEAD_BYTES,
    perColdStart: bytes(r.initStart) + LOG_EVENT_OVERHEAD_BYTES + bytes(r.initDuration),
  };
}
