/**
 * Every AWS name the stacks build from `service`, with the limit AWS puts on
 * that name. The schema allows a service name only as long as the tightest
 * of them leaves room for; a new or renamed name goes here, and
 * __tests__/config/derived-names.test.ts fails on a synthesized name that is
 * missing from the table.
 */

/** Stands for the configured `service` in a template. */
export const SERVICE = "<service>";

export interface DerivedName {
  /** The name, with `<service>` where the service name goes. */
  readonly template: string;
  /** The most characters AWS accepts for this name. */
  readonly limit: number;
  /** The AWS service that sets the limit, as in "Elastic Load Balancing's". */
  readonly service: string;
  /** What kind of name it is, as in "target group name". */
  readonly kind: string;
}

const name = (template: string, limit: number, service: string, kind: string): DerivedName => ({ template, limit, service, kind });

/** The parts each workspace's run roles' policies are split into (stacks/bootstrap/*-permissions.ts); plan and apply alike. */
const RUN_ROLE_PARTS = {
  core: ["functions", "api", "data-and-alerts", "task-definition"],
  fargate: ["network", "load-balancing", "containers", "dns-and-alarms"],
} as const;

export const DERIVED_NAMES: readonly DerivedName[] = [
  // Fargate stack. ELBv2 names: at most 32 characters (CreateLoadBalancer, CreateTargetGroup).
  name("<service>-lambda-tg", 32, "Elastic Load Balancing", "target group name"),
  name("<service>-tg", 32, "Elastic Load Balancing", "target group name"),
  name("<service>-alb", 32, "Elastic Load Balancing", "load balancer name"),
  name("<service>-alb", 255, "EC2", "security group name"),
  name("<service>-tasks", 255, "EC2", "security group name"),
  // The cluster and service (fargate), the task definition family (core).
  name("<service>", 255, "ECS", "cluster, service and task definition family name"),
  name("<service>-requests-per-target", 256, "Application Auto Scaling", "scaling policy name"),
  name("<service>-fargate-low-demand", 255, "CloudWatch", "alarm name"),
  name("<service>-fargate-overload", 255, "CloudWatch", "alarm name"),
  name("<service>-scaler-minute", 64, "EventBridge", "rule name"),
  // Core stack.
  name("<service>-links", 255, "DynamoDB", "table name"),
  name("<service>-api", 64, "Lambda", "function name"),
  name("/aws/lambda/<service>-api", 512, "CloudWatch Logs", "log group name"),
  name("/aws/apigateway/<service>-api", 512, "CloudWatch Logs", "log group name"),
  name("<service>-alerts", 256, "SNS", "topic name"),
  name("<service>-scaler", 64, "Lambda", "function name"),
  name("/aws/lambda/<service>-scaler", 512, "CloudWatch Logs", "log group name"),
  name("<service>-scaler-heartbeat", 64, "EventBridge", "rule name"),
  name("<service>-wake-demand", 255, "CloudWatch", "alarm name"),
  name("<service>-wake-throttles", 255, "CloudWatch", "alarm name"),
  // API Gateway's API is named like the function (128 there); the schedule group like the scaler.
  name("<service>-api", 128, "API Gateway", "API name"),
  name("<service>-scaler", 64, "EventBridge Scheduler", "schedule group name"),
  name("<service>", 255, "CloudWatch", "dashboard name"),
  // Bootstrap stack: the image repository, the tier's log group, the roles the service runs with,
  // the tasks' boundary, and a plan and an apply role per workspace with their customer-managed policies.
  name("<service>", 256, "ECR", "repository name"),
  name("/ecs/<service>", 512, "CloudWatch Logs", "log group name"),
  name("<service>-api-role", 64, "IAM", "role name"),
  name("<service>-scaler-role", 64, "IAM", "role name"),
  name("<service>-scheduler", 64, "IAM", "role name"),
  name("<service>-task", 64, "IAM", "role name"),
  name("<service>-task-execution", 64, "IAM", "role name"),
  name("<service>-task-boundary", 128, "IAM", "policy name"),
  ...(["core", "fargate"] as const).flatMap((stack) =>
    (["plan", "apply"] as const).flatMap((phase) => [
      name(`<service>-tfc-${stack}-${phase}`, 64, "IAM", "role name"),
      ...RUN_ROLE_PARTS[stack].map((part) => name(`<service>-tfc-${stack}-${phase}-${part}`, 128, "IAM", "policy name")),
    ]),
  ),
];

/** How many characters a service name may have so that `d` still fits. */
export const roomFor = (d: DerivedName): number => d.limit - (d.template.length - SERVICE.length);

/** The derived name that leaves a service name the least room (the first, on a tie). */
export const TIGHTEST_DERIVED_NAME: DerivedName = DERIVED_NAMES.reduce((tightest, d) => (roomFor(d) < roomFor(tightest) ? d : tightest));

/** The longest service name every derived name has room for. */
export const MAX_SERVICE_LENGTH = roomFor(TIGHTEST_DERIVED_NAME);

/** Why `service` is too long for a derived name, or undefined when every one fits. */
export function serviceLengthProblem(service: string): string | undefined {
  if (service.length <= MAX_SERVICE_LENGTH) return undefined;
  const d = TIGHTEST_DERIVED_NAME;
  return `service ${JSON.stringify(service)} is ${service.length} characters; at most ${MAX_SERVICE_LENGTH}, because "${d.template}" must fit ${d.service}'s ${d.limit}-character ${d.kind} limit`;
}
