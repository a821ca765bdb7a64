import { echo } from "./echo";
import { nonPublicRange } from "./public-address";

/** A target URL as it will be stored and redirected to, or why it was refused. */
export type TargetUrlCheck =
  { readonly ok: true; readonly url: string } | { readonly ok: false; readonly problem: string };

const refuse = (problem: string): TargetUrlCheck => ({ ok: false, problem });

// C0 controls, DEL and C1 controls. The URL parser silently deletes tab, CR and LF anywhere,
// so "https://e.com\r\n.evil/" would be stored as https://e.com.evil/: another host.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * Checks a link target and returns it normalized (the WHATWG URL serialization
 * browsers use). Every rule that could be fooled by normalization is applied
 * to the raw text (what the sender meant) or to the normalized URL (what
 * visitors get), never to the one in place of the other:
 * - raw: no control characters, no backslash, no surrounding whitespace,
 *   `http://` or `https://` followed by a host, no credentials;
 * - normalized: a public host (service/public-address.ts: the IANA special-purpose
 *   registries), a port other than 0, and at most `maxLength` characters
 *   (`ü` becomes `%C3%BC`: six characters for one).
 * Problems are phrased to follow "url ".
 */
export function checkTargetUrl(raw: string, maxLength: number): TargetUrlCheck {
  const control = CONTROL.exec(raw);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    return refuse(`must not contain control characters (U+${code} at index ${control.index})`);
  }
  if (raw.trim() !== raw) return refuse("must not start or end with whitespace");
  // Browsers read "\" as "/" in http(s) URLs, other parsers do not: the host would depend on who reads it.
  if (raw.includes("\\")) return refuse("must not contain a backslash");

  const scheme = SCHEME.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined) return refuse("is not a valid absolute URL");
  if (scheme !== "http" && scheme !== "https") return refuse(`scheme must be http or https, got ${echo(scheme)}`);
  // The parser repairs "https:host", "http:/host" and "https:///host"; the sender wrote no clear host.
  const rest = raw.slice(scheme.length + 1);
  const authority = rest.startsWith("//") ? (/^[^/?#]*/.exec(rest.slice(2))?.[0] ?? "") : "";
  if (authority === "") return refuse(`has a malformed authority: expected "${scheme}://" and a host`);
  // user:pass@ in a redirect target is a phishing device (https://bank.com@evil.example/) and leaks secrets.
  if (authority.includes("@")) return refuse("must not contain credentials (user:pass@)");

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("is not a valid absolute URL");
  }
  const hostProblem = publicHostProblem(url.hostname);
  if (hostProblem) return refuse(hostProblem);
  // Port 0 is reserved (IANA service names and port numbers): no server listens there, and
  // a connection to it fails or, on some stacks, goes to whatever the system picks.
  if (url.port === "0") return refuse("port must be 1-65535, got 0");
  if (url.href.length > maxLength) {
    return refuse(`must be at most ${maxLength} characters once normalized, got ${url.href.length}`);
  }
  return { ok: true, url: url.href };
}

/**
 * Why a normalized host is not one every visitor reaches the same way.
 * Names are not resolved: a name that resolves to a private address is
 * allowed, since DNS can answer differently when the link is followed.
 */
function publicHostProblem(hostname: string): string | undefined {
  const ip = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  // The parser has already turned 0x7f.1 and 2130706433 into 127.0.0.1.
  if (/^[\d.]+$/.test(ip) || ip.includes(":")) {
    const range = nonPublicRange(ip);
    return range ? `host must be a public address, got ${hostname} (${range})` : undefined;
  }
  const name = hostname.replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost"))
    return `host must not be ${echo(hostname)}: it names each visitor's own machine`;
  // A single label resolves only through each visitor's local search domain.
  if (!name.includes(".")) return `host must be a fully qualified domain name, got ${echo(hostname)}`;
  return undefined;
}
