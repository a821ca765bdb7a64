/**
 * Whether the tier's weight-100 `fargate` alias record evaluates the ALB's target health, by switch.
 *
 * Route 53 counts an ALB alias healthy only when every target group with registered targets has a
 * healthy one, and treats a target group without targets as unhealthy
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-alias.html#rrsets-values-alias-evaluate-target-health).
 * - "weighted": off. The ALB always has a working path (its Lambda target group), and the scaler's
 *   listener weights move requests between the tasks and Lambda from live target health
 *   (DescribeTargetHealth, no lag). On, the record would be withheld while the tasks' group is still
 *   empty at `warming`, and while serving a Lambda group whose health checks fail (throttling, the
 *   very load that added the tier) would send every client back to API Gateway.
 * - "dns": on. The listener forwards to the tasks only, so Route 53's failover to the weight-0
 *   `lambda` record is the only way around unhealthy tasks.
 * The stacks and the twin's Route 53 both read this, so they cannot disagree.
 */
export const FARGATE_RECORD_EVALUATES_TARGET_HEALTH: Readonly<Record<"weighted" | "dns", boolean>> = {
  weighted: false,
  dns: true,
};
