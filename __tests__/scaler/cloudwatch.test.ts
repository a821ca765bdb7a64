import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandOutput } from "@aws-sdk/client-cloudwatch";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { readMetrics, type MetricClients } from "../../scaler/adapters/cloudwatch";
import { countHealthyTargets, readLoadBalancerDimensions } from "../../scaler/adapters/load-balancers";
import { CloudWatchEmulator, type MetricId } from "../../sim/world/cloudwatch";
import { Elbv2Emulator } from "../../sim/world/elbv2";
import { Rng } from "../../sim/world/clock";

/** The simulator's seeded generator, so every run draws the same values. */
const rng = (seed: number): (() => number) => new Rng(seed).random;

const MIN = 60_000;
const at = (hhmm: string) => Date.parse(`2026-11-22T${hhmm}:00Z`);
const NOW = new Date(at("12:00") + 30_000); // the 12:00 minute is incomplete
const LAG = 3; // CloudWatch publishes a minute at most 3 minutes after it ends
const targets = { apiId: "a1b2c3", functionName: "lambdaflex-api", albName: "svc-alb", targetGroupName: "svc-tg" };

const api: MetricId = { namespace: "AWS/ApiGateway", name: "Count", dimensions: { ApiId: "a1b2c3" } };
const throttles: MetricId = {
  namespace: "AWS/Lambda",
  name: "Throttles",
  dimensions: { FunctionName: "lambdaflex-api" },
};
const concurrency: MetricId = {
  namespace: "AWS/Lambda",
  name: "ConcurrentExecutions",
  dimensions: { FunctionName: "lambdaflex-api" },
};
const requests = (lb: string): MetricId => ({
  namespace: "AWS/ApplicationELB",
  name: "RequestCount",
  dimensions: { LoadBalancer: lb },
});
const healthy = (lb: string, tg: string): MetricId => ({
  namespace: "AWS/ApplicationELB",
  name: "HealthyHostCount",
  dimensions: { LoadBalancer: lb, TargetGroup: tg },
});

function world(o: { random?: () => number; pageSize?: number } = {}) {
  const random = o.random ?? rng(7);
  const cw = new CloudWatchEmulator({
    now: () => NOW.getTime(),
    random,
    lagMinutes: [1, LAG],
    ...(o.pageSize ? { pageSize: o.pageSize } : {}),
  });
  const elb = new Elbv2Emulator({ random: rng(11) });
  // The emulators stand behind the SDK clients' send(command) port.
  const clients: MetricClients = {
    cloudwatch: cw as unknown as CloudWatchClient,
    elb: elb as unknown as ElasticLoadBalancingV2Client,
  };
  return { cw, elb, clients };
}

/** Calls `fn` for each minute start in [from, to]. */
const eachMinute = (from: string, to: string, fn: (ms: number, i: number) => void) => {
  for (let ms = at(from), i = 0; ms <= at(to); ms += MIN, i++) fn(ms, i);
};

describe("readMetrics", () => {
  it("ends the window at the newest minute CloudWatch has surely published, with every count minute known", async () => {
    // Every datapoint arrives almost 3 minutes late: the worst case AWS allows.
    const { cw, clients } = world({ random: () => 0.999999 });
    const sent: GetMetricDataCommand[] = [];
    const spy = {
      ...clients,
      cloudwatch: { send: (c: GetMetricDataCommand) => (sent.push(c), cw.send(c)) } as unknown as CloudWatchClient,
    };
    eachMinute("11:00", "11:59", (ms, i) => {
      cw.count(api, ms, i % 2 === 0 ? 100 + i : 0); // odd minutes had no requests: no datapoint
      if (ms < at("11:50")) cw.gauge(concurrency, ms, 4);
    });

    const m = await readMetrics(spy, targets, NOW, 10, "off", LAG);

    // Horizon = 12:00 - 1 - 3 = 11:56; window 11:47..11:56.
    expect(sent[0]!.input.StartTime).toEqual(new Date(at("11:47")));
    expect(sent[0]!.input.EndTime).toEqual(new Date(at("11:57")));
    expect(m.apiRequests).toEqual([0, 148, 0, 150, 0, 152, 0, 154, 0, 156]);
    expect(m.lambdaThrottles).toEqual(Array(10).fill(0));
  });

  it("leaves a gauge unknown where it published nothing", async () => {
    const { cw, elb, clients } = world();
    const lb = elb.createLoadBalancer("svc-alb").dimension;
    const tg = elb.createTargetGroup("svc-tg").dimension;
    eachMinute("11:00", "11:59", (ms) => {
      if (ms < at("11:50")) cw.gauge(concurrency, ms, 4);
      if (ms >= at("11:52")) cw.gauge(healthy(lb, tg), ms, 2); // the target group's first report
    });

    const m = await readMetrics(clients, targets, NOW, 10, "serving", LAG);

    expect(m.lambdaConcurrency).toEqual([
      4,
      4,
      4,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(m.healthyHosts).toEqual([undefined, undefined, undefined, undefined, undefined, 2, 2, 2, 2, 2]);
    expect(m.albRequests).toEqual(Array(10).fill(0)); // the ALB exists and carried nothing
  });

  it("reads a burst followed by silence as zero requests, not unknown", async () => {
    const { cw, clients } = world();
    eachMinute("11:40", "11:44", (ms) => cw.count(api, ms, 600));

    const m = await readMetrics(clients, targets, NOW, 15, "off", LAG);

    expect(m.apiRequests).toEqual([600, 600, 600, ...Array(12).fill(0)]);
  });

  it("reads svc-alb alone, not svc-alb-green whose name contains it", async () => {
    const { cw, elb, clients } = world();
    const lb = elb.createLoadBalancer("svc-alb").dimension;
    const tg = elb.createTargetGroup("svc-tg").dimension;
    const green = elb.createLoadBalancer("svc-alb-green").dimension;
    const greenTg = elb.createTargetGroup("svc-tg-green").dimension;
    eachMinute("11:30", "11:59", (ms) => {
      cw.count(requests(lb), ms, 100);
      cw.gauge(healthy(lb, tg), ms, 2);
      cw.count(requests(green), ms, 5000);
      cw.gauge(healthy(green, greenTg), ms, 8);
    });

    const m = await readMetrics(clients, targets, NOW, 10, "serving", LAG);

    expect(m.albRequests).toEqual(Array(10).fill(100));
    expect(m.healthyHosts).toEqual(Array(10).fill(2));
  });

  it("does not add the series of an earlier ALB of the same name", async () => {
    const { cw, elb, clients } = world();
    const old = elb.createLoadBalancer("svc-alb").dimension;
    const oldTg = elb.createTargetGroup("svc-tg").dimension;
    eachMinute("11:30", "11:49", (ms) => (cw.count(requests(old), ms, 700), cw.gauge(healthy(old, oldTg), ms, 6)));
    elb.deleteLoadBalancer("svc-alb");
    elb.deleteTargetGroup("svc-tg");
    const lb = elb.createLoadBalancer("svc-alb").dimension;
    const tg = elb.createTargetGroup("svc-tg").dimension;
    eachMinute("11:50", "11:59", (ms) => (cw.count(requests(lb), ms, 100), cw.gauge(healthy(lb, tg), ms, 2)));

    const m = await readMetrics(clients, targets, NOW, 15, "serving", LAG);

    expect(lb).not.toBe(old);
    expect(m.albRequests).toEqual([...Array(8).fill(0), ...Array(7).fill(100)]);
    expect(m.healthyHosts).toEqual([...Array(8).fill(undefined), ...Array(7).fill(2)]);
  });

  it("asks for only 2 metrics and never calls ELBv2 while off", async () => {
    const { cw, elb, clients } = world();
    elb.createLoadBalancer("svc-alb");

    const m = await readMetrics(clients, targets, NOW, 10, "off", LAG);

    expect(cw.meter).toEqual({ calls: 1, metricsRequested: 2 });
    expect(elb.meter.calls).toBe(0);
    expect(m).toMatchObject({ lambdaConcurrency: [], albRequests: [], healthyHosts: [] });
  });

  it("reads ALB requests as zero and healthy hosts as unknown before Terraform has created the ALB, without asking CloudWatch for them", async () => {
    const { cw, elb, clients } = world();

    const m = await readMetrics(clients, targets, NOW, 5, "warming", LAG);

    expect(elb.meter.calls).toBe(2); // one DescribeLoadBalancers, one DescribeTargetGroups
    expect(cw.meter.metricsRequested).toBe(3);
    expect(m.albRequests).toEqual([0, 0, 0, 0, 0]);
    expect(m.healthyHosts).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it("merges NextToken pages into the same series one page gives", async () => {
    const fill = ({ cw, elb }: ReturnType<typeof world>) => {
      const lb = elb.createLoadBalancer("svc-alb").dimension;
      const tg = elb.createTargetGroup("svc-tg").dimension;
      eachMinute("11:00", "11:59", (ms, i) => {
        cw.count(api, ms, 60 * (i % 7));
        cw.count(throttles, ms, i % 11 === 0 ? 3 : 0);
        cw.gauge(concurrency, ms, i % 5);
        cw.count(requests(lb), ms, 10 * (i % 3));
        cw.gauge(healthy(lb, tg), ms, 2);
      });
    };
    const paged = world({ pageSize: 7 });
    const whole = world();
    fill(paged);
    fill(whole);

    const a = await readMetrics(paged.clients, targets, NOW, 30, "serving", LAG);
    const b = await readMetrics(whole.clients, targets, NOW, 30, "serving", LAG);

    expect(paged.cw.meter.calls).toBeGreaterThan(10);
    expect(whole.cw.meter.calls).toBe(1);
    expect(a).toEqual(b);
    expect(a.apiRequests.every((v) => v !== undefined)).toBe(true);
  });

  it("propagates a CloudWatch error so the reconciler decides on no evidence", async () => {
    const { clients } = world();
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "Throttling", $fault: "client" });
    const failing = {
      ...clients,
      cloudwatch: { send: () => Promise.reject(throttled) } as unknown as CloudWatchClient,
    };

    await expect(readMetrics(failing, targets, NOW, 5, "off", LAG)).rejects.toThrow("Rate exceeded");
  });

  it("fails rather than zero-filling a query CloudWatch could not answer", async () => {
    const { cw, clients } = world();
    const forbidden = {
      send: async (c: GetMetricDataCommand) => {
        const out = (await cw.send(c)) as GetMetricDataCommandOutput;
        return {
          ...out,
          MetricDataResults: out.MetricDataResults!.map((r) =>
            r.Id === "api"
              ? { ...r, StatusCode: "Forbidden", Messages: [{ Code: "Forbidden", Value: "not authorized" }] }
              : r,
          ),
        };
      },
    };

    await expect(
      readMetrics({ ...clients, cloudwatch: forbidden as unknown as CloudWatchClient }, targets, NOW, 5, "off", LAG),
    ).rejects.toThrow(/Forbidden for query api: not authorized/);
  });

  it("propagates an ELBv2 error other than not-found", async () => {
    const { clients } = world();
    const denied = Object.assign(
      new Error("User is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers"),
      { name: "AccessDenied", $fault: "client" },
    );
    const failing = {
      ...clients,
      elb: { send: () => Promise.reject(denied) } as unknown as ElasticLoadBalancingV2Client,
    };

    await expect(readMetrics(failing, targets, NOW, 5, "serving", LAG)).rejects.toThrow(/not authorized/);
  });
});

describe("readLoadBalancerDimensions", () => {
  it("returns the metric dimensions of the ALB and target group that carry the names", async () => {
    const { elb, clients } = world();
    const lb = elb.createLoadBalancer("svc-alb");
    const tg = elb.createTargetGroup("svc-tg");

    const dims = await readLoadBalancerDimensions(clients.elb, "svc-alb", "svc-tg");

    expect(dims).toEqual({
      loadBalancer: lb.dimension,
      loadBalancerArn: lb.arn,
      targetGroup: tg.dimension,
      targetGroupArn: tg.arn,
    });
    expect(dims.loadBalancer).toMatch(/^app\/svc-alb\/[0-9a-f]{16}$/);
    expect(dims.targetGroup).toMatch(/^targetgroup\/svc-tg\/[0-9a-f]{16}$/);
  });

  it("reports an absent ALB or target group as undefined", async () => {
    const { elb, clients } = world();
    expect(await readLoadBalancerDimensions(clients.elb, "svc-alb", "svc-tg")).toEqual({});
    const tg = elb.createTargetGroup("svc-tg");
    expect(await readLoadBalancerDimensions(clients.elb, "svc-alb", "svc-tg")).toEqual({
      targetGroup: tg.dimension,
      targetGroupArn: tg.arn,
    });
  });
});

describe("countHealthyTargets", () => {
  it("counts only the targets the target group reports healthy, with no CloudWatch lag", async () => {
    const { elb, clients } = world();
    const tg = elb.createTargetGroup("svc-tg");
    const states: Array<"healthy" | "initial" | "draining" | "unhealthy"> = ["initial", "initial", "unhealthy"];
    elb.registerTargets("svc-tg", () => states.map((state, i) => ({ id: `10.0.0.${i}`, state })));
    expect(await countHealthyTargets(clients.elb, tg.arn)).toBe(0);
    states[0] = "healthy";
    states[1] = "healthy";
    expect(await countHealthyTargets(clients.elb, tg.arn)).toBe(2);
    elb.deleteTargetGroup("svc-tg");
    await expect(countHealthyTargets(clients.elb, tg.arn)).rejects.toMatchObject({
      name: "TargetGroupNotFoundException",
    });
  });
});
