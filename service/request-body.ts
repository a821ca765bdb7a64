import type { IncomingMessage } from "node:http";
import type { Context } from "koa";
import { echo } from "./echo";
import { ClientAbortedError, HttpError } from "./errors";

// JSON is UTF-8 (RFC 8259 §8.1); `utf8` is the alias clients commonly send.
const UTF8_NAMES = new Set(["utf-8", "utf8"]);
// fatal: invalid bytes are an error, not U+FFFD stored in a link. The decoder drops a leading BOM.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * True while body bytes the client declared have not all arrived. A response
 * sent then should close the connection: keeping it open would make Node read
 * and discard the rest of the body, however large it was declared.
 * Lambda requests are always complete.
 */
export function bodyStillArriving(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  const declared = req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
  return declared && !req.complete;
}

const tooLarge = (limitBytes: number) =>
  new HttpError(413, "payload_too_large", `request body exceeds the limit of ${limitBytes} bytes`);

/**
 * Reads a JSON body with a size limit. Rejects a wrong content type or a
 * charset other than UTF-8 (415), an oversized body (413, before reading when
 * Content-Length says so), bytes that are not UTF-8 and malformed JSON (400).
 * A UTF-8 byte order mark is tolerated.
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  if (!ctx.is("application/json")) {
    const got = ctx.get("content-type") || "none";
    throw new HttpError(415, "unsupported_media_type", `Content-Type must be application/json, got ${echo(got)}`);
  }
  const charset = ctx.request.charset.toLowerCase();
  if (charset && !UTF8_NAMES.has(charset)) {
    throw new HttpError(415, "unsupported_charset", `Content-Type charset must be utf-8, got ${echo(charset)}`);
  }
  if (Number(ctx.get("content-length") || "0") > limitBytes) throw tooLarge(limitBytes);
  const bytes = await readBytes(ctx.req, limitBytes);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new HttpError(400, "invalid_encoding", "request body is not valid UTF-8; send JSON encoded as UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    // The parser's own message quotes the body; only the position is passed on.
    const at = /at position (\d+)/.exec((err as Error).message)?.[1];
    throw new HttpError(400, "invalid_json", `request body is not valid JSON${at ? ` (at character ${at})` : ""}`);
  }
}

/**
 * Collects the body with listeners rather than `for await`: leaving an async
 * iterator early destroys the request and its socket, and the 413 would never
 * reach the client.
 */
function readBytes(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (finish: () => void) => {
      req.off("data", onData).off("end", onEnd).off("error", onGone).off("close", onGone);
      finish();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      req.pause(); // stop reading; the response closes the connection (see bodyStillArriving)
      settle(() => reject(tooLarge(limitBytes)));
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks)));
    const onGone = () => settle(() => reject(new ClientAbortedError(received)));
    req.on("data", onData).on("end", onEnd).on("error", onGone).on("close", onGone);
  });
}
