import {
  DescribeListenersCommand,
  ModifyListenerCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";

/** The HTTPS listener of the tier's ALB and the two target groups its default action weighs. */
export interface ListenerWeights {
  readonly listenerArn: string;
  readonly lambdaTargetGroupArn: string;
  readonly ecsTargetGroupArn: string;
  /** Percent of the ALB's requests forwarded to the ECS tasks (the rest go to the service Lambda). */
  readonly fargateWeight: number;
}

/**
 * Reads the weights of the ALB's HTTPS listener (DescribeListeners, free).
 * Undefined when the ALB has no HTTPS listener forwarding to the Lambda target
 * group (the DNS-only switch, or an apply still creating it).
 */
export async function readListener(
  client: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
  lambdaTargetGroupName: string,
): Promise<ListenerWeights | undefined> {
  const out = await client.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }));
  const https = (out.Listeners ?? []).find((l) => l.Port === 443);
  const groups = https?.DefaultActions?.find((a) => a.Type === "forward")?.ForwardConfig?.TargetGroups ?? [];
  if (!https?.ListenerArn || groups.length !== 2) return undefined;
  const lambda = groups.find((g) => g.TargetGroupArn?.includes(`:targetgroup/${lambdaTargetGroupName}/`));
  const ecs = groups.find((g) => g !== lambda);
  if (!lambda?.TargetGroupArn || !ecs?.TargetGroupArn) return undefined;
  const total = (lambda.Weight ?? 0) + (ecs.Weight ?? 0);
  return {
    listenerArn: https.ListenerArn,
    lambdaTargetGroupArn: lambda.TargetGroupArn,
    ecsTargetGroupArn: ecs.TargetGroupArn,
    fargateWeight: total > 0 ? Math.round((100 * (ecs.Weight ?? 0)) / total) : 0,
  };
}

/** Sets the share of the ALB's requests the tasks get (0..100); the service Lambda gets the rest. Takes effect at once. */
export async function setFargateWeight(
  client: ElasticLoadBalancingV2Client,
  l: ListenerWeights,
  fargateWeight: number,
): Promise<void> {
  if (!Number.isInteger(fargateWeight) || fargateWeight < 0 || fargateWeight > 100)
    throw new RangeError(`fargate weight must be a whole percent 0..100, got ${fargateWeight}`);
  await client.send(
    new ModifyListenerCommand({
      ListenerArn: l.listenerArn,
      DefaultActions: [
        {
          Type: "forward",
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: l.lambdaTargetGroupArn, Weight: 100 - fargateWeight },
              { TargetGroupArn: l.ecsTargetGroupArn, Weight: fargateWeight },
            ],
            TargetGroupStickinessConfig: { Enabled: false },
          },
        },
      ],
    }),
  );
}
