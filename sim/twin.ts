/**
 * The digital twin: the LambdaFlex strategy runs the production scaler
 * (handler wiring, reconcile(), every adapter) once per simulated schedule
 * event, against emulators of CloudWatch, ELBv2, Route 53, SSM Parameter Store,
 * DynamoDB, Terraform Cloud and a real git repository, on one simulated
 * clock. The emulators carry what the real world does (publication lag, no
 * datapoint for a zero count, a serial run queue that fails now and then,
 * slow and long-tailed creation, cached DNS answers); nothing here decides.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { minutesBetweenRuns } from "./idle-bill";
import type { TierState } from "../model/toggle";
import { MinuteLedger, type StrategyResult } from "./simulator";
import {
  buildTwinWorld,
  commitsOf,
  transitionLog,
  worldReportOf,
  type CommitRecord,
  type TwinWorldOptions,
  type WorldReport,
} from "./twin-world";
import { AlarmEmulator, alarmsFromStack } from "./world/alarms";
import { MINUTE, START } from "./world/build";
import { SchedulerEmulator } from "./world/scheduler";
import { SnsEmulator } from "./world/sns";
import { ScalerHost } from "./world/scaler-host";
import { serviceNames } from "../model/names";

export { START };
export {
  buildTwinWorld,
  commitsOf,
  worldReportOf,
  type CommitRecord,
  type TwinWorld,
  type TwinWorldOptions,
  type WorldReport,
} from "./twin-world";

/** Options of a LambdaFlex run in the twin. */
export interface LambdaFlexOptions extends TwinWorldOptions {
  /** Where to leave the toggle repository (a clone with a working tree), e.g. OUT/toggle-history. */
  readonly historyDir?: string;
  /** The synthesized core stack (cdk.tf.json), for the alarms and dashboards the scaler's deployment bills. @default deploy/core/cdk.tf.json */
  readonly coreStackFile?: string;
  /** The synthesized fargate stack, for the alarm that wakes the serving scaler. @default deploy/fargate/cdk.tf.json */
  readonly fargateStackFile?: string;
  readonly onProgress?: (done: number, total: number) => void;
  /** The strategy's name in the result. @default "lambdaflex" */
  readonly strategyName?: string;
}

/** What the scaler did and what it cost, metered from its calls to the emulators. */
export interface ScalerReport {
  readonly invocations: number;
  readonly coldStarts: number;
  readonly timeouts: number;
  readonly errors: number;
  readonly billedSeconds: number;
  readonly getMetricDataMetrics: number;
  readonly getMetricDataCalls: number;
  readonly statusWrites: number;
  /** One-time schedules that re-armed the scaler while a wake alarm stayed in ALARM. */
  readonly rearms: number;
  /** Messages on the alerts topic: the scaler's own alerts and failed invocations (each is a page). */
  readonly snsMessages: number;
  readonly tokenReads: number;
  readonly logBytes: number;
  readonly gitRequests: number;
  readonly commits: CommitRecord[];
  readonly terraformRuns: number;
  readonly terraformRunsFailed: number;
  readonly terraformRunsByStatus: Record<string, number>;
  readonly terraformRunsQueuedByScaler: number;
  readonly alerts: number;
  readonly alertKinds: Record<string, number>;
  /** Invocations by trigger (schedule, alarm). */
  readonly invocationsByTrigger: Record<string, number>;
  /** Pages sent: alarms with an SNS action entering ALARM, by alarm (the scaler's own alerts are `snsMessages`). */
  readonly pages: Record<string, number>;
  /** Alarms and dashboards in the synthesized core stack. */
  readonly billedResources: { readonly alarms: number; readonly dashboards: number };
  /** The scaler's cost by item (USD over the trace). */
  readonly cost: Record<string, number>;
  readonly totalCost: number;
}

export interface TwinResult {
  readonly strategy: StrategyResult;
  readonly scaler: ScalerReport;
  readonly worldReport: WorldReport;
  /** Share of each minute's requests served by Fargate (0..1). */
  readonly fargateShareByMinute: number[];
  /** Minutes in which the Fargate tier's resources existed. */
  readonly resourcesByMinute: boolean[];
}

type StackJson = { resource?: Record<string, Record<string, Record<string, unknown>>> };

/** Minutes between the scaler's heartbeat events, from the core stack's one scheduled rule. */
function ruleRateMinutes(stack: StackJson, scalerFunctionName: string): number {
  const rules = Object.values(stack.resource?.aws_cloudwatch_event_rule ?? {}).filter(
    (r) => r.schedule_expression !== undefined,
  );
  if (rules.length !== 1)
    throw new Error(`expected one scheduled rule for ${scalerFunctionName} in the core stack, found ${rules.length}`);
  return minutesBetweenRuns(String(rules[0]!.schedule_expression));
}

/** A synthesized stack (cdk.tf.json): what bills monthly, and the alarms that wake the scaler or page. */
function readStack(file: string): StackJson {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as StackJson;
  } catch (err) {
    throw new Error(`cannot read the synthesized stack ${file} (run npm run synth): ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Runs LambdaFlex on a per-minute request trace in the twin. */
export async function simulateLambdaFlex(trace: number[], o: LambdaFlexOptions): Promise<TwinResult> {
  const world = o.world;
  const tw = buildTwinWorld(o);
  const {
    config,
    names,
    ids,
    settings,
    scalerFunctionName,
    clock,
    rng,
    cloudwatch,
    elb,
    route53,
    aws,
    parameters,
    dynamo,
    tfc,
    git,
    prices: p,
  } = tw;
  const stack = readStack(o.coreStackFile ?? join(__dirname, "..", config.deployDir, "core", "cdk.tf.json"));
  // The fargate stack's alarms (low demand and overload, which wake the serving scaler) exist while its ALB does.
  const fargateStack = readStack(
    o.fargateStackFile ?? join(__dirname, "..", config.deployDir, "fargate", "cdk.tf.json"),
  );
  const alarms = new AlarmEmulator(
    [
      ...alarmsFromStack(stack, { apiId: names.apiId, scalerFunctionName }),
      ...alarmsFromStack(fargateStack, {
        apiId: names.apiId,
        scalerFunctionName,
        albDimension: () => aws.albDimension,
        targetGroupDimension: () => aws.targetGroupDimension,
      }),
    ],
    cloudwatch,
    clock.now,
  );
  const pages: Record<string, number> = {};
  const scheduler = new SchedulerEmulator({
    now: clock.now,
    groups: [settings.wake.scheduleGroup],
    targetArn: ids.scalerArn,
  });
  const sns = new SnsEmulator({ topicArn: ids.alertTopicArn, now: clock.now });
  // The EventBridge rules the stacks define: core's heartbeat, and while the tier exists the fargate stack's per-minute rule.
  const heartbeatMinutes = ruleRateMinutes(stack, scalerFunctionName);
  const workRoot = mkdtempSync(join(tmpdir(), "lambdaflex-sim-scaler-"));
  const host = new ScalerHost({
    onFailure: (record) => sns.deliverFailure(record),
    cloudwatch,
    scalerFunctionName,
    settings,
    world,
    rng: rng.scaler,
    now: clock.now,
    workRoot,
    emulators: {
      // One CloudWatch client in production serves GetMetricData and DescribeAlarms.
      cloudwatch: {
        send: (cmd: unknown) =>
          (cmd as { constructor: { name: string } }).constructor.name === "DescribeAlarmsCommand"
            ? Promise.resolve(alarms.describe((cmd as { input: { AlarmNames?: string[]; StateValue?: string } }).input))
            : cloudwatch.send(cmd),
      },
      elb,
      route53,
      parameters,
      dynamo,
      fetch: tfc.fetch,
      gitHttp: git.http,
      scheduler,
      sns,
    },
  });
  // EventBridge fires a rate(1 minute) rule at a steady second within each minute; CloudWatch
  // evaluates alarms once a minute at a second of its own.
  const offsetMs = Math.floor(rng.scaler.between([1, 59])) * 1000;
  const alarmOffsetMs = Math.floor(rng.scaler.between([1, 59])) * 1000 + 500;

  const ledger = new MinuteLedger();
  const minutesByState: Record<TierState, number> = { off: 0, warming: 0, serving: 0, draining: 0 };
  let state: TierState = "off";
  let commits: CommitRecord[] = [];
  try {
    for (let m = 0; m < trace.length; m++) {
      clock.advanceTo(START + m * MINUTE);
      ledger.add(aws.step(trace[m]!));
      const pushes = git.meter.pushes;
      const t0 = START + m * MINUTE;
      const actions: Array<{ at: number; run: () => Promise<void> }> = [];
      if (aws.minuteRuleLive)
        actions.push({
          at: t0 + offsetMs,
          run: () => host.scheduled(serviceNames(config.service).tier.scalerMinuteRule),
        });
      else if (m % heartbeatMinutes === 0)
        actions.push({ at: t0 + offsetMs, run: () => host.scheduled(serviceNames(config.service).heartbeatRule) });
      actions.push({
        at: t0 + alarmOffsetMs,
        run: async () => {
          for (const a of alarms.evaluate()) {
            if (a.action === "scaler") await host.alarm(a);
            if (a.action === "page") pages[a.name] = (pages[a.name] ?? 0) + 1;
          }
        },
      });
      for (const due of scheduler.takeDue(t0 + MINUTE - 1))
        actions.push({ at: due.atMs, run: () => host.rearm(due.input) });
      for (const action of actions.sort((x, y) => x.at - y.at)) {
        clock.advanceTo(action.at);
        await action.run();
      }
      if (git.meter.pushes !== pushes) state = commitsOf(git).at(-1)?.to ?? state;
      minutesByState[state]++;
      if (o.onProgress && m % 5000 === 0) o.onProgress(m, trace.length);
    }
    o.onProgress?.(trace.length, trace.length);
    if (o.historyDir) {
      rmSync(o.historyDir, { recursive: true, force: true });
      git.cloneTo(o.historyDir);
    }
    commits = commitsOf(git);
  } finally {
    git.dispose();
    rmSync(workRoot, { recursive: true, force: true });
  }

  const months = trace.length / (30 * 1440);
  const count = (type: string) => Object.keys(stack.resource?.[type] ?? {}).length;
  const billed = { alarms: count("aws_cloudwatch_metric_alarm"), dashboards: count("aws_cloudwatch_dashboard") };
  const runs = tfc.runs();
  const byStatus: Record<string, number> = {};
  for (const r of runs) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const failedRuns = runs.filter((r) =>
    ["errored", "canceled", "force_canceled", "discarded", "policy_soft_failed"].includes(r.status),
  ).length;
  const cost: Record<string, number> = {
    invocations: host.meter.invocations * p.lambdaRequest,
    compute: (host.meter.billedMs / 1000) * (256 / 1024) * p.lambdaGbSecondArm,
    getMetricData: cloudwatch.meter.metricsRequested * p.getMetricDataMetric,
    statusWrites: dynamo.meter.writeUnits * p.dynamoWrite + dynamo.meter.readUnits * p.dynamoRead,
    rearmSchedules: scheduler.meter.fired * p.schedulerInvocation,
    logs: (host.meter.logBytes / 1e9) * p.logsIngestGb,
    // Standard SecureString parameters under aws/ssm: free at rest, and standard-throughput GetParameter calls are free.
    tokens: 0,
    alarms: billed.alarms * months * p.cloudwatchAlarmMonth,
    dashboards: billed.dashboards * months * p.dashboardMonth,
  };
  const scalerCost = Object.values(cost).reduce((a, b) => a + b, 0);
  const { transitions, log } = transitionLog(commits);
  const strategy = ledger.result(o.strategyName ?? "lambdaflex", trace, {
    overhead: scalerCost,
    scalerCost: cost,
    transitions,
    minutesByState,
    log,
  });
  return {
    strategy,
    fargateShareByMinute: ledger.shares,
    resourcesByMinute: ledger.resources,
    scaler: {
      invocations: host.meter.invocations,
      coldStarts: host.meter.coldStarts,
      timeouts: host.meter.timeouts,
      errors: host.meter.errors,
      billedSeconds: host.meter.billedMs / 1000,
      getMetricDataMetrics: cloudwatch.meter.metricsRequested,
      getMetricDataCalls: cloudwatch.meter.calls,
      statusWrites: dynamo.meter.writes,
      rearms: scheduler.meter.fired,
      snsMessages: sns.messages.length,
      tokenReads: parameters.meter.calls,
      logBytes: host.meter.logBytes,
      gitRequests: git.meter.requests,
      commits,
      terraformRuns: runs.length,
      terraformRunsFailed: failedRuns,
      terraformRunsByStatus: byStatus,
      terraformRunsQueuedByScaler: runs.filter((r) => r.source === "api").length,
      alerts: host.meter.alerts,
      alertKinds: host.meter.alertKinds,
      invocationsByTrigger: host.meter.byTrigger,
      pages,
      billedResources: billed,
      cost,
      totalCost: scalerCost,
    },
    worldReport: worldReportOf(tw, ledger),
  };
}
