/**
 * The AWS side of the world: the Fargate tier as Terraform creates and
 * destroys it (ALB, target group, ECS service and tasks, the "fargate" alias
 * record), target tracking, resolvers caching DNS answers, the Lambda tier's
 * concurrency limit and API Gateway's stage throttle. Each minute it routes
 * the trace's requests, bills them, and publishes what CloudWatch would.
 * Terraform Cloud drives it through `Infrastructure` (hasChanges / apply).
 */
import { parseToggle, type TierState } from "../../scaler/toggle";
import { addToBill, fargateMinuteBill, lambdaMinuteBill, type Bill } from "../bill";
import { coldStarts, fargateMinuteCost, lambdaMinuteCost, type Workload } from "../cost-model";
import type { PriceTable } from "../prices";
import type { SimClock, Rng } from "./clock";
import type { CloudWatchEmulator, MetricId } from "./cloudwatch";
import type { Elbv2Emulator } from "./elbv2";
import type { World } from "./params";
import type { Route53Emulator } from "./route53";
import type { Infrastructure } from "./terraform-cloud";

const MINUTE = 60_000;

/** Names the stacks give the resources whose metrics and records the scaler reads. */
export interface AwsNames {
  readonly apiId: string;
  readonly functionName: string;
  readonly albName: string;
  readonly targetGroupName: string;
  readonly domain: string;
}

export interface AwsWorldOptions {
  readonly clock: SimClock;
  readonly rng: Rng;
  readonly world: World;
  readonly workload: Workload;
  readonly prices: PriceTable;
  readonly names: AwsNames;
  /** API Gateway stage rate limit (req/s). */
  readonly apiRateLimit: number;
  /** Lambda reserved concurrency, when set; otherwise the world's account limit. */
  readonly reservedConcurrency?: number;
  readonly deregistrationDelaySeconds: number;
  readonly cloudwatch: CloudWatchEmulator;
  readonly elb: Elbv2Emulator;
  readonly route53: Route53Emulator;
}

/** What one minute cost and how it was served. */
export interface MinuteOutcome {
  readonly cost: number;
  /** The same cost by item (Lambda requests, GB-seconds, ALB hours, ...), for the report's itemized bill. */
  readonly bill: Bill;
  /** Share of the minute's requests that reached the Fargate tier (resolvers' cached answers included). */
  readonly fargateShare: number;
  readonly lambdaRequests: number;
  readonly fargateRequests: number;
  /** Requests turned away: API Gateway 429s, Lambda throttles, no healthy target, or a cached answer to a deleted ALB. */
  readonly failedRequests: number;
  /** Demand above what the serving tier could carry this minute. */
  readonly short: boolean;
  readonly resources: boolean;
}

interface Task {
  readonly healthyAt: number;
}

interface Tier {
  phase: "creating" | "active" | "destroying";
  /** ALB and target group dimensions, once they exist. */
  alb?: string;
  tg?: string;
  tasks: Task[];
  desired: number;
  minTasks: number;
  maxTasks: number;
  scaleOutPending: boolean;
  belowSince?: number;
}

export class AwsWorld implements Infrastructure {
  /** The tfvars state the last finished apply left (what Terraform's state says). */
  private applied: { tier: TierState; min: number; max: number } = { tier: "off", min: 0, max: 0 };
  private tier: Tier | undefined;
  private previousLambdaRequests = 0;
  private readonly metric: Record<"count" | "errors" | "throttles" | "concurrency", MetricId>;
  readonly meter = { albCreations: 0, albCreateMinutes: [] as number[], destroys: 0, strandedRequests: 0 };
  /** The fargate stack's per-minute rule that invokes the scaler: it exists while the tier changes (local.tier_changing: warming, draining). */
  minuteRuleLive = false;

  /** The ALB's `LoadBalancer` dimension (its ARN suffix) while it exists: what the fargate stack's alarms watch. */
  get albDimension(): string | undefined {
    return this.tier?.phase === "destroying" ? undefined : this.tier?.alb;
  }

  constructor(private readonly o: AwsWorldOptions) {
    const n = o.names;
    this.metric = {
      count: { namespace: "AWS/ApiGateway", name: "Count", dimensions: { ApiId: n.apiId } },
      errors: { namespace: "AWS/ApiGateway", name: "4xx", dimensions: { ApiId: n.apiId } },
      throttles: { namespace: "AWS/Lambda", name: "Throttles", dimensions: { FunctionName: n.functionName } },
      concurrency: { namespace: "AWS/Lambda", name: "ConcurrentExecutions", dimensions: { FunctionName: n.functionName } },
    };
    // The core stack's weight-0 "lambda" record always exists.
    o.route53.upsert(this.record("lambda", 0), o.clock.now());
  }

  private record(id: "lambda" | "fargate", weight: number) {
    return {
      Name: `${this.o.names.domain}.`,
      Type: "A" as const,
      SetIdentifier: id,
      Weight: weight,
      AliasTarget: { HostedZoneId: "Z2FDTNDATAQYW2", DNSName: `${id}.${this.o.names.domain}.`, EvaluateTargetHealth: id === "fargate" },
    };
  }

  private readonly minutes = (range: readonly [number, number]) => this.o.rng.between(range) * MINUTE;

  hasChanges(tfvarsText: string): boolean {
    const t = parseToggle(tfvarsText, "applied tfvars");
    const exists = t.fargate_tier !== "off";
    if (exists !== (this.applied.tier !== "off")) return true;
    if (!exists) return false;
    return t.fargate_tier !== this.applied.tier || t.fargate_min_tasks !== this.applied.min || t.fargate_max_tasks !== this.applied.max;
  }

  apply(tfvarsText: string, done: () => void): void {
    const t = parseToggle(tfvarsText, "applied tfvars");
    const { clock } = this.o;
    const now = clock.now();
    const target = { tier: t.fargate_tier, min: t.fargate_min_tasks, max: t.fargate_max_tasks };
    const finish = (at: number) =>
      clock.schedule(at, () => {
        this.applied = target;
        done();
      });
    this.minuteRuleLive = target.tier === "warming" || target.tier === "draining";
    if (target.tier === "off") {
      if (!this.tier) return finish(now + 5_000);
      this.destroy(finish);
      return;
    }
    if (!this.tier || this.tier.phase === "destroying") {
      this.create(target, finish);
      return;
    }
    // An update in place: task floor and ceiling, and the alias record (which depends on the ALB).
    const tier = this.tier;
    tier.minTasks = target.min;
    tier.maxTasks = target.max;
    this.resize(Math.min(target.max, Math.max(tier.desired, target.min)));
    this.setRecord(target.tier === "serving");
    finish(now + this.o.rng.between([20, 60]) * 1000);
  }

  /** ALB (with its creation tail), then target group, listener and ECS service; Terraform returns once the service exists. */
  private create(target: { tier: TierState; min: number; max: number }, finish: (at: number) => void): void {
    const { clock, rng, world } = this.o;
    const tail = rng.chance(world.aws.albCreateTailRate);
    const albMs = tail ? world.aws.albCreateTailMinutes * MINUTE : this.minutes(world.aws.albCreateMinutes);
    this.meter.albCreations++;
    this.meter.albCreateMinutes.push(albMs / MINUTE);
    const tier: Tier = { phase: "creating", tasks: [], desired: 0, minTasks: target.min, maxTasks: target.max, scaleOutPending: false };
    this.tier = tier;
    const albAt = clock.now() + albMs;
    clock.schedule(albAt, () => {
      if (this.tier !== tier) return;
      tier.alb = this.o.elb.createLoadBalancer(this.o.names.albName).dimension;
      tier.tg = this.o.elb.createTargetGroup(this.o.names.targetGroupName).dimension;
      // ECS registers each task's IP; the target group reports it healthy once its checks pass.
      this.o.elb.registerTargets(this.o.names.targetGroupName, () =>
        tier.tasks.map((t, i) => ({ id: `10.0.${i >> 8}.${(i & 255) + 10}`, state: tier.phase === "destroying" ? "draining" : t.healthyAt <= clock.now() ? "healthy" : "initial" })),
      );
      tier.phase = "active";
      this.resize(target.min);
      this.setRecord(target.tier === "serving");
      finish(clock.now() + rng.between([20, 60]) * 1000);
    });
  }

  /** The record first (it depends on the ALB), then the ECS service drains its targets and stops, then ALB, target group and VPC go. */
  private destroy(finish: (at: number) => void): void {
    const { clock, world } = this.o;
    const tier = this.tier!;
    tier.phase = "destroying";
    this.setRecord(false);
    this.meter.destroys++;
    const stopped = clock.now() + this.o.deregistrationDelaySeconds * 1000 + 30_000;
    clock.schedule(stopped, () => {
      tier.tasks = [];
      tier.desired = 0;
    });
    const goneAt = stopped + this.minutes(world.aws.destroyMinutes);
    clock.schedule(goneAt, () => {
      if (tier.alb) this.o.elb.deleteLoadBalancer(this.o.names.albName);
      if (tier.tg) this.o.elb.deleteTargetGroup(this.o.names.targetGroupName);
      if (this.tier === tier) this.tier = undefined;
      finish(clock.now());
    });
  }

  private setRecord(present: boolean): void {
    const { route53, clock } = this.o;
    const inSync = clock.now() + this.o.rng.between(this.o.world.dns.propagationSeconds) * 1000;
    const live = route53.liveAt("fargate", Infinity);
    if (present && !live) route53.upsert(this.record("fargate", 100), inSync);
    if (!present && live) route53.delete(`${this.o.names.domain}.`, "A", "fargate", inSync);
  }

  /** Sets the ECS desired count: new tasks turn healthy after they start; removed tasks go at once (newest first). */
  private resize(desired: number): void {
    const tier = this.tier!;
    const now = this.o.clock.now();
    while (tier.tasks.length < desired) tier.tasks.push({ healthyAt: now + this.minutes(this.o.world.aws.taskStartMinutes) });
    if (tier.tasks.length > desired) tier.tasks.sort((a, b) => a.healthyAt - b.healthyAt).length = desired;
    tier.desired = desired;
  }

  private healthyTasks(at: number): number {
    if (!this.tier || this.tier.phase !== "active") return 0;
    let n = 0;
    for (const t of this.tier.tasks) if (t.healthyAt <= at) n++;
    return n;
  }

  /** Route 53's answer at `at`: the weight-100 fargate record while it is in sync and its ALB has a healthy target, else the weight-0 lambda record. */
  private answersFargate(at: number): boolean {
    return this.o.route53.liveAt("fargate", at) && this.healthyTasks(at) > 0;
  }

  /** Share of clients whose cached answer points at Fargate during [from, from + 1 min): cache ages are uniform over the TTL. */
  private fargateShare(from: number): number {
    const ttl = this.o.world.dns.ttlSeconds * 1000;
    let hits = 0;
    let n = 0;
    for (let i = 0; i < 6; i++) {
      const s = from + ((i + 0.5) / 6) * MINUTE;
      for (let j = 0; j < 4; j++, n++) if (this.answersFargate(s - ((j + 0.5) / 4) * ttl)) hits++;
    }
    return hits / n;
  }

  /** Target tracking on ALB requests per target: scale out after the alarm's lag, scale in after a sustained quiet spell. */
  private autoscale(rps: number): void {
    const tier = this.tier;
    if (!tier || tier.phase !== "active") return;
    const w = this.o.workload;
    const want = Math.min(tier.maxTasks, Math.max(tier.minTasks, Math.ceil(rps / (w.requestsPerTaskPerSecond * w.targetUtilization))));
    const now = this.o.clock.now();
    if (want > tier.desired && !tier.scaleOutPending) {
      tier.scaleOutPending = true;
      this.o.clock.schedule(now + this.minutes(this.o.world.aws.autoscaleLagMinutes), () => {
        tier.scaleOutPending = false;
        if (this.tier === tier && tier.phase === "active") this.resize(Math.max(tier.desired, want));
      });
    }
    if (want < tier.desired) {
      tier.belowSince ??= now;
      if (now - tier.belowSince >= this.o.world.aws.scaleInMinutes * MINUTE) {
        this.resize(want);
        tier.belowSince = undefined;
      }
    } else tier.belowSince = undefined;
  }

  /** Serves minute `index` (starting now) with `requests`, bills it and publishes its datapoints. */
  step(requests: number): MinuteOutcome {
    const { clock, workload: w, prices: p, cloudwatch: cw } = this.o;
    const start = clock.now();
    const tier = this.tier;
    const share = requests > 0 ? this.fargateShare(start) : 0;
    const fargateRequests = requests * share;
    const lambdaRequests = requests - fargateRequests;
    let failed = 0;
    let short = false;

    // Lambda tier: API Gateway's stage limit answers 429 first, then Lambda's concurrency limit throttles.
    const lambdaRps = lambdaRequests / 60;
    const rejected429 = Math.max(0, lambdaRps - this.o.apiRateLimit) * 60;
    const concurrencyLimit = this.o.reservedConcurrency ?? this.o.world.aws.lambdaConcurrencyLimit;
    const invokedRps = lambdaRps - rejected429 / 60;
    const concurrency = invokedRps * (w.meanDurationMs / 1000);
    const throttled = concurrency > concurrencyLimit ? invokedRps * (1 - concurrencyLimit / concurrency) * 60 : 0;
    failed += rejected429 + throttled;
    if (rejected429 + throttled >= 1) short = true;
    const cold = coldStarts(lambdaRequests, this.previousLambdaRequests, w);
    let cost = lambdaMinuteCost(lambdaRequests, cold, w, p);
    const bill: Record<string, { quantity: number; usd: number }> = { ...lambdaMinuteBill(lambdaRequests, cold, w, p) };
    this.previousLambdaRequests = lambdaRequests;
    cw.count(this.metric.count, start, Math.round(lambdaRequests));
    cw.count(this.metric.errors, start, Math.round(rejected429));
    cw.count(this.metric.throttles, start, Math.round(throttled));
    cw.count(this.metric.concurrency, start, Math.ceil(Math.min(concurrency, concurrencyLimit)));

    // Fargate tier: requests that reach a live ALB are billed in LCUs; a cached answer to a deleted ALB fails.
    const healthy = this.healthyTasks(start + MINUTE / 2);
    if (tier?.alb) {
      const tasks = tier.tasks.length;
      cost += fargateMinuteCost(fargateRequests, tasks, w, p);
      addToBill(bill, fargateMinuteBill(fargateRequests, tasks, w, p));
      if (fargateRequests > 0) {
        const capacity = healthy * w.requestsPerTaskPerSecond * 60;
        if (fargateRequests > capacity + 0.5) {
          short = true;
          if (healthy === 0) failed += fargateRequests;
        }
      }
      cw.count({ namespace: "AWS/ApplicationELB", name: "RequestCount", dimensions: { LoadBalancer: tier.alb } }, start, Math.round(fargateRequests));
      cw.gauge({ namespace: "AWS/ApplicationELB", name: "HealthyHostCount", dimensions: { LoadBalancer: tier.alb, TargetGroup: tier.tg! } }, start, healthy);
      this.autoscale(fargateRequests / 60);
    } else {
      if (tier) {
        cost += fargateMinuteCost(0, 0, w, p); // the ALB bills from creation
        addToBill(bill, fargateMinuteBill(0, 0, w, p));
      }
      if (fargateRequests > 0) {
        failed += fargateRequests;
        this.meter.strandedRequests += fargateRequests;
        short = true;
      }
    }
    return { cost, bill, fargateShare: share, lambdaRequests, fargateRequests, failedRequests: failed, short, resources: tier !== undefined };
  }
}
