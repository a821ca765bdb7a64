/**
 * Elastic Load Balancing v2 as the scaler sees it: DescribeLoadBalancers and
 * DescribeTargetGroups over the ALBs and target groups the simulated world
 * creates and deletes, with the real output shapes and not-found errors. Each
 * creation draws a new id, as AWS does, so a re-created ALB of the same name
 * has a new metric dimension. Same `send(command)` port as the SDK client.
 */
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DuplicateLoadBalancerNameException,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2ServiceException,
  LoadBalancerNotFoundException,
  TargetGroupNotFoundException,
  type DescribeTargetHealthOutput,
  type TargetHealthStateEnum,
  type DescribeLoadBalancersOutput,
  type DescribeTargetGroupsOutput,
  type LoadBalancer,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";

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

type ErrorOptions = { message: string; Message: string; $metadata: { httpStatusCode: number; requestId: string } };
type Make = (o: ErrorOptions) => Error;
const modelled =
  (C: new (o: ErrorOptions) => Error): Make =>
  (o) =>
    new C(o);
/** An error the SDK does not model arrives as the service's base exception, named by its wire code. */
const unmodelled =
  (name: string): Make =>
  (o) =>
    new ElasticLoadBalancingV2ServiceException({ name, $fault: "client", message: o.message, $metadata: o.$metadata });

/** The ALBs and target groups of one account and region. */
export class Elbv2Emulator {
  /** Describe calls made (the scaler's ELBv2 API use; Describe calls are free). */
  readonly meter = { calls: 0 };
  private readonly loadBalancers = new Map<string, LoadBalancer>();
  private readonly targetGroups = new Map<string, TargetGroup>();
  /** The registered targets of each target group, as the world reports them. */
  private readonly targets = new Map<string, () => ReadonlyArray<{ id: string; state: TargetHealthStateEnum }>>();
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
    if (name.startsWith("internal-")) throw this.validation(`Load balancer name '${name}' cannot begin with 'internal-'`);
    if (this.loadBalancers.has(name)) throw this.error(modelled(DuplicateLoadBalancerNameException), "DuplicateLoadBalancerName", `A load balancer with the same name '${name}' exists, but with different settings`);
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
  }

  /** Creates an IP target group; dimension = targetgroup/<name>/<16 hex>, its CloudWatch TargetGroup dimension. */
  createTargetGroup(name: string): { arn: string; dimension: string } {
    this.checkName(name, "target group");
    if (this.targetGroups.has(name)) throw this.error(modelled(DuplicateTargetGroupNameException), "DuplicateTargetGroupName", `A target group with the same name '${name}' exists, but with different settings`);
    const dimension = `targetgroup/${name}/${this.hex(16)}`;
    const arn = `arn:aws:elasticloadbalancing:${this.region}:${this.accountId}:${dimension}`;
    this.targetGroups.set(name, {
      TargetGroupArn: arn,
      TargetGroupName: name,
      Protocol: "HTTP",
      Port: 80,
      HealthCheckProtocol: "HTTP",
      HealthCheckPort: "traffic-port",
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      HealthCheckPath: "/",
      Matcher: { HttpCode: "200" },
      LoadBalancerArns: [],
      TargetType: "ip",
      ProtocolVersion: "HTTP1",
      IpAddressType: "ipv4",
    });
    return { arn, dimension };
  }

  /** Deletes a target group; one that does not exist is ignored. */
  deleteTargetGroup(name: string): void {
    this.targetGroups.delete(name);
    this.targets.delete(name);
  }

  /** Where DescribeTargetHealth reads a target group's targets (the ECS service registers its tasks). */
  registerTargets(targetGroupName: string, targets: () => ReadonlyArray<{ id: string; state: TargetHealthStateEnum }>): void {
    this.targets.set(targetGroupName, targets);
  }

  /** Answers DescribeLoadBalancers and DescribeTargetGroups (by Names, by ARNs, or all); anything else fails as an unknown action does. */
  async send(command: unknown): Promise<unknown> {
    this.meter.calls++;
    const $metadata = { httpStatusCode: 200, requestId: this.requestId(), attempts: 1, totalRetryDelay: 0 };
    if (command instanceof DescribeLoadBalancersCommand) {
      const { Names, LoadBalancerArns } = command.input;
      if (Names && LoadBalancerArns) throw this.validation("Load balancer names and load balancer ARNs cannot be specified at the same time");
      const all = [...this.loadBalancers.values()];
      const found = Names ? Names.map((n) => this.loadBalancers.get(n)) : LoadBalancerArns ? LoadBalancerArns.map((a) => all.find((lb) => lb.LoadBalancerArn === a)) : all;
      if (found.some((lb) => lb === undefined)) {
        throw this.error(modelled(LoadBalancerNotFoundException), "LoadBalancerNotFound", `Load balancers '[${(Names ?? LoadBalancerArns ?? []).join(", ")}]' not found`);
      }
      return { LoadBalancers: found.map((lb) => structuredClone(lb!)), $metadata } satisfies DescribeLoadBalancersOutput & { $metadata: unknown };
    }
    if (command instanceof DescribeTargetGroupsCommand) {
      const { Names, TargetGroupArns, LoadBalancerArn } = command.input;
      if (LoadBalancerArn) throw new Error("Elbv2Emulator: DescribeTargetGroups by LoadBalancerArn is not emulated");
      if (Names && TargetGroupArns) throw this.validation("Target group names and target group ARNs cannot be specified at the same time");
      const all = [...this.targetGroups.values()];
      const found = Names ? Names.map((n) => this.targetGroups.get(n)) : TargetGroupArns ? TargetGroupArns.map((a) => all.find((tg) => tg.TargetGroupArn === a)) : all;
      if (found.some((tg) => tg === undefined)) throw this.error(modelled(TargetGroupNotFoundException), "TargetGroupNotFound", "One or more target groups not found");
      return { TargetGroups: found.map((tg) => structuredClone(tg!)), $metadata } satisfies DescribeTargetGroupsOutput & { $metadata: unknown };
    }
    if (command instanceof DescribeTargetHealthCommand) {
      const arn = command.input.TargetGroupArn;
      const tg = [...this.targetGroups.values()].find((t) => t.TargetGroupArn === arn);
      if (!tg) throw this.error(modelled(TargetGroupNotFoundException), "TargetGroupNotFound", `Target groups '[${arn}]' not found`);
      const targets = this.targets.get(tg.TargetGroupName!)?.() ?? [];
      return {
        TargetHealthDescriptions: targets.map((t) => ({ Target: { Id: t.id, Port: tg.Port }, HealthCheckPort: String(tg.Port), TargetHealth: { State: t.state } })),
        $metadata,
      } satisfies DescribeTargetHealthOutput & { $metadata: unknown };
    }
    const op = (command as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof command;
    throw this.error(unmodelled("InvalidAction"), "InvalidAction", `The action ${op.replace(/Command$/, "")} is not valid for this web service.`);
  }

  private checkName(name: string, what: string): void {
    if (!NAME.test(name)) throw this.validation(`${what} name '${name}' must have at most 32 alphanumeric characters or hyphens, and must not begin or end with a hyphen`);
  }

  /** An error as the SDK raises it from an awsQuery response: the modelled class, wire Code, Type Sender, HTTP 400. */
  private error(make: Make, code: string, message: string): Error {
    const err = make({ message, Message: message, $metadata: { httpStatusCode: 400, requestId: this.requestId() } });
    return Object.assign(err, { Code: code, Type: "Sender", Error: { Type: "Sender", Code: code, Message: message } });
  }

  private validation(message: string): Error {
    return this.error(unmodelled("ValidationError"), "ValidationError", message);
  }

  private hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += Math.floor(this.o.random() * 16).toString(16);
    return s;
  }

  private requestId(): string {
    return `00000000-0000-4000-8000-${(++this.requests).toString(16).padStart(12, "0")}`;
  }
}
