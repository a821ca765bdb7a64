import { Construct } from "constructs";
import { Fn } from "cdktf";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { only } from "../conditional";
import { fargateSizeProblem } from "./fargate-size";
import { TaskRoles } from "./task-roles";

/** The tier's log group: created by the bootstrap stack and kept across tiers, so the fargate stack only names it. */
export const tierLogGroupName = (service: string): string => `/ecs/${service}`;

export interface FargateServiceProps {
  readonly name: string;
  readonly region: string;
  /** The account the tasks run in (caller identity). */
  readonly accountId: string;
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly albSecurityGroupId: string;
  readonly targetGroupArn: string;
  /** `<alb arn suffix>/<target group arn suffix>`, the label of ALBRequestCountPerTarget. */
  readonly requestCountLabel: string;
  /** The HTTPS listener; the service waits for it so the target group is attached first. */
  readonly listener: LbListener;
  /** Image to run, by digest (`<repository url>@sha256:...`). */
  readonly imageUri: string;
  readonly imageRepositoryArn: string;
  readonly tableName: string;
  readonly tableArn: string;
  /** What `/stack-status` reports as the running version (the image digest). */
  readonly version: string;
  /** CPU units (1024 = 1 vCPU) and memory of a task. */
  readonly cpu: number;
  readonly memoryMb: number;
  readonly containerPort: number;
  /** Terraform expressions for the task count bounds (the tier variables). */
  readonly minTasks: number;
  readonly maxTasks: number;
  /** ALB requests per target per minute that target tracking holds. */
  readonly targetRequestsPerTaskPerMinute: number;
  /** The container's awslogs group, which exists before the tier (see tierLogGroupName). */
  readonly logGroupName: string;
  /** Terraform count: 1 while the tier exists. */
  readonly count: number;
  /** The app's own variables (`app.environment`); names the container already sets are refused. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * The Fargate tier: cluster, task definition from the same image (ARM64),
 * a service with the deployment circuit breaker, and target tracking on
 * requests per target between the tier's minimum and maximum.
 */
export class FargateService extends Construct {
  public readonly clusterName: string;
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    if (props.targetRequestsPerTaskPerMinute <= 0) {
      throw new Error(`FargateService ${id}: targetRequestsPerTaskPerMinute must be > 0, got ${props.targetRequestsPerTaskPerMinute}`);
    }
    const size = fargateSizeProblem(props.cpu, props.memoryMb);
    if (size) throw new Error(`FargateService ${id}: ${size}; change fargate.cpu or fargate.memoryMb`);
    const own = [
      { name: "LAMBDAFLEX_STORE", value: "dynamodb" },
      { name: "TABLE_NAME", value: props.tableName },
      { name: "LAMBDAFLEX_TIER", value: "fargate" },
      { name: "LAMBDAFLEX_VERSION", value: props.version },
      { name: "PORT", value: String(props.containerPort) },
    ];
    const clash = Object.keys(props.environment ?? {}).filter((name) => own.some((v) => v.name === name));
    if (clash.length > 0) throw new Error(`FargateService ${id}: environment must not set ${clash.join(", ")}, which the container sets itself`);
    const count = props.count;
    // The log group is the bootstrap stack's (kept across tiers, so the last tier's logs outlive it).
    const roles = new TaskRoles(this, "roles", {
      name: props.name,
      region: props.region,
      accountId: props.accountId,
      imageRepositoryArn: props.imageRepositoryArn,
      logGroupName: props.logGroupName,
      tableArn: props.tableArn,
      count,
    });

    const sg = new SecurityGroup(this, "sg", {
      name: `${props.name}-tasks`,
      description: "Tasks: only the ALB may connect",
      vpcId: props.vpcId,
      ingress: [{ description: "From the ALB only", protocol: "tcp", fromPort: props.containerPort, toPort: props.containerPort, securityGroups: [props.albSecurityGroupId] }],
      egress: [{ description: "HTTPS to AWS APIs (DynamoDB, ECR, CloudWatch Logs)", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
      count,
    });

    const cluster = new EcsCluster(this, "cluster", { name: props.name, setting: [{ name: "containerInsights", value: "disabled" }], count });
    const definition = new EcsTaskDefinition(this, "task", {
      family: props.name,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: String(props.cpu),
      memory: String(props.memoryMb),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
      executionRoleArn: roles.executionRoleArn,
      taskRoleArn: roles.taskRoleArn,
      containerDefinitions: Fn.jsonencode([
        {
          name: "app",
          image: props.imageUri,
          essential: true,
          user: "10001",
          readonlyRootFilesystem: true,
          portMappings: [{ containerPort: props.containerPort, protocol: "tcp" }],
          environment: [...own, ...Object.entries(props.environment ?? {}).map(([name, value]) => ({ name, value }))],
          // No container healthCheck: it would run a command inside the image, and a brought-in image
          // may have neither curl nor node. ECS replaces the tasks the ALB's check marks unhealthy.
          // ECS sends SIGTERM, waits stopTimeout, then SIGKILL; the server drains within 20 s.
          stopTimeout: 30,
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": props.logGroupName, "awslogs-region": props.region, "awslogs-stream-prefix": "app" },
          },
        },
      ]),
      count,
    });
    const service = new EcsService(this, "service", {
      name: props.name,
      cluster: only(cluster, "arn"),
      taskDefinition: only(definition, "arn"),
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
      loadBalancer: [{ targetGroupArn: props.targetGroupArn, containerName: "app", containerPort: props.containerPort }],
      // Autoscaling owns the running count once the service exists.
      lifecycle: { ignoreChanges: ["desired_count"] },
      // The listener first, so the target group is attached. The roles' policies too: on destroy
      // the service and its draining tasks go before the permissions they pull and log with.
      dependsOn: [props.listener, ...roles.policies],
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
      name: `${props.name}-requests-per-target`,
      policyType: "TargetTrackingScaling",
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: only(target, "resource_id"),
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.targetRequestsPerTaskPerMinute,
        predefinedMetricSpecification: { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel: props.requestCountLabel },
        scaleOutCooldown: 60,
        // Slow scale-in: the scaler, not autoscaling, decides when the tier goes away.
        scaleInCooldown: 300,
      },
      count,
    });
  }
}
