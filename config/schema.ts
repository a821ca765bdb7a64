import { z } from "zod";
import { serviceLengthProblem } from "./derived-names";
import { FargateSchema, ScalingSchema, WorkloadSchema } from "./tier-schema";

export { FARGATE_CPUS, FARGATE_MEMORY, fargateSizeProblem, WorkloadSchema, type FargateCpu } from "./tier-schema";

/** Variables the stacks set themselves; `PORT` comes from `fargate.containerPort`. */
export const STACK_VARIABLES: readonly string[] = [
  "LAMBDAFLEX_STORE",
  "LAMBDAFLEX_TIER",
  "LAMBDAFLEX_VERSION",
  "TABLE_NAME",
  "PORT",
];
/** Set by Lambda or ECS, which refuse or override them (with every `AWS_*` name but the Web Adapter's `AWS_LWA_*`). */
export const PLATFORM_VARIABLES: readonly string[] = [
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
  "TZ",
  "ECS_CONTAINER_METADATA_URI",
  "ECS_CONTAINER_METADATA_URI_V4",
  "ECS_AGENT_URI",
];
/** Lambda allows 4 KB for all of a function's variables; the stacks' own take well under 512 bytes. */
export const APP_ENVIRONMENT_MAX_BYTES = 3584;

/** Why a name cannot be one of `app.environment`'s, or undefined when it can. */
function nameProblem(name: string): string | undefined {
  // Lambda's rule for names: a letter, then at least one letter, digit or underscore.
  if (!/^[A-Za-z][A-Za-z0-9_]+$/.test(name))
    return `${JSON.stringify(name)} is not a variable name Lambda accepts: a letter, then letters, digits or underscores`;
  if (name === "PORT") return "PORT is set by the stacks from fargate.containerPort; change that instead";
  if (STACK_VARIABLES.includes(name)) return `${name} is set by the stacks; pick another name`;
  if (PLATFORM_VARIABLES.includes(name) || (name.startsWith("AWS_") && !name.startsWith("AWS_LWA_"))) {
    return `${name} is reserved: Lambda and ECS set it (of the AWS_* names only the Web Adapter's AWS_LWA_* may be set here)`;
  }
  return undefined;
}

/**
 * Why a value cannot be written into the stacks, or undefined when it can. cdktf 0.21
 * writes strings into Terraform templates unescaped (and inside `jsonencode` without
 * escaping quotes), so `${`, `%{`, `"` and `\` would change or break the synthesized stack.
 */
function valueProblem(value: string): string | undefined {
  if (/[\u0000-\u001f\u007f"\\]|\$\{|%\{/.test(value)) {
    return `value ${JSON.stringify(value.slice(0, 64))} holds a quote, a backslash, a control character, "\${" or "%{", which the stacks cannot carry unchanged; encode it (base64, for example) and decode it in the app`;
  }
  return undefined;
}

/**
 * What the stacks tell and ask of the image, whichever app it holds
 * (docs/bring-your-own-service.md). The defaults are the URL shortener's.
 */
export const AppSchema = z
  .object({
    /** Path the ALB's target group health check GETs; it must answer 200 without calling a dependency. */
    healthPath: z
      .string()
      .max(1024, { error: (i) => `must be at most 1024 characters (the ALB's limit), got ${String(i.input).length}` })
      .regex(/^\/[A-Za-z0-9._~\/-]*$/, {
        error: (i) =>
          `must be a path such as /healthz (a leading /, then letters, digits, '.', '_', '~', '-' or '/'; no query), got ${JSON.stringify(i.input)}`,
      })
      .default("/healthz"),
    /** Variables for the app, set on the Lambda function and the ECS task alike. Plain text in git and state: no secrets. */
    environment: z
      .record(
        z.string(),
        z.string({ error: (i) => `must be a string (quote numbers and booleans), got ${JSON.stringify(i.input)}` }),
      )
      .superRefine((env, ctx) => {
        for (const [name, value] of Object.entries(env)) {
          const why = nameProblem(name) ?? valueProblem(value);
          if (why) ctx.addIssue({ code: "custom", path: [name], message: why });
        }
        const bytes = Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
        if (bytes > APP_ENVIRONMENT_MAX_BYTES) {
          ctx.addIssue({
            code: "custom",
            message: `names and values take ${bytes} bytes, more than ${APP_ENVIRONMENT_MAX_BYTES} (Lambda allows 4 KB for all of a function's variables, the stacks' own included)`,
          });
        }
      })
      .default({}),
  })
  .strict()
  // An absent section means the shortener's defaults, so configuration files from before it keep working.
  .prefault({});

/**
 * The one deployment configuration. Every field is documented here; defaults
 * live in `lambdaflex.config.json` at the repository root. `main.ts`, the
 * scaler and the simulator all parse it with `parseDeploymentConfig`.
 */
export const DeploymentConfigSchema = z
  .object({
    /**
     * Prefix for every resource name; lower-case letters, digits and dashes. As long as the
     * tightest AWS name built from it allows (config/derived-names.ts): 22 characters, for
     * "<service>-lambda-tg" within Elastic Load Balancing's 32.
     */
    service: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]+$/,
        "must be lower-case letters, digits or dashes, starting with a letter, at least 2 characters",
      )
      .superRefine((service, ctx) => {
        const why = serviceLengthProblem(service);
        if (why) ctx.addIssue({ code: "custom", message: why });
      }),
    /** AWS region of both stacks. */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as us-east-1"),
    /** The service's public domain, served by the Route 53 alias records. */
    domain: z
      .string()
      .regex(/^(?!-)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, "must be a lower-case DNS name such as app.example.com"),
    /** The public hosted zone that contains `domain`. */
    hostedZoneId: z
      .string()
      .regex(/^Z[A-Z0-9]{4,31}$/, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"),
    logRetentionDays: z.literal([1, 3, 5, 7, 14, 30, 60, 90, 180, 365]),
    /** A CloudWatch dashboard for the service: $3 a month beyond an account's three free ones, so off by default. */
    dashboard: z.boolean().default(false),
    /** Operators' e-mail for alerts (SNS); optional. */
    alertEmail: z.email().optional(),
    lambda: z
      .object({
        memoryMb: z.number().int().min(128).max(10240),
        timeoutSeconds: z.number().int().min(1).max(29), // API Gateway's integration limit is 29 s
        /** Mean request duration, used by the cost model. */
        meanDurationMs: z.number().positive().max(29000),
        /** Account concurrency the function may use before Lambda throttles. */
        reservedConcurrency: z.number().int().min(1).optional(),
      })
      .strict(),
    api: z
      .object({
        throttleRateLimit: z.number().positive(),
        throttleBurstLimit: z.number().int().positive(),
      })
      .strict(),
    fargate: FargateSchema,
    /** The image's contract with the stacks: health check path and the app's environment (sizes are in `lambda` and `fargate`). */
    app: AppSchema,
    workload: WorkloadSchema,
    scaling: ScalingSchema,
    terraformCloud: z
      .object({
        /** Setting this switches both stacks to Terraform Cloud (CloudBackend); empty means local state. */
        organization: z.string().optional(),
        coreWorkspace: z.string().regex(/^[A-Za-z0-9_-]{1,90}$/, "must be a Terraform Cloud workspace name"),
        fargateWorkspace: z.string().regex(/^[A-Za-z0-9_-]{1,90}$/, "must be a Terraform Cloud workspace name"),
        /** HCP Terraform host: app.terraform.io, app.eu.terraform.io for EU organizations, or a Terraform Enterprise host. */
        hostname: z
          .string()
          .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, "must be a host name such as app.terraform.io or app.eu.terraform.io")
          .default("app.terraform.io"),
        /** The HCP Terraform project holding both workspaces (part of the OIDC subject the run roles trust). */
        project: z.string().min(1).default("Default Project"),
        /** SSM Parameter Store SecureString holding an API token that can read and queue the fargate workspace's runs. */
        tokenParameterName: z.string().regex(/^\/[A-Za-z0-9_.\/-]+$/, "must be an SSM parameter name starting with /"),
      })
      .strict(),
    git: z
      .object({
        /** HTTPS clone URL of the deployment repository Terraform Cloud watches. */
        repositoryUrl: z.url({ protocol: /^https?$/ }),
        branch: z.string().min(1),
        /** SSM Parameter Store SecureString holding the git token (never the token itself). */
        tokenParameterName: z.string().regex(/^\/[A-Za-z0-9_.\/-]+$/, "must be an SSM parameter name starting with /"),
        /** Basic-auth user that goes with the token: x-access-token (GitHub), oauth2 (GitLab), x-token-auth (Bitbucket). */
        tokenUsername: z.string().min(1),
        authorName: z.string().min(1),
        authorEmail: z.email(),
      })
      .strict(),
    /** Directory (in the deployment repository) that holds the synthesized stacks. */
    deployDir: z
      .string()
      .regex(/^[A-Za-z0-9_.\/-]+$/)
      .refine(
        (p) => !p.startsWith("/") && !p.split("/").includes(".."),
        "must be a relative path inside the repository",
      ),
    /** Scaler: log decisions but never commit. */
    scalerDryRun: z.boolean(),
    /**
     * Reserved concurrency for the scaler. Unset by default: Lambda keeps 100 of the account's
     * concurrency unreserved and new accounts start with a quota of 10, so reserving fails there;
     * the scaler is safe to run twice at once (docs/decisions/0015-no-reserved-concurrency.md). Set 1 on accounts with room.
     */
    scalerReservedConcurrency: z.number().int().min(1).optional(),
    /** The toggle file, relative to the repository root. */
    toggleFile: z.string().regex(/\.auto\.tfvars\.json$/, "must end in .auto.tfvars.json so Terraform loads it"),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.fargate.maxTasks < c.fargate.minTasks) {
      ctx.addIssue({
        code: "custom",
        path: ["fargate", "maxTasks"],
        message: `must be >= fargate.minTasks (${c.fargate.minTasks})`,
      });
    }
    if (!c.toggleFile.startsWith(`${c.deployDir}/fargate/`)) {
      ctx.addIssue({
        code: "custom",
        path: ["toggleFile"],
        message: `must be inside ${c.deployDir}/fargate/, the fargate workspace's working directory`,
      });
    }
  });

export type DeploymentConfig = z.infer<typeof DeploymentConfigSchema>;

/** One bad field: its path, what is wrong, and the environment variable that set it when one did. */
export interface ConfigProblem {
  readonly field: string;
  readonly message: string;
  /** The `LAMBDAFLEX_*` variable (config/load.ts `ENV_OVERRIDES`) the bad value came from; absent when it came from the file. */
  readonly variable?: string;
}

/** Fields an environment variable overrode: field path ("fargate.minTasks") to the variable and the text it held. */
export type ConfigOrigins = Readonly<Record<string, { readonly variable: string; readonly value: string }>>;

/** Every problem in a configuration, by field path; the heading names the file, or the variables when they hold every bad value. */
export class ConfigValidationError extends Error {
  override readonly name = "ConfigValidationError";
  constructor(
    readonly problems: ReadonlyArray<ConfigProblem>,
    source: string,
  ) {
    const variables = [...new Set(problems.flatMap((p) => (p.variable ? [p.variable] : [])))];
    const where =
      variables.length === 0
        ? source
        : problems.every((p) => p.variable)
          ? `environment variable${variables.length > 1 ? "s" : ""} ${variables.join(", ")}, overriding ${source}`
          : `${source} and environment variable${variables.length > 1 ? "s" : ""} ${variables.join(", ")}`;
    super(
      `invalid LambdaFlex configuration (${where}):\n` + problems.map((p) => `  - ${p.field}: ${p.message}`).join("\n"),
    );
  }
}

/** A value as the user wrote it, short. */
const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
};
const isPrimitive = (value: unknown): boolean =>
  value === null || ["string", "number", "boolean"].includes(typeof value);
/** "a, b or c" */
const orList = (items: readonly string[]): string =>
  items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
const TYPE_NAMES: Readonly<Record<string, string>> = {
  int: "a whole number",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  record: "an object",
};

/** The object schema's keys at `path`, looking through defaults and other wrappers. */
function keysAt(path: readonly PropertyKey[]): string[] {
  type Node = { shape?: Record<string, Node>; _zod?: { def?: { innerType?: Node } } } | undefined;
  let node = DeploymentConfigSchema as unknown as Node;
  const unwrap = (n: Node): Node => {
    while (n && !n.shape && n._zod?.def?.innerType) n = n._zod.def.innerType;
    return n;
  };
  for (const key of path) node = unwrap(node)?.shape?.[String(key)];
  return Object.keys(unwrap(node)?.shape ?? {});
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(
        row[j]! + 1,
        next[j - 1]! + 1,
        row[j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
    row = next;
  }
  return row[b.length]!;
}

/** A key the section does not have: named with its section, the key meant when it is a near miss, and the section's keys. */
function unknownKey(section: readonly PropertyKey[], key: string): string {
  const known = keysAt(section);
  const name = section.length > 0 ? section.join(".") : "";
  const near = known
    .map((k) => ({ k, d: distance(key, k) }))
    .filter(({ d }) => d <= Math.max(1, Math.floor(key.length / 3)))
    .sort((x, y) => x.d - y.d)[0];
  return `unknown key ${JSON.stringify(key)} ${name ? `in ${name}` : "at the top level"}${near ? `; did you mean ${JSON.stringify(near.k)}?` : ""} (${name || "the top level"} takes ${known.join(", ")})`;
}

/** zod's words for one issue, with the allowed values and the value given where zod leaves them out. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const own = !/^(Invalid|Too (small|big))/.test(issue.message); // a message the schema wrote itself
  const input = (issue as { input?: unknown }).input;
  if (issue.code === "invalid_value" && !own)
    return `must be ${issue.values.length > 1 ? "one of " : ""}${orList(issue.values.map((v) => shown(v)))}, got ${shown(input)}`;
  if (issue.code === "invalid_type" && !own) {
    const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
    return input === undefined ? `is missing: must be ${expected}` : `must be ${expected}, got ${shown(input)}`;
  }
  if (issue.code !== "custom" && isPrimitive(input) && !/\bgot\b/.test(issue.message))
    return `${issue.message}, got ${shown(input)}`;
  return issue.message;
}

/** Every issue as problems by field, each unknown key on its own, and a value an environment variable set blamed on that variable. */
function problemsOf(error: z.ZodError, origins: ConfigOrigins): ConfigProblem[] {
  const problems = error.issues.flatMap((issue): ConfigProblem[] =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ field: [...issue.path, key].join("."), message: unknownKey(issue.path, key) }))
      : [{ field: issue.path.join(".") || "(root)", message: describeIssue(issue) }],
  );
  return problems.map((p) => {
    // The field itself, or a field the message compares it with ("must be >= fargate.minTasks"; dotted paths only, so a word is not a match).
    const origin = Object.entries(origins).find(
      ([field]) =>
        p.field === field || p.field.startsWith(`${field}.`) || (field.includes(".") && p.message.includes(field)),
    );
    if (!origin) return p;
    const [field, { variable, value }] = origin;
    return {
      ...p,
      variable,
      message: `${p.message} (${variable}=${JSON.stringify(value)} in the environment sets ${field})`,
    };
  });
}

/**
 * Validates a raw object; throws one error naming every bad field. `origins`
 * names the fields environment variables set, so their problems blame the variable.
 */
export function parseDeploymentConfig(
  raw: unknown,
  source = "configuration",
  origins: ConfigOrigins = {},
): DeploymentConfig {
  const result = DeploymentConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigValidationError(problemsOf(result.error, origins), source);
}
