/**
 * The AWS side of the world: the Fargate tier as Terraform creates and
 * destroys it (ALB, its HTTPS listener, the Lambda and ECS target groups, ECS
 * service and tasks, the "fargate" alias record), target tracking, clients
 * caching DNS answers (for the TTL, or far longer for a share of them), Route
 * 53's alias answers (with or without target health, as the fargate stack sets
 * the record), the Lambda tier's concurrency limit (which also fails the ALB's
 * health checks of the function) and API Gateway's stage throttle. Each
 * minute it routes the trace's requests (through API Gateway, or through the
 * ALB split by its listener's weights), bills them, and publishes what
 * CloudWatch would. Terraform Cloud drives it through `Infrastructure`
 * (hasChanges / apply).
 */
import { parseToggle, type TierState } from "../../model/toggle";
import { FARGATE_RECORD_EVALUATES_TARGET_HEALTH } from "../../stacks/fargate/record-health";
import { addToBill, fargateMinuteBill, lambdaMinuteBill, type Bill } from "../bill";
import { coldStarts, fargateMinuteCost, lambdaMinuteCost, type Workload } from "../../model/cost-model";
import { unservedRequestUsd } from "../equal-service";
import type { PriceTable } from "../../model/prices";
import type { SimClock, Rng } from "./clock";
import type { CloudWatchEmulator, MetricId } from "./cloudwatch";
import type { Elbv2Emulator } from "./elbv2";
import { LambdaTargetHealth } from "./lambda-target-health";
import type { World } from "./params";
import { albHealthyForRoute53, type Route53Emulator, type TargetGroupHealth } from "./route53";
import type { Infrastructure } from "./terraform-cloud";

const MINUTE = 60_000;

/** Names the stacks give the resources whose metrics and records the scaler reads. */
export interface AwsNames {
  readonly apiId: string;
  readonly functionName: string;
  readonly albName: string;
  readonly targetGroupName: string;
  /** The target group that puts the service Lambda behind the ALB (weighted switch). */
  readonly lambdaTargetGroupName: string;
  readonly domain: string;
}

/** How traffic moves to the tier (config `fargate.switch`). */
export type SwitchMode = "weighted" | "dns";

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
  /**
   * "weighted": the listener forwards to the Lambda target group (weight 100) and the ECS one (weight 0)
   * and the scaler owns the weights; the "fargate" record exists in warming and serving.
   * "dns": the listener forwards to the ECS target group only; the record exists in serving only.
   * @default "weighted"
   */
  readonly switch?: SwitchMode;
  /**
   * Whether the "fargate" alias record evaluates the ALB's target health. Only a test of the other
   * semantics sets it.
   * @default FARGATE_RECORD_EVALUATES_TARGET_HEALTH[switch], what the fargate stack gives the record
   */
  readonly recordEvaluatesTargetHealth?: boolean;
  readonly cloudwatch: CloudWatchEmulator;
  readonly elb: Elbv2Emulator;
  readonly route53: Route53Emulator;
}

/** What one minute cost and how it was served. */
export interface MinuteOutcome {
  readonly cost: number;
  /** The same cost by item (Lambda requests, GB-seconds, ALB hours, ...), for the report's itemized bill. */
  readonly bill: Bill;
  /** Share of the minute's requests sent to the Fargate tier: fargateRequests / requests. */
  readonly fargateShare: number;
  /** Requests the Lambda function was invoked for: through API Gateway, or through the ALB's Lambda target group. */
  readonly lambdaRequests: number;
  /** Requests sent to the ECS tasks, plus those sent to an ALB that could not take them (no target, or destroyed). */
  readonly fargateRequests: number;
  /** Requests turned away: API Gateway 429s, Lambda throttles, no healthy target, or a cached answer to a deleted ALB. */
  readonly failedRequests: number;
  /** Of failedRequests: requests whose client's cached answer pointed at an ALB that no longer exists. */
  readonly deadEndpointRequests: number;
  /**
   * Requests sent to API Gateway although Route 53 should have answered the ALB: the client resolved
   * while the "fargate" record was in sync and the ALB could serve it (weighted switch: it existed,
   * its Lambda target group is a path; DNS switch: its tasks had a healthy target), yet got the
   * "lambda" record. Counted only in minutes when the tier is serving with a healthy task; clients
   * that resolved before the record was in sync are not counted.
   */
  readonly misroutedToApiRequests: number;
  /** Requests served within capacity: by the Lambda function (neither throttled nor answered 429), and by healthy tasks at up to `requestsPerTaskPerSecond` each. */
  readonly served: Record<"lambda" | "fargate", number>;
  /** Requests the tasks answered beyond `requestsPerTaskPerSecond` per healthy task (slow or timing out, never turned away). */
  readonly overloadedRequests: number;
  /** failedRequests by cause. served.lambda + served.fargate + overloadedRequests + failedRequests = the minute's requests. */
  readonly failed: FailedRequests;
  /** What equal service charges for the minute's failed and overloaded requests: each at what serving it on Lambda would have cost (equal-service.ts). */
  readonly unservedUsd: number;
  /** Demand above what the serving tier could carry this minute. */
  readonly short: boolean;
  readonly resources: boolean;
}

/** Requests turned away, by cause. */
export interface FailedRequests {
  /** Lambda's concurrency limit (through API Gateway or the ALB alike). */
  readonly throttled: number;
  /** API Gateway's stage rate limit: 429. */
  readonly rateLimited: number;
  /** The ALB had nowhere to send them (every weight 0, or no healthy task in the group its weight chose): 503. */
  readonly noTarget: number;
  /** The client's cached DNS answer pointed at an ALB that no longer exists: the connection fails. */
  readonly deadEndpoint: number;
}

interface Task {
  readonly healthyAt: number;
}

/** One ALB, from creation to deletion: what a cached DNS answer resolved to at a given time. */
interface AlbGeneration {
  readonly createdAt: number;
  goneAt?: number;
  /** The tasks' target group over time, for Route 53's evaluation of past answers: from `from` on, `registered` targets, the first of which turned healthy at `firstHealthy` (Infinity: none will). */
  readonly health: Array<{ from: number; registered: number; firstHealthy: number }>;
  /** The service function in the Lambda target group (weighted switch). */
  lambda?: LambdaTargetHealth;
}

interface Tier {
  phase: "creating" | "active" | "destroying";
  gen?: AlbGeneration;
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
  /** ALBs that exist or existed within the longest time a client keeps an answer. */
  private generations: AlbGeneration[] = [];
  private readonly switchMode: SwitchMode;
  private readonly evaluatesTargetHealth: boolean;
  /** Draws the Lambda target group's health check outcomes, apart from the world's other draws. */
  private readonly healthCheckRng: Rng;
  private previousLambdaRequests = 0;
  /** Share of the function's invocations throttled in the last minute served: the Lambda health checks of the next minute fail at this rate. */
  private throttledShare = 0;
  private readonly metric: Record<"count" | "errors" | "throttles" | "concurrency", MetricId>;
  /** The charge at equal service for a request failed or overloaded. */
  private readonly unservedPrice: number;
  readonly meter = { albCreations: 0, albCreateMinutes: [] as number[], destroys: 0, strandedRequests: 0 };
  /** The fargate stack's per-minute rule that invokes the scaler: it exists while the tier changes (local.tier_changing: warming, draining). */
  minuteRuleLive = false;

  /** The ALB's `LoadBalancer` dimension (its ARN suffix) while it exists: what the fargate stack's alarms watch. */
  get albDimension(): string | undefined {
    return this.tier?.phase === "destroying" ? undefined : this.tier?.alb;
  }

  /** The tasks' target group's `TargetGroup` dimension (its ARN suffix) while it exists: what the fargate stack's overload alarm watches. */
  get targetGroupDimension(): string | undefined {
    return this.tier?.phase === "destroying" ? undefined : this.tier?.tg;
  }

  constructor(private readonly o: AwsWorldOptions) {
    const n = o.names;
    this.switchMode = o.switch ?? "weighted";
    this.evaluatesTargetHealth = o.recordEvaluatesTargetHealth ?? FARGATE_RECORD_EVALUATES_TARGET_HEALTH[this.switchMode];
    this.healthCheckRng = o.rng.fork(0x1ea1);
    this.unservedPrice = unservedRequestUsd(o.workload, o.prices);
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
      AliasTarget: { HostedZoneId: "Z2FDTNDATAQYW2", DNSName: `${id}.${this.o.names.domain}.`, EvaluateTargetHealth: id === "fargate" && this.evaluatesTargetHealth },
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
    this.setRecord(this.recordWanted(target.tier));
    finish(now + this.o.rng.between([20, 60]) * 1000);
  }

  /** The "fargate" alias record exists in warming and serving (weighted switch), or only in serving (DNS switch). */
  private recordWanted(tier: TierState): boolean {
    return this.switchMode === "weighted" ? tier === "warming" || tier === "serving" : tier === "serving";
  }

  /** ALB (with its creation tail), then target groups, listener and ECS service; Terraform returns once the service exists. */
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
      const n = this.o.names;
      tier.alb = this.o.elb.createLoadBalancer(n.albName).dimension;
      tier.tg = this.o.elb.createTargetGroup(n.targetGroupName).dimension;
      tier.gen = { createdAt: clock.now(), health: [] };
      this.generations.push(tier.gen);
      // ECS registers each task's IP; the target group reports it healthy once its checks pass.
      this.o.elb.registerTargets(n.targetGroupName, () =>
        tier.tasks.map((t, i) => ({ id: `10.0.${i >> 8}.${(i & 255) + 10}`, state: tier.phase === "destroying" ? "draining" : t.healthyAt <= clock.now() ? "healthy" : "initial" })),
      );
      if (this.switchMode === "weighted") {
        // The service Lambda behind the ALB (healthy while its health-check invocations are not throttled;
        // unhealthy, it still gets its share: a group whose only target is unhealthy fails open), and a
        // listener that starts all on Lambda. Terraform ignores later changes to the default action: the
        // scaler owns the weights.
        this.o.elb.createTargetGroup(n.lambdaTargetGroupName, "lambda");
        const check = this.o.elb.healthCheckOf(n.lambdaTargetGroupName)!;
        const lambda = new LambdaTargetHealth({ registeredAt: clock.now(), ...check, nodes: world.aws.albNodes, random: this.healthCheckRng.random });
        tier.gen.lambda = lambda;
        const functionArn = `arn:aws:lambda:us-east-1:123456789012:function:${n.functionName}`;
        this.o.elb.registerTargets(n.lambdaTargetGroupName, () => [{ id: functionArn, state: tier.phase === "destroying" ? "draining" : lambda.stateAt(clock.now()) }]);
        this.o.elb.createListener(n.albName, [
          { targetGroupName: n.lambdaTargetGroupName, weight: 100 },
          { targetGroupName: n.targetGroupName, weight: 0 },
        ]);
      } else {
        this.o.elb.createListener(n.albName, [{ targetGroupName: n.targetGroupName }]);
      }
      tier.phase = "active";
      this.resize(target.min);
      this.setRecord(this.recordWanted(target.tier));
      finish(clock.now() + rng.between([20, 60]) * 1000);
    });
  }

  /** The record first (it depends on the ALB), then the ECS service drains its targets and stops, then ALB, target group and VPC go. */
  private destroy(finish: (at: number) => void): void {
    const { clock, world } = this.o;
    const tier = this.tier!;
    tier.phase = "destroying";
    this.noteHealth(tier);
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
      if (tier.tg) this.o.elb.deleteTargetGroup(this.o.names.lambdaTargetGroupName);
      if (tier.gen) tier.gen.goneAt = clock.now();
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
    this.noteHealth(tier);
  }

  /** Records from now on when the tier's ALB first has a healthy target (none while it is destroyed). */
  private noteHealth(tier: Tier): void {
    const gen = tier.gen;
    if (!gen) return;
    // Destroying, the tasks drain: still registered, none healthy.
    const firstHealthy = tier.phase === "destroying" ? Infinity : tier.tasks.reduce((m, t) => Math.min(m, t.healthyAt), Infinity);
    const now = this.o.clock.now();
    while (gen.health.length > 0 && gen.health.at(-1)!.from >= now) gen.health.pop();
    gen.health.push({ from: now, registered: tier.tasks.length, firstHealthy });
    // Only the span a client may keep an answer for matters; keep one entry from before it.
    const horizon = now - this.maxAnswerAgeMs() - MINUTE;
    while (gen.health.length > 1 && gen.health[1]!.from <= horizon) gen.health.shift();
  }

  /** The tasks' target group at `at`: registered targets, and whether one of them was healthy. */
  private tasksGroupAt(gen: AlbGeneration, at: number): TargetGroupHealth {
    let e: { from: number; registered: number; firstHealthy: number } | undefined;
    for (const h of gen.health) {
      if (h.from > at) break;
      e = h;
    }
    return { registered: e?.registered ?? 0, healthy: e !== undefined && e.firstHealthy <= at ? 1 : 0 };
  }

  /** Every target group of the ALB at `at` as Route 53 evaluates them: the tasks', and the function's (weighted switch). */
  private targetGroupsAt(gen: AlbGeneration, at: number): TargetGroupHealth[] {
    const groups = [this.tasksGroupAt(gen, at)];
    if (gen.lambda) groups.push({ registered: 1, healthy: gen.lambda.stateAt(at) === "healthy" ? 1 : 0 });
    return groups;
  }

  /** The longest a client keeps a resolved answer (ms). */
  private maxAnswerAgeMs(): number {
    return Math.max(this.o.world.dns.ttlSeconds * 1000, this.o.world.clients.longCacheMinutes * MINUTE);
  }

  private healthyTasks(at: number): number {
    if (!this.tier || this.tier.phase !== "active") return 0;
    let n = 0;
    for (const t of this.tier.tasks) if (t.healthyAt <= at) n++;
    return n;
  }

  /** The ALB the "fargate" record aliased at `at`, when the record was in sync then. */
  private aliasedAt(at: number): AlbGeneration | undefined {
    if (!this.o.route53.liveAt("fargate", at)) return undefined;
    let gen: AlbGeneration | undefined;
    for (const g of this.generations) if (g.createdAt <= at && (g.goneAt === undefined || at < g.goneAt)) gen = g;
    return gen;
  }

  /**
   * Route 53's answer at `at`: the ALB the weight-100 "fargate" record aliased while the record was in
   * sync, else undefined: the weight-0 "lambda" record, API Gateway. A record that evaluates target
   * health (FARGATE_RECORD_EVALUATES_TARGET_HEALTH: the DNS switch) answers the ALB only while Route
   * 53 counts it healthy (albHealthyForRoute53); one that does not (weighted) answers it whenever it
   * is in sync. Route 53 sees target health as ELB reports it, with no lag of its own: the lag is in
   * the checks (a task's checks before it is healthy, two failed checks of the function).
   */
  private answerAt(at: number): AlbGeneration | undefined {
    const gen = this.aliasedAt(at);
    if (!gen || !this.evaluatesTargetHealth) return gen;
    return albHealthyForRoute53(this.targetGroupsAt(gen, at)) ? gen : undefined;
  }

  /**
   * Whether a client that resolved at `at` and got API Gateway was misrouted: the record was in sync
   * and its ALB could have served the request (weighted: its listener always has the Lambda target
   * group; DNS: only the tasks, so they needed a healthy target). Independent of the record's setting,
   * so it measures what that setting costs.
   */
  private misroutedAt(at: number): boolean {
    const gen = this.aliasedAt(at);
    if (!gen) return false;
    return this.switchMode === "weighted" || this.tasksGroupAt(gen, at).healthy > 0;
  }

  /**
   * Where the requests of [from, from + 1 min) go, as shares: to API Gateway, to a live ALB, or to an
   * ALB that no longer exists. Most clients keep their answer for the TTL; a share of them
   * (clients.longCacheShare) for clients.longCacheMinutes. Answer ages are uniform over each span.
   */
  private routeShares(from: number, countMisrouted: boolean): { api: number; alb: number; dead: number; misrouted: number } {
    const ttl = this.o.world.dns.ttlSeconds * 1000;
    const long = this.o.world.clients.longCacheMinutes * MINUTE;
    const longShare = this.o.world.clients.longCacheShare;
    const out = { api: 0, alb: 0, dead: 0, misrouted: 0 };
    const spans: Array<[number, number, number]> = [
      [ttl, 4, 1 - longShare],
      [long, 12, longShare],
    ];
    const POINTS = 6;
    for (let i = 0; i < POINTS; i++) {
      const t = from + ((i + 0.5) / POINTS) * MINUTE;
      for (const [span, n, share] of spans) {
        if (share <= 0) continue;
        const weight = share / (POINTS * n);
        for (let j = 0; j < n; j++) {
          const resolvedAt = t - ((j + 0.5) / n) * span;
          const gen = this.answerAt(resolvedAt);
          if (!gen) {
            if (countMisrouted && this.misroutedAt(resolvedAt)) out.misrouted += weight;
            continue;
          }
          if (gen.goneAt !== undefined && gen.goneAt <= t) out.dead += weight;
          else out.alb += weight;
        }
      }
    }
    // The rest asked API Gateway (exactly, so a minute without the tier keeps every request there).
    out.api = out.alb + out.dead > 0 ? Math.max(0, 1 - out.alb - out.dead) : 1;
    return out;
  }

  /** The listener's split of the ALB's requests: to the Lambda target group, to the ECS one; none when every weight is 0 (the ALB answers 503). */
  private albSplit(): { lambda: number; ecs: number } {
    const n = this.o.names;
    const weights = this.o.elb.forwardWeights(n.albName) ?? [];
    const of = (name: string) => weights.filter((g) => g.targetGroupName === name).reduce((a, g) => a + g.weight, 0);
    const lambda = of(n.lambdaTargetGroupName);
    const ecs = of(n.targetGroupName);
    const total = lambda + ecs;
    return total > 0 ? { lambda: lambda / total, ecs: ecs / total } : { lambda: 0, ecs: 0 };
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
    const horizon = start - this.maxAnswerAgeMs() - MINUTE;
    this.generations = this.generations.filter((g) => g.goneAt === undefined || g.goneAt > horizon);
    // The ALB's checks of the function up to the minute's end, before Route 53 reads them: they fail at
    // the throttling of the minute before (a minute's throttling is known only once it is routed).
    if (tier?.gen?.lambda) {
      tier.gen.lambda.advance(start + MINUTE, this.throttledShare);
      tier.gen.lambda.forget(horizon);
    }
    // Misrouted clients count while the tier serves with a healthy task (see MinuteOutcome).
    const serving = this.applied.tier === "serving" && this.healthyTasks(start) > 0;
    const route = requests > 0 ? this.routeShares(start, serving) : { api: 1, alb: 0, dead: 0, misrouted: 0 };
    const viaApi = requests * route.api;
    const dead = requests * route.dead;
    const misrouted = requests * route.misrouted;
    // Only the tier's own ALB is live, so requests that reach a live ALB reach this one; its listener splits them.
    const toAlb = requests * route.alb;
    const split = tier?.alb ? this.albSplit() : { lambda: 0, ecs: 0 };
    const albLambda = toAlb * split.lambda;
    const albEcs = toAlb * split.ecs;
    // Never below 0: the shares are floating point and may add up to a hair over 1.
    const albNoTarget = Math.max(0, toAlb - albLambda - albEcs);
    const lambdaRequests = viaApi + albLambda;
    const fargateRequests = albEcs + albNoTarget + dead;
    let failed = 0;
    let short = false;
    // What became of the requests (served within capacity, overloaded, or failed by cause): they add up to `requests`.
    let noTarget = Math.max(0, albNoTarget); // a float's last digit below 0 is no request
    let servedFargate = 0;
    let overloaded = 0;

    // Lambda tier: API Gateway's stage limit answers 429 first (its requests only), then Lambda's
    // concurrency limit throttles every invocation, through API Gateway or the ALB alike.
    const rejected429 = Math.max(0, viaApi / 60 - this.o.apiRateLimit) * 60;
    const concurrencyLimit = this.o.reservedConcurrency ?? this.o.world.aws.lambdaConcurrencyLimit;
    const invokedRps = (lambdaRequests - rejected429) / 60;
    const concurrency = invokedRps * (w.meanDurationMs / 1000);
    this.throttledShare = concurrency > concurrencyLimit ? 1 - concurrencyLimit / concurrency : 0;
    const throttled = invokedRps * this.throttledShare * 60;
    failed += rejected429 + throttled;
    if (rejected429 + throttled >= 1) short = true;
    const cold = coldStarts(lambdaRequests, this.previousLambdaRequests, w);
    // Requests through the ALB invoke the function without an API Gateway request or access-log line.
    let cost = lambdaMinuteCost(lambdaRequests, cold, w, p, viaApi);
    const bill: Record<string, { quantity: number; usd: number }> = { ...lambdaMinuteBill(lambdaRequests, cold, w, p, viaApi) };
    this.previousLambdaRequests = lambdaRequests;
    cw.count(this.metric.count, start, Math.round(viaApi));
    cw.count(this.metric.errors, start, Math.round(rejected429));
    cw.count(this.metric.throttles, start, Math.round(throttled));
    cw.count(this.metric.concurrency, start, Math.ceil(Math.min(concurrency, concurrencyLimit)));

    // Fargate tier: requests that reach a live ALB are billed in LCUs (whichever target group serves them).
    const healthy = this.healthyTasks(start + MINUTE / 2);
    if (tier?.alb) {
      const tasks = tier.tasks.length;
      cost += fargateMinuteCost(toAlb, tasks, w, p, albLambda);
      addToBill(bill, fargateMinuteBill(toAlb, tasks, w, p, albLambda));
      if (albEcs > 0) {
        const capacity = healthy * w.requestsPerTaskPerSecond * 60;
        if (albEcs > capacity + 0.5) short = true;
        if (healthy === 0) {
          // No healthy task in the group its weight chose: the ALB answers 503.
          failed += albEcs;
          noTarget += albEcs;
        } else {
          // Past requestsPerTaskPerSecond a task still answers, late: served, but not within capacity.
          servedFargate = Math.min(albEcs, capacity);
          overloaded = albEcs - servedFargate;
        }
      }
      const lb = tier.alb;
      cw.count({ namespace: "AWS/ApplicationELB", name: "RequestCount", dimensions: { LoadBalancer: lb } }, start, Math.round(toAlb));
      cw.count({ namespace: "AWS/ApplicationELB", name: "RequestCount", dimensions: { LoadBalancer: lb, TargetGroup: tier.tg! } }, start, Math.round(albEcs));
      cw.gauge({ namespace: "AWS/ApplicationELB", name: "HealthyHostCount", dimensions: { LoadBalancer: lb, TargetGroup: tier.tg! } }, start, healthy);
      // The group's requests per healthy target (per registered target when none is healthy), as the ALB publishes it.
      const perTargetOf = healthy > 0 ? healthy : tasks;
      if (perTargetOf > 0) cw.count({ namespace: "AWS/ApplicationELB", name: "RequestCountPerTarget", dimensions: { LoadBalancer: lb, TargetGroup: tier.tg! } }, start, Math.round(albEcs / perTargetOf));
      this.autoscale(albEcs / 60);
    } else if (tier) {
      cost += fargateMinuteCost(0, 0, w, p); // the ALB bills from creation
      addToBill(bill, fargateMinuteBill(0, 0, w, p));
    }
    // The listener forwards nowhere (every weight 0): the ALB answers 503.
    if (albNoTarget > 0) {
      failed += albNoTarget;
      if (albNoTarget >= 0.5) short = true;
    }
    // A cached answer to an ALB that is gone: the connection fails.
    if (dead > 0) {
      failed += dead;
      this.meter.strandedRequests += dead;
      if (dead >= 0.5) short = true;
    }
    const fargateShare = requests > 0 ? fargateRequests / requests : 0;
    const served = { lambda: lambdaRequests - rejected429 - throttled, fargate: servedFargate };
    const failedBy: FailedRequests = { throttled, rateLimited: rejected429, noTarget, deadEndpoint: dead };
    return {
      cost,
      bill,
      fargateShare,
      lambdaRequests,
      fargateRequests,
      failedRequests: failed,
      deadEndpointRequests: dead,
      misroutedToApiRequests: misrouted,
      served,
      overloadedRequests: overloaded,
      failed: failedBy,
      unservedUsd: (failed + overloaded) * this.unservedPrice,
      short,
      resources: tier !== undefined,
    };
  }
}
