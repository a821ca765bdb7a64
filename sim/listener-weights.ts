/**
 * The listener weight of a strategy that stands in for the serving scaler (the
 * always-on baseline, the same-world optimum): it reads and writes the listener
 * as the production scaler does (DescribeLoadBalancers, DescribeTargetHealth,
 * DescribeListeners, then ModifyListener only when the weight changes), through
 * the production adapters, against the ELB emulator. The rule is the caller's,
 * built from the policy's own functions (capacityShare, nextCanaryStep).
 */
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { readListener, setFargateWeight } from "../scaler/adapters/listener";
import { countHealthyTargets, readLoadBalancerDimensions } from "../scaler/adapters/load-balancers";
import type { AwsNames } from "./world/aws";

/** Sets the tasks' share to `want(healthy targets now, weight now)`; undefined while the tier has no ALB or listener. */
export async function setListenerWeight(
  client: ElasticLoadBalancingV2Client,
  names: Pick<AwsNames, "albName" | "targetGroupName" | "lambdaTargetGroupName">,
  want: (healthy: number, weightNow: number) => number,
): Promise<number | undefined> {
  const lb = await readLoadBalancerDimensions(client, names.albName, names.targetGroupName);
  if (!lb.loadBalancerArn || !lb.targetGroupArn) return undefined;
  const [healthy, listener] = await Promise.all([
    countHealthyTargets(client, lb.targetGroupArn),
    readListener(client, lb.loadBalancerArn, names.lambdaTargetGroupName),
  ]);
  if (!listener) return undefined;
  const weight = want(healthy, listener.fargateWeight);
  if (weight !== listener.fargateWeight) await setFargateWeight(client, listener, weight);
  return weight;
}
