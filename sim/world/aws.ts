/**
 * The AWS side of the world, in three rooms on one clock: the Fargate tier's resources coming and
 * going with Terraform's applies (tier-lifecycle.ts), clients resolving the service's name and
 * caching Route 53's answers (dns-clients.ts), and where each minute's requests go, what they cost
 * and what CloudWatch publishes of them (traffic.ts). Terraform Cloud drives it through
 * `Infrastructure` (hasChanges / apply); the strategies step it a minute at a time.
 */
import type { Workload } from "../../model/cost-model";
import type { PriceTable } from "../../model/prices";
import type { SwitchMode } from "../../model/tier-states";
import { FARGATE_RECORD_EVALUATES_TARGET_HEALTH } from "../../stacks/fargate/record-health";
import { AlbGenerations } from "./alb-generations";
import type { Rng, SimClock } from "./clock";
import type { CloudWatchEmulator } from "./cloudwatch";
import { DnsClients } from "./dns-clients";
import type { Elbv2Emulator } from "./elbv2";
import type { MinuteOutcome } from "./minute-outcome";
import type { World } from "./params";
import type { Route53Emulator } from "./route53";
import type { Infrastructure } from "./terraform-cloud";
import { TierLifecycle, type AwsMeter, type AwsNames } from "./tier-lifecycle";
import { Traffic } from "./traffic";

export type { SwitchMode } from "../../model/tier-states";
export type { FailedRequests, MinuteOutcome } from "./minute-outcome";
export type { AwsMeter, AwsNames } from "./tier-lifecycle";

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

export class AwsWorld implements Infrastructure {
  readonly meter: AwsMeter = { albCreations: 0, albCreateMinutes: [], destroys: 0, strandedRequests: 0 };
  private readonly lifecycle: TierLifecycle;
  private readonly traffic: Traffic;

  constructor(o: AwsWorldOptions) {
    const switchMode = o.switch ?? "weighted";
    const evaluatesTargetHealth = o.recordEvaluatesTargetHealth ?? FARGATE_RECORD_EVALUATES_TARGET_HEALTH[switchMode];
    const albs = new AlbGenerations();
    const dns = new DnsClients({ world: o.world, route53: o.route53, albs, switchMode, evaluatesTargetHealth });
    this.lifecycle = new TierLifecycle({
      ...o,
      healthCheckRng: o.rng.fork(0x1ea1),
      switchMode,
      evaluatesTargetHealth,
      albs,
      answerHorizon: (now) => dns.horizon(now),
      meter: this.meter,
    });
    this.traffic = new Traffic({ ...o, lifecycle: this.lifecycle, dns, albs, meter: this.meter });
  }

  /** The fargate stack's per-minute rule that invokes the scaler exists (the tier changes: warming, draining). */
  get minuteRuleLive(): boolean {
    return this.lifecycle.minuteRuleLive;
  }

  /** The ALB's `LoadBalancer` dimension while it exists: what the fargate stack's alarms watch. */
  get albDimension(): string | undefined {
    return this.lifecycle.albDimension;
  }

  /** The tasks' target group's `TargetGroup` dimension while it exists: what the overload alarm watches. */
  get targetGroupDimension(): string | undefined {
    return this.lifecycle.targetGroupDimension;
  }

  hasChanges(tfvarsText: string): boolean {
    return this.lifecycle.hasChanges(tfvarsText);
  }

  apply(tfvarsText: string, done: () => void): void {
    this.lifecycle.apply(tfvarsText, done);
  }

  /** Serves the minute starting now with `requests`, bills it and publishes its datapoints. */
  step(requests: number): MinuteOutcome {
    return this.traffic.step(requests);
  }
}
