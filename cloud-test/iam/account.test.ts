import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { corePermissions } from "../../stacks/bootstrap/core-permissions";
import { fargatePermissions } from "../../stacks/bootstrap/fargate-permissions";
import { TIER_SERVICE_LINKED_ROLES } from "../../stacks/bootstrap/service-linked-roles";
import { policyDocument, type Statement } from "../../stacks/policy";
import {
  accountCalls,
  formatDenials,
  readCalls,
  writeReport,
  type AccountedRole,
  type Accounting,
  type AccountOptions,
} from "./account";
import { iamClient, loadRolePolicies } from "./policies";
import type { RecordedCall } from "./requests";

// The recording: `terraform apply` of the bootstrap stack (administrator, seq 2-66) then the core
// stack (seq 67-259) against the emulator, every call signed with one key. In the cloud harness
// each role has its own key; here the core stack's calls are re-keyed to the core run role's.
const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const ZONE = "ZW7UEJXB9CT2L59F6BPHC";
const DOMAIN = "app.example.com";
const CORE_KEY = "AKIACORERUNROLE";
const FIRST_CORE_CALL = 67;
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

const inline = (policies: Record<string, Statement[]>) =>
  Object.entries(policies).map(([name, s]) => ({ name: `inline:${name}`, policy: policyDocument(s) }));

const coreRole: AccountedRole = {
  name: "lambdaflex-tfc-core",
  policies: {
    identity: inline(
      corePermissions({
        service: "lambdaflex",
        region: REGION,
        accountId: ACCOUNT,
        hostedZoneId: ZONE,
        domain: DOMAIN,
        repositoryArn: arn("ecr", "repository/lambdaflex"),
      }),
    ),
  },
};

const fargateRole: AccountedRole = {
  name: "lambdaflex-tfc-fargate",
  policies: {
    identity: inline(
      fargatePermissions({
        service: "lambdaflex",
        region: REGION,
        accountId: ACCOUNT,
        hostedZoneId: ZONE,
        domain: DOMAIN,
      }),
    ),
  },
};

const recording = readCalls(join(__dirname, "fixtures", "bootstrap-core.calls.jsonl"));
const coreCalls = recording.map((c) => (c.seq >= FIRST_CORE_CALL ? { ...c, accessKey: CORE_KEY } : c));

const options: AccountOptions = { account: ACCOUNT, serviceLinkedRoles: Object.values(TIER_SERVICE_LINKED_ROLES) };
const asCore = (calls: readonly RecordedCall[], opts = options) =>
  accountCalls(calls, (key) => (key === CORE_KEY ? coreRole : undefined), opts);

let seq = 10_000;
const call = (
  service: string,
  operation: string,
  params: Record<string, unknown>,
  accessKey = CORE_KEY,
): RecordedCall => ({ seq: ++seq, service, operation, params, accessKey, region: REGION, status: 200 });
const changeRecords = (zone: string, name: string, type: string) =>
  call("route53", "ChangeResourceRecordSets", {
    HostedZoneId: zone,
    ChangeBatch: { Changes: [{ Action: "UPSERT", ResourceRecordSet: { Name: name, Type: type, TTL: 60 } }] },
  });
const verdictsOf = (a: Accounting, s: number) => a.verdicts.filter((v) => v.seq === s);

describe("IAM accounting of the recorded core apply, with the core run role's policies", () => {
  let all: Accounting;
  beforeAll(async () => {
    expect(recording[FIRST_CORE_CALL - 1]).toMatchObject({
      seq: FIRST_CORE_CALL,
      service: "iam",
      operation: "GetUser",
    });
    all = await asCore(coreCalls);
  });

  it("maps every call; only the bootstrap's (administrator's) calls are unattributed", () => {
    expect(all.unmapped).toEqual([]);
    expect(all.unattributed.map((u) => u.seq)).toEqual(
      recording.filter((c) => c.seq < FIRST_CORE_CALL).map((c) => c.seq),
    );
    // The recording predates issue 20's removal of the zone data source: its two reads are what the role
    // lacks; and issue 22's move of the service roles to bootstrap: the role writes no IAM any more.
    const denied = all.verdicts.filter((v) => v.decision === "denied");
    const roleCalls = denied.filter((v) => v.action.startsWith("iam:"));
    expect(new Set(roleCalls.map((v) => v.action))).toEqual(
      new Set([
        "iam:CreateRole",
        "iam:GetRole",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:PutRolePolicy",
        "iam:GetRolePolicy",
        "iam:CreateServiceLinkedRole",
      ]),
    );
    expect(
      roleCalls
        .filter(
          (v) => !/role\/lambdaflex-(api-role|scaler-role|scheduler)$|AWSServiceRoleForAPIGateway$/.test(v.resource),
        )
        .map((v) => v.resource),
    ).toEqual([]);
    expect(denied.filter((v) => !v.action.startsWith("iam:")).map((v) => `#${v.seq} ${v.action}`)).toEqual([
      "#68 route53:ListHostedZones",
      "#73 route53:ListTagsForResource",
      "#196 route53:ListHostedZones",
      "#215 route53:ListTagsForResource",
    ]);
  });

  it("denies route53:ListHostedZones and says which statement comes nearest", () => {
    const [v] = verdictsOf(all, 68);
    expect(v).toMatchObject({
      decision: "denied",
      action: "route53:ListHostedZones",
      resource: "*",
      nearest: { sid: "ZoneRead", namesAction: false },
    });
    expect(formatDenials(all)).toContain(
      `lambdaflex-tfc-core denied route53:ListHostedZones on * (call #68 route53 ListHostedZones); nearest statement "ZoneRead" (inline:api) allows route53:GetHostedZone,route53:ListResourceRecordSets on arn:aws:route53:::hostedzone/${ZONE}`,
    );
  });

  it("reports the provider's account probes as not required, not as allowed", () => {
    expect(verdictsOf(all, 67)).toMatchObject([{ decision: "not-required", action: "iam:GetUser" }]);
    expect(verdictsOf(all, 70)).toMatchObject([{ decision: "not-required", action: "sts:GetCallerIdentity" }]);
  });

  it("allows ChangeResourceRecordSets on the configured zone by the Records statement, and only for the domain's A and CNAME records", async () => {
    for (const s of [113, 189]) {
      expect(verdictsOf(all, s)).toMatchObject([
        {
          action: "route53:ChangeResourceRecordSets",
          resource: `arn:aws:route53:::hostedzone/${ZONE}`,
          decision: "allowed",
          statement: "Records",
        },
      ]);
    }
    const cases = [
      changeRecords(`/hostedzone/${ZONE}`, "APP.example.com.", "A"),
      changeRecords(ZONE, "evil.example.com", "A"),
      changeRecords(ZONE, DOMAIN, "TXT"),
      changeRecords("ZOTHER", DOMAIN, "A"),
    ];
    const a = await asCore(cases);
    expect(a.verdicts.map((v) => [v.decision, v.statement])).toEqual([
      ["allowed", "Records"],
      ["denied", undefined],
      ["denied", undefined],
      ["denied", undefined],
    ]);
    expect(a.verdicts[1]!.nearest).toMatchObject({ sid: "Records", namesAction: true });
  });

  it("evaluates iam:PassRole with iam:PassedToService: a function role passed to Lambda, not to EventBridge", async () => {
    expect(verdictsOf(all, 146)).toMatchObject([
      { action: "lambda:CreateFunction", decision: "allowed", statement: "Functions" },
      {
        action: "iam:PassRole",
        resource: `arn:aws:iam::${ACCOUNT}:role/lambdaflex-api-role`,
        decision: "allowed",
        statement: "PassFunctionRoles",
      },
    ]);
    const toEvents = call("events", "PutTargets", {
      Rule: "lambdaflex-scaler-heartbeat",
      Targets: [
        {
          Id: "t",
          Arn: arn("lambda", "function:lambdaflex-scaler"),
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/lambdaflex-api-role`,
        },
      ],
    });
    const runRole = call("lambda", "CreateFunction", {
      FunctionName: "lambdaflex-x",
      Role: `arn:aws:iam::${ACCOUNT}:role/lambdaflex-tfc-fargate`,
      Code: { ImageUri: "x" },
    });
    const a = await asCore([toEvents, runRole]);
    expect(a.verdicts.map((v) => [v.action, v.decision, v.statement ?? v.deniedBy])).toEqual([
      ["events:PutTargets", "allowed", "Schedule"],
      ["iam:PassRole", "denied", undefined],
      ["lambda:CreateFunction", "allowed", "Functions"],
      // A run role is no function role: no statement passes it.
      ["iam:PassRole", "denied", undefined],
    ]);
    expect(formatDenials(a)).toContain(
      `lambdaflex-tfc-core denied iam:PassRole on arn:aws:iam::${ACCOUNT}:role/lambdaflex-api-role (call #${toEvents.seq} events PutTargets, role passed to events.amazonaws.com (id_roles_use_passrole.html)); nearest statement "PassFunctionRoles"`,
    );
  });

  it("evaluates acm:DomainNames and acm:ValidationMethod on RequestCertificate", async () => {
    expect(all.verdicts.find((v) => v.action === "acm:RequestCertificate")).toMatchObject({
      seq: 81,
      decision: "allowed",
      statement: "RequestCertificate",
    });
    const other = call("acm", "RequestCertificate", {
      DomainName: DOMAIN,
      SubjectAlternativeNames: ["evil.example.com"],
      ValidationMethod: "DNS",
    });
    const email = call("acm", "RequestCertificate", { DomainName: DOMAIN, ValidationMethod: "EMAIL" });
    expect((await asCore([other, email])).verdicts.map((v) => v.decision)).toEqual(["denied", "denied"]);
  });

  it("writes a JSON report", () => {
    const dir = mkdtempSync(join(tmpdir(), "iam-report-"));
    try {
      writeReport(join(dir, "sub", "iam.json"), all);
      const report = JSON.parse(readFileSync(join(dir, "sub", "iam.json"), "utf8"));
      expect(report.summary).toEqual(all.summary);
      expect(report.verdicts).toHaveLength(all.verdicts.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("tag conditions, with the fargate run role's policies", () => {
  const F = "AKIAFARGATE";
  const tags = (value: string) => [{ ResourceType: "vpc", Tags: [{ Key: "lambdaflex:service", Value: value }] }];
  const ownVpc = arn("ec2", "vpc/vpc-own");
  const asFargate = (calls: RecordedCall[]) =>
    accountCalls(calls, (key) => (key === F ? fargateRole : undefined), {
      ...options,
      lookups: {
        resourceTags: (resource) => (resource === ownVpc ? { "lambdaflex:service": "lambdaflex" } : undefined),
      },
    });

  it("allows CreateVpc and its tag-on-create ec2:CreateTags only with the service tag (aws:RequestTag, ec2:CreateAction)", async () => {
    const a = await asFargate([
      call("ec2", "CreateVpc", { CidrBlock: "10.0.0.0/16", TagSpecifications: tags("lambdaflex") }, F),
      call("ec2", "CreateVpc", { CidrBlock: "10.0.0.0/16", TagSpecifications: tags("other") }, F),
    ]);
    expect(a.verdicts.map((v) => [v.action, v.decision, v.statement])).toEqual([
      ["ec2:CreateVpc", "allowed", "Ec2CreateTagged"],
      ["ec2:CreateTags", "allowed", "Ec2TagOnCreate"],
      ["ec2:CreateVpc", "denied", undefined],
      ["ec2:CreateTags", "denied", undefined],
    ]);
    expect(a.verdicts[2]!.nearest).toMatchObject({ sid: "Ec2CreateTagged", namesAction: true });
  });

  it("allows changing a VPC only when it carries the service tag (aws:ResourceTag)", async () => {
    const a = await asFargate([
      call("ec2", "ModifyVpcAttribute", { VpcId: "vpc-own", EnableDnsHostnames: { Value: true } }, F),
      call("ec2", "ModifyVpcAttribute", { VpcId: "vpc-else", EnableDnsHostnames: { Value: true } }, F),
    ]);
    expect(a.verdicts.map((v) => [v.resource, v.decision, v.statement])).toEqual([
      [ownVpc, "allowed", "Ec2ChangeOwn"],
      [arn("ec2", "vpc/vpc-else"), "denied", undefined],
    ]);
  });

  it("expands ELB CreateLoadBalancer to the EC2 reads of the ELB permission table, and to iam:CreateServiceLinkedRole while the role is missing", async () => {
    const create = call(
      "elasticloadbalancing",
      "CreateLoadBalancer",
      { Name: "lambdaflex-alb", Type: "application", Subnets: ["subnet-1"] },
      F,
    );
    const present = await asFargate([create]);
    expect(present.verdicts.map((v) => [v.action, v.decision])).toEqual([
      ["elasticloadbalancing:CreateLoadBalancer", "allowed"],
      ...[
        "DescribeAccountAttributes",
        "DescribeAddresses",
        "DescribeInternetGateways",
        "DescribeSecurityGroups",
        "DescribeSubnets",
        "DescribeVpcs",
      ].map((a) => [`ec2:${a}`, "allowed"]),
    ]);
    expect(present.verdicts[0]!.resource).toBe(arn("elasticloadbalancing", "loadbalancer/app/lambdaflex-alb/*"));
    const missing = await accountCalls([create], () => fargateRole, { account: ACCOUNT });
    expect(missing.verdicts.at(-1)).toMatchObject({
      action: "iam:CreateServiceLinkedRole",
      resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`,
      decision: "denied",
    });
  });
});

describe("the fargate apply role runs only the service's own task definition family (ecs:task-definition)", () => {
  const F = "AKIAFARGATE";
  const asFargate = (calls: RecordedCall[]) =>
    accountCalls(calls, (key) => (key === F ? fargateRole : undefined), options);
  const own = arn("ecs", "task-definition/lambdaflex:7");
  const foreign = arn("ecs", "task-definition/miner:1");
  const service = (op: string, extra: Record<string, unknown>) =>
    call("ecs", op, { cluster: "lambdaflex", service: "lambdaflex", serviceName: "lambdaflex", ...extra }, F);

  it("creates and updates the service with a revision of family <service>, and with another family neither", async () => {
    const a = await asFargate([
      service("CreateService", { taskDefinition: own }),
      service("CreateService", { taskDefinition: foreign }),
      service("UpdateService", { taskDefinition: own }),
      service("UpdateService", { taskDefinition: foreign }),
      // A desired-count change names no task definition: the service keeps the one it has.
      service("UpdateService", { desiredCount: 3 }),
    ]);
    expect(a.verdicts.filter((v) => v.action.startsWith("ecs:")).map((v) => [v.action, v.decision])).toEqual([
      ["ecs:CreateService", "allowed"],
      ["ecs:CreateService", "denied"],
      ["ecs:UpdateService", "allowed"],
      ["ecs:UpdateService", "denied"],
      ["ecs:UpdateService", "allowed"],
    ]);
  });

  it("registers no task definition at all, whatever its image", async () => {
    const a = await asFargate([
      call(
        "ecs",
        "RegisterTaskDefinition",
        {
          family: "lambdaflex",
          taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/lambdaflex-task`,
          containerDefinitions: [{ name: "app", image: "docker.io/library/alpine:3.20" }],
        },
        F,
      ),
    ]);
    expect(a.verdicts.map((v) => [v.action, v.decision])).toEqual([
      ["ecs:RegisterTaskDefinition", "denied"],
      ["iam:PassRole", "denied"],
    ]);
  });
});

describe("loadRolePolicies, against the emulator", () => {
  const PORT = 5077;
  let emulator: ChildProcess;
  let dir: string;
  const endpoint = {
    endpoint: `http://127.0.0.1:${PORT}`,
    region: REGION,
    accessKeyId: "AKIAACCOUNTING",
    secretAccessKey: "x",
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "iam-emulator-"));
    emulator = spawn(
      "python3",
      [join(__dirname, "..", "emulator", "launcher.py"), "--port", String(PORT), "--calls", join(dir, "calls.jsonl")],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    emulator.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    await new Promise<void>((resolve, reject) => {
      emulator.once("exit", (code) => reject(new Error(`emulator exited ${code}:\n${stderr}`)));
      createInterface({ input: emulator.stdout! }).on("line", (line) => line.startsWith("ready") && resolve());
    });
  }, 60_000);
  afterAll(() => {
    emulator?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads inline, attached and boundary policies as applied", async () => {
    const iam = iamClient(endpoint);
    const doc = (sid: string) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: sid, Effect: "Allow", Action: ["sqs:GetQueueUrl"], Resource: "*" }],
      });
    const boundary = (await iam.send(new CreatePolicyCommand({ PolicyName: "bound", PolicyDocument: doc("Bound") })))
      .Policy!.Arn!;
    const managed = (await iam.send(new CreatePolicyCommand({ PolicyName: "managed", PolicyDocument: doc("Managed") })))
      .Policy!.Arn!;
    await iam.send(
      new CreateRoleCommand({
        RoleName: "lambdaflex-task",
        AssumeRolePolicyDocument: "{}",
        PermissionsBoundary: boundary,
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({ RoleName: "lambdaflex-task", PolicyName: "own", PolicyDocument: doc("Own") }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: "lambdaflex-task", PolicyArn: managed }));
    iam.destroy();

    const p = await loadRolePolicies("lambdaflex-task", endpoint);
    expect(p.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/lambdaflex-task`);
    expect(p.identity.map((i) => [i.name, (i.policy.Statement as { Sid: string }[])[0]!.Sid])).toEqual([
      ["inline:own", "Own"],
      [managed, "Managed"],
    ]);
    expect(p.boundary).toMatchObject({ name: boundary, policy: { Statement: [{ Sid: "Bound" }] } });
  });
});
