import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Maps the bundle positions in a stack trace back to the TypeScript sources,
 * reading a bundle's source map (`<file>.map`, which `npm run build` writes
 * beside it) the first time one of its frames is mapped. The image does not
 * run Node with `--enable-source-maps`: that reads and parses every map while
 * the bundle loads, 20-25 ms of each Lambda cold start, to map stacks that
 * are rarely printed. The first mapped stack pays the parse once instead.
 * Frames of files without a map are left as they are.
 */
export function mapStack(stack: string): string {
  return stack.replace(FRAME, (frame, file: string, line: string, column: string) => {
    const path = file.startsWith("file://") ? fileURLToPath(file) : file;
    const map = mapOf(path);
    if (!map) return frame;
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as Partial<{
      originalSource: string;
      originalLine: number;
      originalColumn: number;
    }>;
    if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined)
      return frame;
    const source = entry.originalSource.startsWith("file://")
      ? fileURLToPath(entry.originalSource)
      : entry.originalSource;
    return `${isAbsolute(source) ? source : resolve(dirname(path), source)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/** `file:line:column` of a V8 stack frame, in either form: `at f (file:1:2)` or `at file:1:2`. */
const FRAME = /((?:file:\/\/)?\/[^\s():]+):(\d+):(\d+)/g;

const maps = new Map<string, SourceMap | null>();

function mapOf(path: string): SourceMap | null {
  let map = maps.get(path);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, "utf8")));
    } catch {
      map = null; // no map (a test run from sources, a file outside dist), or not one Node reads
    }
    maps.set(path, map);
  }
  return map;
}
