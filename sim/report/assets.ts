/**
 * What the report page inlines so it needs no network when viewed: uPlot
 * (https://github.com/leeoniya/uPlot, MIT), its stylesheet, and the page's
 * own chart script (client.js beside this file). Read once per process.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface ReportAssets {
  readonly uplotJs: string;
  readonly uplotCss: string;
  readonly clientJs: string;
}

/** Text placed inside a <script> or <style> element must not close it early. */
const inElement = (text: string, tag: "script" | "style") => text.replace(new RegExp(`</(${tag})`, "gi"), "<\\/$1");

function read(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${what} (${file}) to inline it in the report: ${(err as Error).message}; run npm ci`);
  }
}

function resolveUplot(file: string): string {
  try {
    return require.resolve(`uplot/dist/${file}`);
  } catch {
    throw new Error(`the report inlines uPlot, but node_modules/uplot/dist/${file} is missing; run npm ci`);
  }
}

let cached: ReportAssets | undefined;

export function reportAssets(): ReportAssets {
  cached ??= {
    uplotJs: inElement(read(resolveUplot("uPlot.iife.min.js"), "uPlot"), "script"),
    uplotCss: inElement(read(resolveUplot("uPlot.min.css"), "uPlot's stylesheet"), "style"),
    clientJs: inElement(read(join(__dirname, "client.js"), "the report's chart script"), "script"),
  };
  return cached;
}
