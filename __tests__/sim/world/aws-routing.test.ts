/**
 * The emulated AWS world's routing for the weighted switch: the ALB fronts the
 * service Lambda and the tasks and splits by its listener's weights, and
 * clients that keep a DNS answer past its TTL reach a destroyed ALB unless the
 * drain keeps it long enough; Route 53's alias answers with and without target
 * health. Driven directly (apply, step), without the scaler.
 */
import {
  ModifyListenerCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type DescribeListenersOutput,
  type DescribeLoadBalancersOutput,
  type DescribeTargetGroupsOutput,
  type DescribeTargetHealthOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { ListResourceRecordSetsCommand, type ListResourceRecordSetsCommandOutput } from "@aws-sdk/client-route-53";
import { loadDeploymentConfig } from "../../../config/load";
import type { DeploymentConfig } from "../../../config/schema";
import { formatToggle, type TierState } from "../../../model/toggle";
import { workloadFrom } from "../../../model/cost-model";
import { unservedRequestUsd } from "../../../sim/equal-service";
import { DEFAULT_PRICES } from "../../../model/prices";
import { MinuteLedger } from "../../../sim/simulator";
import type { MinuteOutcome } from "../../../sim/world/aws";
import { buildAwsWorld, MINUTE, START } from "../../../sim/world/build";
import { parseWorld } from "../../../sim/world/params";
import { FARGATE_RECORD_EVALUATES_TARGET_HEALTH } from "../../../stacks/fargate/record-health";

const base = loadDeploymentConfig(undefined, {});
const configFor = (s: "weighted" | "dns"): DeploymentConfig => ({ ...base, fargate: { ...base.fargate, switch: s } });

/** A world without randomness in its delays: ALB in 3 min, tasks healthy 1 min later, DNS in sync in 10 s, destroy 2 min. */
function fixedWorld(
  clients: { longCacheShare?: number; longCacheMinutes?: number } = {},
  aws: Record<string, unknown> = {},
) {
  return parseWorld({
    aws: { albCreateMinutes: [3, 3], albCreateTailRate: 0, taskStartMinutes: [1, 1], destroyMinutes: [2, 2], ...aws },
    dns: { propagationSeconds: [10, 10] },
    clients,
  });
}

/** `evaluates` overrides whether the "fargate" record evaluates target health (default: the stack's decision). */
function setup(mode: "weighted" | "dns", world = fixedWorld(), evaluates?: boolean) {
  const config = configFor(mode);
  const parts = buildAwsWorld({
    config,
    world,
    workload: workloadFrom(config),
    prices: DEFAULT_PRICES,
    recordEvaluatesTargetHealth: evaluates,
  });
  let minute = 0;
  const ledger = new MinuteLedger();
  const toggle = (tier: TierState, max = config.fargate.maxTasks) =>
    formatToggle({
      fargate_tier: tier,
      fargate_tier_since: "2026-01-01T00:00:00Z",
      fargate_min_tasks: config.fargate.minTasks,
      fargate_max_tasks: max,
      fargate_pinned: false,
      fargate_backoff_up: 0,
      fargate_backoff_down: 0,
    });
  return {
    ...parts,
    config,
    ledger,
    apply: (tier: TierState, max?: number) => parts.aws.apply(toggle(tier, max), () => undefined),
    /** Steps `n` minutes of `requests` each; returns the last minute's outcome. */
    run(n: number, requests: number): MinuteOutcome {
      let out!: MinuteOutcome;
      for (let i = 0; i < n; i++, minute++) {
        parts.clock.advanceTo(START + minute * MINUTE);
        out = parts.aws.step(requests);
        ledger.add(out);
      }
      return out;
    },
    /** The states DescribeTargetHealth reports for a target group ("lambda": the function's, "tasks": the tasks'). */
    async targetStates(group: "lambda" | "tasks"): Promise<string[]> {
      const name = group === "lambda" ? `${config.service}-lambda-tg` : `${config.service}-tg`;
      const tg = (
        (await parts.elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))) as DescribeTargetGroupsOutput
      ).TargetGroups![0]!;
      const out = (await parts.elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }),
      )) as DescribeTargetHealthOutput;
      return out.TargetHealthDescriptions!.map((d) => d.TargetHealth!.State!);
    },
    /** Sets the Lambda / ECS weights the way the scaler does. */
    async weights(lambda: number, ecs: number): Promise<void> {
      const lb = (
        (await parts.elb.send(
          new DescribeLoadBalancersCommand({ Names: [`${config.service}-alb`] }),
        )) as DescribeLoadBalancersOutput
      ).LoadBalancers![0]!;
      const https = (
        (await parts.elb.send(
          new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
        )) as DescribeListenersOutput
      ).Listeners!.find((l) => l.Port === 443)!;
      const tgs = (
        (await parts.elb.send(
          new DescribeTargetGroupsCommand({ Names: [`${config.service}-lambda-tg`, `${config.service}-tg`] }),
        )) as DescribeTargetGroupsOutput
      ).TargetGroups!;
      await parts.elb.send(
        new ModifyListenerCommand({
          ListenerArn: https.ListenerArn,
          DefaultActions: [
            {
              Type: "forward",
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: tgs[0]!.TargetGroupArn, Weight: lambda },
                  { TargetGroupArn: tgs[1]!.TargetGroupArn, Weight: ecs },
                ],
                TargetGroupStickinessConfig: { Enabled: false },
              },
            },
          ],
        }),
      );
    },
  };
}

const RPM = 6000; // 100 req/s: within two tasks' capacity and the API's limits

describe("the weighted switch in the emulated world", () => {
  it("puts the fargate record up in warming and sends the ALB's requests to the Lambda function at 100/0: no API Gateway request, ALB capacity units instead", () => {
    const t = setup("weighted", fixedWorld({ longCacheShare: 0 }));
    t.apply("warming");
    t.run(2, RPM); // the ALB is being created (3 min): everything through API Gateway
    const before = t.run(1, RPM);
    expect(before.bill.apiGatewayRequests!.quantity).toBeCloseTo(RPM, 6);
    const out = t.run(10, RPM);
    expect(out.lambdaRequests).toBeCloseTo(RPM, 6);
    expect(out.fargateRequests).toBe(0);
    expect(out.failedRequests).toBe(0);
    expect(out.bill.apiGatewayRequests!.quantity).toBeCloseTo(0, 6);
    expect(out.bill.lambdaRequests!.quantity).toBeCloseTo(RPM, 6);
    expect(out.bill.albLcuHours!.quantity).toBeGreaterThan(0);
    // The minute's cost is the sum of its items, and is below what the same requests cost through API Gateway.
    expect(out.cost).toBeCloseTo(
      Object.values(out.bill).reduce((a, l) => a + l.usd, 0),
      12,
    );
    expect(out.bill.lambdaRequests!.usd + out.bill.lambdaGbSeconds!.usd).toBeCloseTo(
      before.bill.lambdaRequests!.usd + before.bill.lambdaGbSeconds!.usd,
      9,
    );
  });

  it("splits the ALB's requests by the listener's weights: canary, spill and all on the tasks", async () => {
    const t = setup("weighted", fixedWorld({ longCacheShare: 0 }));
    t.apply("warming");
    t.run(10, RPM);
    await t.weights(90, 10);
    const canary = t.run(1, RPM);
    expect(canary.fargateRequests).toBeCloseTo(RPM * 0.1, 6);
    expect(canary.lambdaRequests).toBeCloseTo(RPM * 0.9, 6);
    expect(canary.fargateShare).toBeCloseTo(0.1, 6);
    await t.weights(50, 50);
    const half = t.run(1, RPM);
    expect(half.fargateRequests).toBeCloseTo(RPM / 2, 6);
    await t.weights(0, 100);
    const all = t.run(1, RPM);
    expect(all.fargateRequests).toBeCloseTo(RPM, 6);
    expect(all.lambdaRequests).toBeCloseTo(0, 6);
    expect(all.bill.lambdaRequests!.quantity).toBeCloseTo(0, 6);
    expect(all.failedRequests).toBe(0);
    expect(all.short).toBe(false);
    // Beyond the tasks' capacity the ALB's ECS share is short; spilling it back to Lambda carries it.
    const heavy = 60 * 1000; // two tasks carry 300 req/s
    expect(t.run(1, heavy).short).toBe(true);
    await t.weights(80, 20);
    expect(t.run(1, heavy).short).toBe(false);
  });

  it("keeps the scaler's weights through an apply of the same tier; a new ALB starts again at 100/0", async () => {
    const t = setup("weighted", fixedWorld({ longCacheShare: 0 }));
    t.apply("warming");
    t.run(10, RPM);
    await t.weights(0, 100);
    t.apply("serving", t.config.fargate.maxTasks + 1);
    t.run(2, RPM);
    expect(t.elb.forwardWeights(`${t.config.service}-alb`)!.map((g) => g.weight)).toEqual([0, 100]);
    t.apply("off");
    t.run(30, RPM);
    t.apply("warming");
    t.run(10, RPM);
    expect(t.elb.forwardWeights(`${t.config.service}-alb`)).toEqual([
      { targetGroupName: `${t.config.service}-lambda-tg`, weight: 100 },
      { targetGroupName: `${t.config.service}-tg`, weight: 0 },
    ]);
  });

  it("with the DNS switch forwards only to the tasks and puts the record up only in serving", () => {
    const t = setup("dns", fixedWorld({ longCacheShare: 0 }));
    t.apply("warming");
    const warming = t.run(10, RPM);
    expect(t.elb.forwardWeights(`${t.config.service}-alb`)).toEqual([
      { targetGroupName: `${t.config.service}-tg`, weight: 1 },
    ]);
    expect(warming.lambdaRequests).toBeCloseTo(RPM, 6);
    expect(warming.bill.apiGatewayRequests!.quantity).toBeCloseTo(RPM, 6);
    t.apply("serving");
    t.run(3, RPM);
    const serving = t.run(1, RPM);
    expect(serving.fargateRequests).toBeCloseTo(RPM, 6);
    expect(serving.bill.apiGatewayRequests!.quantity).toBeCloseTo(0, 6);
  });

  it("throttles requests the ALB sends to Lambda at the function's concurrency limit, as for API traffic", () => {
    const t = setup("weighted", fixedWorld({ longCacheShare: 0 }, { lambdaConcurrencyLimit: 5 }));
    t.apply("warming");
    t.run(10, 0);
    const out = t.run(1, RPM); // 100 req/s at the workload's duration needs more than 5 concurrent executions
    expect(out.failedRequests).toBeGreaterThan(0);
    expect(out.short).toBe(true);
    expect(out.bill.apiGatewayRequests!.quantity).toBeCloseTo(0, 6);
  });
});

describe("what becomes of each request", () => {
  /** Served on each tier, overloaded, and failed by cause, add up to the minute's requests. */
  const accounted = (out: MinuteOutcome) =>
    out.served.lambda +
    out.served.fargate +
    out.overloadedRequests +
    Object.values(out.failed).reduce((a, b) => a + b, 0);

  it("counts what the tasks answer past requestsPerTaskPerSecond per healthy task as overloaded, not served, and charges it at equal service", async () => {
    const t = setup("weighted", fixedWorld({ longCacheShare: 0 }));
    t.apply("serving");
    t.run(10, RPM);
    await t.weights(0, 100);
    const heavy = 60 * 1000; // 1,000 req/s on two healthy tasks that carry 150 req/s each
    const out = t.run(1, heavy);
    const capacity = t.config.fargate.minTasks * t.config.fargate.requestsPerTaskPerSecond * 60;
    expect(out.served.fargate).toBeCloseTo(capacity, 6);
    expect(out.overloadedRequests).toBeCloseTo(heavy - capacity, 6);
    expect(out.failedRequests).toBe(0);
    expect(out.short).toBe(true);
    expect(out.unservedUsd).toBeCloseTo(
      (heavy - capacity) * unservedRequestUsd(workloadFrom(t.config), DEFAULT_PRICES),
      12,
    );
    expect(accounted(out)).toBeCloseTo(heavy, 6);
  });

  it("names the cause of each failure: API Gateway 429s, Lambda throttles, the ALB's 503s (a destroyed ALB: see the DNS tests below)", async () => {
    // 429: past the stage's rate limit, before Lambda is asked.
    const api = setup("weighted", fixedWorld({ longCacheShare: 0 }));
    const limit = api.config.api.throttleRateLimit;
    const over = api.run(1, (limit + 1000) * 60);
    expect(over.failed).toEqual({ throttled: 0, rateLimited: 1000 * 60, noTarget: 0, deadEndpoint: 0 });
    expect(over.served.lambda).toBeCloseTo(limit * 60, 6);
    expect(accounted(over)).toBeCloseTo((limit + 1000) * 60, 6);
    // Throttled: the function's concurrency limit, here for requests through the ALB.
    const thr = setup("weighted", fixedWorld({ longCacheShare: 0 }, { lambdaConcurrencyLimit: 5 }));
    thr.apply("warming");
    thr.run(10, 0);
    const throttled = thr.run(1, RPM); // 100 req/s of 100 ms needs 10 concurrent executions: half are throttled
    expect(throttled.failed.throttled).toBeCloseTo(RPM / 2, 6);
    expect(throttled.served.lambda).toBeCloseTo(RPM / 2, 6);
    expect(accounted(throttled)).toBeCloseTo(RPM, 6);
    // 503: every weight 0.
    const none = setup("weighted", fixedWorld({ longCacheShare: 0 }));
    none.apply("serving");
    none.run(10, RPM);
    await none.weights(0, 0);
    const nowhere = none.run(1, RPM);
    expect(nowhere.failed.noTarget).toBeCloseTo(RPM, 6);
    expect(accounted(nowhere)).toBeCloseTo(RPM, 6);
  });
});

describe("clients that keep a DNS answer past its TTL", () => {
  /** Tier serving on the tasks, then drained and destroyed: with the DNS switch, off right after draining; weighted, draining keeps the ALB `keepMinutes` after the record is gone. */
  async function drainCycle(
    mode: "weighted" | "dns",
    clients: { longCacheShare?: number; longCacheMinutes?: number },
    keepMinutes: number,
  ) {
    const t = setup(mode, fixedWorld(clients));
    t.apply("warming");
    t.run(10, RPM);
    if (mode === "weighted") await t.weights(0, 100);
    t.apply("serving");
    t.run(60, RPM);
    if (mode === "weighted") await t.weights(100, 0);
    t.apply("draining");
    t.run(keepMinutes, RPM);
    t.apply("off");
    const perMinute: number[] = [];
    for (let m = 0; m < 60; m++) perMinute.push(t.run(1, RPM).deadEndpointRequests);
    return { t, perMinute, result: t.ledger.result(mode, Array(t.ledger.shares.length).fill(RPM)) };
  }

  it("with the DNS switch, a destroyed ALB still gets the long-caching clients' requests, which fail, until their answers expire", async () => {
    const { t, perMinute, result } = await drainCycle("dns", { longCacheShare: 0.2, longCacheMinutes: 30 }, 5);
    const dead = perMinute.reduce((a, b) => a + b, 0);
    expect(dead).toBeGreaterThan(0);
    expect(result.requestsToDeadEndpoint).toBeCloseTo(dead, 6);
    expect(result.requestsFailed.deadEndpoint).toBeCloseTo(dead, 6);
    expect(t.ledger.failedRequests).toBeGreaterThanOrEqual(dead);
    // At most the long-caching share of a minute's requests, and none once the last such answer (from before the record went) has expired.
    expect(Math.max(...perMinute)).toBeLessThanOrEqual(0.2 * RPM + 1e-6);
    expect(perMinute.slice(-15).every((d) => d === 0)).toBe(true);
    expect(t.aws.meter.strandedRequests).toBeCloseTo(dead, 6);
  });

  it("sends none to a dead endpoint when every client honours the TTL", async () => {
    const { result } = await drainCycle("dns", { longCacheShare: 0 }, 5);
    expect(result.requestsToDeadEndpoint).toBe(0);
  });

  it("with the weighted switch, keeping the ALB for the straggler minutes after the record is gone serves them through Lambda: none reach a dead endpoint", async () => {
    const { t, result } = await drainCycle("weighted", { longCacheShare: 0.2, longCacheMinutes: 30 }, 31);
    expect(result.requestsToDeadEndpoint).toBe(0);
    expect(t.ledger.failedRequests).toBe(0);
  });

  it("with the weighted switch, destroying the ALB before the long-cached answers expire strands them as well", async () => {
    const { result } = await drainCycle("weighted", { longCacheShare: 0.2, longCacheMinutes: 30 }, 5);
    expect(result.requestsToDeadEndpoint).toBeGreaterThan(0);
  });

  it("during the straggler minutes, the long-caching clients still reach the ALB and are served by Lambda through it", async () => {
    const t = setup("weighted", fixedWorld({ longCacheShare: 0.2, longCacheMinutes: 30 }));
    t.apply("warming");
    t.run(40, RPM);
    t.apply("draining");
    t.run(2, RPM);
    const out = t.run(1, RPM);
    // 80% honour the TTL and are back on API Gateway; most of the rest still resolve to the ALB.
    expect(out.bill.apiGatewayRequests!.quantity).toBeLessThan(RPM * 0.85);
    expect(out.bill.apiGatewayRequests!.quantity).toBeGreaterThan(RPM * 0.75);
    expect(out.lambdaRequests).toBeCloseTo(RPM, 6);
    expect(out.failedRequests).toBe(0);
  });
});

describe("Route 53's answer for the fargate alias record", () => {
  // fixedWorld: the ALB is up at 3:00, the record in sync at 3:10, the first task healthy at 4:00.
  const apiShare = (out: MinuteOutcome) => out.bill.apiGatewayRequests!.quantity / RPM;

  it.each(["weighted", "dns"] as const)(
    "gives the %s switch's record the target-health setting the fargate stack gives it",
    async (mode) => {
      const t = setup(mode, fixedWorld({ longCacheShare: 0 }));
      t.apply("serving");
      t.run(5, RPM);
      const out = (await t.route53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: t.config.hostedZoneId }),
      )) as ListResourceRecordSetsCommandOutput;
      const fargate = out.ResourceRecordSets!.find((r) => r.SetIdentifier === "fargate")!;
      expect(fargate.AliasTarget!.EvaluateTargetHealth).toBe(FARGATE_RECORD_EVALUATES_TARGET_HEALTH[mode]);
      expect(out.ResourceRecordSets!.find((r) => r.SetIdentifier === "lambda")!.AliasTarget!.EvaluateTargetHealth).toBe(
        false,
      );
    },
  );

  it("evaluating target health, withholds the ALB at warming while the tasks' group has no healthy target; not evaluating, answers it as soon as the record is in sync", async () => {
    const on = setup("weighted", fixedWorld({ longCacheShare: 0 }), true);
    const off = setup("weighted", fixedWorld({ longCacheShare: 0 }));
    for (const t of [on, off]) {
      t.apply("warming");
      t.run(3, RPM);
    }
    // Minute 3: the record is in sync from 3:10, no task is healthy before 4:00; the function's group is.
    expect(apiShare(on.run(1, RPM))).toBeCloseTo(1, 6);
    expect(apiShare(off.run(1, RPM))).toBeLessThan(0.8);
    expect(await on.targetStates("tasks")).not.toContain("healthy");
    expect(await on.targetStates("lambda")).toEqual(["healthy"]);
    // Once a task is healthy and the answers from before have expired, both answer the ALB.
    on.run(2, RPM);
    off.run(2, RPM);
    expect(apiShare(on.run(1, RPM))).toBeCloseTo(0, 6);
    expect(apiShare(off.run(1, RPM))).toBeCloseTo(0, 6);
  });

  it("evaluating target health, a Lambda target group failing its checks (the function throttled) sends every client back to API Gateway while serving; not evaluating, they stay on the ALB and reach the tasks", async () => {
    // One concurrent execution for 100 req/s of 100 ms: nine invocations in ten are throttled, health checks too.
    const world = fixedWorld({ longCacheShare: 0 }, { lambdaConcurrencyLimit: 1 });
    const outcomes: Record<"on" | "off", MinuteOutcome> = {} as never;
    for (const [key, evaluates] of [
      ["on", true],
      ["off", false],
    ] as const) {
      const t = setup("weighted", world, evaluates);
      t.apply("warming");
      t.run(10, RPM);
      await t.weights(0, 100); // the scaler's capacityShare: two healthy tasks carry 100 req/s
      t.apply("serving");
      t.run(5, RPM);
      outcomes[key] = t.run(1, RPM);
      if (evaluates) expect(await t.targetStates("lambda")).toEqual(["unhealthy"]);
      expect(await t.targetStates("tasks")).toContain("healthy");
    }
    expect(apiShare(outcomes.on)).toBeCloseTo(1, 6);
    expect(outcomes.on.fargateRequests).toBeCloseTo(0, 6);
    expect(outcomes.on.misroutedToApiRequests).toBeCloseTo(RPM, 6);
    expect(outcomes.on.failedRequests).toBeGreaterThan(RPM * 0.8); // throttled on the way in
    expect(apiShare(outcomes.off)).toBeCloseTo(0, 6);
    expect(outcomes.off.fargateRequests).toBeCloseTo(RPM, 6);
    expect(outcomes.off.misroutedToApiRequests).toBe(0);
    expect(outcomes.off.failedRequests).toBe(0);
  });

  it("with the DNS switch fails over to the lambda record while the tasks have no healthy target, and does not count that as misrouted", () => {
    const on = setup("dns", fixedWorld({ longCacheShare: 0 }));
    const off = setup("dns", fixedWorld({ longCacheShare: 0 }), false);
    for (const t of [on, off]) {
      t.apply("serving"); // the record goes up with the ALB, before the tasks are healthy
      t.run(3, RPM);
    }
    const failover = on.run(1, RPM);
    expect(apiShare(failover)).toBeCloseTo(1, 6);
    expect(failover.failedRequests).toBe(0);
    // Without the evaluation the clients that resolved from 3:10 on reach an ALB with no healthy task: 503s.
    expect(off.run(1, RPM).failedRequests).toBeGreaterThan(RPM / 4);
    // Minute 4 serves with a healthy task, yet still sees clients that resolved before it was healthy: a failover, not a misroute.
    const after = on.run(1, RPM);
    expect(apiShare(after)).toBeGreaterThan(0);
    expect(after.misroutedToApiRequests).toBe(0);
    on.run(1, RPM);
    expect(on.run(1, RPM).fargateRequests).toBeCloseTo(RPM, 6);
  });
});
