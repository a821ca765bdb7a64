/**
 * Where each minute's requests go and what becomes of them: through API Gateway, or through the
 * ALB split by its listener's weights (to the service Lambda's target group or the tasks'), served,
 * throttled, answered 503 or lost to an ALB that is gone; what CloudWatch publishes of them; and
 * the minute's one bill, from which its cost is taken.
 */
import { coldStarts, type Workload } from "../../model/cost-model";
import type { PriceTable } from "../../model/prices";
import { addToBill, billTotal, fargateMinuteBill, lambdaMinuteBill, type BillLine } from "../bill";
import { unservedRequestUsd } from "../equal-service";
import type { AlbGenerations } from "./alb-generations";
import type { SimClock } from "./clock";
import type { CloudWatchEmulator, MetricId } from "./cloudwatch";
import { ALL_TO_API, type DnsClients } from "./dns-clients";
import type { Elbv2Emulator } from "./elbv2";
import type { FailedRequests, MinuteOutcome } from "./minute-outcome";
import type { World } from "./params";
import type { AwsMeter, AwsNames, Tier, TierLifecycle } from "./tier-lifecycle";

const MINUTE = 60_000;

export interface TrafficOptions {
  readonly clock: SimClock;
  readonly world: World;
  readonly workload: Workload;
  readonly prices: PriceTable;
  readonly names: AwsNames;
  /** API Gateway stage rate limit (req/s). */
  readonly apiRateLimit: number;
  /** Lambda reserved concurrency, when set; otherwise the world's account limit. */
  readonly reservedConcurrency?: number;
  readonly cloudwatch: CloudWatchEmulator;
  readonly elb: Elbv2Emulator;
  readonly lifecycle: TierLifecycle;
  readonly dns: DnsClients;
  readonly albs: AlbGenerations;
  readonly meter: AwsMeter;
}

/** A minute's requests by where they went. */
interface Routed {
  readonly viaApi: number;
  /** Through a live ALB to its Lambda target group, to the tasks, or nowhere (every weight 0). */
  readonly albLambda: number;
  readonly albEcs: number;
  readonly albNoTarget: number;
  readonly toAlb: number;
  readonly dead: number;
  readonly misrouted: number;
}

/** What the Lambda tier made of its requests. */
interface LambdaServed {
  readonly rejected429: number;
  readonly throttled: number;
}

/** What the tasks made of theirs. */
interface TasksServed {
  readonly served: number;
  readonly overloaded: number;
  /** No healthy task in the group the listener's weight chose: 503. */
  readonly noTarget: number;
  readonly short: boolean;
}

const NO_TASKS: TasksServed = { served: 0, overloaded: 0, noTarget: 0, short: false };

export class Traffic {
  private previousLambdaRequests = 0;
  /** Share of the invocations throttled in the last minute served: the next minute's health checks fail at it. */
  private throttledShare = 0;
  private readonly metric: Record<"count" | "errors" | "throttles" | "concurrency", MetricId>;
  /** The charge at equal service for a request failed or overloaded. */
  private readonly unservedPrice: number;

  constructor(private readonly o: TrafficOptions) {
    const n = o.names;
    this.unservedPrice = unservedRequestUsd(o.workload, o.prices);
    this.metric = {
      count: { namespace: "AWS/ApiGateway", name: "Count", dimensions: { ApiId: n.apiId } },
      errors: { namespace: "AWS/ApiGateway", name: "4xx", dimensions: { ApiId: n.apiId } },
      throttles: { namespace: "AWS/Lambda", name: "Throttles", dimensions: { FunctionName: n.functionName } },
      concurrency: {
        namespace: "AWS/Lambda",
        name: "ConcurrentExecutions",
        dimensions: { FunctionName: n.functionName },
      },
    };
  }

  /** Serves the minute starting now with `requests`, bills it and publishes its datapoints. */
  step(requests: number): MinuteOutcome {
    const start = this.o.clock.now();
    const tier = this.o.lifecycle.current;
    const horizon = this.o.dns.horizon(start);
    this.o.albs.forget(horizon);
    // The ALB's checks of the function up to the minute's end, before Route 53 reads them: they fail at
    // the throttling of the minute before (a minute's throttling is known only once it is routed).
    if (tier?.gen?.lambda) {
      tier.gen.lambda.advance(start + MINUTE, this.throttledShare);
      tier.gen.lambda.forget(horizon);
    }
    const r = this.route(requests, start, tier);
    const lambdaRequests = r.viaApi + r.albLambda;
    const lambda = this.serveLambda(r.viaApi, lambdaRequests, start);
    // Billed before target tracking may scale the tasks in: the minute's tasks ran all of it.
    const bill = this.bill(tier, r, lambdaRequests);
    const tasks = tier?.alb ? this.serveTasks(tier, r, start) : NO_TASKS;
    if (r.dead > 0) this.o.meter.strandedRequests += r.dead;
    // The listener forwarding nowhere, or no healthy task in the group its weight chose: the ALB answers 503.
    const noTarget = r.albNoTarget + tasks.noTarget;
    const failedBy: FailedRequests = {
      throttled: lambda.throttled,
      rateLimited: lambda.rejected429,
      noTarget,
      deadEndpoint: r.dead,
    };
    // Summed in this order, so a minute's failures add up as they always have.
    const failed = lambda.rejected429 + lambda.throttled + tasks.noTarget + r.albNoTarget + r.dead;
    const short = lambda.rejected429 + lambda.throttled >= 1 || tasks.short || r.albNoTarget >= 0.5 || r.dead >= 0.5;
    const fargateRequests = r.albEcs + r.albNoTarget + r.dead;
    return {
      cost: billTotal(bill),
      bill,
      fargateShare: requests > 0 ? fargateRequests / requests : 0,
      lambdaRequests,
      fargateRequests,
      failedRequests: failed,
      deadEndpointRequests: r.dead,
      misroutedToApiRequests: r.misrouted,
      served: { lambda: lambdaRequests - lambda.rejected429 - lambda.throttled, fargate: tasks.served },
      overloadedRequests: tasks.overloaded,
      failed: failedBy,
      unservedUsd: (failed + tasks.overloaded) * this.unservedPrice,
      short,
      resources: tier !== undefined,
    };
  }

  /** Where the minute's requests go: DNS answers send them to API Gateway or an ALB, whose listener splits them. */
  private route(requests: number, start: number, tier: Tier | undefined): Routed {
    // Misrouted clients count while the tier serves with a healthy task (see MinuteOutcome).
    const serving = this.o.lifecycle.appliedTier === "serving" && this.o.lifecycle.healthyTasks(start) > 0;
    const shares = requests > 0 ? this.o.dns.routeShares(start, serving) : ALL_TO_API;
    // Only the tier's own ALB is live, so requests that reach a live ALB reach this one; its listener splits them.
    const toAlb = requests * shares.alb;
    const split = tier?.alb ? this.albSplit() : { lambda: 0, ecs: 0 };
    const albLambda = toAlb * split.lambda;
    const albEcs = toAlb * split.ecs;
    return {
      viaApi: requests * shares.api,
      albLambda,
      albEcs,
      // Never below 0: the shares are floating point and may add up to a hair over 1.
      albNoTarget: Math.max(0, toAlb - albLambda - albEcs),
      toAlb,
      dead: requests * shares.dead,
      misrouted: requests * shares.misrouted,
    };
  }

  /**
   * The Lambda tier: API Gateway's stage limit answers 429 first (its requests only), then Lambda's
   * concurrency limit throttles every invocation, through API Gateway or the ALB alike.
   */
  private serveLambda(viaApi: number, lambdaRequests: number, start: number): LambdaServed {
    const { cloudwatch: cw, workload: w } = this.o;
    const rejected429 = Math.max(0, viaApi / 60 - this.o.apiRateLimit) * 60;
    const concurrencyLimit = this.o.reservedConcurrency ?? this.o.world.aws.lambdaConcurrencyLimit;
    const invokedRps = (lambdaRequests - rejected429) / 60;
    const concurrency = invokedRps * (w.meanDurationMs / 1000);
    this.throttledShare = concurrency > concurrencyLimit ? 1 - concurrencyLimit / concurrency : 0;
    const throttled = invokedRps * this.throttledShare * 60;
    cw.count(this.metric.count, start, Math.round(viaApi));
    cw.count(this.metric.errors, start, Math.round(rejected429));
    cw.count(this.metric.throttles, start, Math.round(throttled));
    cw.count(this.metric.concurrency, start, Math.ceil(Math.min(concurrency, concurrencyLimit)));
    return { rejected429, throttled };
  }

  /** The tasks behind a live ALB: healthy ones serve up to their capacity and past it late; none answers 503. */
  private serveTasks(tier: Tier, r: Routed, start: number): TasksServed {
    const { cloudwatch: cw, workload: w } = this.o;
    const healthy = this.o.lifecycle.healthyTasks(start + MINUTE / 2);
    let out = NO_TASKS;
    if (r.albEcs > 0) {
      const capacity = healthy * w.requestsPerTaskPerSecond * 60;
      const short = r.albEcs > capacity + 0.5;
      // Past requestsPerTaskPerSecond a task still answers, late: served, but not within capacity.
      const served = Math.min(r.albEcs, capacity);
      out =
        healthy === 0
          ? { served: 0, overloaded: 0, noTarget: r.albEcs, short }
          : { served, overloaded: r.albEcs - served, noTarget: 0, short };
    }
    const lb = tier.alb!;
    const group = { LoadBalancer: lb, TargetGroup: tier.tg! };
    cw.count(
      { namespace: "AWS/ApplicationELB", name: "RequestCount", dimensions: { LoadBalancer: lb } },
      start,
      Math.round(r.toAlb),
    );
    cw.count({ namespace: "AWS/ApplicationELB", name: "RequestCount", dimensions: group }, start, Math.round(r.albEcs));
    cw.gauge({ namespace: "AWS/ApplicationELB", name: "HealthyHostCount", dimensions: group }, start, healthy);
    // The group's requests per healthy target (per registered target when none is healthy), as the ALB publishes it.
    const perTargetOf = healthy > 0 ? healthy : tier.tasks.length;
    if (perTargetOf > 0) {
      const perTarget = Math.round(r.albEcs / perTargetOf);
      cw.count({ namespace: "AWS/ApplicationELB", name: "RequestCountPerTarget", dimensions: group }, start, perTarget);
    }
    this.o.lifecycle.autoscale(r.albEcs / 60);
    return out;
  }

  /**
   * The minute's one bill: the Lambda tier's items (requests through the ALB invoke the function
   * without an API Gateway request or access-log line), and while the tier exists its items, the
   * ALB's LCUs for every request that reached it (the ALB bills from creation).
   */
  private bill(tier: Tier | undefined, r: Routed, lambdaRequests: number): Record<string, BillLine> {
    const { workload: w, prices: p } = this.o;
    const cold = coldStarts(lambdaRequests, this.previousLambdaRequests, w);
    this.previousLambdaRequests = lambdaRequests;
    const bill: Record<string, { quantity: number; usd: number }> = {
      ...lambdaMinuteBill(lambdaRequests, cold, w, p, r.viaApi),
    };
    if (tier?.alb) addToBill(bill, fargateMinuteBill(r.toAlb, tier.tasks.length, w, p, r.albLambda));
    else if (tier) addToBill(bill, fargateMinuteBill(0, 0, w, p));
    return bill;
  }

  /** The listener's split of the ALB's requests: to the Lambda group, to the ECS one; none if every weight is 0. */
  private albSplit(): { lambda: number; ecs: number } {
    const n = this.o.names;
    const weights = this.o.elb.forwardWeights(n.albName) ?? [];
    const of = (name: string) => weights.filter((g) => g.targetGroupName === name).reduce((a, g) => a + g.weight, 0);
    const lambda = of(n.lambdaTargetGroupName);
    const ecs = of(n.targetGroupName);
    const total = lambda + ecs;
    return total > 0 ? { lambda: lambda / total, ecs: ecs / total } : { lambda: 0, ecs: 0 };
  }
}
