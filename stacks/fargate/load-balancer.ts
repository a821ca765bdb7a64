import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener, type LbListenerDefaultAction } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { TierNames } from "../../model/names";
import { only } from "../conditional";

export interface LoadBalancerProps {
  /** The ALB (and its security group) and the tasks' target group, from the name table. */
  readonly names: Pick<TierNames, "alb" | "targetGroup">;
  readonly vpcId: string;
  /** The VPC's CIDR: the ALB may only talk to targets inside it. */
  readonly vpcCidr: string;
  readonly subnetIds: string[];
  /**
   * What makes the subnets public (the internet gateway, the route table associations): the ALB
   * is created after them (and destroyed before them), because an internet-facing ALB in a subnet
   * without a route to an internet gateway fails with InvalidSubnet, and its subnets and security
   * group alone do not order it after them.
   */
  readonly publicRouting: ITerraformDependable[];
  /** Validated certificate for the HTTPS listener (from the core stack). */
  readonly certificateArn: string;
  /** Port the tasks listen on. */
  readonly targetPort: number;
  /** Seconds the target group keeps a deregistering task in flight. */
  readonly deregistrationDelaySeconds: number;
  /** Terraform count: 1 while the tier exists. */
  readonly count: number;
  /** Path the target group's health check GETs (`app.healthPath`); 200 means healthy. @default "/healthz" */
  readonly healthCheckPath?: string;
  /**
   * The Lambda target group (`fargate.switch` "weighted"): the HTTPS listener then forwards by
   * weight, all to Lambda at creation, and Terraform ignores later weights, which the scaler sets
   * with `ModifyListener`. @default the listener forwards to the tasks only ("dns" switch)
   */
  readonly lambdaTargetGroupArn?: string;
}

/** Modern TLS only: TLS 1.3 with TLS 1.2 fallback. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** The weights Terraform creates the weighted listener with: everything to Lambda until the scaler shifts it. */
export const INITIAL_WEIGHTS = { lambda: 100, ecs: 0 } as const;

/**
 * A public ALB: HTTPS on 443 with a modern TLS policy, port 80 only
 * redirecting to 443, and an IP target group that checks the app's health path.
 * With a Lambda target group, HTTPS forwards to both by weight.
 */
export class LoadBalancer extends Construct {
  public readonly securityGroupId: string;
  public readonly targetGroupArn: string;
  public readonly httpsListenerArn: string;
  public readonly dnsName: string;
  public readonly zoneId: string;
  public readonly arnSuffix: string;
  public readonly targetGroupArnSuffix: string;
  /** The listener resource, so the ECS service can wait for the target group to be attached. */
  public readonly https: LbListener;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    if (props.subnetIds.length < 2)
      throw new Error(`LoadBalancer ${id}: an ALB needs subnets in two AZs, got ${props.subnetIds.length}`);
    const healthCheckPath = props.healthCheckPath ?? "/healthz";
    if (!healthCheckPath.startsWith("/") || healthCheckPath.length > 1024) {
      throw new Error(
        `LoadBalancer ${id}: healthCheckPath must start with / and be at most 1024 characters, got ${JSON.stringify(healthCheckPath)}`,
      );
    }
    const sg = new SecurityGroup(this, "sg", {
      name: props.names.alb,
      description: "Public HTTPS (and HTTP for the redirect) to the ALB",
      vpcId: props.vpcId,
      ingress: [
        {
          description: "HTTPS",
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrBlocks: ["0.0.0.0/0"],
          ipv6CidrBlocks: ["::/0"],
        },
        {
          description: "HTTP, redirected to HTTPS",
          protocol: "tcp",
          fromPort: 80,
          toPort: 80,
          cidrBlocks: ["0.0.0.0/0"],
          ipv6CidrBlocks: ["::/0"],
        },
      ],
      egress: [
        {
          description: "To the tasks in the VPC",
          protocol: "tcp",
          fromPort: props.targetPort,
          toPort: props.targetPort,
          cidrBlocks: [props.vpcCidr],
        },
      ],
      count: props.count,
    });
    this.securityGroupId = only(sg, "id");
    const alb = new Lb(this, "alb", {
      name: props.names.alb,
      loadBalancerType: "application",
      internal: false,
      securityGroups: [this.securityGroupId],
      subnets: props.subnetIds,
      dropInvalidHeaderFields: true,
      idleTimeout: 60,
      dependsOn: props.publicRouting,
      count: props.count,
    });
    const tg = new LbTargetGroup(this, "targets", {
      name: props.names.targetGroup,
      targetType: "ip",
      protocol: "HTTP",
      port: props.targetPort,
      vpcId: props.vpcId,
      deregistrationDelay: String(props.deregistrationDelaySeconds),
      healthCheck: {
        path: healthCheckPath,
        matcher: "200",
        interval: 10,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
      count: props.count,
    });
    this.targetGroupArn = only(tg, "arn");
    this.https = new LbListener(this, "https", {
      loadBalancerArn: only(alb, "arn"),
      port: 443,
      protocol: "HTTPS",
      sslPolicy: TLS_POLICY,
      certificateArn: props.certificateArn,
      defaultAction: [
        props.lambdaTargetGroupArn === undefined
          ? { type: "forward", targetGroupArn: this.targetGroupArn }
          : weightedForward(props.lambdaTargetGroupArn, this.targetGroupArn),
      ],
      count: props.count,
      // The weights are runtime state the scaler owns (canary, spill-over, drain in seconds), like the
      // service's desired count; a plan must not put them back.
      lifecycle: props.lambdaTargetGroupArn === undefined ? undefined : { ignoreChanges: ["default_action"] },
    });
    new LbListener(this, "http-redirect", {
      loadBalancerArn: only(alb, "arn"),
      port: 80,
      protocol: "HTTP",
      defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
      count: props.count,
    });
    this.httpsListenerArn = only(this.https, "arn");
    this.dnsName = only(alb, "dns_name");
    this.zoneId = only(alb, "zone_id");
    this.arnSuffix = only(alb, "arn_suffix");
    this.targetGroupArnSuffix = only(tg, "arn_suffix");
  }
}

/** Forward to Lambda and the tasks by weight, without stickiness: a shifted weight moves traffic at once. */
function weightedForward(lambdaTargetGroupArn: string, ecsTargetGroupArn: string): LbListenerDefaultAction {
  return {
    type: "forward",
    forward: {
      targetGroup: [
        { arn: lambdaTargetGroupArn, weight: INITIAL_WEIGHTS.lambda },
        { arn: ecsTargetGroupArn, weight: INITIAL_WEIGHTS.ecs },
      ],
      // duration is required by the provider even when stickiness is off; 1 s is its minimum.
      stickiness: { enabled: false, duration: 1 },
    },
  };
}
