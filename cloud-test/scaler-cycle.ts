/**
 * Issue 20, "the scaler against the same API": the production scaler's own
 * wiring (`awsDeps` + `handleWith` from scaler/handler.ts, real AWS SDK v3
 * clients) drives one full tier cycle, off -> warming -> serving -> draining
 * -> off, against the AWS API emulator the stacks were applied to. Its commits
 * go to a real git server; the Terraform Cloud stand-in applies each pushed
 * commit with real terraform, so the tier's resources appear and disappear
 * because the scaler decided so.
 *
 * One scaler, two worlds: no scaler logic is restated here. This file plays
 * only what AWS itself would do behind the production ports, minute by minute
 * on a controlled clock:
 * - CloudWatch publication: API Gateway Count, Lambda Throttles and
 *   ConcurrentExecutions, ALB RequestCount and HealthyHostCount, with the
 *   dimensions AWS publishes them under (the ALB's and target groups' ARN
 *   suffixes, read from the emulator's ELBv2 API as they are at that minute);
 * - Route 53: clients reach the ALB while the "fargate" record exists (read
 *   from the emulator), else API Gateway; inside the ALB, requests split by the
 *   listener weights the scaler set (read back from the emulator);
 * - ECS: the service registers its tasks' addresses in its target group
 *   (RegisterTargets, as ECS does through its service-linked role); the
 *   emulator then reports them healthy, which is the ALB's health check passing;
 * - EventBridge: one invocation a minute (the per-minute rule while the tier
 *   changes; the wake alarms, the low-demand alarm and the scaler's own re-arm
 *   schedules otherwise, which the emulator does not evaluate or fire); a
 *   re-arm schedule that comes due is deleted, as Scheduler does after it fires.
 *
 * The demand is derived from the policy's own money (scaler/money.ts) with the
 * deployed settings, not tuned by trial; see `deriveProfile`.
 */
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { DeleteScheduleCommand, GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import { SignatureV4 } from "@smithy/signature-v4";
import type { DeploymentConfig } from "../config/schema";
import type { GitServer } from "../__tests__/helpers/git-server";
import { awsDeps, handleWith, type HandlerResult, type ScalerPorts } from "../scaler/handler";
import { breakEven, lambdaExcess, roundTripCost } from "../scaler/money";
import { CANARY_STEPS, drainWindowMinutes, effectiveBackoff, restingFloor, roundTripShape, warmupOf, type PolicyConfig } from "../scaler/policy";
import { scalerSettingsFromEnv, type ScalerSettings } from "../scaler/settings";
import { parseToggle, type TierState, type Toggle } from "../model/toggle";
import type { Logger, LogLevel } from "../model/log";
import { tasksNeeded } from "../model/cost-model";
import { clientOptions, workspaceOf } from "./deployment";
import type { RecordedCall } from "./emulator";
import { IDENTITIES } from "./identities";
import type { StandInRun, TerraformCloudStandIn } from "./tfc-standin";

export interface ScalerCycleContext {
  /** The emulator's URL. */
  readonly endpoint: string;
  readonly region: string;
  /** The deployment's validated configuration (service, toggleFile, terraformCloud, ...). */
  readonly config: DeploymentConfig;
  /** The deployment repository, already seeded, the toggle at config.toggleFile = off. */
  readonly git: GitServer;
  /** The stand-in's base URL (started, watching git, applying deploy/fargate as the fargate run role). */
  readonly tfcUrl: string;
  readonly tfc: TerraformCloudStandIn;
  readonly log: (line: string) => void;
  /** Most simulated minutes before the cycle counts as not completed. @default 600 */
  readonly maxMinutes?: number;
  /** The emulator's recorded calls (`emulator.calls()`); when given, the report counts the scaler's own calls during the cycle. */
  readonly emulatorCalls?: () => ReadonlyArray<Pick<RecordedCall, "seq" | "service" | "operation" | "accessKey" | "status" | "error">>;
}

/** One tier transition the scaler committed. */
export interface Transition {
  readonly from: TierState;
  readonly to: TierState;
  readonly reason: string;
  readonly commit: string;
  /** Simulated minute of the loop (0 = the first invocation) and the scaler's clock then. */
  readonly minute: number;
  readonly at: string;
  /** The stand-in's run for the commit, once idle. */
  readonly run?: { readonly id: string; readonly status: string; readonly applySeconds: number };
}

/** What the emulator holds after a run applied, against what the committed state should leave. */
export interface TierCheck {
  readonly commit: string;
  readonly state: TierState;
  readonly runId: string;
  readonly runStatus: string;
  /** `<service>-alb` (ELBv2 DescribeLoadBalancers). */
  readonly alb: boolean;
  /** The ECS service `<service>` in cluster `<service>` is ACTIVE (ECS DescribeServices). */
  readonly ecsService: boolean;
  /** The per-minute rule `<service>-scaler-minute` (EventBridge DescribeRule). */
  readonly minuteRule: boolean;
  /** The "fargate" alias record (Route 53). */
  readonly fargateRecord: boolean;
  /** Every one of the four is as the state says (tier in warming/serving/draining, rule in warming/draining, record per the switch). */
  readonly ok: boolean;
}

/** One decision the scaler logged. */
export interface DecisionLine {
  readonly minute: number;
  readonly action: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly alerts: readonly string[];
  /** Why the scaler queued the failed run again, when it did. */
  readonly requeueRun?: string;
  readonly evidence?: Record<string, unknown>;
}

/** The demand, as derived from the policy and the deployed settings. */
export interface DemandProfile {
  readonly breakEvenRps: number;
  readonly roundTripUsd: number;
  /** The up price in force at the start (round trip x 2^backoff_up). */
  readonly upPriceUsd: number;
  /** The quiet rate before the demand and after it (req/s): the drain's idle threshold, "~0". */
  readonly quietRps: number;
  /** The sustained demand (req/s) whose Lambda excess pays the up price in `upMinutes` minutes. */
  readonly highRps: number;
  readonly upMinutes: number;
  /** Quiet minutes before the demand, so that the off stay has saved a round trip (no drain backoff when the tier is added). */
  readonly quietMinutes: number;
  /** Minutes the demand goes on after the serving commit, so that the serving stay saves its round trip (no up backoff when it drains). */
  readonly servingHighMinutes: number;
  /** Tasks target tracking would want for highRps, and what the floor tasks carry (req/s). */
  readonly tasksForHigh: number;
  readonly floorCapacityRps: number;
  /** Longest the loop lets each state last before calling the cycle stalled (minutes). */
  readonly budgets: Readonly<Record<TierState, number>>;
}

export interface ScalerCycleReport {
  readonly transitions: readonly Transition[];
  readonly invocations: number;
  readonly simulatedMinutes: number;
  readonly wallSeconds: number;
  readonly profile: DemandProfile;
  /** `git log` of the toggle file, oldest first: "<sha> <subject>". */
  readonly toggleLog: readonly string[];
  /** The fargate workspace's runs in the stand-in, oldest first (logs left out). */
  readonly runs: ReadonlyArray<Omit<StandInRun, "log">>;
  readonly tierChecks: readonly TierCheck[];
  /** Listener weight changes the scaler made (ModifyListener), in order. */
  readonly weights: ReadonlyArray<{ readonly minute: number; readonly fargate: number; readonly was: number }>;
  /** The scaler's one-time re-arm schedules that came due (and were deleted, as Scheduler does after they fire). */
  readonly rearms: ReadonlyArray<{ readonly minute: number; readonly schedule: string }>;
  /** Every decision, in order. */
  readonly decisions: readonly DecisionLine[];
  /** Alert kinds the scaler raised (a decision's alerts), in order of first appearance. */
  readonly alerts: readonly string[];
  /** The scaler's own error log lines (an adapter that failed while the invocation went on). */
  readonly scalerErrors: readonly string[];
  /** With `emulatorCalls`: the calls signed by the scaler's key during the cycle, by "service:operation" (failed ones as "service:operation status error"). */
  readonly scalerCalls?: Readonly<Record<string, number>>;
}

/** The cycle did not complete: stalled in a state, a run failed, or an invocation threw. */
export class ScalerCycleError extends Error {
  override readonly name = "ScalerCycleError";
}

const MINUTE = 60_000;

/**
 * The demand, from the policy's money with the deployed settings:
 * - quiet: `drainIdleRps`, the rate the policy itself calls idle (so "~0");
 * - high: the rate whose Lambda excess over Fargate (money.ts `lambdaExcess`)
 *   pays the up price in `UP_MINUTES` minutes, with 5% headroom so rounding
 *   cannot add a minute: ski rental buys the tier after that many minutes of it
 *   (README: 3x break-even takes ~12 min, 30x one);
 * - quiet before it for long enough that the off stay has saved a round trip:
 *   otherwise the policy rightly reads the tier's return as an undone drain and
 *   doubles the next drain's price (`fargate_backoff_down`);
 * - on while the tier serves, long enough that the serving stay saves its own
 *   round trip (else the policy reads the switch up as a mistake: up backoff);
 * - quiet again: the drain then follows from the money (the down price plus
 *   the re-warm at the level the tier was busy at) and the drain rules (TTL, deregistration,
 *   stragglers, idle ALB).
 */
export function deriveProfile(p: PolicyConfig, toggle: Toggle, minutesOff: number, lagMinutes: number): DemandProfile {
  const UP_MINUTES = 5;
  const be = breakEven(p);
  // The round trip as the policy prices it: the warm-up the toggle remembers (or the configured one) at the
  // resting floor (a 5-minute high is shorter than half a warm-up, so it does not size the floor), the drain
  // window and the teardown.
  const roundTrip = roundTripCost(p, roundTripShape(p, toggle, restingFloor(p, toggle)));
  const upPrice = roundTrip * 2 ** effectiveBackoff(toggle.fargate_backoff_up, minutesOff, p);
  // The down price is weighed while serving, a stay that starts with no decay.
  const downPrice = roundTrip * 2 ** effectiveBackoff(toggle.fargate_backoff_down, 0, p);
  const perMinute = (rps: number) => lambdaExcess(rps * 60, p);
  // Bisection on the (increasing) excess: the rate whose excess is the up price spread over UP_MINUTES.
  const target = (1.05 * upPrice) / UP_MINUTES;
  let lo = be;
  let hi = Math.max(be * 2, p.workload.lambdaCapacityRps);
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (perMinute(mid) < target) lo = mid;
    else hi = mid;
  }
  const highRps = Math.ceil(hi * 10) / 10;
  if (perMinute(highRps) < target) throw new ScalerCycleError(`no demand up to ${hi.toFixed(1)} req/s pays the up price $${upPrice.toFixed(4)} in ${UP_MINUTES} min; no cycle can be derived`);
  const quietRps = p.drainIdleRps;
  const quietSaving = -perMinute(quietRps);
  if (!(quietSaving > 0)) throw new ScalerCycleError(`the quiet rate ${quietRps} req/s is not below break-even ${be.toFixed(2)} req/s; no cycle can be derived`);
  // The off stay's sum at the up decision: quiet minutes save, the UP_MINUTES high ones cost ~1.05 up price; it must save a round trip.
  const stayMinutesNeeded = Math.ceil((roundTrip + UP_MINUTES * perMinute(highRps)) / quietSaving) + 2;
  const quietMinutes = Math.max(lagMinutes + 2, stayMinutesNeeded - Math.floor(minutesOff));
  // Serving, the drain comes once the quiet minutes
  // sum has reached the down price plus a warm-up of Lambda at the high rate: within drainQuiet quiet minutes. The stay must save its own round trip by
  // then, or the policy rightly reads the switch up as a mistake (up backoff): so the demand that bought the
  // tier goes on for servingHighMinutes after the serving commit.
  const drainQuiet = Math.ceil((downPrice + warmupOf(p, toggle) * perMinute(highRps)) / quietSaving) + 1;
  const servingHighMinutes = Math.ceil((roundTrip + drainQuiet * quietSaving) / perMinute(highRps)) + 1;
  const seen = lagMinutes + 1;
  const drainMinutes = drainWindowMinutes(p);
  const slack = 10;
  const budgets: Record<TierState, number> = {
    off: quietMinutes + seen + UP_MINUTES + slack,
    // Targets one minute after the apply, a canary step a minute, then the serving commit; the policy's own limit bounds it.
    warming: Math.max(p.warmingTimeoutMinutes, CANARY_STEPS.length + 2 + seen),
    serving: Math.max(p.minDwellMinutes, servingHighMinutes + drainQuiet + seen) + slack,
    draining: Math.ceil(drainMinutes) + p.drainDeadlineMinutes + slack,
  };
  return {
    breakEvenRps: be,
    roundTripUsd: roundTrip,
    upPriceUsd: upPrice,
    quietRps,
    highRps,
    upMinutes: UP_MINUTES,
    quietMinutes,
    servingHighMinutes,
    tasksForHigh: tasksNeeded(highRps, p.workload),
    floorCapacityRps: p.minTasks * p.requestsPerTaskPerSecond,
    budgets,
  };
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Buffer => (typeof d === "string" ? d : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d));

/** node:crypto behind the Checksum interface SignatureV4 takes. */
class Sha256 {
  private hash;
  constructor(private readonly secret?: SourceData) {
    this.hash = secret ? createHmac("sha256", bytes(secret)) : createHash("sha256");
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret ? createHmac("sha256", bytes(this.secret)) : createHash("sha256");
  }
}

/**
 * A signed call to a JSON 1.1 or query API the repository has no SDK client for
 * (ECS, EventBridge, EC2), signed as the harness with the SDK's own SigV4 signer.
 */
async function rawCall(endpoint: string, region: string, service: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service, region, sha256: Sha256, credentials: { accessKeyId: IDENTITIES.harness.accessKeyId, secretAccessKey: IDENTITIES.harness.secretAccessKey } });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    query: {},
    headers: { host: url.host, ...headers },
    body,
  });
  const res = await fetch(`${endpoint}/`, { method: "POST", headers: signed.headers as Record<string, string>, body });
  return { status: res.status, text: await res.text() };
}

const jsonCall = async (endpoint: string, region: string, service: string, target: string, input: unknown): Promise<{ status: number; body: any }> => {
  const out = await rawCall(endpoint, region, service, JSON.stringify(input), { "content-type": "application/x-amz-json-1.1", "x-amz-target": target });
  return { status: out.status, body: out.text ? JSON.parse(out.text) : {} };
};

/** The harness's view of the emulated account: what exists, and what AWS would publish or do. */
class World {
  private readonly cloudwatch: CloudWatchClient;
  private readonly elb: ElasticLoadBalancingV2Client;
  private readonly route53: Route53Client;
  private readonly scheduler: SchedulerClient;

  constructor(private readonly ctx: ScalerCycleContext, private readonly s: ScalerSettings) {
    const opts = clientOptions("harness", ctx.endpoint, ctx.region);
    this.cloudwatch = new CloudWatchClient(opts);
    this.elb = new ElasticLoadBalancingV2Client(opts);
    this.route53 = new Route53Client(opts);
    this.scheduler = new SchedulerClient(opts);
  }

  /**
   * EventBridge Scheduler: the scaler's one-time re-arm schedules whose at()
   * time has come fire (this minute's invocation stands for them) and, with
   * ActionAfterCompletion DELETE, are deleted, as Scheduler does.
   * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html#scheduler-CreateSchedule-request-ActionAfterCompletion
   */
  async fireDueSchedules(nowMs: number): Promise<string[]> {
    const group = this.s.wake.scheduleGroup;
    const fired: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.scheduler.send(new ListSchedulesCommand({ GroupName: group, NextToken: token }));
      for (const item of page.Schedules ?? []) {
        const sch = await this.scheduler.send(new GetScheduleCommand({ GroupName: group, Name: item.Name }));
        const at = /^at\((.+)\)$/.exec(sch.ScheduleExpression ?? "")?.[1];
        // at() is wall time in ScheduleExpressionTimezone; the scaler writes UTC.
        if (!at || (sch.ScheduleExpressionTimezone ?? "UTC") !== "UTC" || Date.parse(`${at}Z`) > nowMs) continue;
        fired.push(item.Name!);
        if (sch.ActionAfterCompletion === "DELETE") await this.scheduler.send(new DeleteScheduleCommand({ GroupName: group, Name: item.Name }));
      }
      token = page.NextToken;
    } while (token);
    return fired;
  }

  private async arnOf(kind: "lb" | "tg", name: string): Promise<string | undefined> {
    try {
      if (kind === "lb") return (await this.elb.send(new DescribeLoadBalancersCommand({ Names: [name] }))).LoadBalancers?.[0]?.LoadBalancerArn;
      return (await this.elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups?.[0]?.TargetGroupArn;
    } catch (err) {
      if ((err as Error).name === "LoadBalancerNotFoundException" || (err as Error).name === "TargetGroupNotFoundException") return undefined;
      throw err;
    }
  }

  /**
   * The ALB and its target groups as CloudWatch names them: `app/<name>/<id>`
   * (the LoadBalancer ARN after "loadbalancer/") and `targetgroup/<name>/<id>`
   * (the target group ARN's last part).
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html#load-balancer-metric-dimensions-alb
   */
  async tier(): Promise<{ lbArn: string; lb: string; tasks?: { arn: string; dim: string }; lambda?: { arn: string; dim: string } } | undefined> {
    const t = this.s.targets;
    const [lbArn, tasksArn, lambdaArn] = await Promise.all([
      this.arnOf("lb", t.albName),
      this.arnOf("tg", t.targetGroupName),
      t.lambdaTargetGroupName ? this.arnOf("tg", t.lambdaTargetGroupName) : Promise.resolve(undefined),
    ]);
    if (!lbArn) return undefined;
    const tg = (arn: string | undefined) => (arn ? { arn, dim: arn.split(":").pop()! } : undefined);
    return { lbArn, lb: lbArn.split(":loadbalancer/")[1]!, tasks: tg(tasksArn), lambda: tg(lambdaArn) };
  }

  /** Percent of the ALB's requests on the tasks, as the HTTPS listener's weights stand. */
  async fargateShare(lbArn: string, tasksArn: string | undefined): Promise<number> {
    const out = await this.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }));
    const groups = out.Listeners?.find((l) => l.Port === 443)?.DefaultActions?.find((a) => a.Type === "forward")?.ForwardConfig?.TargetGroups ?? [];
    const total = groups.reduce((a, g) => a + (g.Weight ?? 0), 0);
    const tasks = groups.find((g) => g.TargetGroupArn === tasksArn)?.Weight ?? 0;
    return total > 0 ? tasks / total : groups.length === 1 && groups[0]!.TargetGroupArn === tasksArn ? 1 : 0;
  }

  async healthy(tgArn: string): Promise<number> {
    const out = await this.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    return (out.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === "healthy").length;
  }

  async recordLive(): Promise<boolean> {
    const out = await this.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: this.s.hostedZoneId, StartRecordName: this.s.domain, StartRecordType: "A", MaxItems: 10 }));
    const name = (n?: string) => (n ?? "").toLowerCase().replace(/\.$/, "");
    return (out.ResourceRecordSets ?? []).some((r) => name(r.Name) === name(this.s.domain) && r.Type === "A" && r.SetIdentifier === "fargate");
  }

  /** ECS: the service `<service>` in cluster `<service>`, when ACTIVE. */
  async ecsService(): Promise<{ desiredCount: number; targetGroupArn?: string; containerPort?: number; subnets: string[] } | undefined> {
    const out = await jsonCall(this.ctx.endpoint, this.ctx.region, "ecs", "AmazonEC2ContainerServiceV20141113.DescribeServices", { cluster: this.s.service, services: [this.s.service] });
    if (out.status === 400 && /ClusterNotFound/.test(JSON.stringify(out.body))) return undefined;
    if (out.status !== 200) throw new ScalerCycleError(`ECS DescribeServices answered ${out.status}: ${JSON.stringify(out.body)}`);
    const svc = (out.body.services ?? []).find((x: any) => x.serviceName === this.s.service && x.status === "ACTIVE");
    if (!svc) return undefined;
    const lb = (svc.loadBalancers ?? [])[0] ?? {};
    return { desiredCount: Number(svc.desiredCount ?? 0), targetGroupArn: lb.targetGroupArn, containerPort: lb.containerPort, subnets: svc.networkConfiguration?.awsvpcConfiguration?.subnets ?? [] };
  }

  async minuteRule(): Promise<boolean> {
    const out = await jsonCall(this.ctx.endpoint, this.ctx.region, "events", "AWSEvents.DescribeRule", { Name: `${this.s.service}-scaler-minute` });
    if (out.status === 200) return out.body.State !== "DISABLED";
    if (/ResourceNotFound/.test(JSON.stringify(out.body))) return false;
    throw new ScalerCycleError(`EventBridge DescribeRule answered ${out.status}: ${JSON.stringify(out.body)}`);
  }

  /** The subnets' CIDR blocks (EC2 DescribeSubnets, query protocol). */
  private async subnetCidrs(subnets: string[]): Promise<string[]> {
    const form = new URLSearchParams({ Action: "DescribeSubnets", Version: "2016-11-15" });
    subnets.forEach((id, i) => form.set(`SubnetId.${i + 1}`, id));
    const out = await rawCall(this.ctx.endpoint, this.ctx.region, "ec2", form.toString(), { "content-type": "application/x-www-form-urlencoded; charset=utf-8" });
    if (out.status !== 200) throw new ScalerCycleError(`EC2 DescribeSubnets answered ${out.status}: ${out.text.slice(0, 500)}`);
    return [...out.text.matchAll(/<cidrBlock>([^<]+)<\/cidrBlock>/g)].map((m) => m[1]!);
  }

  /**
   * What ECS does for a service with a load balancer: it registers each task's
   * private address (awsvpc) in the target group, on the container port. The
   * tasks get addresses in the service's subnets; here, in order from .10 of each.
   */
  async registerTasks(): Promise<number> {
    const svc = await this.ecsService();
    if (!svc?.targetGroupArn || svc.desiredCount < 1) return 0;
    const registered = (await this.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: svc.targetGroupArn }))).TargetHealthDescriptions ?? [];
    const missing = svc.desiredCount - registered.length;
    if (missing <= 0) return 0;
    const cidrs = await this.subnetCidrs(svc.subnets);
    const taken = new Set(registered.map((d) => d.Target?.Id));
    const ips: string[] = [];
    // AWS keeps the first four addresses of a subnet and its last; tasks take addresses from the 11th on.
    const ranges = cidrs.map((cidr) => {
      const [addr, bits] = cidr.split("/");
      const base = addr!.split(".").reduce((n, o) => n * 256 + Number(o), 0);
      return { base, size: 2 ** (32 - Number(bits)) };
    });
    const dotted = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
    for (let host = 10; ips.length < missing && ranges.some((r) => host < r.size - 1); host++) {
      for (const r of ranges) {
        const ip = dotted(r.base + host);
        if (host < r.size - 1 && !taken.has(ip) && ips.length < missing) ips.push(ip);
      }
    }
    await this.elb.send(new RegisterTargetsCommand({ TargetGroupArn: svc.targetGroupArn, Targets: ips.map((Id) => ({ Id, Port: svc.containerPort ?? this.ctx.config.fargate.containerPort })) }));
    return ips.length;
  }

  destroy(): void {
    for (const c of [this.cloudwatch, this.elb, this.route53, this.scheduler]) c.destroy();
  }

  async publish(namespace: string, data: MetricDatum[]): Promise<void> {
    if (data.length) await this.cloudwatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data }));
  }
}

const short = (sha: string) => sha.slice(0, 8);

/** How far behind the wall clock the scaler's clock starts. */
const CLOCK_LEAD_MINUTES = 180;

/** Runs the production scaler through one tier cycle; resolves with what happened, throws ScalerCycleError with the decision log if it does not complete. */
export async function runScalerCycle(ctx: ScalerCycleContext): Promise<ScalerCycleReport> {
  const wallStart = Date.now();
  const { config, region, endpoint } = ctx;
  const service = config.service;

  // The settings as deployed: the scaler Lambda's own environment, parsed by the production parser.
  const lambda = new LambdaClient(clientOptions("harness", endpoint, region));
  const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: `${service}-scaler` })).finally(() => lambda.destroy());
  const raw = fn.Environment?.Variables?.LAMBDAFLEX_SCALER_SETTINGS;
  const settings = scalerSettingsFromEnv({ LAMBDAFLEX_SCALER_SETTINGS: raw });
  if (!settings.terraformCloud) throw new ScalerCycleError("the deployed scaler has no terraformCloud settings; the cycle needs the fargate workspace's runs");
  if (settings.dryRun) throw new ScalerCycleError("the deployed scaler is in dry-run; it would never commit");
  const workspace = workspaceOf(config, "fargate");
  const policy = settings.policy;
  const firstCall = (ctx.emulatorCalls?.().at(-1)?.seq ?? 0) + 1;

  // The controlled clock: a minute per step, the loop never sleeps. It starts three hours back,
  // whole minute, because CloudWatch takes datapoints up to two weeks old but at most two hours
  // ahead (cloudwatch_concepts.html#about_timestamp), and a cycle runs about two and a half hours.
  const start = Math.floor(Date.now() / 60_000) * 60_000 - CLOCK_LEAD_MINUTES * 60_000;
  let nowMs = start;
  // The stand-in stamps its runs on the same clock (the drain counts from when the run applied).
  ctx.tfc.useClock(() => new Date(nowMs));
  const workRoot = mkdtempSync(join(tmpdir(), "lambdaflex-scaler-cycle-"));
  const scalerOpts = clientOptions("scaler", endpoint, region);
  const ports: ScalerPorts = {
    cloudwatch: new CloudWatchClient(scalerOpts),
    elb: new ElasticLoadBalancingV2Client(scalerOpts),
    route53: new Route53Client(scalerOpts),
    parameters: new SSMClient(scalerOpts),
    dynamo: new DynamoDBClient(scalerOpts),
    scheduler: new SchedulerClient(scalerOpts),
    sns: new SNSClient(scalerOpts),
    fetch: fetch as unknown as NonNullable<ScalerPorts["fetch"]>,
    now: () => new Date(nowMs),
    workRoot,
    terraformCloudUrl: ctx.tfcUrl,
  };

  let minute = 0;
  const decisions: DecisionLine[] = [];
  const weights: Array<{ minute: number; fargate: number; was: number }> = [];
  const alerts: string[] = [];
  const scalerErrors: string[] = [];
  const logger: Logger = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (msg === "decision") {
      const kinds = ((fields.alerts as Array<{ kind: string }>) ?? []).map((a) => a.kind);
      for (const k of kinds) if (!alerts.includes(k)) alerts.push(k);
      decisions.push({
        minute,
        action: String(fields.action),
        from: String(fields.from),
        to: String(fields.to),
        reason: String(fields.reason),
        alerts: kinds,
        ...(fields.requeueRun ? { requeueRun: String(fields.requeueRun) } : {}),
        ...(fields.evidence ? { evidence: fields.evidence as Record<string, unknown> } : {}),
      });
    } else if (msg === "weights set") {
      weights.push({ minute, fargate: Number(fields.fargate), was: Number(fields.was) });
      ctx.log(`scaler m${minute}: weights set: tasks ${fields.fargate}% (was ${fields.was}%)`);
    }
    if (level === "error") {
      const line = `m${minute} ${msg}: ${JSON.stringify(fields)}`;
      scalerErrors.push(line);
      ctx.log(`scaler error ${line}`);
    }
  };
  const deps = awsDeps(settings, logger, ports);
  const world = new World(ctx, settings);

  const toggleAt = (): Toggle => parseToggle(ctx.git.show(settings.toggleFile), settings.toggleFile);
  const initial = toggleAt();
  if (initial.fargate_tier !== "off") throw new ScalerCycleError(`the toggle must start at off; it is ${initial.fargate_tier}`);
  const minutesOff = Math.max(0, (start - Date.parse(initial.fargate_tier_since)) / MINUTE);
  const profile = deriveProfile(policy, initial, minutesOff, settings.metricLagMinutes);
  ctx.log(
    `scaler cycle: break-even ${profile.breakEvenRps.toFixed(2)} req/s, round trip $${profile.roundTripUsd.toFixed(4)} (up price $${profile.upPriceUsd.toFixed(4)}); ` +
      `quiet ${profile.quietRps} req/s for ${profile.quietMinutes} min, then ${profile.highRps} req/s (pays the up price in ${profile.upMinutes} min; ${profile.tasksForHigh} tasks, the floor carries ${profile.floorCapacityRps} req/s) until ${profile.servingHighMinutes} min into serving, then quiet`
  );

  const transitions: Transition[] = [];
  const tierChecks: TierCheck[] = [];
  const rearms: Array<{ minute: number; schedule: string }> = [];
  let invocations = 0;
  let state: TierState = "off";
  let stateSince = 0;
  let demandPhase: "quiet" | "high" | "low" = "quiet";
  let servingAt: number | undefined;
  let recordLive = await world.recordLive();
  let tierExists = (await world.tier()) !== undefined;
  const maxMinutes = ctx.maxMinutes ?? 600;

  const tail = (n: number) =>
    decisions
      .slice(-n)
      .map((d) => `  m${d.minute} ${d.action} ${d.from}->${d.to}: ${d.reason}${d.alerts.length ? ` [alerts: ${d.alerts.join(", ")}]` : ""}`)
      .join("\n");
  const fail = (why: string): never => {
    throw new ScalerCycleError(
      `${why}\nat simulated minute ${minute} (${new Date(nowMs).toISOString()}), state ${state} since minute ${stateSince}, demand ${demandPhase}\n` +
        `transitions: ${transitions.map((t) => `m${t.minute} ${t.from}->${t.to} ${short(t.commit)} (${t.run?.status ?? "no run"})`).join("; ") || "none"}\n` +
        `tier checks: ${tierChecks.map((c) => `${c.state}: alb=${c.alb} ecs=${c.ecsService} rule=${c.minuteRule} record=${c.fargateRecord}`).join("; ") || "none"}\n` +
        `scaler errors: ${scalerErrors.slice(-5).join(" | ") || "none"}\nlast decisions:\n${tail(15)}`
    );
  };

  /** After a commit: the stand-in applies it (real terraform); then what the emulator holds is checked. */
  const applied = async (commit: string, to: TierState): Promise<Transition["run"]> => {
    const t0 = Date.now();
    await ctx.tfc.whenIdle();
    const run = ctx.tfc
      .runs(workspace)
      .filter((r) => r.commitSha === commit)
      .pop();
    if (!run) return fail(`the stand-in made no run for commit ${short(commit)} (${to}); the toggle is in ${settings.toggleFile}`);
    if (run.status !== "applied" && run.status !== "planned_and_finished") return fail(`the run for ${to} (${short(commit)}) ended ${run.status}:\n${run.log.slice(-3000)}`);
    const applySeconds = (Date.now() - t0) / 1000;
    const [tier, ecs, rule, record] = await Promise.all([world.tier(), world.ecsService(), world.minuteRule(), world.recordLive()]);
    const exists = to !== "off";
    const routed = policy.fargateSwitch === "weighted" ? to === "warming" || to === "serving" : to === "serving";
    const changing = to === "warming" || to === "draining";
    const check: TierCheck = {
      commit,
      state: to,
      runId: run.id,
      runStatus: run.status,
      alb: tier !== undefined,
      ecsService: ecs !== undefined,
      minuteRule: rule,
      fargateRecord: record,
      ok: (tier !== undefined) === exists && (ecs !== undefined) === exists && rule === changing && record === routed,
    };
    tierChecks.push(check);
    recordLive = record;
    tierExists = check.alb;
    ctx.log(
      `  run ${run.id} ${run.status} in ${applySeconds.toFixed(1)} s; alb=${check.alb} ecs=${check.ecsService} minute-rule=${check.minuteRule} record=${check.fargateRecord}${
        check.ok ? "" : "  <-- not as the state says"
      }`
    );
    return { id: run.id, status: run.status, applySeconds };
  };

  try {
    await loop();
  } finally {
    ctx.tfc.useClock(() => new Date());
    rmSync(workRoot, { recursive: true, force: true });
    world.destroy();
    for (const c of [ports.cloudwatch, ports.elb, ports.route53, ports.parameters, ports.dynamo, ports.scheduler, ports.sns]) c.destroy();
  }
  return report();

  async function loop(): Promise<void> {
    for (; ; minute++) {
      if (minute >= maxMinutes) fail(`the cycle did not complete within ${maxMinutes} simulated minutes`);
      nowMs = start + minute * MINUTE;

      // The world during the minute that just ended (index M), published as AWS would. The scaler reads it metricLag minutes later.
      const M = Math.floor(nowMs / MINUTE) - 1;
      const ts = new Date(M * MINUTE);
      if (demandPhase === "quiet" && minute >= profile.quietMinutes) demandPhase = "high";
      if (demandPhase === "high" && servingAt !== undefined && minute >= servingAt + profile.servingHighMinutes) demandPhase = "low";
      const rps = demandPhase === "high" ? profile.highRps : profile.quietRps;
      const requests = Math.round(rps * 60);
      const tier = tierExists ? await world.tier() : undefined;
      // Resolvers hold the "fargate" answer while the record exists (as read at the last apply); everyone else reaches API Gateway.
      const viaAlb = tier && recordLive ? requests : 0;
      const viaApi = requests - viaAlb;
      const tasksShare = tier && viaAlb ? await world.fargateShare(tier.lbArn, tier.tasks?.arn) : 0;
      const onTasks = Math.round(viaAlb * tasksShare);
      const lambdaRequests = viaApi + (viaAlb - onTasks);
      const lambdaRps = lambdaRequests / 60;
      await world.publish("AWS/ApiGateway", viaApi ? [{ MetricName: "Count", Dimensions: [{ Name: "ApiId", Value: settings.targets.apiId }], Timestamp: ts, Value: viaApi, Unit: "Count" }] : []);
      const fnDims = [{ Name: "FunctionName", Value: settings.targets.functionName }];
      await world.publish(
        "AWS/Lambda",
        lambdaRequests
          ? [
              { MetricName: "Invocations", Dimensions: fnDims, Timestamp: ts, Value: lambdaRequests, Unit: "Count" },
              { MetricName: "Throttles", Dimensions: fnDims, Timestamp: ts, Value: 0, Unit: "Count" },
              { MetricName: "ConcurrentExecutions", Dimensions: fnDims, Timestamp: ts, Value: Math.ceil(lambdaRps * (policy.workload.meanDurationMs / 1000)), Unit: "Count" },
            ]
          : []
      );
      if (tier) {
        const lbDim = { Name: "LoadBalancer", Value: tier.lb };
        const alb: MetricDatum[] = [];
        if (viaAlb) alb.push({ MetricName: "RequestCount", Dimensions: [lbDim], Timestamp: ts, Value: viaAlb, Unit: "Count" });
        for (const [tg, n] of [
          [tier.tasks, onTasks],
          [tier.lambda, viaAlb - onTasks],
        ] as const) {
          if (!tg) continue;
          const dims = [{ Name: "TargetGroup", Value: tg.dim }, lbDim];
          if (n) alb.push({ MetricName: "RequestCount", Dimensions: dims, Timestamp: ts, Value: n, Unit: "Count" });
          // Published every minute for a target group behind a load balancer, from the ALB's own health checks.
          alb.push({ MetricName: "HealthyHostCount", Dimensions: dims, Timestamp: ts, Value: await world.healthy(tg.arn), Unit: "Count" });
        }
        await world.publish("AWS/ApplicationELB", alb);
        // ECS registers the service's tasks in its target group once they run (a minute after the apply here).
        const added = await world.registerTasks();
        if (added) ctx.log(`world m${minute}: ECS registered ${added} task(s) in ${settings.targets.targetGroupName}`);
      }

      for (const schedule of await world.fireDueSchedules(nowMs)) rearms.push({ minute, schedule });

      // One invocation, as the per-minute rule (or a wake alarm, the low-demand alarm, a re-arm schedule, the heartbeat) would make it.
      let result: HandlerResult;
      try {
        result = await handleWith(deps, { kind: "schedule" }, logger);
      } catch (err) {
        return fail(`the scaler invocation threw: ${(err as Error).stack ?? String(err)}`);
      } finally {
        invocations++;
      }

      if (result.outcome === "corrupt-toggle") fail("the scaler found the toggle corrupt");
      if (result.outcome === "committed" && result.commit) {
        const from = result.from as TierState;
        const to = result.to as TierState;
        ctx.log(`scaler m${minute}: ${from} -> ${to} ${short(result.commit)}: ${result.reason}`);
        const t: Transition = { from, to, reason: String(result.reason), commit: result.commit, minute, at: new Date(nowMs).toISOString() };
        const run = await applied(result.commit, to);
        transitions.push({ ...t, run });
        if (from !== to) {
          state = to;
          stateSince = minute;
        }
        if (to === "serving" && from === "warming") servingAt = minute;
        if (from === "draining" && to === "off") return;
      } else if (decisions.at(-1)?.requeueRun) {
        // The scaler queued a failed run again (POST /api/v2/runs): let the stand-in finish it before the clock moves.
        await ctx.tfc.whenIdle();
      }
      if (minute - stateSince > profile.budgets[state]) fail(`stalled: ${state} for more than ${profile.budgets[state]} simulated minutes (the budget derived from the policy)`);
    }
  }

  function scalerCalls(): Record<string, number> | undefined {
    if (!ctx.emulatorCalls) return undefined;
    const counts: Record<string, number> = {};
    for (const c of ctx.emulatorCalls()) {
      if (c.seq < firstCall || c.accessKey !== IDENTITIES.scaler.accessKeyId) continue;
      const key = `${c.service}:${c.operation}${c.status >= 400 ? ` ${c.status} ${c.error ?? ""}`.trimEnd() : ""}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  function report(): ScalerCycleReport {
    const calls = scalerCalls();
    const order = transitions.filter((t) => t.from !== t.to).map((t) => t.to);
    const expected: TierState[] = ["warming", "serving", "draining", "off"];
    if (order.join(",") !== expected.join(",")) fail(`the cycle went ${["off", ...order].join(" -> ")}, not off -> ${expected.join(" -> ")}`);
    return {
      transitions,
      invocations,
      simulatedMinutes: minute + 1,
      wallSeconds: (Date.now() - wallStart) / 1000,
      profile,
      toggleLog: ctx.git.git(["log", "--reverse", "--format=%H %s", ctx.git.branch, "--", settings.toggleFile]).split("\n").filter(Boolean),
      runs: ctx.tfc.runs(workspace).map(({ log: _log, ...r }) => r),
      tierChecks,
      weights,
      rearms,
      decisions,
      alerts,
      scalerErrors,
      ...(calls ? { scalerCalls: calls } : {}),
    };
  }
}
