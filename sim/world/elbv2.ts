/**
 * Elastic Load Balancing v2 as the scaler sees it: DescribeLoadBalancers,
 * DescribeTargetGroups, DescribeTargetHealth, DescribeListeners and
 * ModifyListener over the ALBs, target groups and listeners the simulated
 * world creates and deletes, with the real output shapes and error codes.
 * The world routes by the listener's forward weights (`forwardWeights`). Each
 * creation draws a new id, as AWS does, so a re-created ALB of the same name
 * has a new metric dimension. Same `send(command)` port as the SDK client.
 */
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DuplicateLoadBalancerNameException,
  DuplicateTargetGroupNameException,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  TargetGroupNotFoundException,
  type Action,
  type DescribeListenersOutput,
  type Listener,
  type ModifyListenerOutput,
  type DescribeTargetHealthOutput,
  type TargetHealthStateEnum,
  type DescribeLoadBalancersOutput,
  type DescribeTargetGroupsOutput,
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

/** The ALBs and target groups of one account and region. */
export class Elbv2Emulator {
  /** Calls made (the scaler's ELBv2 API use; the ELB API itself is free). */
  readonly meter = { calls: 0 };
  private readonly loadBalancers = new Map<string, LoadBalancer>();
  private readonly targetGroups = new Map<string, TargetGroup>();
  /** The listeners of each ALB (HTTPS:443 forwarding, HTTP:80 redirecting to it), by load balancer name. */
  private readonly listeners = new Map<string, Listener[]>();
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

  /** Answers DescribeLoadBalancers, DescribeTargetGroups (by Names, by ARNs, or all), DescribeTargetHealth, DescribeListeners and ModifyListener; anything else fails as an unknown action does. */
  async send(command: unknown): Promise<unknown> {
    this.meter.calls++;
    const $metadata = { httpStatusCode: 200, requestId: this.requestId(), attempts: 1, totalRetryDelay: 0 };
    if (command instanceof DescribeLoadBalancersCommand) {
      const { Names, LoadBalancerArns } = command.input;
      if (Names && LoadBalancerArns)
        throw this.validation("Load balancer names and load balancer ARNs cannot be specified at the same time");
      const all = [...this.loadBalancers.values()];
      const found = Names
        ? Names.map((n) => this.loadBalancers.get(n))
        : LoadBalancerArns
          ? LoadBalancerArns.map((a) => all.find((lb) => lb.LoadBalancerArn === a))
          : all;
      if (found.some((lb) => lb === undefined)) {
        throw this.error(
          modelled(LoadBalancerNotFoundException),
          "LoadBalancerNotFound",
          `Load balancers '[${(Names ?? LoadBalancerArns ?? []).join(", ")}]' not found`,
        );
      }
      return {
        LoadBalancers: found.map((lb) => structuredClone(lb!)),
        $metadata,
      } satisfies DescribeLoadBalancersOutput & { $metadata: unknown };
    }
    if (command instanceof DescribeTargetGroupsCommand) {
      const { Names, TargetGroupArns, LoadBalancerArn } = command.input;
      if (LoadBalancerArn) throw new Error("Elbv2Emulator: DescribeTargetGroups by LoadBalancerArn is not emulated");
      if (Names && TargetGroupArns)
        throw this.validation("Target group names and target group ARNs cannot be specified at the same time");
      const all = [...this.targetGroups.values()];
      const found = Names
        ? Names.map((n) => this.targetGroups.get(n))
        : TargetGroupArns
          ? TargetGroupArns.map((a) => all.find((tg) => tg.TargetGroupArn === a))
          : all;
      if (found.some((tg) => tg === undefined))
        throw this.error(
          modelled(TargetGroupNotFoundException),
          "TargetGroupNotFound",
          "One or more target groups not found",
        );
      return {
        TargetGroups: found.map((tg) => ({
          ...structuredClone(tg!),
          LoadBalancerArns: this.loadBalancersOf(tg!.TargetGroupArn!),
        })),
        $metadata,
      } satisfies DescribeTargetGroupsOutput & { $metadata: unknown };
    }
    if (command instanceof DescribeTargetHealthCommand) {
      const arn = command.input.TargetGroupArn;
      const tg = [...this.targetGroups.values()].find((t) => t.TargetGroupArn === arn);
      if (!tg)
        throw this.error(
          modelled(TargetGroupNotFoundException),
          "TargetGroupNotFound",
          `Target groups '[${arn}]' not found`,
        );
      const targets = this.targets.get(tg.TargetGroupName!)?.() ?? [];
      return {
        TargetHealthDescriptions: targets.map((t) =>
          tg.TargetType === "lambda"
            ? {
                Target: { Id: t.id },
                TargetHealth: {
                  State: t.state,
                  ...(t.state === "unavailable"
                    ? { Reason: "Target.HealthCheckDisabled" as const, Description: "Health checks are disabled" }
                    : {}),
                },
              }
            : {
                Target: { Id: t.id, Port: tg.Port },
                HealthCheckPort: String(tg.Port),
                TargetHealth: { State: t.state },
              },
        ),
        $metadata,
      } satisfies DescribeTargetHealthOutput & { $metadata: unknown };
    }
    if (command instanceof DescribeListenersCommand) {
      const { LoadBalancerArn, ListenerArns } = command.input;
      if (LoadBalancerArn && ListenerArns)
        throw this.validation("Listener ARNs and a load balancer ARN cannot be specified at the same time");
      if (!LoadBalancerArn && !ListenerArns)
        throw this.validation("You must specify either listener ARNs or a load balancer ARN");
      let found: Listener[];
      if (LoadBalancerArn) {
        const lb = [...this.loadBalancers.values()].find((l) => l.LoadBalancerArn === LoadBalancerArn);
        if (!lb)
          throw this.error(
            modelled(LoadBalancerNotFoundException),
            "LoadBalancerNotFound",
            `Load balancer '${LoadBalancerArn}' not found`,
          );
        found = this.listeners.get(lb.LoadBalancerName!) ?? [];
      } else {
        const all = [...this.listeners.values()].flat();
        const hits = ListenerArns!.map((a) => all.find((l) => l.ListenerArn === a));
        if (hits.some((l) => l === undefined))
          throw this.error(modelled(ListenerNotFoundException), "ListenerNotFound", "One or more listeners not found");
        found = hits as Listener[];
      }
      return { Listeners: found.map((l) => structuredClone(l)), $metadata } satisfies DescribeListenersOutput & {
        $metadata: unknown;
      };
    }
    if (command instanceof ModifyListenerCommand) {
      const { ListenerArn, DefaultActions, Port, Protocol, SslPolicy, Certificates } = command.input;
      if (!ListenerArn)
        throw this.validation(
          "1 validation error detected: Value null at 'listenerArn' failed to satisfy constraint: Member must not be null",
        );
      const list = [...this.listeners.values()].find((ls) => ls.some((l) => l.ListenerArn === ListenerArn));
      if (!list)
        throw this.error(modelled(ListenerNotFoundException), "ListenerNotFound", "One or more listeners not found");
      if (Port !== undefined || Protocol !== undefined || SslPolicy !== undefined || Certificates !== undefined)
        throw new Error("Elbv2Emulator: ModifyListener emulates DefaultActions only");
      const i = list.findIndex((l) => l.ListenerArn === ListenerArn);
      const listener = list[i]!;
      const actions = DefaultActions ? DefaultActions.map((a) => this.checkForward(a)) : listener.DefaultActions!;
      const updated: Listener = { ...listener, DefaultActions: actions };
      list[i] = updated;
      return { Listeners: [structuredClone(updated)], $metadata } satisfies ModifyListenerOutput & {
        $metadata: unknown;
      };
    }
    const op = (command as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof command;
    throw this.error(
      unmodelled("InvalidAction"),
      "InvalidAction",
      `The action ${op.replace(/Command$/, "")} is not valid for this web service.`,
    );
  }

  /** The ALBs whose listener forwards to a target group (DescribeTargetGroups' LoadBalancerArns). */
  private loadBalancersOf(targetGroupArn: string): string[] {
    return [...this.listeners.values()]
      .flat()
      .filter((l) =>
        l.DefaultActions?.some(
          (a) =>
            a.TargetGroupArn === targetGroupArn ||
            a.ForwardConfig?.TargetGroups?.some((g) => g.TargetGroupArn === targetGroupArn),
        ),
      )
      .map((l) => l.LoadBalancerArn!);
  }

  /** Validates a forward action as ModifyListener does, and returns it in the shape DescribeListeners reports. */
  private checkForward(a: Action): Action {
    if (a.Type !== "forward")
      throw new Error(`Elbv2Emulator: ModifyListener with a '${a.Type}' action is not emulated`);
    const groups =
      a.ForwardConfig?.TargetGroups ?? (a.TargetGroupArn ? [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }] : []);
    if (groups.length === 0) throw this.validation("A target group ARN must be specified for a forward action");
    if (groups.length > 5) throw this.validation("A forward action can have at most 5 target groups");
    if (
      a.TargetGroupArn &&
      a.ForwardConfig?.TargetGroups &&
      !(groups.length === 1 && groups[0]!.TargetGroupArn === a.TargetGroupArn)
    ) {
      throw this.validation(
        "You cannot specify both a target group ARN and a forward config with different target groups",
      );
    }
    const seen = new Set<string>();
    const known = new Set([...this.targetGroups.values()].map((tg) => tg.TargetGroupArn!));
    for (const g of groups) {
      if (!g.TargetGroupArn)
        throw this.validation("A target group ARN must be specified for each target group in a forward config");
      if (seen.has(g.TargetGroupArn))
        throw this.validation(`Target group '${g.TargetGroupArn}' is specified more than once in the forward config`);
      seen.add(g.TargetGroupArn);
      const w = g.Weight ?? 1;
      if (!Number.isInteger(w) || w < 0 || w > 999)
        throw this.validation(
          `1 validation error detected: Value '${w}' at 'weight' failed to satisfy constraint: Member must have value between 0 and 999`,
        );
    }
    if (groups.some((g) => !known.has(g.TargetGroupArn!)))
      throw this.error(
        modelled(TargetGroupNotFoundException),
        "TargetGroupNotFound",
        "One or more target groups not found",
      );
    const stickiness = {
      Enabled: a.ForwardConfig?.TargetGroupStickinessConfig?.Enabled ?? false,
      ...(a.ForwardConfig?.TargetGroupStickinessConfig?.DurationSeconds !== undefined
        ? { DurationSeconds: a.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds }
        : {}),
    };
    const forwardConfig = {
      TargetGroups: groups.map((g) => ({ TargetGroupArn: g.TargetGroupArn, Weight: g.Weight ?? 1 })),
      TargetGroupStickinessConfig: stickiness,
    };
    return groups.length === 1
      ? { Type: "forward", TargetGroupArn: groups[0]!.TargetGroupArn, ForwardConfig: forwardConfig }
      : { Type: "forward", ForwardConfig: forwardConfig };
  }

  private checkName(name: string, what: string): void {
    if (!NAME.test(name))
      throw this.validation(
        `${what} name '${name}' must have at most 32 alphanumeric characters or hyphens, and must not begin or end with a hyphen`,
      );
  }

  /** An error as the SDK raises it, with the next request id. */
  private error(make: Make, code: string, message: string): Error {
    return elbError(make, code, message, this.requestId());
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
