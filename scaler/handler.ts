import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { Route53Client } from "@aws-sdk/client-route-53";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { HttpClient } from "isomorphic-git";
import { jsonLogger, type Logger } from "../model/log";
import { publishAlert } from "./adapters/alerts";
import { readMetrics } from "./adapters/cloudwatch";
import { setFargateWeight } from "./adapters/listener";
import { readLiveRecords } from "./adapters/route53";
import { tokenCache } from "./adapters/parameters";
import { publishStatus, readStatus } from "./adapters/status";
import { queueRun, readRuns, TerraformCloudError, type Fetch } from "./adapters/terraform-cloud";
import { REARM_SOURCE, rearmIfAlarming, type RearmMemo, type RearmRequest } from "./adapters/wake";
import { GitAuthError, toggleReader } from "./git-toggle";
import { reconcile, type ReconcileDeps, type ReconcileResult } from "./reconcile";
import { serviceNames } from "../model/names";
import { scalerSettingsFromEnv, type ScalerSettings } from "./settings";
import { roundTripCost, type MoneyConfig } from "./money";
import { fargateFixedMinuteCost } from "../model/cost-model";

export type Trigger =
  | { kind: "schedule" }
  | { kind: "alarm"; alarm: string; state: string }
  | { kind: "alarm-via-sns"; alarm: string; state: string }
  | { kind: "rearm"; previous?: RearmMemo }
  | { kind: "unknown" };

/**
 * Names what invoked the scaler. Every trigger leads to the same reconcile
 * step: the scaler is level-triggered, so an alarm only makes it look sooner.
 */
export function classifyEvent(event: unknown): Trigger {
  const e = (event ?? {}) as Record<string, any>;
  if (e.source === "aws.events" && e["detail-type"] === "Scheduled Event") return { kind: "schedule" };
  // The one-time schedule the scaler created for itself while a wake alarm stays in ALARM (adapters/wake.ts).
  if (e.source === REARM_SOURCE) {
    // A patient re-arm carries the gap it waited; anything else (or a malformed memo) starts again at a minute.
    const previous =
      Number.isInteger(e.gapMinutes) && e.gapMinutes >= 1 && typeof e.episode === "string"
        ? { gapMinutes: e.gapMinutes as number, episode: e.episode as string }
        : undefined;
    return previous ? { kind: "rearm", previous } : { kind: "rearm" };
  }
  if (e.source === "aws.cloudwatch" && e.alarmData) {
    return { kind: "alarm", alarm: String(e.alarmData.alarmName ?? ""), state: String(e.alarmData.state?.value ?? "") };
  }
  const record = Array.isArray(e.Records) ? e.Records[0] : undefined;
  if (record?.EventSource === "aws:sns" && typeof record.Sns?.Message === "string") {
    try {
      const message = JSON.parse(record.Sns.Message) as { AlarmName?: string; NewStateValue?: string };
      return {
        kind: "alarm-via-sns",
        alarm: String(message.AlarmName ?? ""),
        state: String(message.NewStateValue ?? ""),
      };
    } catch {
      return { kind: "unknown" };
    }
  }
  return { kind: "unknown" };
}

/**
 * Everything the scaler talks to. Production uses the defaults; the
 * simulator passes emulators of the same interfaces, so it runs this wiring
 * and every adapter unchanged.
 */
export interface ScalerPorts {
  readonly cloudwatch: CloudWatchClient;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly route53: Route53Client;
  /** SSM Parameter Store, where the tokens live. */
  readonly parameters: SSMClient;
  readonly dynamo: DynamoDBClient;
  /** EventBridge Scheduler, for the one-time schedules that re-arm the scaler while a wake alarm stays in ALARM. */
  readonly scheduler: SchedulerClient;
  /** SNS, where new alerts go (settings.alertTopicArn). */
  readonly sns: SNSClient;
  /** Terraform Cloud's API. @default global fetch */
  readonly fetch?: Fetch;
  /** The git host. @default isomorphic-git/http/node */
  readonly gitHttp?: HttpClient;
  /** @default the wall clock */
  readonly now?: () => Date;
  /** Parent of the toggle clone. @default os.tmpdir() */
  readonly workRoot?: string;
  /** Terraform Cloud's address. @default https://<settings.terraformCloud.hostname> */
  readonly terraformCloudUrl?: string;
}

export const defaultPorts = (): ScalerPorts => ({
  cloudwatch: new CloudWatchClient({}),
  elb: new ElasticLoadBalancingV2Client({}),
  route53: new Route53Client({}),
  parameters: new SSMClient({}),
  dynamo: new DynamoDBClient({}),
  scheduler: new SchedulerClient({}),
  sns: new SNSClient({}),
});

/** The reconciler's ports plus what the handler does after it: re-arming itself while the tier is off. */
export interface ScalerDeps extends ReconcileDeps {
  /** Schedules the next run: while a wake alarm stays in ALARM (at a growing gap in a patient episode), or (`follow`) a minute on while a change is on its way. */
  readonly rearm?: (request?: RearmRequest) => Promise<void>;
}

const isAuthRejection = (err: unknown) =>
  err instanceof GitAuthError || (err instanceof TerraformCloudError && err.status === 401);

/** Wires the reconciler to AWS, Terraform Cloud and the git host through `ports`. */
export function awsDeps(s: ScalerSettings, logger: Logger, ports: ScalerPorts = defaultPorts()): ScalerDeps {
  // Each token is read once per container; one the server rejects is read again next time.
  const tokens = tokenCache(ports.parameters, isAuthRejection);
  const withToken = <T>(name: string, use: (token: string) => Promise<T>): Promise<T> => tokens.use(name, use);
  const tfc = s.terraformCloud;
  const target = (token: string) => ({
    baseUrl: ports.terraformCloudUrl ?? `https://${tfc!.hostname}`,
    organization: tfc!.organization,
    workspace: tfc!.workspace,
    token,
  });
  // One reader per container and token, so the toggle text is cached across warm invocations.
  const readers = new Map<string, ReturnType<typeof toggleReader>>();
  const reader = (token: string) => {
    let r = readers.get(token);
    if (!r) {
      readers.clear();
      r = toggleReader({
        url: s.git.repositoryUrl,
        branch: s.git.branch,
        path: s.toggleFile,
        token,
        username: s.git.tokenUsername,
        author: { name: s.git.authorName, email: s.git.authorEmail },
        workRoot: ports.workRoot,
        http: ports.gitHttp,
      });
      readers.set(token, r);
    }
    return r;
  };
  const now = ports.now ?? (() => new Date());
  return {
    policy: s.policy,
    service: s.service,
    toggleFile: s.toggleFile,
    dryRun: s.dryRun,
    logger,
    now,
    metrics: (now, state) =>
      readMetrics(
        { cloudwatch: ports.cloudwatch, elb: ports.elb },
        s.targets,
        now,
        s.policy.historyMinutes,
        state,
        s.metricLagMinutes,
      ),
    setWeight: (listener, weight) => setFargateWeight(ports.elb, listener, weight),
    records: () => readLiveRecords(ports.route53, s.hostedZoneId, s.domain),
    publish: (status) => publishStatus(ports.dynamo, s.tableName, status),
    readStatus: () => readStatus(ports.dynamo, s.tableName),
    notify: async (alert, context) => void (await publishAlert(ports.sns, s.alertTopicArn, alert, context)),
    rearm: async (request = {}) => {
      const { follow } = request;
      // Serving with only the low-demand alarm in ALARM, a late look can only make a drain late.
      const patient =
        request.state === "serving"
          ? { alarmNames: [serviceNames(s.service).tier.lowDemandAlarm], maxGapMinutes: maxRearmGapMinutes(s.policy) }
          : undefined;
      try {
        const r = await rearmIfAlarming({ cloudwatch: ports.cloudwatch, scheduler: ports.scheduler }, s.wake, now(), {
          ...request,
          patient,
        });
        if (r.armed)
          logger("info", "re-armed", {
            schedule: r.schedule,
            alarms: r.alarms,
            ...(follow ? { follow } : {}),
            ...(r.gapMinutes > 1 ? { gapMinutes: r.gapMinutes } : {}),
            ...(r.alreadyArmed ? { alreadyArmed: true } : {}),
          });
      } catch (err) {
        // The hourly heartbeat still catches up; a failed re-arm only delays the next look.
        logger("error", "could not re-arm the scaler", { error: (err as Error).message });
      }
    },
    runs: tfc
      ? (head) =>
          withToken(tfc.tokenParameterName, async (token) => {
            const r = await readRuns(target(token), head, ports.fetch);
            return { forHead: r.forHead, failedAttempts: r.failedAttemptsForHead, workspaceId: r.workspaceId };
          })
      : undefined,
    queueRun: tfc
      ? (workspaceId, message) =>
          withToken(
            tfc.tokenParameterName,
            async (token) => (await queueRun(target(token), workspaceId, message, ports.fetch)).id,
          )
      : undefined,
    checkout: () => withToken(s.git.tokenParameterName, (token) => reader(token)()),
  };
}

/** Share of a round trip a late look may cost: what the growing re-arm gap trades for fewer invocations. */
export const REARM_LATE_SHARE = 1 / 3;

/**
 * The longest gap between looks while serving with only the low-demand alarm
 * in ALARM: the largest power of two whose minutes of the idle tier cost at
 * most REARM_LATE_SHARE of a round trip. Below break-even each minute on the
 * tier costs at most an idle minute more than Lambda, so a drain the gap makes
 * late costs at most that share of a round trip (8 minutes with the defaults).
 */
export function maxRearmGapMinutes(c: MoneyConfig): number {
  const idleMinute = fargateFixedMinuteCost(c.workload.minTasks, c.workload, c.prices);
  const minutes = (REARM_LATE_SHARE * roundTripCost(c)) / idleMinute;
  return minutes < 1 ? 1 : 2 ** Math.floor(Math.log2(minutes));
}

const logger = jsonLogger();
let deps: ScalerDeps | undefined;

/** The scaler Lambda: the heartbeat schedule, the wake alarms' actions, alarms via SNS and its own re-arm schedules all reconcile. */
export const handler = async (event: unknown): Promise<HandlerResult> => {
  const trigger = classifyEvent(event);
  if (trigger.kind === "unknown") logger("warn", "unrecognised event; reconciling anyway", { event });
  deps ??= awsDeps(scalerSettingsFromEnv(process.env), logger);
  return handleWith(deps, trigger, logger);
};

/**
 * One invocation on given deps: the handler's body, shared with the
 * simulator's scaler host. Off or serving with nothing committed, the scaler
 * re-arms itself if an alarm is still in ALARM (it will not act again until its
 * state changes); it follows a change on its way, and spilling, every minute.
 */
export async function handleWith(d: ScalerDeps, trigger: Trigger, log: Logger): Promise<HandlerResult> {
  const result = await reconcile(d);
  log("info", "reconciled", { trigger, outcome: result.outcome, attempts: result.attempts, commit: result.commit });
  const { decision } = result;
  // A pinned tier never moves, so waking the scaler sooner would change nothing.
  if (decision && !decision.toggle.fargate_pinned) {
    // The per-minute rule comes and goes with the tier's apply: until the run for the toggle has
    // applied (or after it failed), nothing else would invoke the scaler within the hour.
    if (decision.to !== "off" && (result.outcome === "committed" || result.run?.forHead?.phase !== "applied"))
      await d.rearm?.({ follow: `tier ${decision.to}: run ${result.run?.forHead?.status ?? "pending"}` });
    else if (decision.followUp) await d.rearm?.({ follow: decision.followUp });
    // Spilling to Lambda (or a canary's split short of what the tasks carry): look each minute so the
    // weight follows the tasks target tracking adds; at 100 the overload alarm wakes the scaler.
    else if (decision.to === "serving" && decision.fargateWeight !== undefined && decision.fargateWeight < 100)
      await d.rearm?.({ follow: `serving: ${decision.fargateWeight}% of the ALB's requests on the tasks` });
    // Off and serving, the scaler sleeps between alarms; one that stays in ALARM acts only once.
    else if (result.outcome === "no-change" && (decision.to === "off" || decision.to === "serving"))
      await d.rearm?.({ state: decision.to, previous: trigger.kind === "rearm" ? trigger.previous : undefined });
  }
  return {
    trigger,
    outcome: result.outcome,
    attempts: result.attempts,
    commit: result.commit,
    from: decision?.from,
    to: decision?.to,
    reason: decision?.reason,
  };
}

/** What an invocation returns (and logs): the trigger, the outcome, and the step it committed. */
export type HandlerResult = { trigger: Trigger } & Omit<ReconcileResult, "decision"> & {
    from?: string;
    to?: string;
    reason?: string;
  };
