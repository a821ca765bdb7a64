import { z } from "zod";
import { DeploymentConfigSchema, WorkloadSchema, type DeploymentConfig } from "../config/schema";
import { serviceNames, wakeAlarms } from "../model/names";
import { policyConfigFrom } from "./policy";

// Bounds live where the configuration defines them: a field copied from the configuration takes its
// schema here (without the default, since the settings always carry the value), so the two never drift.
const config = DeploymentConfigSchema.shape;
const scaling = config.scaling.shape;
const fargate = config.fargate.shape;
const load = WorkloadSchema.unwrap().shape;
const required = <T extends z.ZodType>(s: z.ZodDefault<T>): T => s.unwrap();

/**
 * What the scaler Lambda needs at run time, passed by the core stack as one
 * JSON environment variable (LAMBDAFLEX_SCALER_SETTINGS) and validated here.
 */
export const ScalerSettingsSchema = z
  .object({
    service: z.string().min(1),
    policy: z.object({
      workload: z.object({
        lambdaMemoryMb: config.lambda.shape.memoryMb,
        meanDurationMs: config.lambda.shape.meanDurationMs,
        // Derived in model/cost-model.ts (workloadFrom), not read from the configuration.
        coldStartMs: z.number().nonnegative(),
        taskVcpu: z.number().positive(),
        taskMemoryGb: z.number().positive(),
        requestsPerTaskPerSecond: fargate.requestsPerTaskPerSecond,
        targetUtilization: fargate.targetUtilization,
        minTasks: fargate.minTasks,
        maxTasks: fargate.maxTasks,
        newConnectionFraction: required(load.newConnectionFraction),
        connectionSeconds: required(load.connectionSeconds),
        bytesPerRequest: required(load.bytesPerRequest),
        accessLogBytes: required(load.accessLogBytes),
        platformLogBytes: required(load.platformLogBytes),
        initLogBytes: required(load.initLogBytes),
        appLogBytesPerRequest: required(load.appLogBytesPerRequest),
        tierAlarms: z.number().int().nonnegative(),
        lambdaCapacityRps: z.number().positive(),
      }),
      warmupMinutes: required(scaling.warmupMinutes),
      teardownMinutes: required(scaling.teardownMinutes),
      switchCostFactor: required(scaling.switchCostFactor),
      historyMinutes: required(scaling.historyMinutes),
      minDwellMinutes: required(scaling.minDwellMinutes),
      backoffDecayMinutes: required(scaling.backoffDecayMinutes),
      maxBackoff: required(scaling.maxBackoff),
      warmingTimeoutMinutes: scaling.warmingTimeoutMinutes,
      applyTimeoutMinutes: scaling.applyTimeoutMinutes,
      dnsTtlSeconds: scaling.dnsTtlSeconds,
      deregistrationDelaySeconds: scaling.deregistrationDelaySeconds,
      drainIdleRps: scaling.drainIdleRps,
      drainDeadlineMinutes: required(scaling.drainDeadlineMinutes),
      stragglerMinutes: required(scaling.stragglerMinutes),
      fargateSwitch: required(fargate.switch),
      requestsPerTaskPerSecond: fargate.requestsPerTaskPerSecond,
      targetUtilization: fargate.targetUtilization,
      minTasks: fargate.minTasks,
      maxTasks: fargate.maxTasks,
    }),
    git: z.object({
      repositoryUrl: z.string().url(),
      branch: z.string().min(1),
      tokenParameterName: z.string().min(1),
      tokenUsername: z.string().min(1),
      authorName: z.string().min(1),
      authorEmail: z.string().min(3),
    }),
    toggleFile: z.string().min(1),
    targets: z.object({
      apiId: z.string().min(1),
      functionName: z.string().min(1),
      albName: z.string().min(1),
      targetGroupName: z.string().min(1),
      lambdaTargetGroupName: z.string().min(1).optional(),
    }),
    hostedZoneId: z.string().min(1),
    domain: z.string().min(1),
    tableName: z.string().min(1),
    /** Waking while the tier is off: the wake alarms, and the one-time schedules that re-arm the scaler while one stays in ALARM. */
    wake: z.object({
      alarmNames: z.array(z.string().min(1)).min(1),
      scheduleGroup: z.string().min(1),
      schedulerRoleArn: z.string().min(1),
      scalerArn: z.string().min(1),
    }),
    /** The operators' SNS topic: the scaler publishes each new alert there itself (no paging alarm billed while quiet). */
    alertTopicArn: z.string().min(1),
    /** Minutes CloudWatch may take to publish a datapoint; decisions use windows that end this far back. */
    metricLagMinutes: required(scaling.metricLagMinutes),
    /** Where to read the fargate workspace's run status; absent with local state. */
    terraformCloud: z
      .object({
        hostname: z.string().min(1),
        organization: z.string().min(1),
        workspace: z.string().min(1),
        tokenParameterName: z.string().min(1),
      })
      .optional(),
    dryRun: z.boolean(),
  })
  .strict();

export type ScalerSettings = z.infer<typeof ScalerSettingsSchema>;

/** Builds the settings from the deployment configuration plus the ids of resources only Terraform knows. */
export function scalerSettingsFrom(
  c: DeploymentConfig,
  ids: {
    apiId: string;
    functionName: string;
    tableName: string;
    alertTopicArn: string;
    scalerArn: string;
    schedulerRoleArn: string;
  },
): ScalerSettings {
  const policy = policyConfigFrom(c);
  const names = serviceNames(c.service);
  return {
    service: c.service,
    policy,
    git: { ...c.git },
    toggleFile: c.toggleFile,
    targets: {
      apiId: ids.apiId,
      functionName: ids.functionName,
      albName: names.tier.alb,
      targetGroupName: names.tier.targetGroup,
      ...(c.fargate.switch === "weighted" ? { lambdaTargetGroupName: names.tier.lambdaTargetGroup } : {}),
    },
    hostedZoneId: c.hostedZoneId,
    domain: c.domain,
    tableName: ids.tableName,
    wake: {
      alarmNames: wakeAlarms(names),
      scheduleGroup: names.scheduleGroup,
      schedulerRoleArn: ids.schedulerRoleArn,
      scalerArn: ids.scalerArn,
    },
    alertTopicArn: ids.alertTopicArn,
    metricLagMinutes: c.scaling.metricLagMinutes,
    terraformCloud: c.terraformCloud.organization
      ? {
          hostname: c.terraformCloud.hostname,
          organization: c.terraformCloud.organization,
          workspace: c.terraformCloud.fargateWorkspace,
          tokenParameterName: c.terraformCloud.tokenParameterName,
        }
      : undefined,
    dryRun: c.scalerDryRun,
  };
}

/** Reads and validates the settings; LAMBDAFLEX_SCALER_DRY_RUN=true forces dry-run. Names every bad field. */
export function scalerSettingsFromEnv(env: NodeJS.ProcessEnv): ScalerSettings {
  const raw = env.LAMBDAFLEX_SCALER_SETTINGS;
  if (!raw) throw new Error("LAMBDAFLEX_SCALER_SETTINGS is not set; the core stack sets it on the scaler function");
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new Error(`LAMBDAFLEX_SCALER_SETTINGS is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const result = ScalerSettingsSchema.safeParse(parsed);
  if (!result.success) {
    throw new Error(
      `LAMBDAFLEX_SCALER_SETTINGS is invalid: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return env.LAMBDAFLEX_SCALER_DRY_RUN === "true" ? { ...result.data, dryRun: true } : result.data;
}
