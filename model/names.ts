/**
 * The one table of names built from the service name. Stacks that must agree
 * without a reference between them read it here: the bootstrap stack creates
 * the roles and the tier's log group, and core and fargate name them (so no
 * run of theirs reads IAM); core creates the table, topic, functions and log
 * groups, and the bootstrap's role policies name them (bootstrap is applied
 * first, from a laptop, and never reads core's state). The run roles' IAM
 * scopes are built from the same entries, so a renamed resource moves its
 * permission with it. config/derived-names.ts puts AWS's length limits on
 * these entries.
 */

/** The stacks HCP Terraform workspaces run. */
export type RunStack = "core" | "fargate";

/** The phase of a workspace's run a role is trusted for. */
export type RunPhase = "plan" | "apply";

/** The roles the service runs with: created once by the bootstrap stack, passed by core's apply. */
export interface ServiceRoleNames {
  /** The service function's role (`<service>-api-role`). */
  readonly api: string;
  /** The scaler function's role (`<service>-scaler-role`). */
  readonly scaler: string;
  /** The role EventBridge Scheduler invokes the scaler with (`<service>-scheduler`); the scaler passes it. */
  readonly scheduler: string;
  /** The Fargate tasks' role: the service's code (`<service>-task`). */
  readonly task: string;
  /** The role ECS pulls the image and writes the tasks' logs with (`<service>-task-execution`). */
  readonly taskExecution: string;
}

/** The names of the Fargate tier (the fargate stack), all gone while the tier is off. */
export interface TierNames {
  /** The load balancer and its security group (`<service>-alb`). */
  readonly alb: string;
  /** The tasks' target group (`<service>-tg`). */
  readonly targetGroup: string;
  /** The service function's target group, weighted switch (`<service>-lambda-tg`). */
  readonly lambdaTargetGroup: string;
  /** The tasks' security group (`<service>-tasks`). */
  readonly tasksSecurityGroup: string;
  /** The ECS cluster (`<service>`). */
  readonly cluster: string;
  /** The ECS service in that cluster (`<service>`). */
  readonly ecsService: string;
  /** The target-tracking scaling policy (`<service>-requests-per-target`). */
  readonly scalingPolicy: string;
  /** Every tier alarm starts with it (`<service>-fargate-`), apart from core's wake alarms. */
  readonly alarmPrefix: string;
  /** Demand below break-even while the tier serves (`<service>-fargate-low-demand`). */
  readonly lowDemandAlarm: string;
  /** More requests per healthy task than a task carries (`<service>-fargate-overload`). */
  readonly overloadAlarm: string;
  /** The rule that runs the scaler every minute while the tier changes (`<service>-scaler-minute`). */
  readonly scalerMinuteRule: string;
}

/** Every name of the one service. */
export interface ServiceNames {
  /** `<service>-`: the names below that are more than the bare service name start with it. */
  readonly prefix: string;
  readonly apiFunction: string;
  readonly scalerFunction: string;
  /** The HTTP API, named like the service function. */
  readonly httpApi: string;
  /** API Gateway's access log group. */
  readonly httpApiLogGroup: string;
  readonly table: string;
  readonly alertTopic: string;
  /** The schedule group the scaler re-arms itself in. */
  readonly scheduleGroup: string;
  /** The scaler's hourly rule. */
  readonly heartbeatRule: string;
  /** Core's alarms that wake the scaler while the tier is off. */
  readonly wakeDemandAlarm: string;
  readonly wakeThrottlesAlarm: string;
  /** The optional dashboard. */
  readonly dashboard: string;
  /** The Fargate task definition family (core registers it, fargate runs it). */
  readonly taskFamily: string;
  /** The image repository (bootstrap creates it, core reads it by name). */
  readonly repository: string;
  /** The tier's log group: the bootstrap stack's, kept across tiers. */
  readonly tierLogGroup: string;
  /** The permissions boundary every task role carries. */
  readonly taskBoundary: string;
  readonly roles: ServiceRoleNames;
  readonly tier: TierNames;
  /** A workspace's run role for one phase (`<service>-tfc-<stack>-<phase>`). */
  runRole(stack: RunStack, phase: RunPhase): string;
}

export function serviceNames(service: string): ServiceNames {
  const prefix = `${service}-`;
  const apiFunction = `${prefix}api`;
  const scalerFunction = `${prefix}scaler`;
  const alarmPrefix = `${prefix}fargate-`;
  return {
    prefix,
    apiFunction,
    scalerFunction,
    httpApi: apiFunction,
    httpApiLogGroup: httpApiLogGroupName(apiFunction),
    table: `${prefix}links`,
    alertTopic: `${prefix}alerts`,
    scheduleGroup: scalerFunction,
    heartbeatRule: `${scalerFunction}-heartbeat`,
    wakeDemandAlarm: `${prefix}wake-demand`,
    wakeThrottlesAlarm: `${prefix}wake-throttles`,
    dashboard: service,
    taskFamily: service,
    repository: service,
    tierLogGroup: tierLogGroupName(service),
    taskBoundary: `${prefix}task-boundary`,
    roles: {
      api: `${apiFunction}-role`,
      scaler: `${scalerFunction}-role`,
      scheduler: `${prefix}scheduler`,
      task: `${prefix}task`,
      taskExecution: `${prefix}task-execution`,
    },
    tier: {
      alb: `${prefix}alb`,
      targetGroup: `${prefix}tg`,
      lambdaTargetGroup: `${prefix}lambda-tg`,
      tasksSecurityGroup: `${prefix}tasks`,
      cluster: service,
      ecsService: service,
      scalingPolicy: `${prefix}requests-per-target`,
      alarmPrefix,
      lowDemandAlarm: `${alarmPrefix}low-demand`,
      overloadAlarm: `${alarmPrefix}overload`,
      scalerMinuteRule: `${scalerFunction}-minute`,
    },
    runRole: (stack, phase) => `${prefix}tfc-${stack}-${phase}`,
  };
}

/** The alarms whose Lambda action wakes the scaler: core's while the tier is off, the tier's while it exists. */
export const wakeAlarms = (n: ServiceNames): string[] => [
  n.wakeDemandAlarm,
  n.wakeThrottlesAlarm,
  n.tier.lowDemandAlarm,
  n.tier.overloadAlarm,
];

/** The customer-managed policy a run role's part is written to. */
export const runRolePolicyName = (roleName: string, part: string): string => `${roleName}-${part}`;

/** The tier's log group: created by the bootstrap stack and kept across tiers, so the last tier's logs outlive it. */
export const tierLogGroupName = (service: string): string => `/ecs/${service}`;

/** The log group Lambda writes a function's logs to. */
export const functionLogGroupName = (functionName: string): string => `/aws/lambda/${functionName}`;

/** The log group an HTTP API's access logs go to. */
export const httpApiLogGroupName = (apiName: string): string => `/aws/apigateway/${apiName}`;

/** A role's ARN from its name (account id may be a cdktf token). */
export const roleArn = (accountId: string, name: string): string => `arn:aws:iam::${accountId}:role/${name}`;
