/** Formatting shared by the report's HTML and its plain-language verdict. */

/** Escapes text for HTML content and attribute values. */
export const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Dollars: cents, or four decimals for amounts under a cent (the scaler's items over a short trace). */
export function usd(n: number): string {
  const a = Math.abs(n);
  if (a > 0 && a < 0.00005) return `${n < 0 ? "-" : ""}<$0.0001`;
  const digits = a > 0 && a < 0.01 ? 4 : 2;
  return `${n < 0 ? "-" : ""}$${a.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** A share as a whole percentage; "<1%" rather than a misleading 0% for a small non-zero share. */
export function pct(part: number, whole: number): string {
  if (!(whole > 0)) return "0%";
  const p = (part / whole) * 100;
  return p > 0 && p < 1 ? "<1%" : `${Math.round(p)}%`;
}

/** A count or usage with at most 4 significant digits and thousands separators. */
export function qty(n: number): string {
  if (n === 0) return "0";
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString("en-US");
  return Number(n.toPrecision(4)).toLocaleString("en-US", { maximumFractionDigits: 6 });
}

/** A trace minute as "day D HH:MM" (day 0 is the trace's first day), as in simulation.json. */
export function at(minute: number): string {
  const hh = String(Math.floor((minute % 1440) / 60)).padStart(2, "0");
  const mm = String(minute % 60).padStart(2, "0");
  return `day ${Math.floor(minute / 1440)} ${hh}:${mm}`;
}

/** Readable names of the strategies, for prose. */
export const STRATEGY_NAMES: Record<string, string> = {
  lambdaflex: "LambdaFlex",
  "lambdaflex-dns-only": "LambdaFlex (DNS-only switch)",
  "lambda-only": "Lambda only",
  "fargate-always-on": "Fargate always on",
  "same-world-optimum": "Same-world optimum",
  "lower-bound": "Lower bound",
  "clairvoyant-optimum": "Clairvoyant optimum",
};

export const strategyName = (s: string): string => STRATEGY_NAMES[s] ?? s;

/** One colour per strategy, the same in every chart and table. */
export const STRATEGY_COLORS: Record<string, string> = {
  lambdaflex: "#2b6cb0",
  "lambdaflex-dns-only": "#63b3ed",
  "lambda-only": "#dd6b20",
  "fargate-always-on": "#38a169",
  "same-world-optimum": "#805ad5",
  "lower-bound": "#b794f4",
  "clairvoyant-optimum": "#b794f4",
};
