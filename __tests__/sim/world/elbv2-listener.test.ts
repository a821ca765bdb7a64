import {
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  TargetGroupNotFoundException,
  type DescribeListenersCommandInput,
  type DescribeListenersOutput,
  type DescribeTargetGroupsOutput,
  type DescribeTargetHealthOutput,
  type ModifyListenerOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { Rng } from "../../../sim/world/clock";
import { Elbv2Emulator } from "../../../sim/world/elbv2";

const T0 = Date.parse("2026-11-22T12:00:00Z");

/** An ALB as the weighted fargate stack builds it: a Lambda and an ECS target group behind an HTTPS listener at 100/0. */
function weightedAlb() {
  const elb = new Elbv2Emulator({ random: new Rng(7).random, now: () => T0 });
  const lb = elb.createLoadBalancer("svc-alb");
  const lambdaTg = elb.createTargetGroup("svc-lambda-tg", "lambda");
  const ecsTg = elb.createTargetGroup("svc-tg");
  const listenerArn = elb.createListener("svc-alb", [
    { targetGroupName: "svc-lambda-tg", weight: 100 },
    { targetGroupName: "svc-tg", weight: 0 },
  ]);
  return { elb, lb, lambdaTg, ecsTg, listenerArn };
}

const describe_ = async (elb: Elbv2Emulator, input: DescribeListenersCommandInput) =>
  (await elb.send(new DescribeListenersCommand(input))) as DescribeListenersOutput;
const forward = (targetGroups: Array<{ TargetGroupArn: string; Weight: number }>) => [
  {
    Type: "forward" as const,
    ForwardConfig: { TargetGroups: targetGroups, TargetGroupStickinessConfig: { Enabled: false } },
  },
];

describe("Elbv2Emulator listeners", () => {
  it("describes the ALB's HTTPS listener forwarding 100/0 to Lambda and the tasks, beside the HTTP redirect", async () => {
    const { elb, lb, lambdaTg, ecsTg, listenerArn } = weightedAlb();
    const out = await describe_(elb, { LoadBalancerArn: lb.arn });
    expect(listenerArn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:123456789012:listener\/app\/svc-alb\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
    );
    expect(listenerArn.startsWith(lb.arn.replace(":loadbalancer/", ":listener/"))).toBe(true);
    expect(out.Listeners).toEqual([
      expect.objectContaining({
        ListenerArn: listenerArn,
        LoadBalancerArn: lb.arn,
        Port: 443,
        Protocol: "HTTPS",
        DefaultActions: [
          {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: lambdaTg.arn, Weight: 100 },
                { TargetGroupArn: ecsTg.arn, Weight: 0 },
              ],
              TargetGroupStickinessConfig: { Enabled: false },
            },
          },
        ],
      }),
      expect.objectContaining({
        Port: 80,
        Protocol: "HTTP",
        DefaultActions: [
          expect.objectContaining({
            Type: "redirect",
            RedirectConfig: expect.objectContaining({ Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" }),
          }),
        ],
      }),
    ]);
    expect(elb.forwardWeights("svc-alb")).toEqual([
      { targetGroupName: "svc-lambda-tg", weight: 100 },
      { targetGroupName: "svc-tg", weight: 0 },
    ]);
  });

  it("describes the DNS switch's listener in the plain target_group_arn form, weight 1", async () => {
    const elb = new Elbv2Emulator({ random: new Rng(7).random });
    const lb = elb.createLoadBalancer("svc-alb");
    const tg = elb.createTargetGroup("svc-tg");
    elb.createListener("svc-alb", [{ targetGroupName: "svc-tg" }]);
    const https = (await describe_(elb, { LoadBalancerArn: lb.arn })).Listeners!.find((l) => l.Port === 443)!;
    expect(https.DefaultActions).toEqual([
      {
        Type: "forward",
        TargetGroupArn: tg.arn,
        ForwardConfig: {
          TargetGroups: [{ TargetGroupArn: tg.arn, Weight: 1 }],
          TargetGroupStickinessConfig: { Enabled: false },
        },
      },
    ]);
  });

  it("shifts the weights with ModifyListener, answering with the listener as it now is", async () => {
    const { elb, lb, lambdaTg, ecsTg, listenerArn } = weightedAlb();
    const out = (await elb.send(
      new ModifyListenerCommand({
        ListenerArn: listenerArn,
        DefaultActions: forward([
          { TargetGroupArn: lambdaTg.arn, Weight: 90 },
          { TargetGroupArn: ecsTg.arn, Weight: 10 },
        ]),
      }),
    )) as ModifyListenerOutput;
    expect(out.Listeners).toEqual([expect.objectContaining({ ListenerArn: listenerArn, Port: 443 })]);
    expect(out.Listeners![0]!.DefaultActions![0]!.ForwardConfig!.TargetGroups).toEqual([
      { TargetGroupArn: lambdaTg.arn, Weight: 90 },
      { TargetGroupArn: ecsTg.arn, Weight: 10 },
    ]);
    const again = await describe_(elb, { ListenerArns: [listenerArn] });
    expect(again.Listeners![0]!.DefaultActions![0]!.ForwardConfig!.TargetGroups!.map((g) => g.Weight)).toEqual([
      90, 10,
    ]);
    expect(elb.forwardWeights("svc-alb")!.map((g) => g.weight)).toEqual([90, 10]);
    // Both target groups now name the ALB that forwards to them.
    const tgs = (await elb.send(
      new DescribeTargetGroupsCommand({ Names: ["svc-lambda-tg", "svc-tg"] }),
    )) as DescribeTargetGroupsOutput;
    expect(tgs.TargetGroups!.map((t) => [t.TargetGroupName, t.TargetType, t.LoadBalancerArns])).toEqual([
      ["svc-lambda-tg", "lambda", [lb.arn]],
      ["svc-tg", "ip", [lb.arn]],
    ]);
  });

  it("rejects what ModifyListener rejects, leaving the weights as they were", async () => {
    const { elb, lambdaTg, ecsTg, listenerArn } = weightedAlb();
    const missingTg = ecsTg.arn.replace(/[0-9a-f]{16}$/, "0000000000000000");
    await expect(
      elb.send(
        new ModifyListenerCommand({
          ListenerArn: listenerArn,
          DefaultActions: forward([
            { TargetGroupArn: lambdaTg.arn, Weight: 1000 },
            { TargetGroupArn: ecsTg.arn, Weight: 0 },
          ]),
        }),
      ),
    ).rejects.toMatchObject({
      name: "ValidationError",
      Code: "ValidationError",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      elb.send(
        new ModifyListenerCommand({
          ListenerArn: listenerArn,
          DefaultActions: forward([
            { TargetGroupArn: lambdaTg.arn, Weight: 50 },
            { TargetGroupArn: lambdaTg.arn, Weight: 50 },
          ]),
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationError" });
    const err = await elb
      .send(
        new ModifyListenerCommand({
          ListenerArn: listenerArn,
          DefaultActions: forward([
            { TargetGroupArn: lambdaTg.arn, Weight: 50 },
            { TargetGroupArn: missingTg, Weight: 50 },
          ]),
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetGroupNotFoundException);
    expect(err).toMatchObject({ Code: "TargetGroupNotFound", $fault: "client" });
    expect(elb.forwardWeights("svc-alb")!.map((g) => g.weight)).toEqual([100, 0]);
  });

  it("answers a listener or ALB that is gone with ListenerNotFound / LoadBalancerNotFound, as after a destroy", async () => {
    const { elb, lb, lambdaTg, ecsTg, listenerArn } = weightedAlb();
    elb.deleteLoadBalancer("svc-alb");
    const modify = await elb
      .send(
        new ModifyListenerCommand({
          ListenerArn: listenerArn,
          DefaultActions: forward([
            { TargetGroupArn: lambdaTg.arn, Weight: 0 },
            { TargetGroupArn: ecsTg.arn, Weight: 100 },
          ]),
        }),
      )
      .catch((e: unknown) => e);
    expect(modify).toBeInstanceOf(ListenerNotFoundException);
    expect(modify).toMatchObject({
      name: "ListenerNotFoundException",
      Code: "ListenerNotFound",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
      message: "One or more listeners not found",
    });
    await expect(describe_(elb, { ListenerArns: [listenerArn] })).rejects.toBeInstanceOf(ListenerNotFoundException);
    const byLb = await describe_(elb, { LoadBalancerArn: lb.arn }).catch((e: unknown) => e);
    expect(byLb).toBeInstanceOf(LoadBalancerNotFoundException);
    expect(byLb).toMatchObject({ Code: "LoadBalancerNotFound" });
    expect(elb.forwardWeights("svc-alb")).toBeUndefined();
  });

  it("starts a re-created ALB's listener at its initial weights, with a new ARN", async () => {
    const { elb, lambdaTg, ecsTg, listenerArn } = weightedAlb();
    await elb.send(
      new ModifyListenerCommand({
        ListenerArn: listenerArn,
        DefaultActions: forward([
          { TargetGroupArn: lambdaTg.arn, Weight: 0 },
          { TargetGroupArn: ecsTg.arn, Weight: 100 },
        ]),
      }),
    );
    elb.deleteLoadBalancer("svc-alb");
    const lb2 = elb.createLoadBalancer("svc-alb");
    const arn2 = elb.createListener("svc-alb", [
      { targetGroupName: "svc-lambda-tg", weight: 100 },
      { targetGroupName: "svc-tg", weight: 0 },
    ]);
    expect(arn2).not.toBe(listenerArn);
    const https = (await describe_(elb, { LoadBalancerArn: lb2.arn })).Listeners!.find((l) => l.Port === 443)!;
    expect(https.DefaultActions![0]!.ForwardConfig!.TargetGroups!.map((g) => g.Weight)).toEqual([100, 0]);
  });

  it("reports the Lambda target's health without a port, and refuses mixed or missing describe arguments", async () => {
    const { elb, lb, lambdaTg, listenerArn } = weightedAlb();
    elb.registerTargets("svc-lambda-tg", () => [
      { id: "arn:aws:lambda:us-east-1:123456789012:function:svc-api", state: "healthy" },
    ]);
    const health = (await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: lambdaTg.arn }),
    )) as DescribeTargetHealthOutput;
    expect(health.TargetHealthDescriptions).toEqual([
      { Target: { Id: "arn:aws:lambda:us-east-1:123456789012:function:svc-api" }, TargetHealth: { State: "healthy" } },
    ]);
    await expect(describe_(elb, { LoadBalancerArn: lb.arn, ListenerArns: [listenerArn] })).rejects.toMatchObject({
      name: "ValidationError",
    });
    await expect(describe_(elb, {})).rejects.toMatchObject({ name: "ValidationError" });
  });
});
