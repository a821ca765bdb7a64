import { randomBytes } from "node:crypto";
import type { Context } from "koa";
import { echo } from "../echo";
import { CodeTakenError, HttpError } from "../errors";
import { jsonBody } from "../json-body";
import { readJsonBody } from "../request-body";
import type { Route } from "../router";
import { checkTargetUrl } from "../target-url";
import type { Link, LinkStore } from "../store/link-store";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const CODE_LENGTH = 7;
/** Conditional-put attempts before giving up; at 62^7 codes a second attempt is already rare. */
export const MAX_CODE_ATTEMPTS = 5;

/** A random base62 code. Rejection sampling keeps every character equally likely. */
export function randomCode(): string {
  let out = "";
  while (out.length < CODE_LENGTH) {
    for (const byte of randomBytes(CODE_LENGTH * 2)) {
      if (byte < 248 && out.length < CODE_LENGTH) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

export interface LinkRouteDeps {
  readonly store: LinkStore;
  readonly clock: () => Date;
  readonly newCode: () => string;
  readonly maxBodyBytes: number;
  readonly maxUrlLength: number;
  /** Paths the service owns, so a generated code never shadows them. */
  readonly reserved: ReadonlySet<string>;
}

type Problem = { field: string; problem: string };

/** Unknown fields named one by one before the rest are only counted, so the error stays small. */
const UNKNOWN_FIELDS_SHOWN = 5;

/** Checks a create-link body; returns the normalised target URL or throws 400 with every problem. */
export function validateCreateLink(body: unknown, maxUrlLength: number): string {
  const problems: Problem[] = [];
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "invalid_body", 'request body must be a JSON object like {"url": "https://..."}');
  }
  const record = body as Record<string, unknown>;
  const unknownFields = Object.keys(record).filter((key) => key !== "url");
  for (const key of unknownFields.slice(0, UNKNOWN_FIELDS_SHOWN))
    problems.push({ field: echo(key), problem: "unknown field" });
  if (unknownFields.length > UNKNOWN_FIELDS_SHOWN) {
    problems.push({ field: "body", problem: `has ${unknownFields.length - UNKNOWN_FIELDS_SHOWN} more unknown fields` });
  }
  const url = record.url;
  let normalised = "";
  if (typeof url !== "string") {
    problems.push({ field: "url", problem: url === undefined ? "is required" : "must be a string" });
  } else {
    const checked = checkTargetUrl(url, maxUrlLength);
    if (checked.ok) normalised = checked.url;
    else problems.push({ field: "url", problem: checked.problem });
  }
  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.field} ${p.problem}`).join("; ");
    throw new HttpError(400, "invalid_link", `invalid link: ${summary}`, problems);
  }
  return normalised;
}

const notFound = (code: string) => new HttpError(404, "link_not_found", `no link with code ${code}`);

const linkView = (link: Link) => ({ code: link.code, url: link.url, createdAt: link.createdAt, hits: link.hits });

const linkSchema = { $ref: "#/components/schemas/Link" };
const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});
const codeParam = {
  name: "code",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" },
};

/** The URL shortener: create, follow (counting hits atomically), and read stats. */
export function linkRoutes(deps: LinkRouteDeps): Route[] {
  const create = async (ctx: Context) => {
    const url = validateCreateLink(await readJsonBody(ctx, deps.maxBodyBytes), deps.maxUrlLength);
    const createdAt = deps.clock().toISOString();
    for (let attempt = 1; attempt <= MAX_CODE_ATTEMPTS; attempt++) {
      const code = deps.newCode();
      if (deps.reserved.has(code)) continue;
      try {
        await deps.store.create({ code, url, createdAt });
      } catch (err) {
        if (err instanceof CodeTakenError) continue;
        throw err;
      }
      ctx.status = 201;
      ctx.set("Location", `/links/${code}`);
      jsonBody(ctx, { code, url, createdAt, hits: 0, shortPath: `/${code}` });
      return;
    }
    throw new HttpError(503, "code_space_busy", `no free link code after ${MAX_CODE_ATTEMPTS} attempts; retry`);
  };

  return [
    {
      method: "POST",
      path: "/links",
      handler: create,
      doc: {
        operationId: "createLink",
        summary: "Create a short link to an http(s) URL",
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                additionalProperties: false,
                required: ["url"],
                properties: {
                  url: {
                    type: "string",
                    format: "uri",
                    maxLength: deps.maxUrlLength,
                    description: `http(s) URL to a public host, no credentials; at most ${deps.maxUrlLength} characters once normalized`,
                  },
                },
              },
            },
          },
        },
        responses: {
          "201": { description: "Created", content: { "application/json": { schema: linkSchema } } },
          "400": errorResponse(
            "Malformed JSON, a body that is not UTF-8, or a URL that is invalid, has credentials or points at a non-public host",
          ),
          "413": errorResponse("Body larger than the limit; the connection is closed if the body is still arriving"),
          "415": errorResponse("Content-Type is not application/json, or its charset is not UTF-8"),
        },
      },
    },
    {
      method: "GET",
      path: "/links/{code}",
      handler: async (ctx, { code = "" }) => {
        const link = await deps.store.get(code);
        if (!link) throw notFound(code);
        jsonBody(ctx, linkView(link));
      },
      doc: {
        operationId: "getLinkStats",
        summary: "Read a link's target, creation time and hit count",
        parameters: [codeParam],
        responses: {
          "200": { description: "The link", content: { "application/json": { schema: linkSchema } } },
          "404": errorResponse("Unknown code"),
        },
      },
    },
    {
      method: "GET",
      path: "/{code}",
      handler: async (ctx, { code = "" }) => {
        // Only GET is a visit: link previews and crawlers probe with HEAD.
        const link = ctx.method === "GET" ? await deps.store.hit(code) : await deps.store.get(code);
        if (!link) throw notFound(code);
        // 302, not 301: browsers cache a 301 forever, and every hit must reach us to be counted.
        ctx.status = 302;
        ctx.set("Cache-Control", "no-store");
        ctx.redirect(link.url);
      },
      doc: {
        operationId: "followLink",
        summary: "Redirect to the link's target and count the hit (HEAD answers the same without counting)",
        parameters: [codeParam],
        responses: {
          "302": { description: "Redirect to the target", headers: { Location: { schema: { type: "string" } } } },
          "404": errorResponse("Unknown code"),
        },
      },
    },
  ];
}
