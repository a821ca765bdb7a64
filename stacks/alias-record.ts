import { Construct } from "constructs";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";

export interface WeightedAliasRecordProps {
  readonly zoneId: string;
  readonly domain: string;
  /** Set identifier: `lambda` or `fargate`. */
  readonly setIdentifier: string;
  /** 0 for the permanent fallback, 100 for the tier that should take all traffic. */
  readonly weight: number;
  readonly targetDnsName: string;
  readonly targetZoneId: string;
  /** Route 53 skips this record while its target is unhealthy. */
  readonly evaluateTargetHealth: boolean;
  /** Terraform count (for the toggleable tier). @default always present */
  readonly count?: number;
}

/**
 * A weighted alias A record. Route 53 sends traffic to weight-0 records only
 * when every non-zero record is unhealthy or absent, so "lambda" at 0 is the
 * permanent fallback and "fargate" at 100 takes over while it exists and is healthy.
 */
export class WeightedAliasRecord extends Construct {
  public readonly record: Route53Record;

  constructor(scope: Construct, id: string, props: WeightedAliasRecordProps) {
    super(scope, id);
    if (props.weight < 0 || props.weight > 255)
      throw new Error(`WeightedAliasRecord ${id}: weight must be 0-255, got ${props.weight}`);
    this.record = new Route53Record(this, "record", {
      zoneId: props.zoneId,
      name: props.domain,
      type: "A",
      setIdentifier: props.setIdentifier,
      weightedRoutingPolicy: { weight: props.weight },
      alias: {
        name: props.targetDnsName,
        zoneId: props.targetZoneId,
        evaluateTargetHealth: props.evaluateTargetHealth,
      },
      count: props.count,
    });
  }
}
