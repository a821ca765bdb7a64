import {
  DescribeRulesCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DuplicateLoadBalancerNameException,
  LoadBalancerNotFoundException,
  TargetGroupNotFoundException,
  type DescribeLoadBalancersOutput,
  type DescribeTargetGroupsOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { Elbv2Emulator } from "../../../sim/world/elbv2";
import { Rng } from "../../../sim/world/clock";

/** The simulator's seeded generator, so every run draws the same values. */
const rng = (seed: number): (() => number) => new Rng(seed).random;

const T0 = Date.parse("2026-11-22T12:00:00Z");
const emulator = () => new Elbv2Emulator({ random: rng(5), now: () => T0 });
const describeLbs = async (elb: Elbv2Emulator, Names: string[]) =>
  (await elb.send(new DescribeLoadBalancersCommand({ Names }))) as DescribeLoadBalancersOutput;
const describeTgs = async (elb: Elbv2Emulator, Names: string[]) =>
  (await elb.send(new DescribeTargetGroupsCommand({ Names }))) as DescribeTargetGroupsOutput;

describe("Elbv2Emulator", () => {
  it("describes a created ALB by name, its ARN ending in the CloudWatch LoadBalancer dimension", async () => {
    const elb = emulator();
    const { arn, dimension } = elb.createLoadBalancer("svc-alb");
    elb.createLoadBalancer("svc-alb-green");

    const out = await describeLbs(elb, ["svc-alb"]);

    expect(dimension).toMatch(/^app\/svc-alb\/[0-9a-f]{16}$/);
    expect(arn).toBe(`arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/${dimension}`);
    expect(out.LoadBalancers).toEqual([
      expect.objectContaining({
        LoadBalancerArn: arn,
        LoadBalancerName: "svc-alb",
        Type: "application",
        Scheme: "internet-facing",
        State: { Code: "active" },
        CreatedTime: new Date(T0),
        CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
      }),
    ]);
    expect(out.LoadBalancers![0]!.DNSName).toMatch(/^svc-alb-\d+\.us-east-1\.elb\.amazonaws\.com$/);
  });

  it("describes a created target group by name, its ARN ending in the TargetGroup dimension", async () => {
    const elb = emulator();
    const { arn, dimension } = elb.createTargetGroup("svc-tg");
    const out = await describeTgs(elb, ["svc-tg"]);
    expect(dimension).toMatch(/^targetgroup\/svc-tg\/[0-9a-f]{16}$/);
    expect(arn).toBe(`arn:aws:elasticloadbalancing:us-east-1:123456789012:${dimension}`);
    expect(out.TargetGroups).toEqual([
      expect.objectContaining({ TargetGroupArn: arn, TargetGroupName: "svc-tg", TargetType: "ip", Protocol: "HTTP" }),
    ]);
  });

  it("answers an unknown ALB name with LoadBalancerNotFound, as the SDK raises it", async () => {
    const elb = emulator();
    const err = await describeLbs(elb, ["svc-alb"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadBalancerNotFoundException);
    expect(err).toMatchObject({
      name: "LoadBalancerNotFoundException",
      Code: "LoadBalancerNotFound",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
      message: "Load balancers '[svc-alb]' not found",
    });
  });

  it("answers an unknown target group name with TargetGroupNotFound", async () => {
    const elb = emulator();
    const err = await describeTgs(elb, ["svc-tg"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetGroupNotFoundException);
    expect(err).toMatchObject({
      name: "TargetGroupNotFoundException",
      Code: "TargetGroupNotFound",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
      message: "One or more target groups not found",
    });
  });

  it("gives a re-created ALB of the same name a new id, and forgets the deleted one", async () => {
    const elb = emulator();
    const first = elb.createLoadBalancer("svc-alb");
    elb.deleteLoadBalancer("svc-alb");
    await expect(describeLbs(elb, ["svc-alb"])).rejects.toBeInstanceOf(LoadBalancerNotFoundException);
    const second = elb.createLoadBalancer("svc-alb");
    expect(second.dimension).not.toBe(first.dimension);
    expect((await describeLbs(elb, ["svc-alb"])).LoadBalancers!.map((lb) => lb.LoadBalancerArn)).toEqual([second.arn]);
  });

  it("refuses a second ALB or target group of the same name", () => {
    const elb = emulator();
    elb.createLoadBalancer("svc-alb");
    elb.createTargetGroup("svc-tg");
    expect(() => elb.createLoadBalancer("svc-alb")).toThrow(DuplicateLoadBalancerNameException);
    expect(() => elb.createTargetGroup("svc-tg")).toThrow(
      expect.objectContaining({ name: "DuplicateTargetGroupNameException", Code: "DuplicateTargetGroupName" }),
    );
  });

  it("rejects names AWS rejects", () => {
    const elb = emulator();
    expect(() => elb.createLoadBalancer("-svc")).toThrow(expect.objectContaining({ name: "ValidationError" }));
    expect(() => elb.createLoadBalancer("internal-svc")).toThrow(/internal-/);
    expect(() => elb.createTargetGroup("x".repeat(33))).toThrow(/at most 32/);
  });

  it("meters every call and fails an action it does not serve as InvalidAction", async () => {
    const elb = emulator();
    await describeLbs(elb, []).catch(() => undefined);
    await expect(elb.send(new DescribeRulesCommand({ ListenerArn: "arn" }))).rejects.toMatchObject({
      name: "InvalidAction",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
    });
    expect(elb.meter.calls).toBe(2);
  });
});
