/**
 * Assembles the emulated AWS world on one clock and one seed: CloudWatch,
 * ELBv2, Route 53 and the Fargate/Lambda tiers. The twin adds the scaler's
 * services on top; the single-tier baselines run in the world alone, so every
 * strategy is billed by the same world.
 */
import type { DeploymentConfig } from "../../config/schema";
import type { Workload } from "../../model/cost-model";
import type { PriceTable } from "../../model/prices";
import { AwsWorld, type AwsNames } from "./aws";
import { Rng, SimClock } from "./clock";
import { CloudWatchEmulator } from "./cloudwatch";
import { Elbv2Emulator } from "./elbv2";
import type { World } from "./params";
import { Route53Emulator } from "./route53";
import { serviceNames } from "../../model/names";

/** Simulated time starts here (00:00 UTC); minute i of a trace is START + i minutes. */
export const START = Date.UTC(2026, 0, 1);
export const MINUTE = 60_000;

/** The names the stacks give the resources (as the core and fargate stacks build them from `service`). */
export const awsNames = (c: DeploymentConfig): AwsNames & { tableName: string } => {
  const n = serviceNames(c.service);
  return {
    apiId: "a1b2c3d4e5",
    functionName: n.apiFunction,
    tableName: n.table,
    albName: n.tier.alb,
    targetGroupName: n.tier.targetGroup,
    lambdaTargetGroupName: n.tier.lambdaTargetGroup,
    domain: c.domain,
  };
};

export interface AwsParts {
  readonly clock: SimClock;
  /** Independent generators per part, so a change in one part's draws leaves the others' sequences alone. */
  readonly rng: {
    readonly cloudwatch: Rng;
    readonly elb: Rng;
    readonly tfc: Rng;
    readonly aws: Rng;
    readonly scaler: Rng;
  };
  readonly cloudwatch: CloudWatchEmulator;
  readonly elb: Elbv2Emulator;
  readonly route53: Route53Emulator;
  readonly aws: AwsWorld;
}

/**
 * The world on its clock. `recordEvaluatesTargetHealth` overrides what the fargate stack gives the
 * "fargate" record (FARGATE_RECORD_EVALUATES_TARGET_HEALTH), for tests of the other semantics only.
 */
export function buildAwsWorld(o: {
  config: DeploymentConfig;
  world: World;
  workload: Workload;
  prices: PriceTable;
  startMs?: number;
  recordEvaluatesTargetHealth?: boolean;
}): AwsParts {
  const { config, world } = o;
  const clock = new SimClock(o.startMs ?? START);
  const seed = new Rng(world.seed);
  const rng = {
    cloudwatch: seed.fork(1),
    elb: seed.fork(2),
    tfc: seed.fork(3),
    aws: seed.fork(4),
    scaler: seed.fork(5),
  };
  const cloudwatch = new CloudWatchEmulator({
    now: clock.now,
    random: rng.cloudwatch.random,
    lagMinutes: world.cloudwatch.lagMinutes,
    pageSize: world.cloudwatch.pageSize,
  });
  const elb = new Elbv2Emulator({ random: rng.elb.random });
  const route53 = new Route53Emulator({ zoneId: config.hostedZoneId, now: clock.now });
  const aws = new AwsWorld({
    clock,
    rng: rng.aws,
    world,
    workload: o.workload,
    prices: o.prices,
    names: awsNames(config),
    apiRateLimit: config.api.throttleRateLimit,
    reservedConcurrency: config.lambda.reservedConcurrency,
    deregistrationDelaySeconds: config.scaling.deregistrationDelaySeconds,
    switch: config.fargate.switch ?? "weighted",
    ...(o.recordEvaluatesTargetHealth === undefined
      ? {}
      : { recordEvaluatesTargetHealth: o.recordEvaluatesTargetHealth }),
    cloudwatch,
    elb,
    route53,
  });
  return { clock, rng, cloudwatch, elb, route53, aws };
}
