import { ConfigError } from "./errors";

/** Where the service keeps its links. */
export type StoreConfig =
  | { readonly kind: "embedded"; readonly tableName: string }
  | { readonly kind: "dynamodb"; readonly tableName: string; readonly endpoint?: string };

/** Runtime configuration of the service, read once from the environment by an entry point. */
export interface ServiceConfig {
  /** Which tier this process serves: `lambda` or `fargate`. Set by the entry point or LAMBDAFLEX_TIER. */
  readonly tier: "lambda" | "fargate";
  readonly version: string;
  readonly store: StoreConfig;
  /** Largest request body accepted, in bytes. @default 8192 */
  readonly maxBodyBytes: number;
  /** Longest target URL accepted. @default 2048 */
  readonly maxUrlLength: number;
}

const positiveInt = (env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number => {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    problems.push(`${name} must be a positive integer, got "${raw}"`);
    return fallback;
  }
  return n;
};

/**
 * Reads the service configuration and reports every problem by variable name.
 * `LAMBDAFLEX_STORE=dynamodb` (what the infrastructure sets) or a
 * `DYNAMODB_ENDPOINT` selects DynamoDB and then requires `TABLE_NAME`;
 * with neither, the service runs on an embedded dynalite.
 */
export function serviceConfigFromEnv(env: NodeJS.ProcessEnv, defaultTier: "lambda" | "fargate"): ServiceConfig {
  const problems: string[] = [];
  const tier = env.LAMBDAFLEX_TIER || defaultTier;
  if (tier !== "lambda" && tier !== "fargate") {
    problems.push(`LAMBDAFLEX_TIER must be "lambda" or "fargate", got "${tier}"`);
  }
  const storeKind = env.LAMBDAFLEX_STORE || (env.DYNAMODB_ENDPOINT ? "dynamodb" : "embedded");
  let store: StoreConfig = { kind: "embedded", tableName: env.TABLE_NAME || "lambdaflex-links" };
  if (storeKind === "dynamodb") {
    if (!env.TABLE_NAME) problems.push("TABLE_NAME must be set when the store is DynamoDB");
    store = { kind: "dynamodb", tableName: env.TABLE_NAME ?? "", endpoint: env.DYNAMODB_ENDPOINT || undefined };
  } else if (storeKind !== "embedded") {
    problems.push(`LAMBDAFLEX_STORE must be "dynamodb" or "embedded", got "${storeKind}"`);
  }
  const config: ServiceConfig = {
    tier: tier as ServiceConfig["tier"],
    version: env.LAMBDAFLEX_VERSION || "0.0.0-dev",
    store,
    maxBodyBytes: positiveInt(env, "MAX_BODY_BYTES", 8192, problems),
    maxUrlLength: positiveInt(env, "MAX_URL_LENGTH", 2048, problems),
  };
  if (problems.length > 0) throw new ConfigError(`invalid service configuration: ${problems.join("; ")}`);
  return config;
}
