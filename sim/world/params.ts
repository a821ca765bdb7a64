/**
 * The world file: every parameter of the emulated AWS and Terraform Cloud,
 * with its default and where the default comes from. `npm run simulate --
 * --world FILE` overrides any subset; the parameters in effect are written to
 * simulation.json so a result can be reproduced.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

const range = (min: number, max: number) =>
  z
    .tuple([z.number().min(min).max(max), z.number().min(min).max(max)])
    .refine(([a, b]) => a <= b, { message: "must be [min, max] with min <= max" });
const rate = z.number().min(0).max(1);

export const WorldSchema = z
  .object({
    /** Seed of every random draw: the same seed gives the same run. */
    seed: z.number().int().nonnegative().default(1),
    cloudwatch: z
      .object({
        /** AWS services publish one-minute datapoints about 1 to 3 minutes after the minute ends (CloudWatch User Guide, "metrics are available ... typically within a few minutes"; measured 60-180 s). */
        lagMinutes: range(0, 30).default([1, 3]),
        /** Datapoints per GetMetricData page before NextToken (AWS: 100,800). */
        pageSize: z.number().int().min(1).default(100_800),
      })
      .strict()
      .prefault({}),
    terraformCloud: z
      .object({
        /** Queueing for a free agent, init and plan, per run (HCP Terraform free tier: about 1 to 3 min). */
        runMinutes: range(0, 120).default([1, 3]),
        /** Runs that end errored at plan (provider or API errors, quota): a few percent in practice. */
        failureRate: rate.default(0.02),
        /** Runs whose plan someone discards. */
        discardRate: rate.default(0),
        /** Runs stopped by a soft-mandatory policy. */
        policySoftFailRate: rate.default(0),
        /** Push to run created (VCS webhook delivery): seconds. */
        webhookSeconds: range(0, 3600).default([2, 30]),
      })
      .strict()
      .prefault({}),
    aws: z
      .object({
        /** ALB creation until active: usually 3 to 10 min (ELB docs, provider waits for "active"). */
        albCreateMinutes: range(0, 120).default([3, 10]),
        /** Share of ALB creations that take the long tail. */
        albCreateTailRate: rate.default(0.05),
        /** How long a tail creation takes (observed up to ~30 min). */
        albCreateTailMinutes: z.number().min(0).max(240).default(30),
        /** Destroying the tier after its tasks stopped: ALB, target group, VPC, ENIs (2 to 6 min). */
        destroyMinutes: range(0, 120).default([2, 6]),
        /** ECS task from placement to healthy in the target group: image pull, start, 2 health checks (1 to 2.5 min). */
        taskStartMinutes: range(0, 30).default([1, 2.5]),
        /** Target tracking: from load above target to a new desired count (3 one-minute datapoints, then the alarm acts: 3 to 5 min). */
        autoscaleLagMinutes: range(0, 60).default([3, 5]),
        /** Target tracking scales in after this many minutes below target (AWS: 15 datapoints). */
        scaleInMinutes: z.number().int().min(1).max(120).default(15),
        /** Lambda concurrency the function may use (account default quota 1000; new accounts get less). */
        lambdaConcurrencyLimit: z.number().int().min(1).default(1000),
        /** Load balancer nodes, each running its own health checks of every target: at least one per enabled Availability Zone, and the fargate stack's ALB spans two (ELB docs, "Each load balancer node checks the health of each target"). */
        albNodes: z.number().int().min(1).max(100).default(2),
        /** Share of AWS API calls answered with ThrottlingException (the SDK's retry is not emulated; the scaler must cope). */
        apiErrorRate: rate.default(0.001),
      })
      .strict()
      .prefault({}),
    dns: z
      .object({
        /** Resolvers cache the alias answer for its TTL (alias to an ALB: 60 s). */
        ttlSeconds: z.number().min(0).max(86_400).default(60),
        /** A Route 53 change reaches every name server (INSYNC) within about 60 s. */
        propagationSeconds: range(0, 600).default([10, 60]),
      })
      .strict()
      .prefault({}),
    clients: z
      .object({
        /** Share of requests from clients that keep a resolved answer far past its TTL (JVMs with networkaddress.cache.ttl=-1, keep-alive connection pools that reconnect rarely): a few percent. */
        longCacheShare: rate.default(0.05),
        /** How long those clients keep the endpoint they resolved (a typical pool's max connection age or a JVM restart cadence: ~30 min). */
        longCacheMinutes: z.number().min(0).max(1440).default(30),
      })
      .strict()
      .prefault({}),
    scaler: z
      .object({
        /** Latency of one git smart-HTTP request to a hosted git service (ms). */
        gitLatencyMs: range(0, 60_000).default([80, 400]),
        /** Latency of one AWS or Terraform Cloud API call (ms). */
        apiLatencyMs: range(0, 60_000).default([20, 150]),
        /** The scaler function's timeout (the core stack's default). */
        timeoutSeconds: z.number().min(1).max(900).default(60),
        /** Retries of a failed asynchronous invocation (the stack sets 0; Lambda's default is 2). */
        retryAttempts: z.number().int().min(0).max(2).default(0),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type World = z.infer<typeof WorldSchema>;

/** The realistic world: every default above. */
export const DEFAULT_WORLD: World = WorldSchema.parse({});

/** A world file that cannot be used; the message names each bad key. */
export class WorldFileError extends Error {
  override readonly name = "WorldFileError";
}

/** Validates a world object (any subset of keys); names every bad key with its value. */
export function parseWorld(raw: unknown, source = "world"): World {
  const result = WorldSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const key = i.path.join(".") || "(root)";
    let value: unknown = raw;
    for (const p of i.path) value = (value as Record<string, unknown> | undefined)?.[p as string];
    return `${key}${value !== undefined && i.path.length ? ` = ${JSON.stringify(value)}` : ""}: ${i.message}`;
  });
  throw new WorldFileError(`${source} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}

/** Reads and validates a world file. */
export function loadWorld(file: string): World {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new WorldFileError(`cannot read world file ${file}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, "")); // a byte-order mark only says the file is UTF-8
  } catch (err) {
    throw new WorldFileError(`world file ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseWorld(raw, `world file ${file}`);
}
