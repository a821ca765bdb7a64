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
  | {
      readonly armed: true;
      readonly schedule: string;
      readonly at: string;
      readonly alarms: string[];
      readonly gapMinutes: number;
      readonly alreadyArmed: boolean;
    };

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
    const out = await client.send(
      new DescribeAlarmsCommand({ AlarmNames: [...names], StateValue: "ALARM", NextToken: nextToken }),
    );
    for (const a of out.MetricAlarms ?? []) if (a.AlarmName) found.push(a.AlarmName);
    nextToken = out.NextToken;
  } while (nextToken);
  return found;
}

/** What a re-arm schedule carries to the run it starts: the gap it waited and the episode it was armed for. */
export interface RearmMemo {
  readonly gapMinutes: number;
  readonly episode: string;
}

/** What the handler asks of a re-arm. */
export interface RearmRequest {
  /** A tier change (or spill-over) is on its way: look again in a minute whatever the alarms say. */
  readonly follow?: string;
  /** The decided state: part of the episode, so a new state starts again at a minute. */
  readonly state?: string;
  /** What the re-arm that started this run carried; absent for any other trigger. */
  readonly previous?: RearmMemo;
  /**
   * Episodes in which only these alarms are in ALARM may be watched at a growing gap, doubled per
   * re-arm up to maxGapMinutes (a power of two). Any other alarm (a wake alarm, the overload alarm)
   * keeps the gap at a minute.
   */
  readonly patient?: { readonly alarmNames: readonly string[]; readonly maxGapMinutes: number };
}

/** Whether only the patient alarms are in ALARM and no change is being followed. */
const patientEpisode = (alarms: readonly string[], r: RearmRequest): boolean =>
  !r.follow && r.patient !== undefined && alarms.length > 0 && alarms.every((a) => r.patient!.alarmNames.includes(a));

/** The gap before the next look in a patient episode: doubled while the same episode persists (up to the cap), else a minute. */
export function nextGapMinutes(previous: RearmMemo | undefined, episode: string, maxGapMinutes: number): number {
  if (!Number.isInteger(maxGapMinutes) || maxGapMinutes < 1 || !Number.isInteger(Math.log2(maxGapMinutes)))
    throw new RangeError(`maxGapMinutes must be a power of two, got ${maxGapMinutes}`);
  return previous?.episode === episode ? Math.min(maxGapMinutes, Math.max(1, previous.gapMinutes) * 2) : 1;
}

/**
 * The scaler runs on the hourly heartbeat and on the alarms' actions, and an
 * alarm acts only when its state changes. An alarm that stays in ALARM while
 * the policy has not decided yet would invoke nobody again, so the scaler
 * schedules its own next run: a one-time EventBridge Scheduler schedule that
 * deletes itself after it fires. A minute on, except in a patient episode
 * (serving, only the low-demand alarm in ALARM, nothing decided): there the
 * gap doubles per re-arm up to a cap, and a gap of g minutes fires at the next
 * minute that is a multiple of g, so a second chain (the heartbeat's, an
 * alarm's) lands on a minute the first already armed and ends there instead of
 * doubling the bill. A ConflictException means another invocation already
 * armed that minute.
 */
export async function rearmIfAlarming(
  c: WakeClients,
  t: WakeTargets,
  now: Date,
  r: RearmRequest = {},
): Promise<RearmOutcome> {
  const { follow } = r;
  const alarms = follow ? [] : await alarmsInAlarm(c.cloudwatch, t.alarmNames);
  if (alarms.length === 0 && !follow) return { armed: false };
  const episode = `${r.state ?? ""}:${[...alarms].sort().join(",")}`;
  const patient = patientEpisode(alarms, r);
  const gapMinutes = patient ? nextGapMinutes(r.previous, episode, r.patient!.maxGapMinutes) : 1;
  const seconds = Math.floor(now.getTime() / 1000);
  const minute = Math.floor(seconds / 60);
  const target = new Date(
    gapMinutes === 1
      ? seconds * 1000 + 60_000
      : ((Math.floor(minute / gapMinutes) + 1) * gapMinutes * 60 + (seconds % 60)) * 1000,
  );
  const schedule = rearmScheduleName(target);
  const at = atExpressionTime(target);
  // Only a patient episode carries its gap on: anything else starts the next one at a minute.
  const memo = patient ? { gapMinutes, episode } : {};
  try {
    await c.scheduler.send(
      new CreateScheduleCommand({
        Name: schedule,
        GroupName: t.scheduleGroup,
        ScheduleExpression: `at(${at})`,
        ScheduleExpressionTimezone: "UTC",
        FlexibleTimeWindow: { Mode: "OFF" },
        ActionAfterCompletion: "DELETE",
        Target: {
          Arn: t.scalerArn,
          RoleArn: t.schedulerRoleArn,
          Input: JSON.stringify({ source: REARM_SOURCE, alarms, ...(follow ? { follow } : {}), ...memo }),
        },
      }),
    );
    return { armed: true, schedule, at, alarms, gapMinutes, alreadyArmed: false };
  } catch (err) {
    if (err instanceof ConflictException || (err as Error).name === "ConflictException")
      return { armed: true, schedule, at, alarms, gapMinutes, alreadyArmed: true };
    throw err;
  }
}
