/**
 * Whole-minute delays of a world, for the strategies that plan rather than
 * react: the lower bound's state machine and Fargate-always-on's autoscaling
 * take the world's shortest delays (so the lower bound stays below anything a
 * scaler could do in that world); the same-world optimum plans with its
 * median delays, then lives with the ones the world draws.
 */
import { CANARY_STEPS } from "../scaler/policy";
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

/** The median delays, plus what the scaler's own rules add to a round trip. */
export interface MedianDelays extends Delays {
  /** Weighted switch: minutes from the first healthy task until the tasks take most of the ALB's requests (the canary's steps below 100%, a minute each, after the next look); 0 with the DNS switch. */
  readonly canaryMinutes: number;
  /** Minutes from the draining commit until the tier may be removed: DNS TTL, deregistration delay and, weighted, the straggler window for clients that cache past the TTL. */
  readonly drainMinutes: number;
}

/** What the deployment adds to the world's delays (config `scaling` and `fargate.switch`). */
export interface DrainSettings {
  readonly deregistrationDelaySeconds: number;
  readonly dnsTtlSeconds: number;
  /** Weighted switch only (config scaling.stragglerMinutes). */
  readonly stragglerMinutes: number;
  readonly fargateSwitch: "weighted" | "dns";
}

/** The median of a draw uniform over [a, b]. */
const mid = ([a, b]: readonly [number, number]): number => (a + b) / 2;

/**
 * The median ALB creation: a share `tail` takes `tailMinutes`, the rest is uniform over [a, b]
 * (sim/world/tier-lifecycle.ts). With a tail under half, the median lies in the uniform part.
 */
function medianCreate(w: World): number {
  const [a, b] = w.aws.albCreateMinutes;
  const tail = w.aws.albCreateTailRate;
  if (tail >= 0.5) return w.aws.albCreateTailMinutes;
  return Math.min(b, a + ((b - a) * 0.5) / (1 - tail));
}

/** ECS stops a draining task this long after the deregistration delay (sim/world/tier-lifecycle.ts). */
const TASK_STOP_MINUTES = 0.5;
/** The planner looks once a minute, so a task that turns healthy waits half a minute, in the median, for the first canary step. */
const NEXT_LOOK_MINUTES = 0.5;

/**
 * The world's median delays in whole minutes (each rounded to the nearest),
 * for the same-world optimum's plan. Run failures and ALB creation tails are
 * left to the run itself: a plan cannot know which draw it gets.
 */
export function medianDelaysFor(w: World, s: DrainSettings): MedianDelays {
  const weighted = s.fargateSwitch === "weighted";
  return {
    metricLagMinutes: Math.round(mid(w.cloudwatch.lagMinutes)),
    commitToApplyMinutes: Math.round(mid(w.terraformCloud.webhookSeconds) / 60 + mid(w.terraformCloud.runMinutes)),
    createMinutes: Math.round(medianCreate(w)),
    taskBootMinutes: Math.round(mid(w.aws.taskStartMinutes)),
    destroyMinutes: Math.round(s.deregistrationDelaySeconds / 60 + TASK_STOP_MINUTES + mid(w.aws.destroyMinutes)),
    autoscaleLagMinutes: Math.round(mid(w.aws.autoscaleLagMinutes) + mid(w.aws.taskStartMinutes)),
    dnsTtlMinutes: Math.round(w.dns.ttlSeconds / 60),
    canaryMinutes: weighted ? Math.round(NEXT_LOOK_MINUTES + CANARY_STEPS.filter((p) => p < 100).length) : 0,
    drainMinutes: Math.ceil(
      (s.dnsTtlSeconds + s.deregistrationDelaySeconds) / 60 + (weighted ? s.stragglerMinutes : 0),
    ),
  };
}
