import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";

/**
 * The metric dimension values of the tier's current ALB and target group
 * (ARN suffixes: `app/<name>/<id>`, `targetgroup/<name>/<id>`); undefined when absent.
 */
export interface LoadBalancerDimensions {
  readonly loadBalancer?: string;
  /** The ALB's ARN, for DescribeListeners. */
  readonly loadBalancerArn?: string;
  readonly targetGroup?: string;
  /** The target group's ARN, for DescribeTargetHealth. */
  readonly targetGroupArn?: string;
}

// ELBv2 answers a name it does not know with these errors (wire codes LoadBalancerNotFound / TargetGroupNotFound):
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeLoadBalancers.html
const isNotFound = (err: unknown, name: string): boolean => (err as { name?: unknown } | null)?.name === name;

/** `arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>` -> `app/<name>/<id>`. */
const loadBalancerDimension = (arn: string): string =>
  arn.slice(arn.indexOf(":loadbalancer/") + ":loadbalancer/".length);
/** `arn:...:targetgroup/<name>/<id>` -> `targetgroup/<name>/<id>`. */
const targetGroupDimension = (arn: string): string => arn.slice(arn.lastIndexOf(":") + 1);

async function absentOn<T>(name: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isNotFound(err, name)) return undefined;
    throw err;
  }
}

/**
 * Finds the tier's ALB and target group by name. Their ids change every time
 * Terraform re-creates the tier, so the scaler asks each run instead of
 * searching metrics by name (a name search also matches longer names and the
 * series of an earlier ALB of the same name). Not-found means absent; any
 * other error propagates.
 */
export async function readLoadBalancerDimensions(
  client: ElasticLoadBalancingV2Client,
  albName: string,
  targetGroupName: string,
): Promise<LoadBalancerDimensions> {
  const [lbArn, tgArn] = await Promise.all([
    absentOn(
      "LoadBalancerNotFoundException",
      async () =>
        (await client.send(new DescribeLoadBalancersCommand({ Names: [albName] }))).LoadBalancers?.[0]?.LoadBalancerArn,
    ),
    absentOn(
      "TargetGroupNotFoundException",
      async () =>
        (await client.send(new DescribeTargetGroupsCommand({ Names: [targetGroupName] }))).TargetGroups?.[0]
          ?.TargetGroupArn,
    ),
  ]);
  return {
    ...(lbArn ? { loadBalancer: loadBalancerDimension(lbArn), loadBalancerArn: lbArn } : {}),
    ...(tgArn ? { targetGroup: targetGroupDimension(tgArn), targetGroupArn: tgArn } : {}),
  };
}

/**
 * Targets the target group reports healthy right now. DescribeTargetHealth is
 * free and has no publication lag, unlike HealthyHostCount in CloudWatch, so
 * the switch to Fargate waits minutes less; the health is the ALB's own check.
 */
export async function countHealthyTargets(
  client: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
): Promise<number> {
  const out = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  return (out.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === "healthy").length;
}
