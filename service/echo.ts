/** Longest stretch of client input an error message repeats. */
export const ECHO_LIMIT = 64;
/** Longest error message the service sends, whatever it is built from. */
export const MESSAGE_LIMIT = 400;

// C0 and C1 controls, DEL and the JavaScript line separators: never copied raw into a message or a log.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const escapeUnsafe = (s: string): string =>
  s.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** Cuts at `limit` UTF-16 units without splitting a surrogate pair. */
const cut = (s: string, limit: number): string => {
  const end = /[\ud800-\udbff]/.test(s.charAt(limit - 1)) ? limit - 1 : limit;
  return s.slice(0, end);
};

/**
 * Client input as an error message may show it: control characters escaped
 * and at most `limit` characters, with the full length noted, so a 100 KB
 * path cannot become a 100 KB error body.
 */
export function echo(input: string, limit = ECHO_LIMIT): string {
  if (input.length <= limit) return escapeUnsafe(input);
  return `${escapeUnsafe(cut(input, limit))}... (${input.length} characters)`;
}

/** Caps a whole message; a backstop for messages that are not built with `echo`. */
export function boundMessage(message: string): string {
  const safe = escapeUnsafe(message);
  return safe.length <= MESSAGE_LIMIT ? safe : `${cut(safe, MESSAGE_LIMIT - 3)}...`;
}
