/** What a token parameter holds until an operator writes the real token (the bootstrap writes it; the scaler and `npm run doctor` refuse it). */
export const TOKEN_PLACEHOLDER = "set-me";

/** The token in a parameter's value: the bare value, or the `token` field of JSON; undefined when JSON without a string token. */
export function unwrapToken(value: string): string | undefined {
  const raw = value.trim();
  if (!raw.startsWith("{")) return raw;
  try {
    const token = (JSON.parse(raw) as { token?: unknown }).token;
    return typeof token === "string" && token ? token : undefined;
  } catch {
    return undefined;
  }
}
