import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { awsDeps, classifyEvent, defaultPorts, handler } from "../../scaler/handler";
import { GitAuthError } from "../../scaler/git-toggle";
import { silentLogger } from "../../service/log";
import { scalerSettingsFrom, scalerSettingsFromEnv } from "../../scaler/settings";
import { formatToggle } from "../../scaler/toggle";
import { awsEvent } from "../helpers/fixtures";
import { GitServer } from "../helpers/git-server";

const token = (Value: string) => ({ Parameter: { Name: "/lambdaflex/git-token", Type: "SecureString" as const, Value, Version: 1 } });
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
    expect(classifyEvent({ hello: 1 })).toEqual({ kind: "unknown" });
    expect(classifyEvent(undefined)).toEqual({ kind: "unknown" });
  });
});

describe("scaler settings from the environment", () => {
  it("names the bad field", () => {
    const good = scalerSettingsFrom(loadDeploymentConfig(undefined, {}), { apiId: "a", functionName: "f", tableName: "t" });
    expect(scalerSettingsFromEnv({ LAMBDAFLEX_SCALER_SETTINGS: JSON.stringify(good) })).toEqual(good);
    expect(scalerSettingsFromEnv({ LAMBDAFLEX_SCALER_SETTINGS: JSON.stringify(good), LAMBDAFLEX_SCALER_DRY_RUN: "true" }).dryRun).toBe(true);
    expect(() => scalerSettingsFromEnv({ LAMBDAFLEX_SCALER_SETTINGS: JSON.stringify({ ...good, policy: { ...good.policy, upThresholdRps: -1 } }) })).toThrow(/policy\.upThresholdRps/);
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

  beforeAll(async () => {
    const url = await server.start({
      [TOGGLE]: formatToggle({ fargate_tier: "off", fargate_tier_since: "2026-01-01T00:00:00Z", fargate_min_tasks: 2, fargate_max_tasks: 10, fargate_pinned: false }),
    });
    const config = loadDeploymentConfig(undefined, { LAMBDAFLEX_GIT_REPOSITORY_URL: url });
    process.env.LAMBDAFLEX_SCALER_SETTINGS = JSON.stringify(scalerSettingsFrom(config, { apiId: "api1", functionName: "lambdaflex-api", tableName: "lambdaflex-links" }));
    sm.on(GetParameterCommand).resolves(token("handler-token"));
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 100 });
    ddb.on(PutItemCommand).resolves({});
  });
  afterAll(async () => {
    delete process.env.LAMBDAFLEX_SCALER_SETTINGS;
    [cw, r53, sm, ddb].forEach((m) => m.restore());
    await server.stop();
  });

  it.each(Object.entries(EVENTS))("runs the same reconcile step for the %s event, logging one JSON decision line", async (_name, event) => {
    const writesBefore = ddb.commandCalls(PutItemCommand).length;
    const metricsBefore = cw.commandCalls(GetMetricDataCommand).length;
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
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
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(writesBefore + 1);
    expect(Number(server.git(["rev-list", "--count", "main"]))).toBe(1);
  });

  it("reads the git token from SSM Parameter Store once per container", () => {
    expect(sm.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({ Name: "/lambdaflex/git-token", WithDecryption: true });
  });

  it("drops a token the git server rejects, so a rotated token is read on the next invocation", async () => {
    const settings = scalerSettingsFromEnv(process.env);
    const reads = sm.commandCalls(GetParameterCommand).length;
    // The first read returns a revoked token; every later read the rotated one.
    sm.on(GetParameterCommand).callsFake(() => token(sm.commandCalls(GetParameterCommand).length === reads + 1 ? "revoked-token" : "handler-token"));
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
});
