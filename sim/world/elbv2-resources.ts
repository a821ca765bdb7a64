/**
 * The world's side of the ELBv2 emulator: the ALBs, target groups and listeners
 * the simulated world creates and deletes (each creation draws a new id, as AWS
 * does, so a re-created ALB of the same name has a new metric dimension), the
 * targets it registers, and what it reads back (`forwardWeights`,
 * `healthCheckOf`). Apart from elbv2.ts, which answers the scaler's API calls
 * over this state, because the world's lifecycle and the API surface change
 * for different reasons.
 */
import {
  DuplicateLoadBalancerNameException,
  DuplicateTargetGroupNameException,
  LoadBalancerNotFoundException,
  TargetGroupNotFoundException,
  type Action,
  type Listener,
  type TargetHealthStateEnum,
  type LoadBalancer,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { elbError, modelled, targetGroupShape, unmodelled, type Make } from "./elbv2-shapes";

export interface Elbv2EmulatorOptions {
  /** The world's seeded generator, in [0, 1); draws resource ids. */
  readonly random: () => number;
  /** @default "us-east-1" */
  readonly region?: string;
  /** @default "123456789012" */
  readonly accountId?: string;
  /** The simulated clock (ms since the epoch) for CreatedTime; without it CreatedTime is left out. */
  readonly now?: () => number;
}

/** ALB and target group names: up to 32 alphanumerics and hyphens, no hyphen at either end (CreateLoadBalancer / CreateTargetGroup API reference). */
const NAME = /^(?!-)[A-Za-z0-9-]{1,32}(?<!-)$/;
/** The ALB hosted zone of us-east-1 (Elastic Load Balancing endpoints and quotas); other regions are left out. */
const ALB_ZONES: Readonly<Record<string, string>> = { "us-east-1": "Z35SXDOTRQ7X7K" };

/** The ALBs and target groups of one account and region, as the world makes them; Elbv2Emulator answers the API over them. */
export abstract class Elbv2Resources {
  protected readonly loadBalancers = new Map<string, LoadBalancer>();
  protected readonly targetGroups = new Map<string, TargetGroup>();
  /** The listeners of each ALB (HTTPS:443 forwarding, HTTP:80 redirecting to it), by load balancer name. */
  protected readonly listeners = new Map<string, Listener[]>();
  /** The registered targets of each target group, as the world reports them. */
  protected readonly targets = new Map<string, () => ReadonlyArray<{ id: string; state: TargetHealthStateEnum }>>();
  private readonly region: string;
  private readonly accountId: string;
  private requests = 0;

  constructor(private readonly o: Elbv2EmulatorOptions) {
    this.region = o.region ?? "us-east-1";
    this.accountId = o.accountId ?? "123456789012";
    if (!/^\d{12}$/.test(this.accountId)) throw new RangeError(`accountId must be 12 digits, got ${this.accountId}`);
  }

  /** Creates an application load balancer; dimension = app/<name>/<16 hex>, its CloudWatch LoadBalancer dimension. */
  createLoadBalancer(name: string): { arn: string; dimension: string } {
    this.checkName(name, "load balancer");
    if (name.startsWith("internal-"))
      throw this.validation(`Load balancer name '${name}' cannot begin with 'internal-'`);
    if (this.loadBalancers.has(name))
      throw this.error(
        modelled(DuplicateLoadBalancerNameException),
        "DuplicateLoadBalancerName",
        `A load balancer with the same name '${name}' exists, but with different settings`,
      );
    const dimension = `app/${name}/${this.hex(16)}`;
    const arn = `arn:aws:elasticloadbalancing:${this.region}:${this.accountId}:loadbalancer/${dimension}`;
    const zone = ALB_ZONES[this.region];
    this.loadBalancers.set(name, {
      LoadBalancerArn: arn,
      DNSName: `${name}-${Math.floor(this.o.random() * 1e10)}.${this.region}.elb.amazonaws.com`,
      ...(zone ? { CanonicalHostedZoneId: zone } : {}),
      ...(this.o.now ? { CreatedTime: new Date(this.o.now()) } : {}),
      LoadBalancerName: name,
      Scheme: "internet-facing",
      State: { Code: "active" },
      Type: "application",
      IpAddressType: "ipv4",
    });
    return { arn, dimension };
  }

  /** Deletes an ALB; deleting one that does not exist succeeds, as DeleteLoadBalancer does. */
  deleteLoadBalancer(name: string): void {
    this.loadBalancers.delete(name);
    // Deleting a load balancer deletes its listeners.
    this.listeners.delete(name);
  }

  /**
   * Creates the ALB's listeners as the fargate stack does: HTTPS:443 whose default action forwards to
   * `forward` (one target group without a weight is the plain `target_group_arn` form; otherwise a
   * weighted ForwardConfig), and HTTP:80 redirecting to it. Returns the HTTPS listener's ARN.
   */
  createListener(
    loadBalancerName: string,
    forward: ReadonlyArray<{ targetGroupName: string; weight?: number }>,
  ): string {
    const lb = this.loadBalancers.get(loadBalancerName);
    if (!lb)
      throw this.error(
        modelled(LoadBalancerNotFoundException),
        "LoadBalancerNotFound",
        `Load balancer '${loadBalancerName}' not found`,
      );
    if (this.listeners.has(loadBalancerName))
      throw this.error(
        unmodelled("DuplicateListener"),
        "DuplicateListener",
        "A listener already exists on this port for this load balancer",
      );
    const arns = forward.map((f) => {
      const tg = this.targetGroups.get(f.targetGroupName);
      if (!tg)
        throw this.error(
          modelled(TargetGroupNotFoundException),
          "TargetGroupNotFound",
          "One or more target groups not found",
        );
      return tg.TargetGroupArn!;
    });
    const action: Action =
      forward.length === 1 && forward[0]!.weight === undefined
        ? {
            Type: "forward",
            TargetGroupArn: arns[0],
            ForwardConfig: {
              TargetGroups: [{ TargetGroupArn: arns[0], Weight: 1 }],
              TargetGroupStickinessConfig: { Enabled: false },
            },
          }
        : {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: forward.map((f, i) => ({ TargetGroupArn: arns[i], Weight: f.weight ?? 1 })),
              TargetGroupStickinessConfig: { Enabled: false },
            },
          };
    const listenerArn = () => lb.LoadBalancerArn!.replace(":loadbalancer/", ":listener/") + `/${this.hex(16)}`;
    const https: Listener = {
      ListenerArn: listenerArn(),
      LoadBalancerArn: lb.LoadBalancerArn,
      Port: 443,
      Protocol: "HTTPS",
      Certificates: [
        {
          CertificateArn: `arn:aws:acm:${this.region}:${this.accountId}:certificate/00000000-0000-4000-8000-000000000001`,
        },
      ],
      SslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      DefaultActions: [action],
    };
    const http: Listener = {
      ListenerArn: listenerArn(),
      LoadBalancerArn: lb.LoadBalancerArn,
      Port: 80,
      Protocol: "HTTP",
      DefaultActions: [
        {
          Type: "redirect",
          RedirectConfig: {
            Protocol: "HTTPS",
            Port: "443",
            Host: "#{host}",
            Path: "/#{path}",
            Query: "#{query}",
            StatusCode: "HTTP_301",
          },
        },
      ],
    };
    this.listeners.set(loadBalancerName, [https, http]);
    return https.ListenerArn!;
  }

  /**
   * How the ALB's listener splits requests now: each target group of its default forward action
   * (by name) with its weight; undefined when the ALB or its listener does not exist.
   */
  forwardWeights(loadBalancerName: string): Array<{ targetGroupName: string; weight: number }> | undefined {
    const l = this.listeners.get(loadBalancerName)?.find((x) => x.Port === 443);
    const fwd = l?.DefaultActions?.find((a) => a.Type === "forward");
    if (!fwd) return undefined;
    const byArn = new Map([...this.targetGroups.values()].map((tg) => [tg.TargetGroupArn!, tg.TargetGroupName!]));
    const groups =
      fwd.ForwardConfig?.TargetGroups ??
      (fwd.TargetGroupArn ? [{ TargetGroupArn: fwd.TargetGroupArn, Weight: 1 }] : []);
    return groups.map((g) => ({
      targetGroupName: byArn.get(g.TargetGroupArn!) ?? g.TargetGroupArn!,
      weight: g.Weight ?? 1,
    }));
  }

  /**
   * Creates a target group; dimension = targetgroup/<name>/<16 hex>, its CloudWatch TargetGroup dimension.
   * `ip` (the ECS tasks) by default; `lambda` is the service function behind the ALB (no port; health checks on, as the fargate stack sets them).
   */
  createTargetGroup(name: string, targetType: "ip" | "lambda" = "ip"): { arn: string; dimension: string } {
    this.checkName(name, "target group");
    if (this.targetGroups.has(name))
      throw this.error(
        modelled(DuplicateTargetGroupNameException),
        "DuplicateTargetGroupName",
        `A target group with the same name '${name}' exists, but with different settings`,
      );
    const dimension = `targetgroup/${name}/${this.hex(16)}`;
    const arn = `arn:aws:elasticloadbalancing:${this.region}:${this.accountId}:${dimension}`;
    this.targetGroups.set(name, targetGroupShape(name, arn, targetType));
    return { arn, dimension };
  }

  /** A target group's health check settings as created (what the world's health checks follow); undefined when it does not exist. */
  healthCheckOf(
    name: string,
  ): { intervalSeconds: number; healthyThreshold: number; unhealthyThreshold: number } | undefined {
    const tg = this.targetGroups.get(name);
    return (
      tg && {
        intervalSeconds: tg.HealthCheckIntervalSeconds!,
        healthyThreshold: tg.HealthyThresholdCount!,
        unhealthyThreshold: tg.UnhealthyThresholdCount!,
      }
    );
  }

  /** Deletes a target group; one that does not exist is ignored. */
  deleteTargetGroup(name: string): void {
    this.targetGroups.delete(name);
    this.targets.delete(name);
  }

  /** Where DescribeTargetHealth reads a target group's targets (the ECS service registers its tasks). */
  registerTargets(
    targetGroupName: string,
    targets: () => ReadonlyArray<{ id: string; state: TargetHealthStateEnum }>,
  ): void {
    this.targets.set(targetGroupName, targets);
  }

  private checkName(name: string, what: string): void {
    if (!NAME.test(name))
      throw this.validation(
        `${what} name '${name}' must have at most 32 alphanumeric characters or hyphens, and must not begin or end with a hyphen`,
      );
  }

  /** An error as the SDK raises it, with the next request id. */
  protected error(make: Make, code: string, message: string): Error {
    return elbError(make, code, message, this.requestId());
  }

  protected validation(message: string): Error {
    return this.error(unmodelled("ValidationError"), "ValidationError", message);
  }

  private hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += Math.floor(this.o.random() * 16).toString(16);
    return s;
  }

  protected requestId(): string {
    return `00000000-0000-4000-8000-${(++this.requests).toString(16).padStart(12, "0")}`;
  }
}
