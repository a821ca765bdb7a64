import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigValidationError, parseDeploymentConfig, type ConfigOrigins, type DeploymentConfig } from "./schema";

/** The committed configuration with the documented defaults. */
export const DEFAULT_CONFIG_FILE = join(__dirname, "..", "lambdaflex.config.json");

/**
 * Environment variables that may override a named field, and how to parse
 * each. Only these: the rest of the configuration is reviewed in git.
 */
export const ENV_OVERRIDES: Readonly<Record<string, { path: string[]; kind: "string" | "number" }>> = {
  LAMBDAFLEX_REGION: { path: ["region"], kind: "string" },
  LAMBDAFLEX_DOMAIN: { path: ["domain"], kind: "string" },
  LAMBDAFLEX_HOSTED_ZONE_ID: { path: ["hostedZoneId"], kind: "string" },
  LAMBDAFLEX_TFC_ORGANIZATION: { path: ["terraformCloud", "organization"], kind: "string" },
  LAMBDAFLEX_TFC_HOSTNAME: { path: ["terraformCloud", "hostname"], kind: "string" },
  LAMBDAFLEX_GIT_REPOSITORY_URL: { path: ["git", "repositoryUrl"], kind: "string" },
  LAMBDAFLEX_GIT_BRANCH: { path: ["git", "branch"], kind: "string" },
  LAMBDAFLEX_FARGATE_MIN_TASKS: { path: ["fargate", "minTasks"], kind: "number" },
  LAMBDAFLEX_FARGATE_MAX_TASKS: { path: ["fargate", "maxTasks"], kind: "number" },
  LAMBDAFLEX_SWITCH_COST_FACTOR: { path: ["scaling", "switchCostFactor"], kind: "number" },
  LAMBDAFLEX_WARMUP_MINUTES: { path: ["scaling", "warmupMinutes"], kind: "number" },
};

/**
 * Variables earlier versions documented that nothing reads any more: named when set,
 * rather than ignored, like the configuration keys they went with.
 */
export const RETIRED_ENV: Readonly<Record<string, string>> = {
  LAMBDAFLEX_UP_THRESHOLD_RPS:
    "the scaler decides on money, not rate thresholds; tune scaling.switchCostFactor (LAMBDAFLEX_SWITCH_COST_FACTOR) instead",
  LAMBDAFLEX_DOWN_THRESHOLD_RPS:
    "the scaler decides on money, not rate thresholds; tune scaling.switchCostFactor (LAMBDAFLEX_SWITCH_COST_FACTOR) instead",
};

/** The overrides `env` sets (non-empty values only), with the field each one sets. */
export function envOverrides(
  env: NodeJS.ProcessEnv,
): Array<{ variable: string; path: string[]; kind: "string" | "number"; value: string }> {
  return Object.entries(ENV_OVERRIDES).flatMap(([variable, { path, kind }]) => {
    const value = env[variable];
    return value === undefined || value === "" ? [] : [{ variable, path, kind, value }];
  });
}

/** Applies the env overrides to a raw object. A non-numeric number is kept as a string so validation names it. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const { path, kind, value } of envOverrides(env)) {
    let node = out as Record<string, unknown>;
    for (const key of path.slice(0, -1)) {
      node[key] = typeof node[key] === "object" && node[key] !== null ? node[key] : {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] =
      kind === "number" && value.trim() !== "" && !Number.isNaN(Number(value)) ? Number(value) : value;
  }
  return out;
}

/** The fields the environment overrides, for blaming a bad value on its variable. */
export const envOrigins = (env: NodeJS.ProcessEnv): ConfigOrigins =>
  Object.fromEntries(envOverrides(env).map(({ variable, path, value }) => [path.join("."), { variable, value }]));

/** U+FEFF, which some Windows editors put at the start of a UTF-8 file; JSON.parse would call it an unexpected token. */
const BYTE_ORDER_MARK = "\uFEFF";

/** Reads, overrides and validates the configuration. Only entry points call this. */
export function loadDeploymentConfig(
  file: string = DEFAULT_CONFIG_FILE,
  env: NodeJS.ProcessEnv = process.env,
): DeploymentConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read LambdaFlex configuration ${file}: ${(err as Error).message}`, { cause: err });
  }
  // A byte-order mark is accepted: it says only that the file is UTF-8, which it must be.
  if (text.startsWith(BYTE_ORDER_MARK)) text = text.slice(BYTE_ORDER_MARK.length);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`LambdaFlex configuration ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new Error(`LambdaFlex configuration ${file} must be a JSON object`);
  const retired = Object.keys(RETIRED_ENV).filter((name) => env[name] !== undefined && env[name] !== "");
  if (retired.length > 0) {
    throw new ConfigValidationError(
      retired.map((variable) => ({
        field: variable,
        variable,
        message: `is no longer read: ${RETIRED_ENV[variable]}; unset it`,
      })),
      file,
    );
  }
  return parseDeploymentConfig(applyEnvOverrides(raw as Record<string, unknown>, env), file, envOrigins(env));
}
