/**
 * Whole-minute delays for the strategies that do not run in the twin: the
 * clairvoyant optimum's state machine and Fargate-always-on's autoscaling.
 * They are the world's shortest delays, so the optimum stays a lower bound on
 * what any scaler could do in that world.
 */
import type { World } from "./world/params";

export interface Delays {
  /** CloudWatch publication lag. */
  readonly metricLagMinutes: number;
  /** Commit -> VCS webhook -> Terraform Cloud plan -> apply starts. */
  readonly commitToApplyMinutes: number;
  /** Apply -> ALB and ECS service exist. */
  readonly createMinutes: number;
  /** Task pulled, started and passing health checks. */
  readonly taskBootMinutes: number;
  /** Apply of `off` -> ALB, tasks and IPs are gone (and stop costing). */
  readonly destroyMinutes: number;
  /** Target tracking sees demand and a new task turns healthy. */
  readonly autoscaleLagMinutes: number;
  /** Resolvers keep the old answer this long after a record changes. */
  readonly dnsTtlMinutes: number;
}

/** The shortest delays the world can produce, in whole minutes. */
export function delaysFor(w: World, deregistrationDelaySeconds: number): Delays {
  return {
    metricLagMinutes: Math.floor(w.cloudwatch.lagMinutes[0]),
    commitToApplyMinutes: Math.floor(w.terraformCloud.webhookSeconds[0] / 60 + w.terraformCloud.runMinutes[0]),
    createMinutes: Math.floor(w.aws.albCreateMinutes[0]),
    taskBootMinutes: Math.floor(w.aws.taskStartMinutes[0]),
    destroyMinutes: Math.floor(w.aws.destroyMinutes[0] + deregistrationDelaySeconds / 60),
    autoscaleLagMinutes: Math.floor(w.aws.autoscaleLagMinutes[0] + w.aws.taskStartMinutes[0]),
    dnsTtlMinutes: Math.floor(w.dns.ttlSeconds / 60),
  };
}
