import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { ListResourceRecordSetsCommand, NoSuchHostedZone, Route53Client } from "@aws-sdk/client-route-53";
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { readLiveRecords } from "../../scaler/adapters/route53";
import { readToken } from "../../scaler/adapters/parameters";
import { publishStatus } from "../../scaler/adapters/status";

describe("Route 53 adapter", () => {
  const r53 = mockClient(Route53Client);
  beforeEach(() => r53.reset());
  const alias = (name: string, id: string, weight: number) => ({
    Name: name,
    Type: "A" as const,
    SetIdentifier: id,
    Weight: weight,
    AliasTarget: { HostedZoneId: "Z2FDTNDATAQYW2", DNSName: "d-abc.execute-api.us-east-1.amazonaws.com.", EvaluateTargetHealth: false },
  });

  it("reports both weighted records when the tier is serving", async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [alias("app.example.com.", "fargate", 100), alias("app.example.com.", "lambda", 0), alias("other.example.com.", "x", 1)],
      IsTruncated: false,
      MaxItems: 100,
    });
    expect(await readLiveRecords(new Route53Client({}), "Z0123456789ABCDEFGHIJ", "app.example.com")).toEqual({ lambda: true, fargate: true });
    expect(r53.commandCalls(ListResourceRecordSetsCommand)[0]!.args[0].input).toMatchObject({ StartRecordName: "app.example.com", StartRecordType: "A" });
  });

  it("reports the fargate record absent when only lambda exists, and nothing for an empty zone", async () => {
    r53.on(ListResourceRecordSetsCommand).resolvesOnce({ ResourceRecordSets: [alias("app.example.com.", "lambda", 0)], IsTruncated: false, MaxItems: 100 }).resolvesOnce({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 100 });
    expect(await readLiveRecords(new Route53Client({}), "Z1", "app.example.com")).toEqual({ lambda: true, fargate: false });
    expect(await readLiveRecords(new Route53Client({}), "Z1", "app.example.com")).toEqual({ lambda: false, fargate: false });
  });

  it("follows a truncated listing", async () => {
    r53.on(ListResourceRecordSetsCommand)
      .resolvesOnce({ ResourceRecordSets: [alias("app.example.com.", "lambda", 0)], IsTruncated: true, NextRecordName: "app.example.com.", NextRecordType: "A", NextRecordIdentifier: "fargate", MaxItems: 1 })
      .resolvesOnce({ ResourceRecordSets: [alias("app.example.com.", "fargate", 100)], IsTruncated: false, MaxItems: 1 });
    expect(await readLiveRecords(new Route53Client({}), "Z1", "app.example.com")).toEqual({ lambda: true, fargate: true });
  });

  it("propagates a missing zone", async () => {
    r53.on(ListResourceRecordSetsCommand).rejects(new NoSuchHostedZone({ message: "No hosted zone found with ID: Z1", $metadata: {} }));
    await expect(readLiveRecords(new Route53Client({}), "Z1", "app.example.com")).rejects.toThrow(/No hosted zone/);
  });
});

describe("SSM parameter adapter", () => {
  const ssm = mockClient(SSMClient);
  beforeEach(() => ssm.reset());
  const secure = (Value: string) => ({ Parameter: { Name: "/lambdaflex/git-token", Type: "SecureString" as const, Value, Version: 1 } });

  it("reads a SecureString with decryption, as a bare token or JSON with a token field", async () => {
    ssm.on(GetParameterCommand).resolvesOnce(secure("ghp_abc\n")).resolvesOnce(secure('{"token":"glpat-xyz"}'));
    expect(await readToken(new SSMClient({}), "/lambdaflex/git-token")).toBe("ghp_abc");
    expect(await readToken(new SSMClient({}), "/lambdaflex/git-token")).toBe("glpat-xyz");
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({ Name: "/lambdaflex/git-token", WithDecryption: true });
  });

  it("says what is wrong with a plain String, an empty value, the bootstrap placeholder or malformed JSON", async () => {
    ssm
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Name: "/p", Type: "String", Value: "ghp_abc" } })
      .resolvesOnce(secure(""))
      .resolvesOnce(secure("set-me"))
      .resolvesOnce(secure('{"password":"x"}'))
      .resolvesOnce(secure("{oops"));
    await expect(readToken(new SSMClient({}), "/p")).rejects.toThrow(/parameter \/p is String; store the token as a SecureString/);
    await expect(readToken(new SSMClient({}), "/p")).rejects.toThrow(/parameter \/p is empty; write the token with aws ssm put-parameter --name \/p --type SecureString/);
    await expect(readToken(new SSMClient({}), "/p")).rejects.toThrow(/still holds the bootstrap placeholder/);
    await expect(readToken(new SSMClient({}), "/p")).rejects.toThrow(/without a string "token" field/);
    await expect(readToken(new SSMClient({}), "/p")).rejects.toThrow(/looks like JSON but does not parse/);
  });

  it("propagates a missing parameter", async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "", $metadata: {} }));
    await expect(readToken(new SSMClient({}), "/nope")).rejects.toMatchObject({ name: "ParameterNotFound" });
  });
});

describe("status adapter", () => {
  it("writes the status as the reserved item of the table", async () => {
    const ddb = mockClient(DynamoDBClient);
    ddb.on(PutItemCommand).resolves({});
    await publishStatus(new DynamoDBClient({}), "lambdaflex-links", { state: "serving", decision: "no change", reason: "r", at: "2026-11-22T12:00:00.000Z" });
    const item = ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    expect(item.code).toEqual({ S: "#scaler-status" });
    expect(JSON.parse(item.status!.S!)).toEqual({ state: "serving", decision: "no change", reason: "r", at: "2026-11-22T12:00:00.000Z" });
    ddb.restore();
  });
});
