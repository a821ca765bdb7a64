import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import {
  ConflictException,
  CreateScheduleCommand,
  SchedulerClient,
  ValidationException,
} from "@aws-sdk/client-scheduler";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import {
  awsDeps,
  classifyEvent,
  defaultPorts,
  handler,
  handleWith,
  maxRearmGapMinutes,
  type ScalerDeps,
} from "../../scaler/handler";
import { policyConfigFrom, type Metrics } from "../../scaler/policy";
import { GitAuthError } from "../../scaler/git-toggle";
import { silentLogger } from "../../model/log";
import { scalerSettingsFrom, scalerSettingsFromEnv } from "../../scaler/settings";
import { formatToggle, type Toggle } from "../../model/toggle";
import { awsEvent } from "../helpers/fixtures";
import { GitServer } from "../helpers/git-server";

const token = (Value: string) => ({
  Parameter: { Name: "/lambdaflex/git-token", Type: "SecureString" as const, Value, Version: 1 },
});
const IDS = {
  apiId: "api1",
  functionName: "lambdaflex-api",
  tableName: "lambdaflex-links",
  alertTopicArn: "arn:aws:sns:us-east-1:123456789012:lambdaflex-alerts",
  scalerArn: "arn:aws:lambda:us-east-1:123456789012:function:lambdaflex-scaler",
  schedulerRoleArn: "arn:aws:iam::123456789012:role/lambdaflex-scaler-rearm",
};
const local = (name: string) => JSON.parse(readFileSync(join(__dirname, "..", "fixtures", `${name}.json`), "utf8"));
const EVENTS = {
  schedule: local("eventbridge-scheduled-event"),
  alarm: local("cloudwatch-alarm-lambda-action"),
  sns: awsEvent("cloudwatch-alarm-sns-payload-single-metric"),
};

describe("classifyEvent", () => {
  it("recognises the EventBridge schedule, the alarm Lambda action and the alarm via SNS", () => {
    expect(classifyEvent(EVENTS.schedule)).toEqual({ kind: "schedule" });
    expect(classifyEvent(EVENTS.alarm)).toEqual({ kind: "alarm", alarm: "lambda-demo-metric-alarm", state: "ALARM" });
    expect(classifyEvent(EVENTS.sns)).toEqual({ kind: "alarm-via-sns", alarm: "EXAMPLE", state: "ALARM" });
    expect(classifyEvent({ source: "lambdaflex.rearm", alarms: ["lambdaflex-wake-demand"] })).toEqual({
      kind: "rearm",
    });
    // A patient re-arm carries its gap; a malformed one starts again at a minute.
    expect(classifyEvent({ source: "lambdaflex.rearm", alarms: [], gapMinutes: 4, episode: "serving:x" })).toEqual({
      kind: "rearm",
      previous: { gapMinutes: 4, episode: "serving:x" },
    });
    expect(classifyEvent({ source: "lambdaflex.rearm", alarms: [], gapMinutes: "4", episode: "serving:x" })).toEqual({
      kind: "rearm",
    });
    expect(classifyEvent({ hello: 1 })).toEqual({ kind: "unknown" });
    expect(classifyEvent(undefined)).toEqual({ kind: "unknown" });
  });
});

describe("scaler settings from the environment", () => {
  it("names the bad field", () => {
    const good = scalerSettingsFrom(loadDeploymentConfig(undefined, {}), IDS);
    expect(scalerSettingsFromEnv({ LAMBDAFLEX_SCALER_SETTINGS: JSON.stringify(good) })).toEqual(good);
    expect(
      scalerSettingsFromEnv({ LAMBDAFLEX_SCALER_SETTINGS: JSON.stringify(good), LAMBDAFLEX_SCALER_DRY_RUN: "true" })
        .dryRun,
    ).toBe(true);
    expect(() =>
      scalerSettingsFromEnv({
        LAMBDAFLEX_SCALER_SETTINGS: JSON.stringify({ ...good, policy: { ...good.policy, switchCostFactor: -1 } }),
      }),
    ).toThrow(/policy\.switchCostFactor/);
    expect(() => scalerSettingsFromEnv({})).toThrow(/LAMBDAFLEX_SCALER_SETTINGS is not set/);
    expect(() => scalerSettingsFromEnv({ LAMBDAFLEX_SCALER_SETTINGS: "{" })).toThrow(/not valid JSON/);
  });
});

describe("scaler handler", () => {
  const TOGGLE = "deploy/fargate/fargate.auto.tfvars.json";
  const server = new GitServer("handler-token");
  const cw = mockClient(CloudWatchClient);
  const r53 = mockClient(Route53Client);
  const sm = mockClient(SSMClient);
  const ddb = mockClient(DynamoDBClient);
  const scheduler = mockClient(SchedulerClient);
  const sns = mockClient(SNSClient);
  // The status item, as DynamoDB keeps it: GetItem returns what PutItem last wrote.
  let item: Record<string, AttributeValue> | undefined;

  beforeAll(async () => {
    const url = await server.start({
      [TOGGLE]: formatToggle({
        fargate_tier: "off",
        fargate_tier_since: "2026-01-01T00:00:00Z",
        fargate_min_tasks: 2,
        fargate_max_tasks: 10,
        fargate_pinned: false,
        fargate_backoff_up: 0,
        fargate_backoff_down: 0,
      }),
    });
    const config = loadDeploymentConfig(undefined, { LAMBDAFLEX_GIT_REPOSITORY_URL: url });
    process.env.LAMBDAFLEX_SCALER_SETTINGS = JSON.stringify(scalerSettingsFrom(config, IDS));
    sm.on(GetParameterCommand).resolves(token("handler-token"));
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 100 });
    ddb.on(PutItemCommand).callsFake((input: { Item: Record<string, AttributeValue> }) => {
      item = input.Item;
      return {};
    });
    ddb.on(GetItemCommand).callsFake(() => (item ? { Item: item } : {}));
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });
  });
  afterAll(async () => {
    delete process.env.LAMBDAFLEX_SCALER_SETTINGS;
    [cw, r53, sm, ddb, scheduler, sns].forEach((m) => m.restore());
    await server.stop();
  });

  it.each(Object.entries(EVENTS))(
    "runs the same reconcile step for the %s event, logging one JSON decision line and writing the status once",
    async (_name, event) => {
      const metricsBefore = cw.commandCalls(GetMetricDataCommand).length;
      const lines: string[] = [];
      const write = jest
        .spyOn(process.stdout, "write")
        .mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
      let result;
      try {
        result = await handler(event);
      } finally {
        write.mockRestore();
      }
      const logged = lines.map((l) => JSON.parse(l) as { msg: string; trigger?: { kind: string } });
      expect(logged.filter((l) => l.msg === "decision")).toHaveLength(1);
      expect(logged.find((l) => l.msg === "reconciled")!.trigger!.kind).toBe(classifyEvent(event).kind);
      expect(result).toMatchObject({ outcome: "no-change", attempts: 1, to: "off" });
      expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(metricsBefore + 1);
      // The first invocation writes the status; the others find it unchanged (only its time would move).
      expect(ddb.commandCalls(PutItemCommand)).toHaveLength(1);
      expect(JSON.parse(item!.status!.S!)).toMatchObject({ state: "off", decision: "no change", alerts: [] });
      // No wake alarm is in ALARM, so nothing is scheduled.
      expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
      expect(Number(server.git(["rev-list", "--count", "main"]))).toBe(1);
    },
  );

  it("reads the git token from SSM Parameter Store once per container", () => {
    expect(sm.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({
      Name: "/lambdaflex/git-token",
      WithDecryption: true,
    });
  });

  it("drops a token the git server rejects, so a rotated token is read on the next invocation", async () => {
    const settings = scalerSettingsFromEnv(process.env);
    const reads = sm.commandCalls(GetParameterCommand).length;
    // The first read returns a revoked token; every later read the rotated one.
    sm.on(GetParameterCommand).callsFake(() =>
      token(sm.commandCalls(GetParameterCommand).length === reads + 1 ? "revoked-token" : "handler-token"),
    );
    const deps = awsDeps(settings, silentLogger, defaultPorts());
    await expect(deps.checkout()).rejects.toThrow(GitAuthError);
    const co = await deps.checkout();
    await co.dispose();
    expect(co.text).toContain('"fargate_tier": "off"');
    expect(sm.commandCalls(GetParameterCommand)).toHaveLength(reads + 2);
    // Accepted tokens stay cached: no further reads.
    await (await deps.checkout()).dispose();
    expect(sm.commandCalls(GetParameterCommand)).toHaveLength(reads + 2);
  });
  describe("re-arming while the tier is off", () => {
    const NOW = new Date("2026-11-22T12:00:30.250Z");
    const OFF: Toggle = {
      fargate_tier: "off",
      fargate_tier_since: "2026-11-20T00:00:00Z",
      fargate_min_tasks: 2,
      fargate_max_tasks: 10,
      fargate_pinned: false,
      fargate_backoff_up: 0,
      fargate_backoff_down: 0,
    };
    const inAlarm = (AlarmName: string): MetricAlarm => ({
      AlarmName,
      AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${AlarmName}`,
      StateValue: "ALARM",
      StateReason: "Threshold Crossed: 3 out of the last 5 datapoints were greater than the threshold (1200.0).",
      Namespace: "AWS/ApiGateway",
      MetricName: "Count",
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
    });
    const demand = (rps: number): Metrics => ({
      apiRequests: Array(40).fill(rps * 60),
      albRequests: [],
      healthyHosts: [],
      lambdaThrottles: Array(40).fill(0),
      lambdaConcurrency: [],
    });
    let git: GitServer;
    const lines: Array<Record<string, unknown>> = [];
    const log = (level: string, msg: string, fields?: Record<string, unknown>) =>
      void lines.push({ level, msg, ...fields });
    const depsFor = async (toggle: Toggle, over: Partial<ScalerDeps> = {}): Promise<ScalerDeps> => {
      await git.start({ [TOGGLE]: formatToggle(toggle) });
      const settings = scalerSettingsFrom(
        loadDeploymentConfig(undefined, { LAMBDAFLEX_GIT_REPOSITORY_URL: git.url }),
        IDS,
      );
      // Below the up threshold: the wake alarm is in ALARM but the policy's window does not decide yet.
      return {
        ...awsDeps(settings, log, { ...defaultPorts(), now: () => NOW }),
        metrics: async () => demand(5),
        ...over,
      };
    };
    const ALARM = { kind: "alarm", alarm: "lambdaflex-wake-demand", state: "ALARM" } as const;
    const run = async (toggle: Toggle, over: Partial<ScalerDeps> = {}) =>
      handleWith(await depsFor(toggle, over), ALARM, log);

    beforeEach(() => {
      git = new GitServer("handler-token");
      lines.length = 0;
      [cw, scheduler].forEach((m) => m.resetHistory());
      sm.on(GetParameterCommand).resolves(token("handler-token"));
      cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [inAlarm("lambdaflex-wake-demand")], CompositeAlarms: [] });
      scheduler.on(CreateScheduleCommand).resolves({
        ScheduleArn: "arn:aws:scheduler:us-east-1:123456789012:schedule/lambdaflex-scaler/rearm-202611221201",
      });
    });
    afterEach(async () => {
      cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });
      await git.stop();
    });

    it("schedules one run a minute on when a wake alarm stays in ALARM and the policy has not decided", async () => {
      const result = await run(OFF);
      expect(result).toMatchObject({ outcome: "no-change", to: "off" });
      expect(cw.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input).toEqual({
        AlarmNames: [
          "lambdaflex-wake-demand",
          "lambdaflex-wake-throttles",
          "lambdaflex-fargate-low-demand",
          "lambdaflex-fargate-overload",
        ],
        StateValue: "ALARM",
      });
      expect(scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input)).toEqual([
        {
          Name: "rearm-202611221201",
          GroupName: "lambdaflex-scaler",
          ScheduleExpression: "at(2026-11-22T12:01:30)",
          ScheduleExpressionTimezone: "UTC",
          FlexibleTimeWindow: { Mode: "OFF" },
          ActionAfterCompletion: "DELETE",
          Target: {
            Arn: IDS.scalerArn,
            RoleArn: IDS.schedulerRoleArn,
            Input: JSON.stringify({ source: "lambdaflex.rearm", alarms: ["lambdaflex-wake-demand"] }),
          },
        },
      ]);
      // The schedule's input, delivered as the event, is recognised.
      expect(
        classifyEvent(JSON.parse(scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target!.Input!)),
      ).toEqual({ kind: "rearm" });
      expect(lines.filter((l) => l.msg === "re-armed")).toEqual([
        { level: "info", msg: "re-armed", schedule: "rearm-202611221201", alarms: ["lambdaflex-wake-demand"] },
      ]);
    });

    it("does not re-arm when no wake alarm is in ALARM", async () => {
      cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });
      await run(OFF);
      expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(1);
      expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    });

    it("follows a committed tier change: re-arms without asking the alarms, since the per-minute rule does not exist until the run applies", async () => {
      const result = await run(OFF, { metrics: async () => demand(40) });
      expect(result).toMatchObject({ outcome: "committed", from: "off", to: "warming" });
      expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
      const input = JSON.parse(scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target!.Input!);
      expect(input).toEqual({ source: "lambdaflex.rearm", alarms: [], follow: "tier warming: run pending" });
    });

    const WARMING = { ...OFF, fargate_tier: "warming" as const, fargate_tier_since: "2026-11-22T11:58:00Z" };

    it("follows warming while its run has not applied", async () => {
      await run(WARMING, {
        metrics: async () => demand(40),
        runs: async () => ({
          forHead: { id: "run-1", status: "errored", phase: "failed", finishedAt: "2026-11-22T11:59:00Z" },
          failedAttempts: 1,
          workspaceId: "ws-1",
        }),
      });
      const input = JSON.parse(scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target!.Input!);
      expect(input.follow).toBe("tier warming: run errored");
    });

    it("stops following once the run for the toggle has applied (the per-minute rule exists)", async () => {
      await run(WARMING, {
        metrics: async () => demand(40),
        runs: async () => ({
          forHead: { id: "run-1", status: "applied", phase: "applied" },
          failedAttempts: 0,
          workspaceId: "ws-1",
        }),
      });
      expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    });

    it("does not re-arm when the tier is off but pinned by a human", async () => {
      const result = await run({ ...OFF, fargate_pinned: true }, { metrics: async () => demand(40) });
      expect(result.outcome).toBe("no-change");
      expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
      expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    });

    it("treats a ConflictException as already armed for that minute", async () => {
      scheduler.on(CreateScheduleCommand).rejects(
        new ConflictException({
          message: "Schedule rearm-202611221201 already exists.",
          Message: "Schedule rearm-202611221201 already exists.",
          $metadata: { httpStatusCode: 409 },
        }),
      );
      const result = await run(OFF);
      expect(result.outcome).toBe("no-change");
      expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(1);
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: "re-armed", schedule: "rearm-202611221201", alreadyArmed: true }),
      );
      expect(lines.filter((l) => l.level === "error")).toEqual([]);
    });

    it("publishes a new alert to the operators' topic once, remembering it in the status item", async () => {
      item = undefined;
      sns.reset();
      sns.on(PublishCommand).resolves({ MessageId: "5a1c2d3e-0000-4000-8000-000000000001" });
      // Off for two days but the fargate DNS record is still there: the apply is lagging.
      const deps = await depsFor(OFF, { records: async () => ({ lambda: true, fargate: true }) });
      await handleWith(deps, ALARM, log);
      await handleWith(deps, { kind: "rearm" }, log);
      expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input)).toEqual([
        {
          TopicArn: IDS.alertTopicArn,
          Subject: "lambdaflex scaler alert: apply-lagging (tier off)",
          Message: expect.stringMatching(
            /^tier is off for \d+ min but the fargate DNS record still exists; check the Terraform run\n\nalert: apply-lagging\nstate: off\nreason: Lambda cost \$0\.\d{4} more than Fargate would have; below the round trip/,
          ),
        },
      ]);
      expect(JSON.parse(item!.status!.S!).alerts).toEqual([
        { kind: "apply-lagging", message: expect.stringContaining("fargate DNS record still exists") },
      ]);
    });

    it("logs and never throws when re-arming fails (the heartbeat still catches up)", async () => {
      scheduler.on(CreateScheduleCommand).rejects(
        new ValidationException({
          message: "The execution role is not valid.",
          Message: "The execution role is not valid.",
          $metadata: { httpStatusCode: 400 },
        }),
      );
      const result = await run(OFF);
      expect(result.outcome).toBe("no-change");
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: "error",
          msg: "could not re-arm the scaler",
          error: "The execution role is not valid.",
        }),
      );
    });

    describe("while serving", () => {
      const SERVING: Toggle = { ...OFF, fargate_tier: "serving", fargate_tier_since: "2026-11-22T11:50:00Z" };
      const LOW = "lambdaflex-fargate-low-demand";
      const EPISODE = `serving:${LOW}`;
      // Serving within its dwell on two healthy tasks, the listener at `weight`, ALB demand at `rps`.
      const serving = (rps: number, weight: number): Partial<ScalerDeps> => ({
        metrics: async () => ({
          ...demand(0),
          albRequests: Array(40).fill(rps * 60),
          healthyHosts: Array(40).fill(2),
          healthyTargetsNow: 2,
          fargateWeightNow: weight,
        }),
        records: async () => ({ lambda: true, fargate: true }),
        runs: async () => ({
          forHead: { id: "run-1", status: "applied", phase: "applied" },
          failedAttempts: 0,
          workspaceId: "ws-1",
        }),
        setWeight: async () => {},
      });
      const created = () =>
        scheduler
          .commandCalls(CreateScheduleCommand)
          .map((c) => ({ ...c.args[0].input, Input: JSON.parse(c.args[0].input.Target!.Input!) }));
      const rearmOf = (previous?: { gapMinutes: number; episode: string }) => ({
        kind: "rearm" as const,
        ...(previous ? { previous } : {}),
      });

      it("doubles the gap while only the low-demand alarm stays in ALARM, on minutes that are multiples of it, up to the cap", async () => {
        cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [inAlarm(LOW)], CompositeAlarms: [] });
        const deps = await depsFor(SERVING, serving(2, 100));
        expect(maxRearmGapMinutes(policyConfigFrom(loadDeploymentConfig(undefined, {})))).toBe(8);
        await handleWith(deps, ALARM, log); // the alarm's action: a new episode, a minute on
        await handleWith(deps, rearmOf({ gapMinutes: 1, episode: EPISODE }), log);
        await handleWith(deps, rearmOf({ gapMinutes: 2, episode: EPISODE }), log);
        await handleWith(deps, rearmOf({ gapMinutes: 8, episode: EPISODE }), log);
        // NOW is 12:00:30: 12:01, then the next multiples of 2, 4 and 8 minutes (the cap).
        expect(created().map((c) => [c.Name, c.Input.gapMinutes, c.Input.episode])).toEqual([
          ["rearm-202611221201", 1, EPISODE],
          ["rearm-202611221202", 2, EPISODE],
          ["rearm-202611221204", 4, EPISODE],
          ["rearm-202611221208", 8, EPISODE],
        ]);
        expect(lines).toContainEqual(
          expect.objectContaining({ msg: "re-armed", schedule: "rearm-202611221208", gapMinutes: 8 }),
        );
      });

      it("starts again at a minute when the episode changes: another alarm joins, or the state is not the one the gap grew in", async () => {
        const deps = await depsFor(SERVING, serving(2, 100));
        cw.on(DescribeAlarmsCommand).resolves({
          MetricAlarms: [inAlarm(LOW), inAlarm("lambdaflex-fargate-overload")],
          CompositeAlarms: [],
        });
        await handleWith(deps, rearmOf({ gapMinutes: 8, episode: EPISODE }), log);
        cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [inAlarm(LOW)], CompositeAlarms: [] });
        await handleWith(deps, rearmOf({ gapMinutes: 8, episode: `off:${LOW}` }), log);
        expect(created().map((c) => [c.Name, c.Input.gapMinutes])).toEqual([
          ["rearm-202611221201", undefined],
          ["rearm-202611221201", 1],
        ]);
      });

      it("watches a wake alarm while off every minute, whatever gap a re-arm carries: demand above break-even is costing money", async () => {
        await handleWith(await depsFor(OFF), rearmOf({ gapMinutes: 8, episode: "off:lambdaflex-wake-demand" }), log);
        expect(created().map((c) => [c.Name, c.Input])).toEqual([
          ["rearm-202611221201", { source: "lambdaflex.rearm", alarms: ["lambdaflex-wake-demand"] }],
        ]);
      });

      it("looks again each minute while it spills to Lambda, whatever the alarms say, so the weight follows the tasks", async () => {
        cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });
        // 2 healthy tasks carry 300 req/s at full capacity; 1,000 req/s arrive: 30% on the tasks.
        const result = await handleWith(
          await depsFor(SERVING, serving(1000, 100)),
          rearmOf({ gapMinutes: 8, episode: EPISODE }),
          log,
        );
        expect(result).toMatchObject({ outcome: "no-change", to: "serving" });
        expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
        expect(created().map((c) => [c.Name, c.Input])).toEqual([
          [
            "rearm-202611221201",
            { source: "lambdaflex.rearm", alarms: [], follow: "serving: 30% of the ALB's requests on the tasks" },
          ],
        ]);
      });

      it("sleeps at weight 100 with no alarm in ALARM (the overload alarm wakes it)", async () => {
        cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });
        await handleWith(await depsFor(SERVING, serving(200, 100)), { kind: "schedule" }, log);
        expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
      });
    });
  });
});
