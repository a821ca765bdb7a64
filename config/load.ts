import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDeploymentConfig, type DeploymentConfig } from "./schema";

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

/** Applies the env overrides to a raw object. A non-numeric number is kept as a string so validation names it. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const [name, { path, kind }] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    let node = out as Record<string, unknown>;
    for (const key of path.slice(0, -1)) {
      node[key] = typeof node[key] === "object" && node[key] !== null ? node[key] : {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = kind === "number" && value.trim() !== "" && !Number.isNaN(Number(value)) ? Number(value) : value;
  }
  return out;
}

/** Reads, overrides and validates the configuration. Only entry points call this. */
export function loadDeploymentConfig(file: string = DEFAULT_CONFIG_FILE, env: NodeJS.ProcessEnv = process.env): DeploymentConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read LambdaFlex configuration ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`LambdaFlex configuration ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`LambdaFlex configuration ${file} must be a JSON object`);
  return parseDeploymentConfig(applyEnvOverrides(raw as Record<string, unknown>, env), file);
}
