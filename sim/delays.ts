/**
 * How long the real world takes, in minutes. Every delay has a default from
 * AWS and Terraform Cloud behaviour and can be overridden from the CLI.
 */
export interface Delays {
  /** CloudWatch publishes a one-minute datapoint about 1-2 minutes late. */
  readonly metricLagMinutes: number;
  /** Commit -> VCS webhook -> Terraform Cloud plan -> apply starts. */
  readonly commitToApplyMinutes: number;
  /** Apply -> VPC, ALB (the slow part, ~3-4 min) and ECS service exist. */
  readonly createMinutes: number;
  /** Task pulled, started and passing health checks (2 x 10 s) -> healthy. */
  readonly taskBootMinutes: number;
  /** Apply of `off` -> ALB, tasks and IPs are gone (and stop costing). */
  readonly destroyMinutes: number;
  /** Target tracking sees demand and a new task turns healthy. */
  readonly autoscaleLagMinutes: number;
  /** Resolvers keep the old answer this long after a record changes. */
  readonly dnsTtlMinutes: number;
}

export const DEFAULT_DELAYS: Delays = {
  metricLagMinutes: 2,
  commitToApplyMinutes: 2,
  createMinutes: 5,
  taskBootMinutes: 2,
  destroyMinutes: 3,
  autoscaleLagMinutes: 3,
  dnsTtlMinutes: 1,
};
