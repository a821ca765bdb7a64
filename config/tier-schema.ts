/**
 * The Fargate tier's section of the configuration and the policy that adds and
 * removes it: the task size Fargate accepts, the tier's capacity and switch,
 * the workload the cost model prices, and the scaling policy's timings.
 * config/schema.ts puts them into the one deployment configuration.
 */
import { z } from "zod";

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

/**
 * What the cost model assumes about each request beyond its duration: the
 * bytes and connections the ALB bills in LCUs, and the log bytes CloudWatch
 * Logs bills on ingestion (docs/cost-model.md). The defaults
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

/** The Fargate tier: task size and count, the capacity target tracking holds, and how traffic moves to it. */
export const FargateSchema = z
  .object({
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
  });

/** The scaling policy: what a round trip costs in time, how long it remembers, when it gives up. */
export const ScalingSchema = z
  .object({
    /** Expected minutes from the warming commit to serving: Terraform run, ALB creation, healthy tasks, DNS TTL. Prices the round trip. */
    warmupMinutes: z.number().min(1).max(120).default(15),
    /** Expected minutes from the draining commit until the tier's resources are gone: run, TTL, deregistration, destroy. */
    teardownMinutes: z.number().min(1).max(120).default(10),
    /** Multiplies the round-trip cost both thresholds weigh; 1 is classic ski rental (docs/scaling-policy.md gives the guarantee). */
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
  .strict();
