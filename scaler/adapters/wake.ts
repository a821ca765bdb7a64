import { DescribeAlarmsCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ConflictException, CreateScheduleCommand, type SchedulerClient } from "@aws-sdk/client-scheduler";

/** The `source` of the event a re-arm schedule sends; classifyEvent recognises it. */
export const REARM_SOURCE = "lambdaflex.rearm";

/** Where the re-arm schedules go and what they invoke (ScalerSettings.wake). */
export interface WakeTargets {
  readonly alarmNames: readonly string[];
  readonly scheduleGroup: string;
  readonly schedulerRoleArn: string;
  readonly scalerArn: string;
}

export interface WakeClients {
  readonly cloudwatch: CloudWatchClient;
  readonly scheduler: SchedulerClient;
}

export type RearmOutcome =
  | { readonly armed: false }
  | { readonly armed: true; readonly schedule: string; readonly at: string; readonly alarms: string[]; readonly alreadyArmed: boolean };

const pad = (n: number) => String(n).padStart(2, "0");

/** `yyyy-mm-ddThh:mm:ss` in UTC, the form EventBridge Scheduler's `at()` takes. */
export const atExpressionTime = (d: Date): string =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

/** One name per target minute, so scalers re-arming for the same minute collide instead of piling up. */
export const rearmScheduleName = (target: Date): string =>
  `rearm-${target.getUTCFullYear()}${pad(target.getUTCMonth() + 1)}${pad(target.getUTCDate())}${pad(target.getUTCHours())}${pad(target.getUTCMinutes())}`;

/** Names of the wake alarms that are in ALARM now. */
export async function alarmsInAlarm(client: CloudWatchClient, names: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await client.send(new DescribeAlarmsCommand({ AlarmNames: [...names], StateValue: "ALARM", NextToken: nextToken }));
    for (const a of out.MetricAlarms ?? []) if (a.AlarmName) found.push(a.AlarmName);
    nextToken = out.NextToken;
  } while (nextToken);
  return found;
}

/**
 * While the tier is off the scaler runs only on the hourly heartbeat and on
 * the wake alarms' actions, and an alarm acts only when its state changes. An
 * alarm that stays in ALARM while the policy has not decided yet (its window
 * is not full) would invoke nobody again, so the scaler schedules its own next
 * run one minute on: a one-time EventBridge Scheduler schedule that deletes
 * itself after it fires. A ConflictException means another invocation already
 * armed that minute.
 */
export async function rearmIfAlarming(c: WakeClients, t: WakeTargets, now: Date, follow?: string): Promise<RearmOutcome> {
  // `follow`: a tier change is on its way, so look again in a minute whatever the alarms say.
  const alarms = follow ? [] : await alarmsInAlarm(c.cloudwatch, t.alarmNames);
  if (alarms.length === 0 && !follow) return { armed: false };
  const target = new Date(Math.floor(now.getTime() / 1000) * 1000 + 60_000);
  const schedule = rearmScheduleName(target);
  const at = atExpressionTime(target);
  try {
    await c.scheduler.send(
      new CreateScheduleCommand({
        Name: schedule,
        GroupName: t.scheduleGroup,
        ScheduleExpression: `at(${at})`,
        ScheduleExpressionTimezone: "UTC",
        FlexibleTimeWindow: { Mode: "OFF" },
        ActionAfterCompletion: "DELETE",
        Target: { Arn: t.scalerArn, RoleArn: t.schedulerRoleArn, Input: JSON.stringify({ source: REARM_SOURCE, alarms, ...(follow ? { follow } : {}) }) },
      }),
    );
    return { armed: true, schedule, at, alarms, alreadyArmed: false };
  } catch (err) {
    if (err instanceof ConflictException || (err as Error).name === "ConflictException") return { armed: true, schedule, at, alarms, alreadyArmed: true };
    throw err;
  }
}
