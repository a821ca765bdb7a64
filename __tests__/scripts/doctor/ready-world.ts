/**
 * A deployment account and HCP Terraform organization where every doctor
 * check passes: AWS through aws-sdk-client-mock with the services' real
 * response shapes, HCP Terraform through the emulator's loopback server.
 * Tests break one thing and read the report the way a user would.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IAMClient, GetRoleCommand } from "@aws-sdk/client-iam";
import { GetAccountSettingsCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { doctorMain } from "../../../scripts/doctor";
import type { Fetch } from "../../../scaler/adapters/terraform-cloud";
import {
  TerraformCloudEmulator,
  type EmulatedWorkspace,
  type EmulatedWorkspaceSettings,
} from "../../../sim/world/terraform-cloud";

export const TOKEN = "tfc-user-token";
/** The real token values in the parameters: no report may contain them. */
export const SECRETS = { git: "ghp_realGitTokenValue", tfc: "tfc-realScalerToken" };
/** The bootstrap stack's role for one phase of one workspace (runRoleName), as its output prints it. */
export const roleArn = (stack: "core" | "fargate", phase: "plan" | "apply") =>
  `arn:aws:iam::123456789012:role/lambdaflex-tfc-${stack}-${phase}`;

/** A complete configuration (what lambdaflex.config.json holds, with an organization). */
export function readyConfig(): Record<string, any> {
  return {
    service: "lambdaflex",
    region: "us-east-1",
    domain: "app.example.com",
    hostedZoneId: "Z0123456789ABCDEFGHIJ",
    logRetentionDays: 30,
    lambda: { memoryMb: 512, timeoutSeconds: 15, meanDurationMs: 100 },
    api: { throttleRateLimit: 5000, throttleBurstLimit: 10000 },
    fargate: {
      cpu: 512,
      memoryMb: 1024,
      minTasks: 2,
      maxTasks: 50,
      requestsPerTaskPerSecond: 150,
      targetUtilization: 0.6,
      containerPort: 8080,
    },
    scaling: {
      warmupMinutes: 15,
      teardownMinutes: 10,
      minDwellMinutes: 15,
      warmingTimeoutMinutes: 20,
      applyTimeoutMinutes: 15,
      dnsTtlSeconds: 60,
      deregistrationDelaySeconds: 30,
      drainIdleRps: 0.5,
    },
    terraformCloud: {
      organization: "acme",
      coreWorkspace: "lambdaflex-core",
      fargateWorkspace: "lambdaflex-fargate",
      tokenParameterName: "/lambdaflex/tfc-token",
    },
    git: {
      repositoryUrl: "https://github.com/example/lambdaflex-deploy.git",
      branch: "main",
      tokenParameterName: "/lambdaflex/git-token",
      tokenUsername: "x-access-token",
      authorName: "LambdaFlex scaler",
      authorEmail: "scaler@lambdaflex.invalid",
    },
    deployDir: "deploy",
    scalerDryRun: false,
    toggleFile: "deploy/fargate/fargate.auto.tfvars.json",
  };
}

/** Dynamic credentials as README "Terraform Cloud setup" step 4 sets them: one role per run phase. */
export const credentials = (stack: "core" | "fargate") => [
  { key: "TFC_AWS_PROVIDER_AUTH", value: "true", category: "env" as const },
  { key: "TFC_AWS_PLAN_ROLE_ARN", value: roleArn(stack, "plan"), category: "env" as const },
  { key: "TFC_AWS_APPLY_ROLE_ARN", value: roleArn(stack, "apply"), category: "env" as const },
];
const settings = (dir: string, autoApply: boolean): EmulatedWorkspaceSettings => ({
  "working-directory": dir,
  "trigger-patterns": [`${dir}/**`],
  "auto-apply": autoApply,
  "execution-mode": "remote",
  "vcs-repo": { identifier: "example/lambdaflex-deploy", branch: "main" },
});

/**
 * A workspace with the source workspaces of its inbound run triggers (by name), which the
 * emulator (sim/world/terraform-cloud.ts) does not serve yet: startTerraformCloud answers them.
 */
export type DoctorWorkspace = EmulatedWorkspace & { readonly runTriggerSources?: readonly string[] };

/** Both workspaces as README "Terraform Cloud setup" describes them. */
export function readyWorkspaces(): DoctorWorkspace[] {
  return [
    {
      name: "lambdaflex-core",
      attributes: settings("deploy/core", false),
      vars: credentials("core"),
      remoteStateConsumers: ["lambdaflex-fargate"],
    },
    {
      name: "lambdaflex-fargate",
      attributes: settings("deploy/fargate", true),
      vars: credentials("fargate"),
      runTriggerSources: ["lambdaflex-core"],
    },
  ];
}

/** `readyWorkspaces()` with one workspace's settings, variables or consumers replaced. */
export function changed(
  name: "lambdaflex-core" | "lambdaflex-fargate",
  change: Partial<Omit<DoctorWorkspace, "attributes">> & { attributes?: EmulatedWorkspaceSettings },
): DoctorWorkspace[] {
  return readyWorkspaces().map((w) =>
    w.name === name ? { ...w, ...change, attributes: { ...w.attributes, ...change.attributes } } : w,
  );
}

/** Every AWS client mocked with a ready account's answers; tests override single commands. */
export function mockAws() {
  const m = {
    lambda: mockClient(LambdaClient),
    quotas: mockClient(ServiceQuotasClient),
    iam: mockClient(IAMClient),
    route53: mockClient(Route53Client),
    ssm: mockClient(SSMClient),
  };
  const ready = () => {
    for (const c of Object.values(m)) c.reset();
    m.lambda.on(GetAccountSettingsCommand).resolves({
      AccountLimit: {
        TotalCodeSize: 80530636800,
        CodeSizeUnzipped: 262144000,
        CodeSizeZipped: 52428800,
        ConcurrentExecutions: 1000,
        UnreservedConcurrentExecutions: 1000,
      },
      AccountUsage: { TotalCodeSize: 0, FunctionCount: 0 },
    });
    m.quotas.on(GetServiceQuotaCommand).resolves({
      Quota: {
        ServiceCode: "fargate",
        ServiceName: "AWS Fargate",
        QuotaArn: "arn:aws:servicequotas:us-east-1:123456789012:fargate/L-3032A538",
        QuotaCode: "L-3032A538",
        QuotaName: "Fargate On-Demand vCPU resource count",
        Value: 100,
        Unit: "None",
        Adjustable: true,
        GlobalQuota: false,
      },
    });
    m.iam.on(GetRoleCommand).callsFake((input: { RoleName: string }) => ({
      Role: {
        Path: "/aws-service-role/",
        RoleName: input.RoleName,
        RoleId: "AROAEXAMPLEID0000000",
        Arn: `arn:aws:iam::123456789012:role/aws-service-role/${input.RoleName}`,
        CreateDate: new Date("2024-01-01T00:00:00Z"),
      },
    }));
    m.route53.on(GetHostedZoneCommand).resolves({
      HostedZone: {
        Id: "/hostedzone/Z0123456789ABCDEFGHIJ",
        Name: "example.com.",
        CallerReference: "2024-01-01",
        Config: { PrivateZone: false },
        ResourceRecordSetCount: 2,
      },
      DelegationSet: { NameServers: ["ns-1.awsdns-01.org", "ns-2.awsdns-02.com"] },
    });
    for (const [name, value] of [
      ["/lambdaflex/git-token", SECRETS.git],
      ["/lambdaflex/tfc-token", SECRETS.tfc],
    ] as const) {
      m.ssm.on(GetParameterCommand, { Name: name }).resolves({
        Parameter: {
          Name: name,
          Type: "SecureString",
          Value: value,
          Version: 2,
          DataType: "text",
          ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`,
        },
      });
    }
  };
  return { ...m, ready };
}

/**
 * The emulator with these workspaces, listening on 127.0.0.1, behind a stand-in for
 * `GET /api/v2/workspaces/:id/run-triggers?filter[run-trigger][type]=inbound` (api-docs/run-triggers,
 * "List Run Triggers"), which the emulator does not serve yet: every other request goes through.
 */
export async function startTerraformCloud(workspaces: DoctorWorkspace[] = readyWorkspaces()) {
  const tfc = new TerraformCloudEmulator({
    organization: "acme",
    workspace: "lambdaflex-fargate",
    token: TOKEN,
    workspaces: workspaces.map(({ runTriggerSources: _, ...w }) => w),
    params: { runMinutes: [1, 2], failureRate: 0, discardRate: 0, policySoftFailRate: 0, webhookSeconds: [1, 2] },
    now: () => 0,
    schedule: () => undefined,
    random: () => 0.5,
    infrastructure: { hasChanges: () => false, apply: (_t, done) => done() },
  });
  const emulator = await tfc.listen();
  const sources = new Map(workspaces.map((w) => [w.name, w.runTriggerSources ?? []]));
  const relay = async (path: string, headers: http.IncomingHttpHeaders, method = "GET", body?: string) => {
    const res = await fetch(`${emulator.url}${path}`, {
      method,
      headers: {
        ...(headers.authorization ? { authorization: headers.authorization } : {}),
        "content-type": "application/vnd.api+json",
      },
      ...(body ? { body } : {}),
    });
    return { status: res.status, text: await res.text() };
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", async () => {
      const url = req.url ?? "/";
      const trigger = /^\/api\/v2\/workspaces\/([^/?]+)\/run-triggers\?(.*)$/.exec(url);
      let answer: { status: number; text: string };
      if (!trigger || new URLSearchParams(trigger[2]).get("filter[run-trigger][type]") !== "inbound") {
        answer = await relay(url, req.headers, req.method, body || undefined);
      } else {
        // The workspace and each source through the emulator, so its 401s and ids hold.
        const ws = await relay(`/api/v2/workspaces/${trigger[1]}`, req.headers);
        if (ws.status !== 200) answer = ws;
        else {
          const id = JSON.parse(ws.text).data.id as string;
          const name = JSON.parse(ws.text).data.attributes.name as string;
          const data = await Promise.all(
            (sources.get(name) ?? []).map(async (source, i) => {
              const src = JSON.parse(
                (await relay(`/api/v2/organizations/acme/workspaces/${source}`, req.headers)).text,
              ).data;
              return {
                id: `rt-${String(i).padStart(16, "0")}`,
                type: "run-triggers",
                attributes: {
                  "workspace-name": name,
                  "sourceable-name": source,
                  "created-at": "2026-01-01T00:00:00.000Z",
                },
                relationships: {
                  workspace: { data: { id, type: "workspaces" } },
                  sourceable: { data: { id: src.id, type: "workspaces" } },
                },
              };
            }),
          );
          answer = {
            status: 200,
            text: JSON.stringify({
              data,
              meta: {
                pagination: {
                  "current-page": 1,
                  "prev-page": null,
                  "next-page": null,
                  "total-pages": 1,
                  "total-count": data.length,
                },
              },
            }),
          };
        }
      }
      res.writeHead(answer.status, { "content-type": "application/vnd.api+json" }).end(answer.text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    tfc,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((done) => server.close(() => done()));
      await emulator.close();
    },
  };
}

/** Runs `npm run doctor` with this configuration and environment against the mocks and the emulator at `url`. */
export async function runDoctor(o: {
  url: string;
  config?: Record<string, any>;
  env?: NodeJS.ProcessEnv;
  argv?: string[];
}) {
  const dir = mkdtempSync(join(tmpdir(), "doctor-"));
  const file = join(dir, "lambdaflex.config.json");
  writeFileSync(file, JSON.stringify(o.config ?? readyConfig()));
  const out: string[] = [];
  const err: string[] = [];
  const code = await doctorMain(
    o.argv ?? [],
    { LAMBDAFLEX_CONFIG: file, TFE_TOKEN: TOKEN, ...o.env },
    { out: (t) => out.push(t), err: (t) => err.push(t) },
    (c) => ({
      lambda: new LambdaClient({ region: c.region }),
      quotas: new ServiceQuotasClient({ region: c.region }),
      iam: new IAMClient({ region: c.region }),
      route53: new Route53Client({ region: c.region }),
      ssm: new SSMClient({ region: c.region }),
      fetch: globalThis.fetch as unknown as Fetch,
      terraformCloudBaseUrl: o.url,
    }),
  );
  const text = out.join("\n");
  return { code, out: text, err: err.join("\n"), failed: failures(text) };
}

/** The report's failures by check name: { detail, fix } as printed (a fix shared by several failures is printed once, under all of them). */
export function failures(report: string): Record<string, { detail: string; fix: string }> {
  const lines = report.split("\n");
  const found: Record<string, { detail: string; fix: string }> = {};
  lines.forEach((line, i) => {
    const m = /^FAIL (.+?): (.*)$/.exec(line);
    if (!m) return;
    let next = i + 1;
    while (/^FAIL /.test(lines[next] ?? "")) next++;
    const fix = /^ {6}fix(?: \(the \d+ checks above\))?: (.*)$/.exec(lines[next] ?? "");
    if (fix) found[m[1]!] = { detail: m[2]!, fix: fix[1]! };
  });
  return found;
}
