import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { DeploymentConfig } from "../config/schema";
import { configureBackend } from "./backend";
import { WeightedAliasRecord } from "./alias-record";
import type { CoreStack } from "./core-stack";
import { FargateService } from "./fargate/fargate-service";
import { LambdaTarget } from "./fargate/lambda-target";
import { LoadBalancer } from "./fargate/load-balancer";
import { LowDemandAlarm } from "./fargate/low-demand-alarm";
import { OverloadAlarm } from "./fargate/overload-alarm";
import { Network } from "./fargate/network";
import { FARGATE_RECORD_EVALUATES_TARGET_HEALTH } from "./fargate/record-health";
import { ScalerMinute } from "./fargate/scaler-minute";
import { TierVariables } from "./fargate/tier-variables";
import { defaultTags } from "./tags";
import { breakEvenRps, workloadFrom } from "../model/cost-model";
import { serviceNames } from "../model/names";

/** Minutes below break-even before the low-demand alarm wakes the scaler; the policy then weighs the money. */
export const LOW_DEMAND_MINUTES = 5;

export interface FargateStackProps {
  readonly config: DeploymentConfig;
  /** Certificate, task definition and functions come from here as cross-stack references; the zone id is configuration. */
  readonly core: CoreStack;
}

/**
 * The toggleable stack. `fargate_tier` (from the committed toggle file)
 * decides what exists: nothing when off; network, ALB and service when
 * warming, serving or draining, with the rule that runs the scaler every
 * minute while warming or draining. With `fargate.switch` "weighted" the ALB
 * also fronts the service Lambda (all weight on it at creation; the scaler
 * owns the weights) and the weight-100 "fargate" record exists in warming and
 * serving; with "dns" the ALB forwards to the tasks only and the record
 * exists only when serving. The service runs core's task definition (family
 * `<service>`, the released digest), read from core's state: this stack
 * declares no image and no role, so a commit here cannot choose either.
 */
export class FargateStack extends TerraformStack {
  public readonly tier: TierVariables;

  constructor(scope: Construct, id: string, props: FargateStackProps) {
    super(scope, id);
    const c = props.config;
    const core = props.core;
    new AwsProvider(this, "aws", { region: c.region, defaultTags: [{ tags: defaultTags(c.service, id) }] });
    configureBackend(this, c, c.terraformCloud.fargateWorkspace, id);

    const names = serviceNames(c.service);
    const weighted = c.fargate.switch === "weighted";
    this.tier = new TierVariables(this, "tier", {
      minTasks: c.fargate.minTasks,
      maxTasks: c.fargate.maxTasks,
      switch: c.fargate.switch,
    });
    const count = this.tier.enabledCount;
    const network = new Network(this, "network", { name: c.service, count });
    // Weighted switch: the ALB fronts the same function API Gateway invokes, beside the tasks.
    const lambdaTarget = weighted
      ? new LambdaTarget(this, "lambda-target", {
          targetGroupName: names.tier.lambdaTargetGroup,
          function: core.service.function,
          functionTimeoutSeconds: c.lambda.timeoutSeconds,
          healthCheckPath: c.app.healthPath,
          count,
        })
      : undefined;
    const lb = new LoadBalancer(this, "lb", {
      names: names.tier,
      vpcId: network.vpcId,
      vpcCidr: network.cidr,
      subnetIds: network.subnetIds,
      publicRouting: network.publicRouting,
      certificateArn: core.certificate.certificateArn,
      targetPort: c.fargate.containerPort,
      deregistrationDelaySeconds: c.scaling.deregistrationDelaySeconds,
      healthCheckPath: c.app.healthPath,
      lambdaTargetGroupArn: lambdaTarget?.targetGroupArn,
      count,
    });
    new FargateService(this, "service", {
      names: names.tier,
      vpcId: network.vpcId,
      subnetIds: network.subnetIds,
      albSecurityGroupId: lb.securityGroupId,
      targetGroupArn: lb.targetGroupArn,
      requestCountLabel: `${lb.arnSuffix}/${lb.targetGroupArnSuffix}`,
      listener: lb.https,
      taskDefinitionArn: core.tierTask.definition.arn,
      containerPort: c.fargate.containerPort,
      minTasks: this.tier.minTasks.numberValue,
      maxTasks: this.tier.maxTasks.numberValue,
      targetRequestsPerTaskPerMinute: Math.round(c.fargate.requestsPerTaskPerSecond * 60 * c.fargate.targetUtilization),
      count,
    });
    new WeightedAliasRecord(this, "fargate-record", {
      // A plain string from the configuration, not a reference into core's state.
      zoneId: core.hostedZoneId,
      domain: c.domain,
      setIdentifier: "fargate",
      weight: 100,
      targetDnsName: lb.dnsName,
      targetZoneId: lb.zoneId,
      evaluateTargetHealth: FARGATE_RECORD_EVALUATES_TARGET_HEALTH[c.fargate.switch],
      count: this.tier.recordCount,
    });
    new LowDemandAlarm(this, "low-demand", {
      name: names.tier.lowDemandAlarm,
      albArnSuffix: lb.arnSuffix,
      // Above break-even Fargate is the cheaper tier and the policy cannot drain it, so the scaler sleeps while serving.
      lowDemandPerMinute: Math.round(breakEvenRps(workloadFrom(c)) * 60),
      minutes: LOW_DEMAND_MINUTES,
      scalerArn: core.scaler.function.arn,
      count,
    });
    // Serving at weight 100, overload would otherwise wait for the heartbeat: wake the scaler to spill to Lambda.
    new OverloadAlarm(this, "overload", {
      name: names.tier.overloadAlarm,
      albArnSuffix: lb.arnSuffix,
      targetGroupArnSuffix: lb.targetGroupArnSuffix,
      capacityPerTaskPerMinute: c.fargate.requestsPerTaskPerSecond * 60,
      scalerArn: core.scaler.function.arn,
      count,
    });
    // Every minute only while the tier changes; serving, the low-demand and overload alarms and the heartbeat wake the scaler.
    new ScalerMinute(this, "scaler-minute", {
      name: names.tier.scalerMinuteRule,
      scaler: core.scaler.function,
      count: this.tier.changingCount,
    });
    new TerraformOutput(this, "fargate_tier", { value: this.tier.tier.stringValue });
  }
}
