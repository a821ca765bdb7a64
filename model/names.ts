/**
 * Names two stacks must agree on without a reference between them. The
 * bootstrap stack creates the roles and the tier's log group, and core and
 * fargate name them (so no run of theirs reads IAM); core creates the table,
 * topic, functions and log groups, and the bootstrap's role policies name them
 * (bootstrap is applied first, from a laptop, and never reads core's state).
 */

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

/** Every name of the one service. */
export interface ServiceNames {
  readonly apiFunction: string;
  readonly scalerFunction: string;
  readonly table: string;
  readonly alertTopic: string;
  /** The schedule group the scaler re-arms itself in. */
  readonly scheduleGroup: string;
  /** The Fargate task definition family (core registers it, fargate runs it). */
  readonly taskFamily: string;
  /** The tier's log group: the bootstrap stack's, kept across tiers. */
  readonly tierLogGroup: string;
  readonly roles: ServiceRoleNames;
}

export function serviceNames(service: string): ServiceNames {
  return {
    apiFunction: `${service}-api`,
    scalerFunction: `${service}-scaler`,
    table: `${service}-links`,
    alertTopic: `${service}-alerts`,
    scheduleGroup: `${service}-scaler`,
    taskFamily: service,
    tierLogGroup: tierLogGroupName(service),
    roles: {
      api: `${service}-api-role`,
      scaler: `${service}-scaler-role`,
      scheduler: `${service}-scheduler`,
      task: `${service}-task`,
      taskExecution: `${service}-task-execution`,
    },
  };
}

/** The tier's log group: created by the bootstrap stack and kept across tiers, so the last tier's logs outlive it. */
export const tierLogGroupName = (service: string): string => `/ecs/${service}`;

/** The log group Lambda writes a function's logs to. */
export const functionLogGroupName = (functionName: string): string => `/aws/lambda/${functionName}`;

/** A role's ARN from its name (account id may be a cdktf token). */
export const roleArn = (accountId: string, name: string): string => `arn:aws:iam::${accountId}:role/${name}`;
