import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  type DescribeListenersCommandOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { readListener, setFargateWeight } from "../../scaler/adapters/listener";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012";
const LB = `${ARN}:loadbalancer/app/svc-alb/50dc6c495c0c9188`;
const LISTENER = `${ARN}:listener/app/svc-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const LAMBDA_TG = `${ARN}:targetgroup/svc-lambda-tg/943f017f100becff`;
const ECS_TG = `${ARN}:targetgroup/svc-tg/6d0ecf831eec9f09`;

/** DescribeListeners as ELBv2 answers it: the HTTP redirect and the HTTPS weighted forward. */
const listeners = (lambdaWeight: number, ecsWeight: number): DescribeListenersCommandOutput => ({
  $metadata: {},
  Listeners: [
    {
      ListenerArn: `${ARN}:listener/app/svc-alb/50dc6c495c0c9188/0467ef3c8400ae65`,
      Port: 80,
      Protocol: "HTTP" as const,
      DefaultActions: [
        {
          Type: "redirect" as const,
          RedirectConfig: { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" as const },
        },
      ],
    },
    {
      ListenerArn: LISTENER,
      Port: 443,
      Protocol: "HTTPS" as const,
      DefaultActions: [
        {
          Type: "forward",
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: LAMBDA_TG, Weight: lambdaWeight },
              { TargetGroupArn: ECS_TG, Weight: ecsWeight },
            ],
            TargetGroupStickinessConfig: { Enabled: false },
          },
        },
      ],
    },
  ],
});

describe("the listener adapter (weighted switch)", () => {
  const elb = mockClient(ElasticLoadBalancingV2Client);
  beforeEach(() => elb.reset());

  it("reads the share of the ALB's requests the tasks get from the HTTPS listener's weights", async () => {
    elb.on(DescribeListenersCommand, { LoadBalancerArn: LB }).resolves(listeners(100, 0));
    expect(await readListener(new ElasticLoadBalancingV2Client({}), LB, "svc-lambda-tg")).toEqual({
      listenerArn: LISTENER,
      lambdaTargetGroupArn: LAMBDA_TG,
      ecsTargetGroupArn: ECS_TG,
      fargateWeight: 0,
    });
    elb.on(DescribeListenersCommand, { LoadBalancerArn: LB }).resolves(listeners(1, 3));
    expect((await readListener(new ElasticLoadBalancingV2Client({}), LB, "svc-lambda-tg"))?.fargateWeight).toBe(75);
  });

  it("answers undefined for a listener that forwards to the tasks only (the DNS-only switch)", async () => {
    elb.on(DescribeListenersCommand).resolves({
      Listeners: [
        {
          ListenerArn: LISTENER,
          Port: 443,
          DefaultActions: [
            {
              Type: "forward",
              TargetGroupArn: ECS_TG,
              ForwardConfig: { TargetGroups: [{ TargetGroupArn: ECS_TG, Weight: 1 }] },
            },
          ],
        },
      ],
    });
    expect(await readListener(new ElasticLoadBalancingV2Client({}), LB, "svc-lambda-tg")).toBeUndefined();
  });

  it("sets both weights in one ModifyListener, and refuses a weight that is not a whole percent", async () => {
    elb.on(ModifyListenerCommand).resolves({});
    const l = { listenerArn: LISTENER, lambdaTargetGroupArn: LAMBDA_TG, ecsTargetGroupArn: ECS_TG, fargateWeight: 0 };
    await setFargateWeight(new ElasticLoadBalancingV2Client({}), l, 10);
    expect(elb.commandCalls(ModifyListenerCommand).map((c) => c.args[0].input)).toEqual([
      {
        ListenerArn: LISTENER,
        DefaultActions: [
          {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: LAMBDA_TG, Weight: 90 },
                { TargetGroupArn: ECS_TG, Weight: 10 },
              ],
              TargetGroupStickinessConfig: { Enabled: false },
            },
          },
        ],
      },
    ]);
    await expect(setFargateWeight(new ElasticLoadBalancingV2Client({}), l, 101)).rejects.toThrow(
      /whole percent 0\.\.100, got 101/,
    );
    await expect(setFargateWeight(new ElasticLoadBalancingV2Client({}), l, 12.5)).rejects.toThrow(/got 12\.5/);
  });
});
