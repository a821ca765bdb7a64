/**
 * The service name's two weighted alias records as the stacks declare them: core's "lambda"
 * (weight 0, always there) and the tier's "fargate" (weight 100, while model/tier-states.ts says it
 * exists), and how long a change to the latter takes to reach every Route 53 name server.
 */
import type { Rng, SimClock } from "./clock";
import type { World } from "./params";
import type { Route53Emulator } from "./route53";

/** An alias record of the service's name: "lambda" (core) or "fargate" (the tier). */
export function aliasRecord(domain: string, id: "lambda" | "fargate", weight: number, evaluatesTargetHealth: boolean) {
  return {
    Name: `${domain}.`,
    Type: "A" as const,
    SetIdentifier: id,
    Weight: weight,
    AliasTarget: {
      HostedZoneId: "Z2FDTNDATAQYW2",
      DNSName: `${id}.${domain}.`,
      EvaluateTargetHealth: id === "fargate" && evaluatesTargetHealth,
    },
  };
}

export interface AliasRecordsOptions {
  readonly clock: SimClock;
  readonly rng: Rng;
  readonly world: World;
  readonly route53: Route53Emulator;
  readonly domain: string;
  /** Whether the "fargate" record evaluates the ALB's target health. */
  readonly evaluatesTargetHealth: boolean;
}

export class AliasRecords {
  constructor(private readonly o: AliasRecordsOptions) {
    o.route53.upsert(aliasRecord(o.domain, "lambda", 0, o.evaluatesTargetHealth), o.clock.now());
  }

  /** Creates or deletes the "fargate" record; resolvers see the change once it is in sync. */
  setFargate(present: boolean): void {
    const { route53, clock, domain } = this.o;
    const inSync = clock.now() + this.o.rng.between(this.o.world.dns.propagationSeconds) * 1000;
    const live = route53.liveAt("fargate", Infinity);
    if (present && !live) route53.upsert(aliasRecord(domain, "fargate", 100, this.o.evaluatesTargetHealth), inSync);
    if (!present && live) route53.delete(`${domain}.`, "A", "fargate", inSync);
  }
}
