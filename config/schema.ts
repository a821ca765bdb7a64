import { z } from "zod";
import { serviceLengthProblem } from "./derived-names";
import { APP_ENVIRONMENT_MAX_BYTES, nameProblem, valueProblem } from "./app-environment";
import { ConfigValidationError, problemsOf, type ConfigOrigins } from "./problems";
import { FargateSchema, ScalingSchema, WorkloadSchema } from "./tier-schema";

export { APP_ENVIRONMENT_MAX_BYTES, PLATFORM_VARIABLES, STACK_VARIABLES } from "./app-environment";
export { ConfigValidationError, type ConfigOrigins, type ConfigProblem } from "./problems";
export { FARGATE_CPUS, FARGATE_MEMORY, fargateSizeProblem, WorkloadSchema, type FargateCpu } from "./tier-schema";

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
  throw new ConfigValidationError(problemsOf(DeploymentConfigSchema, result.error, origins), source);
}
