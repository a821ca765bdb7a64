/**
 * The scaler cycle's world (scaler-cycle.ts): the harness's view of the
 * emulated account, and what AWS itself would publish or do each minute.
 */
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import {
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from "@aws-sdk/client-scheduler";
import type { ScalerSettings } from "../scaler/settings";
import { clientOptions } from "./deployment";
import { ScalerCycleError, type ScalerCycleContext } from "./scaler-cycle-types";
import { jsonCall, rawCall } from "./signed-call";

/** The harness's view of the emulated account: what exists, and what AWS would publish or do. */
export class World {
  private readonly cloudwatch: CloudWatchClient;
  private readonly elb: ElasticLoadBalancingV2Client;
  private readonly route53: Route53Client;
  private readonly scheduler: SchedulerClient;

  constructor(
    private readonly ctx: ScalerCycleContext,
    private readonly s: ScalerSettings,
  ) {
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
        if (sch.ActionAfterCompletion === "DELETE")
          await this.scheduler.send(new DeleteScheduleCommand({ GroupName: group, Name: item.Name }));
      }
      token = page.NextToken;
    } while (token);
    return fired;
  }

  private async arnOf(kind: "lb" | "tg", name: string): Promise<string | undefined> {
    try {
      if (kind === "lb")
        return (await this.elb.send(new DescribeLoadBalancersCommand({ Names: [name] }))).LoadBalancers?.[0]
          ?.LoadBalancerArn;
      return (await this.elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups?.[0]
        ?.TargetGroupArn;
    } catch (err) {
      if (
        (err as Error).name === "LoadBalancerNotFoundException" ||
        (err as Error).name === "TargetGroupNotFoundException"
      )
        return undefined;
      throw err;
    }
  }

  /**
   * The ALB and its target groups as CloudWatch names them: `app/<name>/<id>`
   * (the LoadBalancer ARN after "loadbalancer/") and `targetgroup/<name>/<id>`
   * (the target group ARN's last part).
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html#load-balancer-metric-dimensions-alb
   */
  async tier(): Promise<
    | { lbArn: string; lb: string; tasks?: { arn: string; dim: string }; lambda?: { arn: string; dim: string } }
    | undefined
  > {
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
    const groups =
      out.Listeners?.find((l) => l.Port === 443)?.DefaultActions?.find((a) => a.Type === "forward")?.ForwardConfig
        ?.TargetGroups ?? [];
    const total = groups.reduce((a, g) => a + (g.Weight ?? 0), 0);
    const tasks = groups.find((g) => g.TargetGroupArn === tasksArn)?.Weight ?? 0;
    return total > 0 ? tasks / total : groups.length === 1 && groups[0]!.TargetGroupArn === tasksArn ? 1 : 0;
  }

  async healthy(tgArn: string): Promise<number> {
    const out = await this.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    return (out.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === "healthy").length;
  }

  async recordLive(): Promise<boolean> {
    const out = await this.route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: this.s.hostedZoneId,
        StartRecordName: this.s.domain,
        StartRecordType: "A",
        MaxItems: 10,
      }),
    );
    const name = (n?: string) => (n ?? "").toLowerCase().replace(/\.$/, "");
    return (out.ResourceRecordSets ?? []).some(
      (r) => name(r.Name) === name(this.s.domain) && r.Type === "A" && r.SetIdentifier === "fargate",
    );
  }

  /** ECS: the service `<service>` in cluster `<service>`, when ACTIVE. */
  async ecsService(): Promise<
    { desiredCount: number; targetGroupArn?: string; containerPort?: number; subnets: string[] } | undefined
  > {
    const out = await jsonCall(
      this.ctx.endpoint,
      this.ctx.region,
      "ecs",
      "AmazonEC2ContainerServiceV20141113.DescribeServices",
      { cluster: this.s.service, services: [this.s.service] },
    );
    if (out.status === 400 && /ClusterNotFound/.test(JSON.stringify(out.body))) return undefined;
    if (out.status !== 200)
      throw new ScalerCycleError(`ECS DescribeServices answered ${out.status}: ${JSON.stringify(out.body)}`);
    const svc = (out.body.services ?? []).find((x: any) => x.serviceName === this.s.service && x.status === "ACTIVE");
    if (!svc) return undefined;
    const lb = (svc.loadBalancers ?? [])[0] ?? {};
    return {
      desiredCount: Number(svc.desiredCount ?? 0),
      targetGroupArn: lb.targetGroupArn,
      containerPort: lb.containerPort,
      subnets: svc.networkConfiguration?.awsvpcConfiguration?.subnets ?? [],
    };
  }

  async minuteRule(): Promise<boolean> {
    const out = await jsonCall(this.ctx.endpoint, this.ctx.region, "events", "AWSEvents.DescribeRule", {
      Name: `${this.s.service}-scaler-minute`,
    });
    if (out.status === 200) return out.body.State !== "DISABLED";
    if (/ResourceNotFound/.test(JSON.stringify(out.body))) return false;
    throw new ScalerCycleError(`EventBridge DescribeRule answered ${out.status}: ${JSON.stringify(out.body)}`);
  }

  /** The subnets' CIDR blocks (EC2 DescribeSubnets, query protocol). */
  private async subnetCidrs(subnets: string[]): Promise<string[]> {
    const form = new URLSearchParams({ Action: "DescribeSubnets", Version: "2016-11-15" });
    subnets.forEach((id, i) => form.set(`SubnetId.${i + 1}`, id));
    const out = await rawCall(this.ctx.endpoint, this.ctx.region, "ec2", form.toString(), {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    });
    if (out.status !== 200)
      throw new ScalerCycleError(`EC2 DescribeSubnets answered ${out.status}: ${out.text.slice(0, 500)}`);
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
    const registered =
      (await this.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: svc.targetGroupArn })))
        .TargetHealthDescriptions ?? [];
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
    await this.elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: svc.targetGroupArn,
        Targets: ips.map((Id) => ({ Id, Port: svc.containerPort ?? this.ctx.config.fargate.containerPort })),
      }),
    );
    return ips.length;
  }

  destroy(): void {
    for (const c of [this.cloudwatch, this.elb, this.route53, this.scheduler]) c.destroy();
  }

  async publish(namespace: string, data: MetricDatum[]): Promise<void> {
    if (data.length) await this.cloudwatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data }));
  }

  /**
   * One minute of the world, just ended at `ts`: `requests` reach the ALB while the "fargate" record
   * is live (split by the listener's weights) and API Gateway otherwise; the metrics go out as AWS
   * publishes them, and ECS registers the tasks it started. Answers the tasks it registered.
   */
  async playMinute(ts: Date, requests: number, o: { tierExists: boolean; recordLive: boolean }): Promise<number> {
    const { tierExists, recordLive } = o;
    const tier = tierExists ? await this.tier() : undefined;
    // Resolvers hold the "fargate" answer while the record exists (as read at the last apply); everyone else reaches API Gateway.
    const viaAlb = tier && recordLive ? requests : 0;
    const viaApi = requests - viaAlb;
    const tasksShare = tier && viaAlb ? await this.fargateShare(tier.lbArn, tier.tasks?.arn) : 0;
    const onTasks = Math.round(viaAlb * tasksShare);
    const lambdaRequests = viaApi + (viaAlb - onTasks);
    const lambdaRps = lambdaRequests / 60;
    await this.publish(
      "AWS/ApiGateway",
      viaApi
        ? [
            {
              MetricName: "Count",
              Dimensions: [{ Name: "ApiId", Value: this.s.targets.apiId }],
              Timestamp: ts,
              Value: viaApi,
              Unit: "Count",
            },
          ]
        : [],
    );
    const fnDims = [{ Name: "FunctionName", Value: this.s.targets.functionName }];
    await this.publish(
      "AWS/Lambda",
      lambdaRequests
        ? [
            { MetricName: "Invocations", Dimensions: fnDims, Timestamp: ts, Value: lambdaRequests, Unit: "Count" },
            { MetricName: "Throttles", Dimensions: fnDims, Timestamp: ts, Value: 0, Unit: "Count" },
            {
              MetricName: "ConcurrentExecutions",
              Dimensions: fnDims,
              Timestamp: ts,
              Value: Math.ceil(lambdaRps * (this.s.policy.workload.meanDurationMs / 1000)),
              Unit: "Count",
            },
          ]
        : [],
    );
    if (tier) {
      const lbDim = { Name: "LoadBalancer", Value: tier.lb };
      const alb: MetricDatum[] = [];
      if (viaAlb)
        alb.push({ MetricName: "RequestCount", Dimensions: [lbDim], Timestamp: ts, Value: viaAlb, Unit: "Count" });
      for (const [tg, n] of [
        [tier.tasks, onTasks],
        [tier.lambda, viaAlb - onTasks],
      ] as const) {
        if (!tg) continue;
        const dims = [{ Name: "TargetGroup", Value: tg.dim }, lbDim];
        if (n) alb.push({ MetricName: "RequestCount", Dimensions: dims, Timestamp: ts, Value: n, Unit: "Count" });
        // Published every minute for a target group behind a load balancer, from the ALB's own health checks.
        alb.push({
          MetricName: "HealthyHostCount",
          Dimensions: dims,
          Timestamp: ts,
          Value: await this.healthy(tg.arn),
          Unit: "Count",
        });
      }
      await this.publish("AWS/ApplicationELB", alb);
      // ECS registers the service's tasks in its target group once they run (a minute after the apply here).
      return await this.registerTasks();
    }
    return 0;
  }
}
