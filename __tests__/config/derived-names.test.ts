import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DERIVED_NAMES, MAX_SERVICE_LENGTH, roomFor, SERVICE, TIGHTEST_DERIVED_NAME } from "../../config/derived-names";
import { loadDeploymentConfig } from "../../config/load";
import { synthesize } from "../../scripts/synth";
import { readStack, removeDir } from "../helpers/terraform";

// The longest service name allowed, unlike any other string in the stacks, so every name built from it stands out.
const service = "svc" + "q".repeat(MAX_SERVICE_LENGTH - 3);
const config = loadDeploymentConfig(undefined, {});
const out = mkdtempSync(join(tmpdir(), "lambdaflex-names-"));
// Weighted switch (the default) and the dashboard: everything the stacks can name.
const dirs = synthesize({ ...config, service, dashboard: true }, out);
afterAll(() => removeDir(out));

/** Every literal name attribute (`name`, `function_name`, `alarm_name`, `family`, ...) holding the service name, with where it is. */
function namesIn(node: unknown, at: string, found: Array<{ at: string; value: string }>): void {
  if (Array.isArray(node)) node.forEach((v, i) => namesIn(v, `${at}[${i}]`, found));
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "//" || key === "tags" || key === "tags_all") continue;
      if (
        typeof value === "string" &&
        (/(^|_)name$/.test(key) || key === "family") &&
        value.includes(service) &&
        !value.includes("${")
      )
        found.push({ at: `${at}.${key}`, value });
      else namesIn(value, `${at}.${key}`, found);
    }
  }
}

describe("the derived-name table (config/derived-names.ts)", () => {
  const found: Array<{ at: string; value: string }> = [];
  for (const [id, dir] of Object.entries(dirs)) {
    const stack = readStack(dir);
    namesIn(stack.resource, id, found);
    namesIn(stack.data, `${id}.data`, found);
  }

  it("holds every name the stacks build from the service name, each within its AWS limit at the longest service name", () => {
    expect(found.length).toBeGreaterThan(30);
    const problems = found.flatMap(({ at, value }) => {
      const template = value.replaceAll(service, SERVICE);
      const entries = DERIVED_NAMES.filter((d) => d.template === template);
      if (entries.length === 0) return [`${at}: "${template}" is not in DERIVED_NAMES`];
      const limit = Math.min(...entries.map((d) => d.limit));
      return value.length > limit ? [`${at}: "${value}" is ${value.length} characters, over ${limit}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it("lists no name the stacks no longer build", () => {
    const built = new Set(found.map(({ value }) => value.replaceAll(service, SERVICE)));
    expect(DERIVED_NAMES.map((d) => d.template).filter((t) => !built.has(t))).toEqual([]);
  });

  it("finds the tightest name: <service>-lambda-tg within ELB's 32 characters leaves 22", () => {
    expect(TIGHTEST_DERIVED_NAME).toMatchObject({ template: "<service>-lambda-tg", limit: 32 });
    expect(MAX_SERVICE_LENGTH).toBe(22);
    for (const d of DERIVED_NAMES) expect(roomFor(d)).toBeGreaterThanOrEqual(MAX_SERVICE_LENGTH);
  });
});
