import serverless from "serverless-http";
import { serviceConfigFromEnv } from "./config";
import { assertHttpEvent } from "./lambda-event";
import { jsonLogger } from "../model/log";
import { buildRuntime } from "./runtime";

type Handler = ReturnType<typeof serverless>;

const logger = jsonLogger();

// Built during Lambda's init phase (module load), which is not billed at the
// invocation's pace and overlaps the cold start; a failure surfaces on the first invoke.
const ready: Promise<Handler> = buildRuntime(serviceConfigFromEnv(process.env, "lambda"), logger).then((rt) =>
  serverless(rt.app),
);
ready.catch((err: Error) => logger("error", "service init failed", { error: err.message }));

/**
 * Lambda entry point for API Gateway HTTP API (payload 2.0), function URL and
 * ALB events. Any other event fails the invocation with UnsupportedEventError
 * (no stack), which the runtime logs once.
 */
export const handler = async (event: unknown, context: unknown): Promise<unknown> => {
  assertHttpEvent(event);
  const h = await ready;
  return h(event as Parameters<Handler>[0], context as Parameters<Handler>[1]);
};
