/** Reading request params the way AWS does: names case-insensitively, tags in every shape AWS APIs use. */
import type { ContextValues } from "./iam-request";

export const lc = (s: string) => s.toLowerCase();
export const norm = (s: string) => s.replace(/[^A-Za-z0-9]/g, "").toLowerCase();
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
export const tail = (arnOrName: string) =>
  arnOrName.startsWith("arn:")
    ? arnOrName.slice(Math.max(arnOrName.lastIndexOf("/"), arnOrName.lastIndexOf(":")) + 1)
    : arnOrName;

/** A param by name, case-insensitively. */
export function param(params: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(params).find((k) => lc(k) === lc(name));
  return key === undefined ? undefined : params[key];
}

/** Tags of a request in any of the shapes AWS APIs use: [{Key,Value}], {k: v}, EC2 TagSpecifications. */
export function requestTags(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (v: unknown) => {
    if (Array.isArray(v)) {
      for (const t of v) if (isRecord(t)) out[String(t.Key ?? t.key)] = String(t.Value ?? t.value ?? "");
    } else if (isRecord(v)) for (const [k, x] of Object.entries(v)) out[k] = String(x);
  };
  add(param(params, "Tags"));
  const specs = param(params, "TagSpecifications") ?? param(params, "TagSpecification");
  if (Array.isArray(specs)) for (const s of specs) if (isRecord(s)) add(s.Tags);
  return out;
}

export function tagContext(tags: Record<string, string>, kind: "RequestTag" | "ResourceTag"): ContextValues {
  const ctx: ContextValues = {};
  for (const [k, v] of Object.entries(tags)) ctx[`aws:${kind}/${k}`] = v;
  if (kind === "RequestTag" && Object.keys(tags).length > 0) ctx["aws:TagKeys"] = Object.keys(tags);
  return ctx;
}

/** All string values in params, for finding an ARN param of a resource type. */
export function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (isRecord(v)) Object.values(v).forEach((x) => strings(x, out));
  return out;
}
