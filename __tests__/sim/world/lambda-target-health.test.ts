/**
 * The ALB's health checks of the service function: each is an invocation, so
 * it fails when Lambda throttles; the target group's thresholds decide when
 * the target turns unhealthy and healthy again.
 */
import { LambdaTargetHealth } from "../../../sim/world/lambda-target-health";
import { Rng } from "../../../sim/world/clock";

const S = 1000;
/** The fargate stack's Lambda target group: a check every 35 s per node, 2 to turn either way; two nodes. */
const target = (random: () => number = new Rng(1).random) =>
  new LambdaTargetHealth({
    registeredAt: 0,
    intervalSeconds: 35,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
    nodes: 2,
    random,
  });

describe("LambdaTargetHealth", () => {
  it("is initial until the first check passes, then healthy", () => {
    const t = target();
    expect(t.stateAt(-1)).toBe("initial");
    t.advance(1, 0);
    expect(t.stateAt(0)).toBe("healthy");
  });

  it("turns unhealthy after two failed checks in a row (the nodes' checks 17.5 s apart) and healthy after two passes", () => {
    const t = target();
    t.advance(30 * S, 0); // checks at 0 and 17.5 s pass
    t.advance(60 * S, 1); // 35 s fails, 52.5 s fails
    expect(t.stateAt(52.4 * S)).toBe("healthy");
    expect(t.stateAt(52.5 * S)).toBe("unhealthy");
    t.advance(100 * S, 0); // 70 s passes, 87.5 s passes
    expect(t.stateAt(87.4 * S)).toBe("unhealthy");
    expect(t.stateAt(87.5 * S)).toBe("healthy");
  });

  it("under throttling that fails one check in ten, stays healthy nearly always; at nine in ten, nearly never", () => {
    const share = (failShare: number) => {
      const t = target(new Rng(7).random);
      t.advance(3600 * S, failShare);
      let healthy = 0;
      for (let s = 0; s < 3600; s++) if (t.stateAt(s * S) === "healthy") healthy++;
      return healthy / 3600;
    };
    expect(share(0.1)).toBeGreaterThan(0.95);
    expect(share(0.9)).toBeLessThan(0.05);
  });

  it("draws nothing while no check can fail", () => {
    const random = jest.fn(() => 0.5);
    target(random).advance(3600 * S, 0);
    expect(random).not.toHaveBeenCalled();
  });
});
