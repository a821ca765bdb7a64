/**
 * Route 53's evaluation of an ALB alias's target health, row by row as the
 * Route 53 Developer Guide states it ("Evaluate target health").
 */
import { albHealthyForRoute53, type TargetGroupHealth } from "../../../sim/world/route53";

describe("albHealthyForRoute53", () => {
  const tasks = (registered: number, healthy: number): TargetGroupHealth => ({ registered, healthy });
  const lambda = (healthy: boolean): TargetGroupHealth => ({ registered: 1, healthy: healthy ? 1 : 0 });

  it.each([
    ["every group has a healthy target", true, [tasks(2, 1), lambda(true)]],
    ["the tasks' group has no registered target (the tier warming)", false, [tasks(0, 0), lambda(true)]],
    ["the tasks' group has targets, none healthy yet", false, [tasks(2, 0), lambda(true)]],
    ["the Lambda group fails its checks (the function throttled)", false, [tasks(2, 2), lambda(false)]],
    ["a single group with a healthy target (DNS switch)", true, [tasks(3, 1)]],
    ["a single empty group", false, [tasks(0, 0)]],
  ] as const)("when %s, counts the ALB healthy: %s", (_what, healthy, groups) => {
    expect(albHealthyForRoute53(groups)).toBe(healthy);
  });
});
