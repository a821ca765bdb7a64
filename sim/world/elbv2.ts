/**
 * Elastic Load Balancing v2 as the scaler sees it: DescribeLoadBalancers,
 * DescribeTargetGroups, DescribeTargetHealth, DescribeListeners and
 * ModifyListener over the ALBs, target groups and listeners the simulated
 * world creates and deletes (elbv2-resources.ts), with the real output shapes
 * and error codes. The world routes by the listener's forward weights
 * (`forwardWeights`). Same `send(command)` port as the SDK client.
 */
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  TargetGroupNotFoundException,
  type Action,
  type DescribeListenersOutput,
  type Listener,
  type ModifyListenerOutput,
  type DescribeTargetHealthOutput,
  type DescribeLoadBalancersOutput,
  type DescribeTargetGroupsOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { modelled, unmodelled } from "./elbv2-shapes";
import { Elbv2Resources } from "./elbv2-resources";

export type { Elbv2EmulatorOptions } from "./elbv2-resources";

/** The ALBs and target groups of one account and region, answering the ELBv2 API. */
export class Elbv2Emulator extends Elbv2Resources {
  /** Calls made (the scaler's ELBv2 API use; the ELB API itself is free). */
  readonly meter = { calls: 0 };

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
}
