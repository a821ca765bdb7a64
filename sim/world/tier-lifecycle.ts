/**
 * The Fargate tier's resources coming and going as Terraform applies the toggle: the ALB (with its
 * long creation tail), its HTTPS listener, the tasks' and the Lambda target groups, the ECS service
 * and its tasks, with target tracking (target-tracking.ts) and the "fargate" alias record
 * (alias-records.ts). Which exist in which tier state is model/tier-states.ts; Terraform Cloud drives
 * it through `Infrastructure` (hasChanges / apply).
 */
import { minuteRuleExists, recordExists, tierExists, type SwitchMode } from "../../model/tier-states";
import { parseToggle, type TierState } from "../../model/toggle";
import type { Workload } from "../../model/cost-model";
import { AliasRecords } from "./alias-records";
import { noteTasksHealth, type AlbGeneration, type AlbGenerations } from "./alb-generations";
import type { Rng, SimClock } from "./clock";
import type { Elbv2Emulator } from "./elbv2";
import { LambdaTargetHealth } from "./lambda-target-health";
import type { World } from "./params";
import type { Route53Emulator } from "./route53";
import { TargetTracking } from "./target-tracking";
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

/** What the world counts of the tier's comings and goings (and the traffic stranded by them). */
export interface AwsMeter {
  albCreations: number;
  readonly albCreateMinutes: number[];
  destroys: number;
  strandedRequests: number;
}

interface Task {
  readonly healthyAt: number;
}

/** The tier while its resources exist. */
export interface Tier {
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

/** The tfvars a Terraform apply acts on. */
interface Applied {
  readonly tier: TierState;
  readonly min: number;
  readonly max: number;
}

export interface TierLifecycleOptions {
  readonly clock: SimClock;
  readonly rng: Rng;
  /** Draws the Lambda target group's health check outcomes, apart from the world's other draws. */
  readonly healthCheckRng: Rng;
  readonly world: World;
  readonly workload: Workload;
  readonly names: AwsNames;
  readonly deregistrationDelaySeconds: number;
  readonly switchMode: SwitchMode;
  readonly evaluatesTargetHealth: boolean;
  readonly elb: Elbv2Emulator;
  readonly route53: Route53Emulator;
  readonly albs: AlbGenerations;
  /** Before this time no answer a client still holds was given: older health need not be kept. */
  readonly answerHorizon: (now: number) => number;
  readonly meter: AwsMeter;
}

export class TierLifecycle implements Infrastructure {
  /** The tfvars state the last finished apply left (what Terraform's state says). */
  private applied: Applied = { tier: "off", min: 0, max: 0 };
  private tier: Tier | undefined;
  private minuteRule = false;

  private readonly tracking: TargetTracking;
  private readonly records: AliasRecords;

  constructor(private readonly o: TierLifecycleOptions) {
    const current = () => this.tier;
    this.tracking = new TargetTracking({ ...o, current, resize: (desired) => this.resize(desired) });
    this.records = new AliasRecords({ ...o, domain: o.names.domain });
  }

  /** The fargate stack's per-minute rule that invokes the scaler exists (model/tier-states.ts: warming, draining). */
  get minuteRuleLive(): boolean {
    return this.minuteRule;
  }

  /** The tier while its resources exist (creating, active or being destroyed). */
  get current(): Tier | undefined {
    return this.tier;
  }

  /** The tier state the last finished apply left. */
  get appliedTier(): TierState {
    return this.applied.tier;
  }

  /** The ALB's `LoadBalancer` dimension (its ARN suffix) while it exists: what the fargate stack's alarms watch. */
  get albDimension(): string | undefined {
    return this.tier?.phase === "destroying" ? undefined : this.tier?.alb;
  }

  /** The tasks' target group's `TargetGroup` dimension while it exists: what the overload alarm watches. */
  get targetGroupDimension(): string | undefined {
    return this.tier?.phase === "destroying" ? undefined : this.tier?.tg;
  }

  private readonly minutes = (range: readonly [number, number]) => this.o.rng.between(range) * MINUTE;

  hasChanges(tfvarsText: string): boolean {
    const t = parseToggle(tfvarsText, "applied tfvars");
    const exists = tierExists(t.fargate_tier);
    if (exists !== tierExists(this.applied.tier)) return true;
    if (!exists) return false;
    return (
      t.fargate_tier !== this.applied.tier ||
      t.fargate_min_tasks !== this.applied.min ||
      t.fargate_max_tasks !== this.applied.max
    );
  }

  apply(tfvarsText: string, done: () => void): void {
    const t = parseToggle(tfvarsText, "applied tfvars");
    const { clock } = this.o;
    const now = clock.now();
    const target: Applied = { tier: t.fargate_tier, min: t.fargate_min_tasks, max: t.fargate_max_tasks };
    const finish = (at: number) =>
      clock.schedule(at, () => {
        this.applied = target;
        done();
      });
    this.minuteRule = minuteRuleExists(target.tier);
    if (!tierExists(target.tier)) {
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
    this.records.setFargate(recordExists(this.o.switchMode, target.tier));
    finish(now + this.o.rng.between([20, 60]) * 1000);
  }

  /** Healthy tasks at `at` while the tier is active. */
  healthyTasks(at: number): number {
    if (!this.tier || this.tier.phase !== "active") return 0;
    let n = 0;
    for (const t of this.tier.tasks) if (t.healthyAt <= at) n++;
    return n;
  }

  /** A minute of `rps` to the tasks, as target tracking sees it. */
  autoscale(rps: number): void {
    this.tracking.observe(rps);
  }

  /** ALB (with its creation tail), then target groups, listener and ECS service; Terraform returns then. */
  private create(target: Applied, finish: (at: number) => void): void {
    const { clock, rng, world } = this.o;
    const tail = rng.chance(world.aws.albCreateTailRate);
    const albMs = tail ? world.aws.albCreateTailMinutes * MINUTE : this.minutes(world.aws.albCreateMinutes);
    this.o.meter.albCreations++;
    this.o.meter.albCreateMinutes.push(albMs / MINUTE);
    const tier: Tier = {
      phase: "creating",
      tasks: [],
      desired: 0,
      minTasks: target.min,
      maxTasks: target.max,
      scaleOutPending: false,
    };
    this.tier = tier;
    clock.schedule(clock.now() + albMs, () => {
      if (this.tier !== tier) return;
      this.createAlb(tier);
      tier.phase = "active";
      this.resize(target.min);
      this.records.setFargate(recordExists(this.o.switchMode, target.tier));
      finish(clock.now() + rng.between([20, 60]) * 1000);
    });
  }

  /** The ALB, the tasks' target group and, per switch mode, the Lambda target group and the listener's forward. */
  private createAlb(tier: Tier): void {
    const { clock, elb, names: n } = this.o;
    tier.alb = elb.createLoadBalancer(n.albName).dimension;
    tier.tg = elb.createTargetGroup(n.targetGroupName).dimension;
    tier.gen = this.o.albs.create(clock.now());
    // ECS registers each task's IP; the target group reports it healthy once its checks pass.
    elb.registerTargets(n.targetGroupName, () =>
      tier.tasks.map((t, i) => ({
        id: `10.0.${i >> 8}.${(i & 255) + 10}`,
        state: tier.phase === "destroying" ? "draining" : t.healthyAt <= clock.now() ? "healthy" : "initial",
      })),
    );
    if (this.o.switchMode !== "weighted") {
      elb.createListener(n.albName, [{ targetGroupName: n.targetGroupName }]);
      return;
    }
    // The service Lambda behind the ALB (healthy while its health-check invocations are not throttled;
    // unhealthy, it still gets its share: a group whose only target is unhealthy fails open), and a
    // listener that starts all on Lambda. Terraform ignores later changes to the default action: the
    // scaler owns the weights.
    elb.createTargetGroup(n.lambdaTargetGroupName, "lambda");
    const check = elb.healthCheckOf(n.lambdaTargetGroupName)!;
    const random = this.o.healthCheckRng.random;
    const lambda = new LambdaTargetHealth({
      registeredAt: clock.now(),
      ...check,
      nodes: this.o.world.aws.albNodes,
      random,
    });
    tier.gen.lambda = lambda;
    const functionArn = `arn:aws:lambda:us-east-1:123456789012:function:${n.functionName}`;
    elb.registerTargets(n.lambdaTargetGroupName, () => [
      { id: functionArn, state: tier.phase === "destroying" ? "draining" : lambda.stateAt(clock.now()) },
    ]);
    elb.createListener(n.albName, [
      { targetGroupName: n.lambdaTargetGroupName, weight: 100 },
      { targetGroupName: n.targetGroupName, weight: 0 },
    ]);
  }

  /**
   * The record first (it depends on the ALB), then the ECS service drains its targets and stops, then
   * ALB, target groups and VPC go.
   */
  private destroy(finish: (at: number) => void): void {
    const { clock, world } = this.o;
    const tier = this.tier!;
    tier.phase = "destroying";
    this.noteHealth(tier);
    this.records.setFargate(false);
    this.o.meter.destroys++;
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

  /** Sets the ECS desired count: new tasks turn healthy after they start; removed tasks go at once (newest first). */
  private resize(desired: number): void {
    const tier = this.tier!;
    const now = this.o.clock.now();
    while (tier.tasks.length < desired)
      tier.tasks.push({ healthyAt: now + this.minutes(this.o.world.aws.taskStartMinutes) });
    if (tier.tasks.length > desired) tier.tasks.sort((a, b) => a.healthyAt - b.healthyAt).length = desired;
    tier.desired = desired;
    this.noteHealth(tier);
  }

  /** Records from now on when the tier's ALB first has a healthy target (none while it is destroyed). */
  private noteHealth(tier: Tier): void {
    if (!tier.gen) return;
    // Destroying, the tasks drain: still registered, none healthy.
    const firstHealthy =
      tier.phase === "destroying" ? Infinity : tier.tasks.reduce((m, t) => Math.min(m, t.healthyAt), Infinity);
    const now = this.o.clock.now();
    noteTasksHealth(tier.gen, now, tier.tasks.length, firstHealthy, this.o.answerHorizon(now));
  }
}
