import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient, GetItemCommand, PutItemCommand, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { ListResourceRecordSetsCommand, NoSuchHostedZone, Route53Client } from "@aws-sdk/client-route-53";
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { readLiveRecords } from "../../scaler/adapters/route53";
import { readToken, tokenCache } from "../../scaler/adapters/parameters";
import { alertSubject, publishAlert } from "../../scaler/adapters/alerts";
import { publishStatus, readStatus } from "../../scaler/adapters/status";
import { alarmsInAlarm, atExpressionTime, rearmScheduleName } from "../../scaler/adapters/wake";

describe("Route 53 adapter", () => {
  const r53 = mockClient(Route53Client);
  beforeEach(() => r53.reset());
  const alias = (name: string, id: string, weight: number) => ({
    Name: name,
    Type: "A" as const,
    SetIdentifier: id,
    Weight: weight,
    AliasTarget: {
      HostedZoneId: "Z2FDTNDATAQYW2",
      DNSName: "d-abc.execute-api.us-east-1.amazonaws.com.",
      EvaluateTargetHealth: false,
    },
  });

  it("reports both weighted records when the tier is serving", async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        alias("app.example.com.", "fargate", 100),
        alias("app.example.com.", "lambda", 0),
        alias("other.example.com.", "x", 1),
      ],
      IsTruncated: false,
      MaxItems: 100,
    });
    expect(await readLiveRecords(new Route53Client({}), "Z0123456789ABCDEFGHIJ", "app.example.com")).toEqual({
      lambda: true,
      fargate: true,
    });
    expect(r53.commandCalls(ListResourceRecordSetsCommand)[0]!.args[0].input).toMatchObject({
      StartRecordName: "app.example.com",
      StartRecordType: "A",
    });
  });

  it("reports the fargate record absent when only lambda exists, and nothing for an empty zone", async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({ ResourceRecordSets: [alias("app.example.com.", "lambda", 0)], IsTruncated: false, MaxItems: 100 })
      .resolvesOnce({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 100 });
    expect(await readLiveRecords(new Route53Client({}), "Z1", "app.example.com")).toEqual({
      lambda: true,
      fargate: false,
    });
    expect(await readLiveRecords(new Route53Client({}), "Z1", "app.example.com")).toEqual({
      lambda: false,
      fargate: false,
    });
  });

  it("follows a truncated listing", async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [alias("app.example.com.", "lambda", 0)],
        IsTruncated: true,
        NextRecordName: "app.example.com.",
        NextRecordType: "A",
        NextRecordIdentifier: "fargate",
        MaxItems: 1,
      })
      .resolvesOnce({
        ResourceRecordSets: [alias("app.example.com.", "fargate", 100)],
        IsTruncated: false,
        MaxItems: 1,
      });
    expect(await readLiveRecords(new Route53Client({}), "Z1", "app.example.com")).toEqual({
      lambda: true,
      fargate: true,
    });
  });

  it("propagates a missing zone", async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .rejects(new NoSuchHostedZone({ message: "No hosted zone found with ID: Z1", $metadata: {} }));
    await expect(readLiveRecords(new Route53Client({}), "Z1", "app.example.com")).rejects.toThrow(/No hosted zone/);
  });
});

describe("SSM parameter adapter", () => {
  const ssm = mockClient(SSMClient);
  beforeEach(() => ssm.reset());
  const secure = (Value: string) => ({
    Parameter: { Name: "/lambdaflex/git-token", Type: "SecureString" as const, Value, Version: 1 },
  });

  it("reads a SecureString with decryption, as a bare token or JSON with a token field", async () => {
    ssm.on(GetParameterCommand).resolvesOnce(secure("ghp_abc\n")).resolvesOnce(secure('{"token":"glpat-xyz"}'));
    expect(await readToken(new SSMClient({}), "/lambdaflex/git-token")).toBe("ghp_abc");
    expect(await readToken(new SSMClient({}), "/lambdaflex/git-token")).toBe("glpat-xyz");
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({
      Name: "/lambdaflex/git-token",
      WithDecryption: true,
    });
  });

  it("says what is wrong with a plain String, an empty value, the bootstrap placeholder or malformed JSON", async () => {
    ssm
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Name: "/p", Type: "String", Value: "ghp_abc" } })
      .resolvesOnce(secure(""))
      .resolvesOnce(secure("set-me"))
      .resolvesOnce(secure('{"password":"x"}'))
      .resolvesOnce(secure("{oops"));
    await expect(readToken(new SSMClient({}), "/p")).rejects.toThrow(
      /parameter \/p is String; store the token as a SecureString/,
    );
    await expect(readToken(new SSMClient({}), "/p")).rejects.toThrow(
      /parameter \/p is empty; write the token with aws ssm put-parameter --name \/p --type SecureString/,
    );
    await expect(readToken(new SSMClient({}), "/p")).rejects.toThrow(/still holds the bootstrap placeholder/);
    await expect(readToken(new SSMClient({}), "/p")).rejects.toThrow(/without a string "token" field/);
    await expect(readToken(new SSMClient({}), "/p")).rejects.toThrow(/looks like JSON but does not parse/);
  });

  it("propagates a missing parameter", async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "", $metadata: {} }));
    await expect(readToken(new SSMClient({}), "/nope")).rejects.toMatchObject({ name: "ParameterNotFound" });
  });

  it("caches each token, reads again after a failed read or a rejection, and keeps it through other errors", async () => {
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(new Error("Rate exceeded"))
      .resolvesOnce(secure("t1"))
      .resolvesOnce(secure("t2"));
    const rejected = (err: unknown) => (err as Error).message === "401";
    const tokens = tokenCache(new SSMClient({}), rejected);
    const seen: string[] = [];
    const use = (fail?: string) => async (token: string) => {
      seen.push(token);
      if (fail) throw new Error(fail);
      return token;
    };
    await expect(tokens.use("/p", use())).rejects.toThrow("Rate exceeded");
    expect(await tokens.use("/p", use())).toBe("t1");
    await expect(tokens.use("/p", use("HTTP 500"))).rejects.toThrow("HTTP 500");
    expect(await tokens.use("/p", use())).toBe("t1");
    await expect(tokens.use("/p", use("401"))).rejects.toThrow("401");
    expect(await tokens.use("/p", use())).toBe("t2");
    expect(seen).toEqual(["t1", "t1", "t1", "t1", "t2"]);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(3);
  });
});

describe("status adapter", () => {
  it("writes the status as the reserved item of the table", async () => {
    const ddb = mockClient(DynamoDBClient);
    ddb.on(PutItemCommand).resolves({});
    await publishStatus(new DynamoDBClient({}), "lambdaflex-links", {
      state: "serving",
      decision: "no change",
      reason: "r",
      at: "2026-11-22T12:00:00.000Z",
    });
    const item = ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    expect(item.code).toEqual({ S: "#scaler-status" });
    expect(JSON.parse(item.status!.S!)).toEqual({
      state: "serving",
      decision: "no change",
      reason: "r",
      at: "2026-11-22T12:00:00.000Z",
    });
    ddb.restore();
  });
});

describe("status adapter: reading the previous item", () => {
  const ddb = mockClient(DynamoDBClient);
  beforeEach(() => ddb.reset());
  afterAll(() => ddb.restore());
  const stored = (status: unknown) => ({
    Item: {
      code: { S: "#scaler-status" },
      status: { S: JSON.stringify(status) },
      updatedAt: { S: "2026-11-22T12:00:00.000Z" },
    },
  });

  it("reads the item publishStatus writes, strongly consistent, alerts included", async () => {
    const status = {
      state: "off",
      decision: "no change",
      reason: "r",
      at: "2026-11-22T12:00:00.000Z",
      alerts: [{ kind: "apply-failed", message: "m" }],
    };
    ddb.on(GetItemCommand).resolves(stored(status));
    expect(await readStatus(new DynamoDBClient({}), "lambdaflex-links")).toEqual(status);
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({
      TableName: "lambdaflex-links",
      Key: { code: { S: "#scaler-status" } },
      ConsistentRead: true,
    });
  });

  it("answers undefined before the first write, and no known alert for an item written with plain messages", async () => {
    ddb
      .on(GetItemCommand)
      .resolvesOnce({})
      .resolvesOnce(stored({ state: "off", decision: "no change", reason: "r", at: "t", alerts: ["old message"] }));
    expect(await readStatus(new DynamoDBClient({}), "t")).toBeUndefined();
    expect(await readStatus(new DynamoDBClient({}), "t")).toMatchObject({ state: "off", alerts: [] });
  });

  it("reads back what the scaler remembers, and ignores a memory of another shape", async () => {
    const memory = { recordGone: { drainSince: "2026-11-22T11:00:00Z", at: "2026-11-22T11:20:00Z" } };
    const status = {
      state: "draining",
      decision: "no change",
      reason: "r",
      at: "2026-11-22T12:00:00.000Z",
      alerts: [],
      memory,
    };
    ddb
      .on(GetItemCommand)
      .resolvesOnce(stored(status))
      .resolvesOnce(stored({ ...status, memory: { recordGone: { at: 5 } } }));
    expect(await readStatus(new DynamoDBClient({}), "t")).toEqual(status);
    expect(await readStatus(new DynamoDBClient({}), "t")).not.toHaveProperty("memory");
    // A stay's rolled sum is read back; one with a sum that is not a number is dropped, the rest kept.
    const stay = { since: "2026-11-22T06:00:00Z", through: "2026-11-22T09:00:00Z", excessUsd: -0.25 };
    ddb.on(GetItemCommand).resolves(stored({ ...status, memory: { ...memory, stay } }));
    expect((await readStatus(new DynamoDBClient({}), "t"))?.memory).toEqual({ ...memory, stay });
    ddb.on(GetItemCommand).resolves(stored({ ...status, memory: { ...memory, stay: { ...stay, excessUsd: "x" } } }));
    expect((await readStatus(new DynamoDBClient({}), "t"))?.memory).toEqual(memory);
  });

  it("propagates a missing table", async () => {
    ddb
      .on(GetItemCommand)
      .rejects(
        new ResourceNotFoundException({ message: "Requested resource not found", $metadata: { httpStatusCode: 400 } }),
      );
    await expect(readStatus(new DynamoDBClient({}), "nope")).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });
});

describe("alerts adapter", () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());
  afterAll(() => sns.restore());
  const context = {
    service: "lambdaflex",
    state: "warming",
    reason: "stuck warming: no healthy hosts after 31 min; not switching traffic",
    evidence: { healthy_hosts: 0, minutes_in_state: 31 },
    at: "2026-11-22T12:00:00.000Z",
  };

  it("publishes the alert, the state, the reason and the evidence to the topic", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "5a1c2d3e-0000-4000-8000-000000000001" });
    const id = await publishAlert(
      new SNSClient({}),
      "arn:aws:sns:us-east-1:123456789012:lambdaflex-alerts",
      { kind: "stuck-warming", message: "warming for 31 min with no healthy hosts (need 2); traffic stays on Lambda" },
      context,
    );
    expect(id).toBe("5a1c2d3e-0000-4000-8000-000000000001");
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
      TopicArn: "arn:aws:sns:us-east-1:123456789012:lambdaflex-alerts",
      Subject: "lambdaflex scaler alert: stuck-warming (tier warming)",
      Message: [
        "warming for 31 min with no healthy hosts (need 2); traffic stays on Lambda",
        "",
        "alert: stuck-warming",
        "state: warming",
        "reason: stuck warming: no healthy hosts after 31 min; not switching traffic",
        "evidence: healthy_hosts=0 minutes_in_state=31",
        "at: 2026-11-22T12:00:00.000Z",
      ].join("\n"),
    });
  });

  it("keeps the subject within SNS's 100 characters", () => {
    const subject = alertSubject({ kind: "k".repeat(150), message: "m" }, context);
    expect(subject).toHaveLength(100);
    expect(subject.endsWith("...")).toBe(true);
  });
});

describe("wake adapter", () => {
  const cw = mockClient(CloudWatchClient);
  beforeEach(() => cw.reset());
  afterAll(() => cw.restore());

  it("names the schedule after its target minute and writes at() in UTC", () => {
    const target = new Date("2026-01-02T03:04:05.678Z");
    expect(rearmScheduleName(target)).toBe("rearm-202601020304");
    expect(atExpressionTime(target)).toBe("2026-01-02T03:04:05");
  });

  it("lists the wake alarms in ALARM across pages", async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce({
        MetricAlarms: [{ AlarmName: "lambdaflex-wake-demand", StateValue: "ALARM" }],
        CompositeAlarms: [],
        NextToken: "p2",
      })
      .resolvesOnce({
        MetricAlarms: [{ AlarmName: "lambdaflex-wake-throttles", StateValue: "ALARM" }],
        CompositeAlarms: [],
      });
    expect(
      await alarmsInAlarm(new CloudWatchClient({}), ["lambdaflex-wake-demand", "lambdaflex-wake-throttles"]),
    ).toEqual(["lambdaflex-wake-demand", "lambdaflex-wake-throttles"]);
    expect(cw.commandCalls(DescribeAlarmsCommand)[1]!.args[0].input).toMatchObject({
      StateValue: "ALARM",
      NextToken: "p2",
    });
  });
});
