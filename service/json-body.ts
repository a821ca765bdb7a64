import type { Context } from "koa";

/**
 * Sets a JSON response: the bytes Koa would send for the object, set as a
 * string. Koa tests an object body against ReadableStream, Blob and fetch's
 * Response before serializing it, and the first mention of `Response` loads
 * Node's fetch implementation (undici): about 20 ms, paid by the first JSON
 * response of every Lambda cold start and never used after.
 */
export function jsonBody(ctx: Context, value: unknown): void {
  ctx.type = "application/json; charset=utf-8";
  ctx.body = JSON.stringify(value);
}
