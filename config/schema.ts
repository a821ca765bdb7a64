import { z } from "zod";
import { serviceLengthProblem } from "./derived-names";

/** Task CPU units Fargate offers (256 = 0.25 vCPU). */
export const FARGATE_CPUS = [256, 512, 1024, 2048, 4096] as const;
export type FargateCpu = (typeof FARGATE_CPUS)[number];

/**
 * Task memory (MiB) Fargate accepts for each CPU size (Linux, x86 and ARM64):
 * [least, most], in steps of 1024 (and 512 for the smallest size).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
export const FARGATE_MEMORY: Readonly<Record<FargateCpu, readonly [number, number]>> = {
  256: [512, 2048],
  512: [1024, 4096],
  1024: [2048, 8192],
  2048: [4096, 16384],
  4096: [8192, 30720],
};

/**
 * Why Fargate would refuse this task size (found only at apply time otherwise), or
 * undefined. The schema checks it, so synth, simulate, advise and doctor refuse the
 * same sizes in the same words; the fargate stack's construct checks it again.
 */
export function fargateSizeProblem(cpu: number, memoryMb: number): string | undefined {
  const range = FARGATE_MEMORY[cpu as FargateCpu];
  if (!range) return `cpu ${cpu} is not a Fargate size (${FARGATE_CPUS.join(", ")})`;
  const [least, most] = range;
  const stepOk = memoryMb % 1024 === 0 || (cpu === 256 && memoryMb === 512);
  if (memoryMb < least || memoryMb > most || !stepOk) {
    return `memoryMb ${memoryMb} does not go with cpu ${cpu}: Fargate takes ${least}-${most} MiB${cpu === 256 ? " (512, 1024 or 2048)" : " in steps of 1024"}`;
  }
  return undefined;
}

/** Variables the stacks set themselves; `PORT` comes from `fargate.containerPort`. */
export const STACK_VARIABLES: readonly string[] = ["LAMBDAFLEX_STORE", "LAMBDAFLEX_TIER", "LAMBDAFLEX_VERSION", "TABLE_NAME", "PORT"];
/** Set by Lambda or ECS, which refuse or override them (with every `AWS_*` name but the Web Adapter's `AWS_LWA_*`). */
export const PLATFORM_VARIABLES: readonly string[] = ["LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ", "ECS_CONTAINER_METADATA_URI", "ECS_CONTAINER_METADATA_URI_V4", "ECS_AGENT_URI"];
/** Lambda allows 4 KB for all of a function's variables; the stacks' own take well under 512 bytes. */
export const APP_ENVIRONMENT_MAX_BYTES = 3584;

/** Why a name cannot be one of `app.environment`'s, or undefined when it can. */
function nameProblem(name: string): string | undefined {
  // Lambda's rule for names: a letter, then at least one letter, digit or underscore.
  if (!/^[A-Za-z][A-Za-z0-9_]+$/.test(name)) return `${JSON.stringify(name)} is not a variable name Lambda accepts: a letter, then letters, digits or underscores`;
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
 * What the stacks tell and ask of the image, whichever app it holds (README,
 * "Bring your own service"). The defaults are the URL shortener's.
 */
export const AppSchema = z
  .object({
    /** Path the ALB's target group health check GETs; it must answer 200 without calling a dependency. */
    healthPath: z
      .string()
      .max(1024, { error: (i) => `must be at most 1024 characters (the ALB's limit), got ${String(i.input).length}` })
      .regex(/^\/[A-Za-z0-9._~\/-]*$/, { error: (i) => `must be a path such as /healthz (a leading /, then letters, digits, '.', '_', '~', '-' or '/'; no query), got ${JSON.stringify(i.input)}` })
      .default("/healthz"),
    /** Variables for the app, set on the Lambda function and the ECS task alike. Plain text in git and state: no secrets. */
    environment: z
      .record(z.string(), z.string({ error: (i) => `must be a string (quote numbers and booleans), got ${JSON.stringify(i.input)}` }))
      .superRefine((env, ctx) => {
        for (const [name, value] of Object.entries(env)) {
          const why = nameProblem(name) ?? valueProblem(value);
          if (why) ctx.addIssue({ code: "custom", path: [name], message: why });
        }
        const bytes = Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
        if (bytes > APP_ENVIRONMENT_MAX_BYTES) {
          ctx.addIssue({ code: "custom", message: `names and values take ${bytes} bytes, more than ${APP_ENVIRONMENT_MAX_BYTES} (Lambda allows 4 KB for all of a function's variables, the stacks' own included)` });
        }
      })
      .default({}),
  })
  .strict()
  // An absent section means the shortener's defaults, so configuration files from before it keep working.
  .prefault({});

/**
 * What the cost model assumes about each request beyond its duration: the
 * bytes and connections the ALB bills in LCUs, and the log bytes CloudWatch
 * Logs bills on ingestion (README, "Cost model and simulator"). The defaults
 * are the URL shortener's.
 */
export const WorkloadSchema = z
  .object({
    /** Bytes the ALB processes per request, request and response with headers (LCU processed-bytes dimension). */
    bytesPerRequest: z.number().nonnegative().default(10_000),
    /** Share of requests that open a new client connection; the rest reuse a kept-alive one (LCU new-connections dimension). */
    newConnectionFraction: z.number().min(0).max(1).default(0.5),
    /**
     * Seconds a client connection stays open, its keep-alive idle time included (LCU active-connections
     * dimension). Default: the ALB's idle timeout (stacks/fargate/load-balancer.ts), at which it closes a
     * connection a client keeps open.
     */
    connectionSeconds: z.number().nonnegative().max(4000).default(60),
    /**
     * Bytes CloudWatch Logs ingests per HTTP API access-log line: the stage's format (stacks/core/http-api.ts)
     * filled with a redirect's values, plus 26 bytes of event overhead (sim/log-bytes.ts).
     */
    accessLogBytes: z.number().int().nonnegative().default(167),
    /**
     * Bytes of Lambda's JSON platform records per invocation (platform.start and platform.report at the
     * default INFO level, stacks/core/lambda-service.ts `logFormat: "JSON"`), overheads included (sim/log-bytes.ts).
     */
    platformLogBytes: z.number().int().nonnegative().default(509),
    /** Bytes a Lambda cold start adds to the logs (platform.initStart and the report's init duration). */
    initLogBytes: z.number().int().nonnegative().default(509),
    /** Bytes the app itself logs per request, on either tier. The URL shortener logs only errors: 0. */
    appLogBytesPerRequest: z.number().nonnegative().default(0),
  })
  .strict()
  // An absent section means the shortener's figures, so configuration files from before it keep working.
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
      .regex(/^[a-z][a-z0-9-]+$/, "must be lower-case letters, digits or dashes, starting with a letter, at least 2 characters")
      .superRefine((service, ctx) => {
        const why = serviceLengthProblem(service);
        if (why) ctx.addIssue({ code: "custom", message: why });
      }),
    /** AWS region of both stacks. */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as us-east-1"),
    /** The service's public domain, served by the Route 53 alias records. */
    domain: z.string().regex(/^(?!-)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, "must be a lower-case DNS name such as app.example.com"),
    /** The public hosted zone that contains `domain`. */
    hostedZoneId: z.string().regex(/^Z[A-Z0-9]{4,31}$/, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"),
    logRetentionDays: z.literal([1, 3, 5, 7, 14, 30, 60, 90, 180, 365]),
    /** A CloudWatch dashboard for the service: $3 a month beyond an account's three free ones, so off by default. */
    dashboard: z.boolean().default(false),
    /** Operators' e-mail for alerts (SNS); optional. */
    alertEmail: z.email().optional(),
    lambda: z.object({
      memoryMb: z.number().int().min(128).max(10240),
      timeoutSeconds: z.number().int().min(1).max(29), // API Gateway's integration limit is 29 s
      /** Mean request duration, used by the cost model. */
      meanDurationMs: z.number().positive().max(29000),
      /** Account concurrency the function may use before Lambda throttles. */
      reservedConcurrency: z.number().int().min(1).optional(),
    }).strict(),
    api: z.object({
      throttleRateLimit: z.number().positive(),
      throttleBurstLimit: z.number().int().positive(),
    }).strict(),
    fargate: z.object({
      /** Task CPU units: 256 = 0.25 vCPU. */
      cpu: z.literal(FARGATE_CPUS),
      /** Must be a size Fargate offers for `cpu` (`FARGATE_MEMORY`). */
      memoryMb: z.number().int().min(512).max(30720),
      minTasks: z.number().int().min(1),
      maxTasks: z.number().int().min(1),
      /** Sustainable requests per second of one task; sizes warming and autoscaling. */
      requestsPerTaskPerSecond: z.number().positive(),
      /** Target-tracking goal as a fraction of that capacity. */
      targetUtilization: z.number().gt(0).max(1),
      containerPort: z.number().int().min(1024).max(65535),
      /**
       * How traffic moves to the tier. "weighted": the ALB fronts both the service Lambda and the
       * tasks, the "fargate" record is live from warming, and the scaler shifts weights (canary, spill,
       * drain). "dns": the earlier all-or-nothing switch, the record only while serving (for comparison).
       */
      switch: z.enum(["weighted", "dns"]).default("weighted"),
    })
      .strict()
      .superRefine((f, ctx) => {
        const why = fargateSizeProblem(f.cpu, f.memoryMb);
        if (why) ctx.addIssue({ code: "custom", path: ["memoryMb"], message: why });
      }),
    /** The image's contract with the stacks: health check path and the app's environment (sizes are in `lambda` and `fargate`). */
    app: AppSchema,
    workload: WorkloadSchema,
    scaling: z.object({
      /** Expected minutes from the warming commit to serving: Terraform run, ALB creation, healthy tasks, DNS TTL. Prices the round trip. */
      warmupMinutes: z.number().min(1).max(120).default(15),
      /** Expected minutes from the draining commit until the tier's resources are gone: run, TTL, deregistration, destroy. */
      teardownMinutes: z.number().min(1).max(120).default(10),
      /** Multiplies the round-trip cost both thresholds weigh; 1 is classic ski rental (see README for the guarantee). */
      switchCostFactor: z.number().min(0.25).max(16).default(1),
      /** Minutes of metrics the cost accumulators look back over. */
      historyMinutes: z.number().int().min(30).max(1440).default(360),
      /** Least time the tier serves before it may be drained. */
      minDwellMinutes: z.number().int().min(0).max(1440).default(15),
      /** One backoff step is forgotten per this many minutes spent in one state. */
      backoffDecayMinutes: z.number().int().min(60).max(20160).default(5760),
      /** Most backoff steps (each doubles the round-trip cost). */
      maxBackoff: z.number().int().min(0).max(10).default(4),
      /** After DNS TTL and deregistration delay, a drain ends after at most this many minutes even if stragglers remain. */
      drainDeadlineMinutes: z.number().int().min(1).max(1440).default(30),
      /** Weighted switch: after the record is gone, the ALB keeps serving through Lambda this long for clients that cache DNS past its TTL. */
      stragglerMinutes: z.number().int().min(0).max(1440).default(30),
      /** Warming longer than this without enough healthy hosts is stuck. */
      warmingTimeoutMinutes: z.number().int().min(5).max(120),
      /** A committed change Terraform Cloud has not applied after this long is reported as stuck. */
      applyTimeoutMinutes: z.number().int().min(2).max(120),
      /** TTL resolvers may cache the Fargate alias answer (Route 53 alias records use 60 s). */
      dnsTtlSeconds: z.number().int().min(0).max(3600),
      /** Target group deregistration delay. */
      deregistrationDelaySeconds: z.number().int().min(0).max(3600),
      /** Drain is finished when the ALB carries at most this (req/s). */
      drainIdleRps: z.number().nonnegative(),
      /** Minutes CloudWatch may take to publish a one-minute datapoint (AWS: usually 1 to 3); the scaler decides on windows that end this far back. */
      metricLagMinutes: z.number().int().min(0).max(15).default(3),
    })
      // Strict, like every section: a typo or a rate threshold of earlier versions (upThresholdRps, ...) is named, not silently ignored.
      .strict(),
    terraformCloud: z.object({
      /** Setting this switches both stacks to Terraform Cloud (CloudBackend); empty means local state. */
      organization: z.string().optional(),
      coreWorkspace: z.string().regex(/^[A-Za-z0-9_-]{1,90}$/, "must be a Terraform Cloud workspace name"),
      fargateWorkspace: z.string().regex(/^[A-Za-z0-9_-]{1,90}$/, "must be a Terraform Cloud workspace name"),
      /** HCP Terraform host: app.terraform.io, app.eu.terraform.io for EU organizations, or a Terraform Enterprise host. */
      hostname: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, "must be a host name such as app.terraform.io or app.eu.terraform.io").default("app.terraform.io"),
      /** The HCP Terraform project holding both workspaces (part of the OIDC subject the run roles trust). */
      project: z.string().min(1).default("Default Project"),
      /** SSM Parameter Store SecureString holding an API token that can read and queue the fargate workspace's runs. */
      tokenParameterName: z.string().regex(/^\/[A-Za-z0-9_.\/-]+$/, "must be an SSM parameter name starting with /"),
    }).strict(),
    git: z.object({
      /** HTTPS clone URL of the deployment repository Terraform Cloud watches. */
      repositoryUrl: z.url({ protocol: /^https?$/ }),
      branch: z.string().min(1),
      /** SSM Parameter Store SecureString holding the git token (never the token itself). */
      tokenParameterName: z.string().regex(/^\/[A-Za-z0-9_.\/-]+$/, "must be an SSM parameter name starting with /"),
      /** Basic-auth user that goes with the token: x-access-token (GitHub), oauth2 (GitLab), x-token-auth (Bitbucket). */
      tokenUsername: z.string().min(1),
      authorName: z.string().min(1),
      authorEmail: z.email(),
    }).strict(),
    /** Directory (in the deployment repository) that holds the synthesized stacks. */
    deployDir: z.string().regex(/^[A-Za-z0-9_.\/-]+$/).refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "must be a relative path inside the repository"),
    /** Scaler: log decisions but never commit. */
    scalerDryRun: z.boolean(),
    /**
     * Reserved concurrency for the scaler. Unset by default: Lambda keeps 100 of the account's
     * concurrency unreserved and new accounts start with a quota of 10, so reserving fails there;
     * the scaler is safe to run twice at once (see README). Set 1 on accounts with room.
     */
    scalerReservedConcurrency: z.number().int().min(1).optional(),
    /** The toggle file, relative to the repository root. */
    toggleFile: z.string().regex(/\.auto\.tfvars\.json$/, "must end in .auto.tfvars.json so Terraform loads it"),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.fargate.maxTasks < c.fargate.minTasks) {
      ctx.addIssue({ code: "custom", path: ["fargate", "maxTasks"], message: `must be >= fargate.minTasks (${c.fargate.minTasks})` });
    }
    if (!c.toggleFile.startsWith(`${c.deployDir}/fargate/`)) {
      ctx.addIssue({ code: "custom", path: ["toggleFile"], message: `must be inside ${c.deployDir}/fargate/, the fargate workspace's working directory` });
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
  constructor(readonly problems: ReadonlyArray<ConfigProblem>, source: string) {
    const variables = [...new Set(problems.flatMap((p) => (p.variable ? [p.variable] : [])))];
    const where = variables.length === 0
      ? source
      : problems.every((p) => p.variable)
        ? `environment variable${variables.length > 1 ? "s" : ""} ${variables.join(", ")}, overriding ${source}`
        : `${source} and environment variable${variables.length > 1 ? "s" : ""} ${variables.join(", ")}`;
    super(`invalid LambdaFlex configuration (${where}):\n` + problems.map((p) => `  - ${p.field}: ${p.message}`).join("\n"));
  }
}

/** A value as the user wrote it, short. */
const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
};
const isPrimitive = (value: unknown): boolean => value === null || ["string", "number", "boolean"].includes(typeof value);
/** "a, b or c" */
const orList = (items: readonly string[]): string => (items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`);
const TYPE_NAMES: Readonly<Record<string, string>> = { int: "a whole number", number: "a number", string: "a string", boolean: "true or false", object: "an object", array: "an array", record: "an object" };

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
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** A key the section does not have: named with its section, the key meant when it is a near miss, and the section's keys. */
function unknownKey(section: readonly PropertyKey[], key: string): string {
  const known = keysAt(section);
  const name = section.length > 0 ? section.join(".") : "";
  const near = known.map((k) => ({ k, d: distance(key, k) })).filter(({ d }) => d <= Math.max(1, Math.floor(key.length / 3))).sort((x, y) => x.d - y.d)[0];
  return `unknown key ${JSON.stringify(key)} ${name ? `in ${name}` : "at the top level"}${near ? `; did you mean ${JSON.stringify(near.k)}?` : ""} (${name || "the top level"} takes ${known.join(", ")})`;
}

/** zod's words for one issue, with the allowed values and the value given where zod leaves them out. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const own = !/^(Invalid|Too (small|big))/.test(issue.message); // a message the schema wrote itself
  const input = (issue as { input?: unknown }).input;
  if (issue.code === "invalid_value" && !own) return `must be ${issue.values.length > 1 ? "one of " : ""}${orList(issue.values.map((v) => shown(v)))}, got ${shown(input)}`;
  if (issue.code === "invalid_type" && !own) {
    const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
    return input === undefined ? `is missing: must be ${expected}` : `must be ${expected}, got ${shown(input)}`;
  }
  if (issue.code !== "custom" && isPrimitive(input) && !/\bgot\b/.test(issue.message)) return `${issue.message}, got ${shown(input)}`;
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
    const origin = Object.entries(origins).find(([field]) => p.field === field || p.field.startsWith(`${field}.`) || (field.includes(".") && p.message.includes(field)));
    if (!origin) return p;
    const [field, { variable, value }] = origin;
    return { ...p, variable, message: `${p.message} (${variable}=${JSON.stringify(value)} in the environment sets ${field})` };
  });
}

/**
 * Validates a raw object; throws one error naming every bad field. `origins`
 * names the fields environment variables set, so their problems blame the variable.
 */
export function parseDeploymentConfig(raw: unknown, source = "configuration", origins: ConfigOrigins = {}): DeploymentConfig {
  const result = DeploymentConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigValidationError(problemsOf(result.error, origins), source);
}
