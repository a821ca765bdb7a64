/**
 * The health of the service Lambda in the ALB's Lambda target group, as ELB's
 * health checks find it. A Lambda target's health check is an invocation of the
 * function (every HealthCheckIntervalSeconds, 35 s, from each load balancer
 * node), so it fails whenever the invocation is throttled at the function's
 * concurrency limit. A newly registered target must pass one check to be
 * healthy; after that it turns unhealthy after UnhealthyThresholdCount failures
 * in a row and healthy again after HealthyThresholdCount passes in a row
 * (Elastic Load Balancing, "Health checks for Application Load Balancer target
 * groups"). Route 53 reads this history when it evaluates the ALB's target
 * health for an answer given in the past (a client's cached answer).
 */
import type { TargetHealthStateEnum } from "@aws-sdk/client-elastic-load-balancing-v2";

export type LambdaTargetState = Extract<TargetHealthStateEnum, "initial" | "healthy" | "unhealthy">;

export interface LambdaTargetHealthOptions {
  /** When ELB registered the function (the ALB and its target group were created). */
  readonly registeredAt: number;
  /** The target group's HealthCheckIntervalSeconds (the fargate stack sets AWS's default for Lambda, 35). */
  readonly intervalSeconds: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  /** Load balancer nodes, each checking on its own (`aws.albNodes`). */
  readonly nodes: number;
  /** The world's seeded generator for check outcomes, in [0, 1). */
  readonly random: () => number;
}

export class LambdaTargetHealth {
  /** When the next check (of any node) runs: the nodes' checks interleave evenly. */
  private next: number;
  private passes = 0;
  private fails = 0;
  /** From `at` on the target was `state`, in time order: the first entry is its registration. */
  private readonly changes: Array<{ at: number; state: LambdaTargetState }>;

  constructor(private readonly o: LambdaTargetHealthOptions) {
    if (!(o.intervalSeconds > 0) || o.nodes < 1)
      throw new RangeError(
        `LambdaTargetHealth needs intervalSeconds > 0 and nodes >= 1, got ${o.intervalSeconds} and ${o.nodes}`,
      );
    this.next = o.registeredAt;
    this.changes = [{ at: o.registeredAt, state: "initial" }];
  }

  /**
   * Runs every check due before `until`. Each fails with probability `failShare`: the share of the
   * function's invocations that Lambda throttled (a check is an invocation like any other). The
   * checks of all nodes feed one state machine with the group's thresholds, in time order.
   */
  advance(until: number, failShare: number): void {
    const stepMs = (this.o.intervalSeconds * 1000) / this.o.nodes;
    for (; this.next < until; this.next += stepMs) {
      // No draw while nothing throttles: the common case costs a comparison per check.
      const passed = !(failShare > 0 && this.o.random() < failShare);
      if (passed) {
        this.passes++;
        this.fails = 0;
      } else {
        this.fails++;
        this.passes = 0;
      }
      const state = this.changes.at(-1)!.state;
      const healthyAfter = state === "initial" ? 1 : this.o.healthyThreshold;
      if (state !== "healthy" && this.passes >= healthyAfter) this.changes.push({ at: this.next, state: "healthy" });
      else if (state !== "unhealthy" && this.fails >= this.o.unhealthyThreshold)
        this.changes.push({ at: this.next, state: "unhealthy" });
    }
  }

  /** The target's state at `at` (before registration: initial; past the last check run: the last state). */
  stateAt(at: number): LambdaTargetState {
    let state: LambdaTargetState = "initial";
    for (const c of this.changes) {
      if (c.at > at) break;
      state = c.state;
    }
    return state;
  }

  /** Drops changes no answer can reach any more, keeping the one in force at `before`. */
  forget(before: number): void {
    while (this.changes.length > 1 && this.changes[1]!.at <= before) this.changes.shift();
  }
}
