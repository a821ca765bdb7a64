import { NoSuchEntityException, GetRoleCommand } from "@aws-sdk/client-iam";
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { GetHostedZoneCommand, NoSuchHostedZone } from "@aws-sdk/client-route-53";
import { GetServiceQuotaCommand } from "@aws-sdk/client-service-quotas";
import { GetParameterCommand, ParameterNotFound } from "@aws-sdk/client-ssm";
import { mockAws, readyConfig, runDoctor, startTerraformCloud } from "./ready-world";

const aws = mockAws();
let server: Awaited<ReturnType<typeof startTerraformCloud>>;
beforeAll(async () => (server = await startTerraformCloud()));
afterAll(() => server.close());
beforeEach(() => aws.ready());

const accountLimit = (ConcurrentExecutions: number, UnreservedConcurrentExecutions: number) => ({
  AccountLimit: {
    TotalCodeSize: 80530636800,
    CodeSizeUnzipped: 262144000,
    CodeSizeZipped: 52428800,
    ConcurrentExecutions,
    UnreservedConcurrentExecutions,
  },
  AccountUsage: { TotalCodeSize: 0, FunctionCount: 0 },
});
const parameter = (Name: string, Type: "String" | "SecureString", Value: string) => ({
  Parameter: { Name, Type, Value, Version: 1, DataType: "text" },
});
const SLR = [
  ["AWSServiceRoleForECS", "ecs.amazonaws.com", "fargate"],
  ["AWSServiceRoleForElasticLoadBalancing", "elasticloadbalancing.amazonaws.com", "fargate"],
  ["AWSServiceRoleForApplicationAutoScaling_ECSService", "ecs.application-autoscaling.amazonaws.com", "fargate"],
  // API Gateway creates it on an account's first custom domain (core's); the core run roles may not.
  ["AWSServiceRoleForAPIGateway", "ops.apigateway.amazonaws.com", "core"],
] as const;

describe("doctor: AWS prerequisites", () => {
  it("reports a new account's Lambda concurrency quota of 10 with the Service Quotas request", async () => {
    aws.lambda.on(GetAccountSettingsCommand).resolves(accountLimit(10, 10));
    const { code, failed } = await runDoctor({ url: server.url });
    expect(code).toBe(1);
    expect(failed).toEqual({
      "Lambda concurrency quota": {
        detail:
          "the account's concurrency quota in us-east-1 is 10 (10 is a new account's default); this configuration needs 100 (100 Lambda keeps unreserved)",
        fix: "aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 1000 --region us-east-1",
      },
    });
  });

  it("counts the configured reservations, and fails when other functions leave too little unreserved", async () => {
    const config = readyConfig();
    config.lambda.reservedConcurrency = 400;
    config.scalerReservedConcurrency = 1;
    aws.lambda.on(GetAccountSettingsCommand).resolves(accountLimit(1000, 450));
    aws.lambda.on(GetFunctionConcurrencyCommand).rejects(
      new ResourceNotFoundException({
        message: "Function not found: arn:aws:lambda:us-east-1:123456789012:function:lambdaflex-api",
        $metadata: {},
      }),
    );
    const { failed } = await runDoctor({ url: server.url, config });
    expect(Object.keys(failed)).toEqual(["Lambda concurrency quota"]);
    expect(failed["Lambda concurrency quota"]!.detail).toBe(
      "quota 1000, but other functions reserve 550: reserving 401 would leave 49 unreserved, below Lambda's minimum of 100",
    );

    // A redeploy: the service already holds its 400, so the same account has room.
    aws.lambda
      .on(GetFunctionConcurrencyCommand, { FunctionName: "lambdaflex-api" })
      .resolves({ ReservedConcurrentExecutions: 400 });
    const redeploy = await runDoctor({ url: server.url, config });
    expect(redeploy.failed).toEqual({});
    expect(redeploy.out).toContain(
      "ok  Lambda concurrency quota: quota 1000, 450 unreserved; needs 501 (lambda.reservedConcurrency 400 + scalerReservedConcurrency 1 + 100 Lambda keeps unreserved)",
    );
  });

  it("reports a Fargate vCPU quota below maxTasks × cpu with the request and the maxTasks that would fit", async () => {
    aws.quotas.on(GetServiceQuotaCommand).resolves({
      Quota: {
        ServiceCode: "fargate",
        QuotaCode: "L-3032A538",
        QuotaName: "Fargate On-Demand vCPU resource count",
        Value: 6,
        Adjustable: true,
      },
    });
    const { failed } = await runDoctor({ url: server.url });
    expect(failed).toEqual({
      "Fargate On-Demand vCPU quota": {
        detail: "6 vCPU in us-east-1; fargate.maxTasks 50 × 0.5 vCPU needs 25 (or lower fargate.maxTasks to 12)",
        fix: "aws service-quotas request-service-quota-increase --service-code fargate --quota-code L-3032A538 --desired-value 25 --region us-east-1",
      },
    });
  });

  it.each(SLR)(
    "reports the missing service-linked role %s with the command that creates it",
    async (role, service, stack) => {
      aws.iam
        .on(GetRoleCommand, { RoleName: role })
        .rejects(new NoSuchEntityException({ message: `The role with name ${role} cannot be found.`, $metadata: {} }));
      const { failed } = await runDoctor({ url: server.url });
      expect(failed).toEqual({
        [`service-linked role ${role}`]: {
          detail: `${role} does not exist in this account; the ${stack} stack's first apply needs it`,
          fix: `aws iam create-service-linked-role --aws-service-name ${service}`,
        },
      });
    },
  );

  it("reports a hosted zone that does not exist, with the command that finds the right one", async () => {
    aws.route53
      .on(GetHostedZoneCommand)
      .rejects(new NoSuchHostedZone({ message: "No hosted zone found with ID: Z0123456789ABCDEFGHIJ", $metadata: {} }));
    const { failed } = await runDoctor({ url: server.url });
    expect(failed).toEqual({
      "hosted zone": {
        detail:
          "hostedZoneId Z0123456789ABCDEFGHIJ does not exist in this account; find the public zone of app.example.com and set hostedZoneId (or LAMBDAFLEX_HOSTED_ZONE_ID) to its id",
        fix: "aws route53 list-hosted-zones-by-name --dns-name example.com",
      },
    });
  });

  it("reports a domain outside the zone, and a private zone", async () => {
    aws.route53.on(GetHostedZoneCommand).resolves({
      HostedZone: {
        Id: "/hostedzone/Z0123456789ABCDEFGHIJ",
        Name: "example.org.",
        CallerReference: "r",
        Config: { PrivateZone: true },
      },
    });
    const { failed } = await runDoctor({ url: server.url });
    expect(Object.keys(failed)).toEqual(["hosted zone", "domain in hosted zone"]);
    expect(failed["domain in hosted zone"]).toEqual({
      detail:
        "domain app.example.com is not inside zone example.org (Z0123456789ABCDEFGHIJ); set domain to a name under example.org, or hostedZoneId to the zone of app.example.com",
      fix: "aws route53 list-hosted-zones-by-name --dns-name example.com",
    });
    expect(failed["hosted zone"]!.detail).toMatch(/is a private zone; the service's records must resolve publicly/);
  });

  it("reports a missing token parameter with the command that writes it as a SecureString", async () => {
    aws.ssm
      .on(GetParameterCommand, { Name: "/lambdaflex/git-token" })
      .rejects(new ParameterNotFound({ message: "", $metadata: {} }));
    const { failed } = await runDoctor({ url: server.url });
    expect(failed).toEqual({
      "parameter /lambdaflex/git-token": {
        detail: "git.tokenParameterName names /lambdaflex/git-token, which does not exist in us-east-1",
        fix: 'read -rs TOKEN && aws ssm put-parameter --name /lambdaflex/git-token --type SecureString --value "$TOKEN" --region us-east-1',
      },
    });
  });

  it.each([
    ["the bare placeholder", "set-me"],
    ["the placeholder as JSON", '{"token": "set-me"}'],
  ])("reports a parameter that still holds %s, and overwrites it", async (_what, value) => {
    aws.ssm
      .on(GetParameterCommand, { Name: "/lambdaflex/tfc-token" })
      .resolves(parameter("/lambdaflex/tfc-token", "SecureString", value));
    const { failed } = await runDoctor({ url: server.url });
    expect(failed).toEqual({
      "parameter /lambdaflex/tfc-token": {
        detail:
          '/lambdaflex/tfc-token (terraformCloud.tokenParameterName) still holds the bootstrap placeholder "set-me", not a token',
        fix: 'read -rs TOKEN && aws ssm put-parameter --name /lambdaflex/tfc-token --type SecureString --value "$TOKEN" --overwrite --region us-east-1',
      },
    });
    // Only the decrypted value shows the placeholder.
    expect(
      aws.ssm.commandCalls(GetParameterCommand, { Name: "/lambdaflex/tfc-token" })[0]!.args[0].input.WithDecryption,
    ).toBe(true);
  });

  it("reports a token stored as a plain String, which put-parameter cannot convert in place", async () => {
    aws.ssm
      .on(GetParameterCommand, { Name: "/lambdaflex/git-token" })
      .resolves(parameter("/lambdaflex/git-token", "String", "ghp_plainTextToken"));
    const { out, failed } = await runDoctor({ url: server.url });
    expect(failed["parameter /lambdaflex/git-token"]).toEqual({
      detail: "/lambdaflex/git-token (git.tokenParameterName) is a String; tokens must be SecureString",
      fix: 'aws ssm delete-parameter --name /lambdaflex/git-token --region us-east-1 && read -rs TOKEN && aws ssm put-parameter --name /lambdaflex/git-token --type SecureString --value "$TOKEN" --region us-east-1',
    });
    expect(out).not.toContain("ghp_plainTextToken");
  });

  it("tells the user to configure credentials when the SDK finds none, for every AWS check", async () => {
    const noCredentials = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    for (const m of [aws.lambda, aws.quotas, aws.iam, aws.route53, aws.ssm]) m.onAnyCommand().rejects(noCredentials);
    const { code, failed } = await runDoctor({ url: server.url });
    expect(code).toBe(1);
    // Every AWS check fails (the zone's domain check needs the zone), and HCP Terraform is still checked.
    expect(Object.keys(failed)).toEqual([
      "Lambda concurrency quota",
      "Fargate On-Demand vCPU quota",
      ...SLR.map(([role]) => `service-linked role ${role}`),
      "hosted zone",
      "parameter /lambdaflex/git-token",
      "parameter /lambdaflex/tfc-token",
    ]);
    expect(failed["hosted zone"]).toEqual({
      detail: "route53:GetHostedZone failed: CredentialsProviderError: Could not load credentials from any providers",
      fix: "configure AWS credentials for the deployment account (aws configure sso, or export AWS_PROFILE=<profile>), then run npm run doctor again",
    });
  });

  it("prints a fix the checks share once, under all of them (no credentials: one fix for the 9 AWS checks)", async () => {
    const noCredentials = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    for (const m of [aws.lambda, aws.quotas, aws.iam, aws.route53, aws.ssm]) m.onAnyCommand().rejects(noCredentials);
    const { out } = await runDoctor({ url: server.url });
    const fixes = out.split("\n").filter((l) => /^ {6}fix/.test(l));
    expect(fixes).toEqual([
      "      fix (the 9 checks above): configure AWS credentials for the deployment account (aws configure sso, or export AWS_PROFILE=<profile>), then run npm run doctor again",
    ]);
    const lines = out.split("\n");
    const at = lines.indexOf(fixes[0]!);
    expect(lines.slice(at - 9, at).every((l) => l.startsWith("FAIL "))).toBe(true);
    expect(out).toContain("\n9 of ");
  });
});
