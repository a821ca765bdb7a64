import { readFileSync } from "node:fs";

/** A trace that cannot be used, with the line and the problem. */
export class TraceError extends Error {
  override readonly name = "TraceError";
}

/**
 * Parses a per-minute trace (`minute,requests`, header optional) into
 * requests per minute, multiplied by `scale`. Minutes must run 0, 1, 2, ...
 */
export function parseTrace(text: string, source: string, scale = 1): number[] {
  if (!(Number.isFinite(scale) && scale > 0)) throw new TraceError(`scale must be a positive number, got ${scale}`);
  const lines = text.split(/\r?\n/);
  const out: number[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const at = `${source}:${i + 1}`;
    if (!line || line.startsWith("#")) return;
    if (i === 0 && /^[A-Za-z]/.test(line)) {
      if (line.replace(/\s/g, "") !== "minute,requests")
        throw new TraceError(`${at}: header must be "minute,requests", got "${line}"`);
      return;
    }
    const parts = line.split(",");
    if (parts.length !== 2) throw new TraceError(`${at}: expected "minute,requests", got "${line}"`);
    const minute = Number(parts[0]);
    const requests = Number(parts[1]);
    if (!Number.isInteger(minute)) throw new TraceError(`${at}: minute "${parts[0]}" is not an integer`);
    if (!Number.isFinite(requests)) throw new TraceError(`${at}: requests "${parts[1]}" is not a number`);
    if (requests < 0) throw new TraceError(`${at}: requests must not be negative, got ${requests}`);
    if (minute !== out.length)
      throw new TraceError(`${at}: expected minute ${out.length}, got ${minute} (minutes must be consecutive from 0)`);
    out.push(requests * scale);
  });
  if (out.length === 0) throw new TraceError(`${source}: the trace has no data rows`);
  return out;
}

/** Reads and parses a trace file. */
export function loadTrace(path: string, scale = 1): number[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new TraceError(
      `cannot read trace ${path}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`,
      { cause: err },
    );
  }
  return parseTrace(text, path, scale);
}
