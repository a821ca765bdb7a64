import { Construct } from "constructs";
import { Fn } from "cdktf";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { fargateSizeProblem } from "../fargate/fargate-size";

export interface TierTaskDefinitionProps {
  /** Task definition family (`<service>`): the only one the fargate apply role may run. */
  readonly family: string;
  readonly region: string;
  /** Image to run, by digest (`<repository url>@sha256:...`): the released one. */
  readonly imageUri: string;
  /** What `/stack-status` reports as the running version (the image digest). */
  readonly version: string;
  readonly tableName: string;
  /** CPU units (1024 = 1 vCPU) and memory of a task, from the validated configuration. */
  readonly cpu: number;
  readonly memoryMb: number;
  readonly containerPort: number;
  /** The container's awslogs group, the bootstrap stack's (kept across tiers). */
  readonly logGroupName: string;
  /** ARNs of the bootstrap stack's task role and execution role. */
  readonly taskRoleArn: string;
  readonly executionRoleArn: string;
  /** The app's own variables (`app.environment`); names the container already sets are refused. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * The Fargate tier's task definition (ARM64), registered by the core stack
 * rather than the fargate stack: core's apply is confirmed by a human and
 * runs only the released digest (`image_digest`), while fargate's applies
 * whatever a commit under `deploy/fargate/` says, unattended. The fargate
 * stack's ECS service runs this revision (a cross-stack reference), and the
 * fargate apply role may create or update the service only with a revision of
 * this family. It costs nothing while the tier is off.
 *
 * A release replaces the revision (create before destroy) and deregisters the
 * old one, which becomes INACTIVE: "Existing tasks and services that
 * reference an INACTIVE task definition revision continue to run without
 * disruption", and such services "can still scale up or down by modifying the
 * service's desired count", but no new service or update may use it (ECS
 * developer guide, "Deregistering an Amazon ECS task definition revision").
 * So a running tier keeps serving and scaling until the fargate workspace,
 * queued by its run trigger on core's apply, moves it to the new revision; and
 * once ECS applies the deregistration (it may take up to 10 minutes), no
 * commit can start an older release. Hence no `skip_destroy`.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deregister-task-definition-v2.html
 */
export class TierTaskDefinition extends Construct {
  public readonly definition: EcsTaskDefinition;

  constructor(scope: Construct, id: string, props: TierTaskDefinitionProps) {
    super(scope, id);
    const size = fargateSizeProblem(props.cpu, props.memoryMb);
    if (size) throw new Error(`TierTaskDefinition ${id}: ${size}; change fargate.cpu or fargate.memoryMb`);
    const own = [
      { name: "LAMBDAFLEX_STORE", value: "dynamodb" },
      { name: "TABLE_NAME", value: props.tableName },
      { name: "LAMBDAFLEX_TIER", value: "fargate" },
      { name: "LAMBDAFLEX_VERSION", value: props.version },
      { name: "PORT", value: String(props.containerPort) },
    ];
    const clash = Object.keys(props.environment ?? {}).filter((name) => own.some((v) => v.name === name));
    if (clash.length > 0)
      throw new Error(
        `TierTaskDefinition ${id}: environment must not set ${clash.join(", ")}, which the container sets itself`,
      );
    this.definition = new EcsTaskDefinition(this, "task", {
      family: props.family,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: String(props.cpu),
      memory: String(props.memoryMb),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: props.taskRoleArn,
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
            options: {
              "awslogs-group": props.logGroupName,
              "awslogs-region": props.region,
              "awslogs-stream-prefix": "app",
            },
          },
        },
      ]),
      // The new revision exists before the old one is deregistered, so a failed release never leaves
      // the family without an ACTIVE revision for the next tier to start from.
      lifecycle: { createBeforeDestroy: true },
    });
  }
}
