/**
 * Every AWS name the stacks build from `service`, with the limit AWS puts on
 * that name. The names themselves are model/names.ts's, read here with
 * `<service>` for the service name; this file adds only the limits. The
 * schema allows a service name only as long as the tightest of them leaves
 * room for; a new name goes in the table and here, and
 * __tests__/config/derived-names.test.ts fails on a synthesized name that is
 * missing.
 */
import { functionLogGroupName, runRolePolicyName, serviceNames } from "../model/names";

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

const name = (template: string, limit: number, service: string, kind: string): DerivedName => ({
  template,
  limit,
  service,
  kind,
});

/** The parts each workspace's run roles' policies are split into (stacks/bootstrap/*-permissions.ts); plan and apply alike. */
const RUN_ROLE_PARTS = {
  core: ["functions", "api", "data-and-alerts", "task-definition"],
  fargate: ["network", "load-balancing", "containers", "dns-and-alarms"],
} as const;

/** The name table with `<service>` in place of the service name: each name is written once, there. */
const n = serviceNames(SERVICE);
const t = n.tier;

export const DERIVED_NAMES: readonly DerivedName[] = [
  // Fargate stack. ELBv2 names: at most 32 characters (CreateLoadBalancer, CreateTargetGroup).
  name(t.lambdaTargetGroup, 32, "Elastic Load Balancing", "target group name"),
  name(t.targetGroup, 32, "Elastic Load Balancing", "target group name"),
  name(t.alb, 32, "Elastic Load Balancing", "load balancer name"),
  name(t.alb, 255, "EC2", "security group name"),
  name(t.tasksSecurityGroup, 255, "EC2", "security group name"),
  // The cluster and service (fargate), the task definition family (core).
  name(t.cluster, 255, "ECS", "cluster, service and task definition family name"),
  name(t.scalingPolicy, 256, "Application Auto Scaling", "scaling policy name"),
  name(t.lowDemandAlarm, 255, "CloudWatch", "alarm name"),
  name(t.overloadAlarm, 255, "CloudWatch", "alarm name"),
  name(t.scalerMinuteRule, 64, "EventBridge", "rule name"),
  // Core stack.
  name(n.table, 255, "DynamoDB", "table name"),
  name(n.apiFunction, 64, "Lambda", "function name"),
  name(functionLogGroupName(n.apiFunction), 512, "CloudWatch Logs", "log group name"),
  name(n.httpApiLogGroup, 512, "CloudWatch Logs", "log group name"),
  name(n.alertTopic, 256, "SNS", "topic name"),
  name(n.scalerFunction, 64, "Lambda", "function name"),
  name(functionLogGroupName(n.scalerFunction), 512, "CloudWatch Logs", "log group name"),
  name(n.heartbeatRule, 64, "EventBridge", "rule name"),
  name(n.wakeDemandAlarm, 255, "CloudWatch", "alarm name"),
  name(n.wakeThrottlesAlarm, 255, "CloudWatch", "alarm name"),
  name(n.httpApi, 128, "API Gateway", "API name"),
  name(n.scheduleGroup, 64, "EventBridge Scheduler", "schedule group name"),
  name(n.dashboard, 255, "CloudWatch", "dashboard name"),
  // Bootstrap stack: the image repository, the tier's log group, the roles the service runs with,
  // the tasks' boundary, and a plan and an apply role per workspace with their customer-managed policies.
  name(n.repository, 256, "ECR", "repository name"),
  name(n.tierLogGroup, 512, "CloudWatch Logs", "log group name"),
  ...Object.values(n.roles).map((role) => name(role, 64, "IAM", "role name")),
  name(n.taskBoundary, 128, "IAM", "policy name"),
  ...(["core", "fargate"] as const).flatMap((stack) =>
    (["plan", "apply"] as const).flatMap((phase) => [
      name(n.runRole(stack, phase), 64, "IAM", "role name"),
      ...RUN_ROLE_PARTS[stack].map((part) =>
        name(runRolePolicyName(n.runRole(stack, phase), part), 128, "IAM", "policy name"),
      ),
    ]),
  ),
];

/** How many characters a service name may have so that `d` still fits. */
export const roomFor = (d: DerivedName): number => d.limit - (d.template.length - SERVICE.length);

/** The derived name that leaves a service name the least room (the first, on a tie). */
export const TIGHTEST_DERIVED_NAME: DerivedName = DERIVED_NAMES.reduce((tightest, d) =>
  roomFor(d) < roomFor(tightest) ? d : tightest,
);

/** The longest service name every derived name has room for. */
export const MAX_SERVICE_LENGTH = roomFor(TIGHTEST_DERIVED_NAME);

/** Why `service` is too long for a derived name, or undefined when every one fits. */
export function serviceLengthProblem(service: string): string | undefined {
  if (service.length <= MAX_SERVICE_LENGTH) return undefined;
  const d = TIGHTEST_DERIVED_NAME;
  return `service ${JSON.stringify(service)} is ${service.length} characters; at most ${MAX_SERVICE_LENGTH}, because "${d.template}" must fit ${d.service}'s ${d.limit}-character ${d.kind} limit`;
}
