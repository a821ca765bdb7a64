import { Construct } from "constructs";
import { Fn } from "cdktf";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import type { TierNames } from "../../model/names";
import { only } from "../conditional";

export interface FargateServiceProps {
  /** The tasks' security group, the cluster, the ECS service and its scaling policy, from the name table. */
  readonly names: Pick<TierNames, "tasksSecurityGroup" | "cluster" | "ecsService" | "scalingPolicy">;
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly albSecurityGroupId: string;
  readonly targetGroupArn: string;
  /** `<alb arn suffix>/<target group arn suffix>`, the label of ALBRequestCountPerTarget. */
  readonly requestCountLabel: string;
  /** The HTTPS listener; the service waits for it so the target group is attached first. */
  readonly listener: LbListener;
  /** The core stack's task definition revision (a cross-stack reference): the released image, its roles and size. */
  readonly taskDefinitionArn: string;
  /** The container's port (the task definition's port mapping). */
  readonly containerPort: number;
  /** Terraform expressions for the task count bounds (the tier variables). */
  readonly minTasks: number;
  readonly maxTasks: number;
  /** ALB requests per target per minute that target tracking holds. */
  readonly targetRequestsPerTaskPerMinute: number;
  /** Terraform count: 1 while the tier exists. */
  readonly count: number;
}

/**
 * The Fargate tier: cluster, a service running the core stack's task
 * definition (the released image, registered behind a human-confirmed apply,
 * stacks/core/tier-task-definition.ts) with the deployment circuit breaker,
 * and target tracking on requests per target between the tier's minimum and
 * maximum. Nothing here names an image or a role.
 */
export class FargateService extends Construct {
  public readonly clusterName: string;
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    if (props.targetRequestsPerTaskPerMinute <= 0) {
      throw new Error(
        `FargateService ${id}: targetRequestsPerTaskPerMinute must be > 0, got ${props.targetRequestsPerTaskPerMinute}`,
      );
    }
    const count = props.count;

    const sg = new SecurityGroup(this, "sg", {
      name: props.names.tasksSecurityGroup,
      description: "Tasks: only the ALB may connect",
      vpcId: props.vpcId,
      ingress: [
        {
          description: "From the ALB only",
          protocol: "tcp",
          fromPort: props.containerPort,
          toPort: props.containerPort,
          securityGroups: [props.albSecurityGroupId],
        },
      ],
      egress: [
        {
          description: "HTTPS to AWS APIs (DynamoDB, ECR, CloudWatch Logs)",
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrBlocks: ["0.0.0.0/0"],
        },
      ],
      count,
    });

    const cluster = new EcsCluster(this, "cluster", {
      name: props.names.cluster,
      setting: [{ name: "containerInsights", value: "disabled" }],
      count,
    });
    const service = new EcsService(this, "service", {
      name: props.names.ecsService,
      cluster: only(cluster, "arn"),
      taskDefinition: props.taskDefinitionArn,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      desiredCount: props.minTasks,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      healthCheckGracePeriodSeconds: 30,
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      networkConfiguration: { subnets: props.subnetIds, securityGroups: [only(sg, "id")], assignPublicIp: true },
      loadBalancer: [
        { targetGroupArn: props.targetGroupArn, containerName: "app", containerPort: props.containerPort },
      ],
      // Autoscaling owns the running count once the service exists.
      lifecycle: { ignoreChanges: ["desired_count"] },
      // The listener first, so the target group is attached.
      dependsOn: [props.listener],
      count,
    });
    this.clusterName = only(cluster, "name");
    this.serviceName = only(service, "name");

    const target = new AppautoscalingTarget(this, "scaling-target", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${this.clusterName}/${this.serviceName}`,
      minCapacity: props.minTasks,
      maxCapacity: Fn.max([props.minTasks, props.maxTasks]),
      count,
    });
    new AppautoscalingPolicy(this, "requests-per-target", {
      name: props.names.scalingPolicy,
      policyType: "TargetTrackingScaling",
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: only(target, "resource_id"),
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.targetRequestsPerTaskPerMinute,
        predefinedMetricSpecification: {
          predefinedMetricType: "ALBRequestCountPerTarget",
          resourceLabel: props.requestCountLabel,
        },
        scaleOutCooldown: 60,
        // Slow scale-in: the scaler, not autoscaling, decides when the tier goes away.
        scaleInCooldown: 300,
      },
      count,
    });
  }
}
