import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CONFIG_FILE, ENV_OVERRIDES, loadDeploymentConfig, RETIRED_ENV } from "../../config/load";
import { ConfigValidationError } from "../../config/schema";
import { ROOT } from "../helpers/processes";

const dir = mkdtempSync(join(tmpdir(), "cfg-load-"));
const committed = readFileSync(DEFAULT_CONFIG_FILE, "utf8");

/** The error loadDeploymentConfig throws, or undefined. */
const errorOf = (file: string, env: NodeJS.ProcessEnv): Error | undefined => {
  try {
    loadDeploymentConfig(file, env);
  } catch (err) {
    return err as Error;
  }
  return undefined;
};

describe("loading the configuration", () => {
  it("accepts a byte-order mark at the start of the file", () => {
    const file = join(dir, "bom.json");
    writeFileSync(file, `\uFEFF${committed}`);
    expect(loadDeploymentConfig(file, {})).toEqual(loadDeploymentConfig(DEFAULT_CONFIG_FILE, {}));
  });

  it("blames a bad override on its environment variable, not on the file", () => {
    const error = errorOf(DEFAULT_CONFIG_FILE, { LAMBDAFLEX_FARGATE_MIN_TASKS: "abc" });
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error!.message).toBe(
      `invalid LambdaFlex configuration (environment variable LAMBDAFLEX_FARGATE_MIN_TASKS, overriding ${DEFAULT_CONFIG_FILE}):\n` +
        '  - fargate.minTasks: must be a number, got "abc" (LAMBDAFLEX_FARGATE_MIN_TASKS="abc" in the environment sets fargate.minTasks)',
    );
    expect((error as ConfigValidationError).problems).toEqual([
      expect.objectContaining({ field: "fargate.minTasks", variable: "LAMBDAFLEX_FARGATE_MIN_TASKS" }),
    ]);
  });

  it("blames the variable when the value it set breaks a rule across fields, and names the file and the variable together", () => {
    expect(errorOf(DEFAULT_CONFIG_FILE, { LAMBDAFLEX_FARGATE_MIN_TASKS: "60" })!.message).toContain(
      'fargate.maxTasks: must be >= fargate.minTasks (60) (LAMBDAFLEX_FARGATE_MIN_TASKS="60" in the environment sets fargate.minTasks)',
    );
    const file = join(dir, "mixed.json");
    writeFileSync(file, JSON.stringify({ ...JSON.parse(committed), logRetentionDays: 2 }));
    const mixed = errorOf(file, { LAMBDAFLEX_WARMUP_MINUTES: "0" })!.message;
    expect(mixed.split("\n")[0]).toBe(
      `invalid LambdaFlex configuration (${file} and environment variable LAMBDAFLEX_WARMUP_MINUTES):`,
    );
    expect(mixed).toContain("  - logRetentionDays: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 180 or 365, got 2\n");
    expect(mixed).toMatch(
      / {2}- scaling\.warmupMinutes: Too small: .*, got 0 \(LAMBDAFLEX_WARMUP_MINUTES="0" in the environment sets scaling\.warmupMinutes\)$/,
    );
  });

  it("names a rate-threshold variable of earlier versions instead of ignoring it", () => {
    for (const name of Object.keys(RETIRED_ENV)) {
      expect(errorOf(DEFAULT_CONFIG_FILE, { [name]: "abc" })!.message).toContain(
        `  - ${name}: is no longer read: the scaler decides on money`,
      );
    }
  });

  it("is documented in docs/configuration.md with exactly the overrides config/load.ts reads, each with its field", () => {
    // docs/configuration.md is generated (scripts/config-docs.ts); __tests__/scripts/config-docs.test.ts keeps it current.
    const readme = readFileSync(join(ROOT, "docs", "configuration.md"), "utf8");
    const start = readme.indexOf("\n## Environment overrides\n");
    expect(start).toBeGreaterThan(0);
    const end = readme.indexOf("\n## ", start + 1);
    const section = readme.slice(start, end < 0 ? undefined : end);
    const rows = [...section.matchAll(/^\| `(LAMBDAFLEX_[A-Z_]+)` \| `([A-Za-z.]+)` \|$/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(Object.entries(ENV_OVERRIDES).map(([name, { path }]) => [name, path.join(".")]));
    // No retired LAMBDAFLEX_* name is offered as an override anywhere on the page.
    const named = new Set(readme.match(/LAMBDAFLEX_[A-Z_]+/g));
    for (const name of Object.keys(RETIRED_ENV)) expect(named.has(name)).toBe(false);
  });
});
