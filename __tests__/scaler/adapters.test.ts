import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { ListResourceRecordSetsCommand, NoSuchHostedZone, Route53Client } from "@aws-sdk/client-route-53";
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { readLiveRecords } from "../../scaler/adapters/route53";
import { readToken } from "../../scaler/adapters/secrets";
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

describe("Secrets Manager adapter", () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());

  it("accepts a bare token or JSON with a token field", async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ Name: "lambdaflex/git-token", SecretString: "ghp_abc\n" }).resolvesOnce({ SecretString: '{"token":"glpat-xyz"}' });
    expect(await readToken(new SecretsManagerClient({}), "lambdaflex/git-token")).toBe("ghp_abc");
    expect(await readToken(new SecretsManagerClient({}), "lambdaflex/git-token")).toBe("glpat-xyz");
  });

  it("says what is wrong with an empty, binary or malformed secret", async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretBinary: new Uint8Array([1]) }).resolvesOnce({ SecretString: '{"password":"x"}' }).resolvesOnce({ SecretString: "{oops" });
    await expect(readToken(new SecretsManagerClient({}), "s")).rejects.toThrow(/secret s has no SecretString/);
    await expect(readToken(new SecretsManagerClient({}), "s")).rejects.toThrow(/without a string "token" field/);
    await expect(readToken(new SecretsManagerClient({}), "s")).rejects.toThrow(/looks like JSON but does not parse/);
  });

  it("propagates a missing secret", async () => {
    sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
    await expect(readToken(new SecretsManagerClient({}), "nope")).rejects.toThrow(/can't find the specified secret/);
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
