/**
 * The emulated AWS world's routing for the weighted switch: the ALB fronts the
 * service Lambda and the tasks and splits by its listener's weights, and
 * clients that keep a DNS answer past its TTL reach a destroyed ALB unless the
 * drain keeps it long enough. Driven directly (apply, step), without the scaler.
 */
import { ModifyListenerCommand, DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, type DescribeListenersOutput, type DescribeLoadBalancersOutput, type DescribeTargetGroupsOutput } from "@aws-sdk/client-elastic-load-balancing-v2";
import { loadDeploymentConfig } from "../../../config/load";
import type { DeploymentConfig } from "../../../config/schema";
import { formatToggle, type TierState } from "../../../scaler/toggle";
import { workloadFrom } from "../../../sim/cost-model";
import { DEFAULT_PRICES } from "../../../sim/prices";
import { MinuteLedger } from "../../../sim/simulator";
import type { MinuteOutcome } from "../../../sim/world/aws";
import { buildAwsWorld, MINUTE, START } from "../../../sim/world/build";
import { parseWorld } from "../../../sim/world/params";

const base = loadDeploymentConfig(undefined, {});
const configFor = (s: "weighted" | "dns"): DeploymentConfig => ({ ...base, fargate: { ...base.fargate, switch: s } });

/** A world without randomness in its delays: ALB in 3 min, tasks healthy 1 min later, DNS in sync in 10 s, destroy 2 min. */
function fixedWorld(clients: { longCacheShare?: number; longCacheMinutes?: number } = {}, aws: Record<string, unknown> = {}) {
  return parseWorld({
    aws: { albCreateMinutes: [3, 3], albCreateTailRate: 0, taskStartMinutes: [1, 1], destroyMinutes: [2, 2], ...aws },
    dns: { propagationSeconds: [10, 10] },
    clients,
  });
}

function setup(mode: "weighted" | "dns", world = fixedWorld()) {
  const config = configFor(mode);
  const parts = buildAwsWorld({ config, world, workload: workloadFrom(config), prices: DEFAULT_PRICES });
  let minute = 0;
  const ledger = new MinuteLedger();
  const toggle = (tier: TierState, max = config.fargate.maxTasks) =>
    formatToggle({ fargate_tier: tier, fargate_tier_since: "2026-01-01T00:00:00Z", fargate_min_tasks: config.fargate.minTasks, fargate_max_tasks: max, fargate_pinned: false, fargate_backoff_up: 0, fargate_backoff_down: 0 });
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
    /** Sets the Lambda / ECS weights the way the scaler does. */
    async weights(lambda: number, ecs: number): Promise<void> {
      const lb = ((await parts.elb.send(new DescribeLoadBalancersCommand({ Names: [`${config.service}-alb`] }))) as DescribeLoadBalancersOutput).LoadBalancers![0]!;
      const https = ((await parts.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))) as DescribeListenersOutput).Listeners!.find((l) => l.Port === 443)!;
      const tgs = ((await parts.elb.send(new DescribeTargetGroupsCommand({ Names: [`${config.service}-lambda-tg`, `${config.service}-tg`] }))) as DescribeTargetGroupsOutput).TargetGroups!;
      await parts.elb.send(
        new ModifyListenerCommand({
          ListenerArn: https.ListenerArn,
          DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: tgs[0]!.TargetGroupArn, Weight: lambda }, { TargetGroupArn: tgs[1]!.TargetGroupArn, Weight: ecs }], TargetGroupStickinessConfig: { Enabled: false } } }],
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
    expect(out.cost).toBeCloseTo(Object.values(out.bill).reduce((a, l) => a + l.usd, 0), 12);
    expect(out.bill.lambdaRequests!.usd + out.bill.lambdaGbSeconds!.usd).toBeCloseTo(before.bill.lambdaRequests!.usd + before.bill.lambdaGbSeconds!.usd, 9);
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
    expect(t.elb.forwardWeights(`${t.config.service}-alb`)).toEqual([{ targetGroupName: `${t.config.service}-tg`, weight: 1 }]);
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

describe("clients that keep a DNS answer past its TTL", () => {
  /** Tier serving on the tasks, then drained and destroyed: with the DNS switch, off right after draining; weighted, draining keeps the ALB `keepMinutes` after the record is gone. */
  async function drainCycle(mode: "weighted" | "dns", clients: { longCacheShare?: number; longCacheMinutes?: number }, keepMinutes: number) {
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
