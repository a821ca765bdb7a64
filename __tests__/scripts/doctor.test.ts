import {
  mockAws,
  readyConfig,
  readyWorkspaces,
  runDoctor,
  SECRETS,
  startTerraformCloud,
  TOKEN,
} from "./doctor/ready-world";

const aws = mockAws();
let server: Awaited<ReturnType<typeof startTerraformCloud>>;

beforeEach(async () => {
  aws.ready();
  server = await startTerraformCloud();
});
afterEach(() => server.close());

describe("npm run doctor", () => {
  it("passes every check and exits 0 for a ready account and organization", async () => {
    const { code, out, failed } = await runDoctor({ url: server.url });
    expect(failed).toEqual({});
    expect(code).toBe(0);
    const lines = out.split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "ok  Lambda concurrency quota: quota 1000, 1000 unreserved; needs 100 (100 Lambda keeps unreserved)",
        "ok  Fargate On-Demand vCPU quota: 100 vCPU; fargate.maxTasks 50 × 0.5 vCPU needs 25",
        "ok  service-linked role AWSServiceRoleForECS: exists",
        "ok  service-linked role AWSServiceRoleForElasticLoadBalancing: exists",
        "ok  service-linked role AWSServiceRoleForApplicationAutoScaling_ECSService: exists",
        "ok  service-linked role AWSServiceRoleForAPIGateway: exists",
        "ok  hosted zone: Z0123456789ABCDEFGHIJ is the public zone example.com",
        "ok  domain in hosted zone: app.example.com is inside example.com",
        "ok  parameter /lambdaflex/git-token: SecureString, set (git.tokenParameterName; value not shown)",
        "ok  parameter /lambdaflex/tfc-token: SecureString, set (terraformCloud.tokenParameterName; value not shown)",
        "ok  HCP Terraform organization: acme on app.terraform.io",
        "ok  lambdaflex-core working directory: deploy/core",
        "ok  lambdaflex-core auto-apply: off (humans review core changes)",
        "ok  lambdaflex-fargate auto-apply: on (the scaler's commits must apply unattended)",
        "ok  lambdaflex-fargate VCS connection: example/lambdaflex-deploy, branch main",
        "ok  lambdaflex-core dynamic credentials: TFC_AWS_PROVIDER_AUTH=true, TFC_AWS_PLAN_ROLE_ARN arn:aws:iam::123456789012:role/lambdaflex-tfc-core-plan, TFC_AWS_APPLY_ROLE_ARN arn:aws:iam::123456789012:role/lambdaflex-tfc-core-apply",
        "ok  lambdaflex-core workspace variables: image_digest is not set as a workspace variable",
        "ok  lambdaflex-fargate workspace variables: none of fargate_tier, fargate_tier_since, fargate_min_tasks, fargate_max_tasks, fargate_pinned is set as a workspace variable",
        "ok  remote state sharing: lambdaflex-core shares its state with lambdaflex-fargate",
        "ok  run trigger: an apply in lambdaflex-core queues a run in lambdaflex-fargate",
      ]),
    );
    expect(lines.filter((l) => l.startsWith("ok  "))).toHaveLength(29);
    expect(lines[lines.length - 1]).toBe("all 29 checks passed: ready for the first deploy");
  });

  it("never prints a token: neither the parameters' values nor the HCP Terraform token", async () => {
    aws.ready();
    const { out } = await runDoctor({ url: server.url, env: { TFE_TOKEN: "wrong-token-value" } });
    const ready = await runDoctor({ url: server.url });
    for (const secret of [SECRETS.git, SECRETS.tfc, "wrong-token-value", TOKEN]) {
      expect(out).not.toContain(secret);
      expect(ready.out).not.toContain(secret);
    }
  });

  it("says the token was rejected, names the variable it came from, and skips the workspace checks", async () => {
    const { code, out, failed } = await runDoctor({ url: server.url, env: { TFE_TOKEN: "revoked" } });
    expect(code).toBe(1);
    expect(failed).toEqual({
      "HCP Terraform token": {
        detail: `HCP Terraform at ${server.url} rejected the token from TFE_TOKEN (HTTP 401): it is wrong, expired or revoked`,
        fix: "create a user or team token at https://app.terraform.io/app/settings/tokens and export LAMBDAFLEX_TFC_TOKEN=<token>",
      },
    });
    expect(out).not.toMatch(/lambdaflex-core/);
  });

  it("prefers LAMBDAFLEX_TFC_TOKEN over TFE_TOKEN, and reads TF_TOKEN_<host> last", async () => {
    expect(
      (await runDoctor({ url: server.url, env: { LAMBDAFLEX_TFC_TOKEN: "revoked" } })).failed["HCP Terraform token"]
        ?.detail,
    ).toMatch(/from LAMBDAFLEX_TFC_TOKEN/);
    expect(
      (await runDoctor({ url: server.url, env: { LAMBDAFLEX_TFC_TOKEN: TOKEN, TFE_TOKEN: "revoked" } })).code,
    ).toBe(0);
    expect((await runDoctor({ url: server.url, env: { TFE_TOKEN: "", TF_TOKEN_app_terraform_io: TOKEN } })).code).toBe(
      0,
    );
  });

  it("reports a missing token with where to create one", async () => {
    const { code, failed } = await runDoctor({ url: server.url, env: { TFE_TOKEN: "" } });
    expect(code).toBe(1);
    expect(failed["HCP Terraform token"]).toEqual({
      detail: "none of LAMBDAFLEX_TFC_TOKEN, TFE_TOKEN or TF_TOKEN_<host> is set, so HCP Terraform cannot be checked",
      fix: "create a user or team token at https://app.terraform.io/app/settings/tokens and export LAMBDAFLEX_TFC_TOKEN=<token>",
    });
  });

  it("reports an organization that is not set, or that HCP Terraform does not know", async () => {
    const unset = readyConfig();
    delete unset.terraformCloud.organization;
    const none = await runDoctor({ url: server.url, config: unset });
    expect(none.failed["HCP Terraform organization"]?.fix).toBe(
      "set terraformCloud.organization in lambdaflex.config.json (or export LAMBDAFLEX_TFC_ORGANIZATION=<organization>)",
    );
    const typo = await runDoctor({ url: server.url, env: { LAMBDAFLEX_TFC_ORGANIZATION: "acme-typo" } });
    expect(Object.keys(typo.failed)).toEqual(["HCP Terraform organization"]);
    expect(typo.failed["HCP Terraform organization"]?.detail).toBe(
      "acme-typo does not exist on app.terraform.io, or the token from TFE_TOKEN is not a member",
    );
  });

  it("reports a missing workspace with where to create it, and skips remote state sharing and the run trigger", async () => {
    await server.close();
    server = await startTerraformCloud(readyWorkspaces().filter((w) => w.name !== "lambdaflex-core"));
    const { code, out, failed } = await runDoctor({ url: server.url });
    expect(code).toBe(1);
    expect(failed).toEqual({
      "lambdaflex-core workspace": {
        detail: "does not exist in acme (or the token cannot see it)",
        fix: 'https://app.terraform.io/app/acme/workspaces/new → Version control workflow → https://github.com/example/lambdaflex-deploy.git, working directory deploy/core (README "Terraform Cloud setup", step 2)',
      },
    });
    expect(out).not.toContain("remote state sharing");
    expect(out).not.toContain("run trigger:");
  });

  it("exits 2 naming the bad field for an invalid configuration, and 2 for an unknown argument", async () => {
    const bad = readyConfig();
    bad.hostedZoneId = "not-a-zone";
    const invalid = await runDoctor({ url: server.url, config: bad });
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/hostedZoneId: must be a Route 53 hosted zone id/);
    expect(invalid.out).toBe("");
    // A size Fargate refuses, in the schema's words (the same as synth, simulate and advise).
    const size = readyConfig();
    size.fargate = { ...size.fargate, cpu: 256, memoryMb: 4096 };
    const refused = await runDoctor({ url: server.url, config: size });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(
      "\n  - fargate.memoryMb: memoryMb 4096 does not go with cpu 256: Fargate takes 512-2048 MiB (512, 1024 or 2048)",
    );
    const arg = await runDoctor({ url: server.url, argv: ["--fix"] });
    expect([arg.code, arg.err.split("\n")[0]]).toEqual([2, "doctor: unknown argument --fix"]);
    const help = await runDoctor({ url: server.url, argv: ["--help"] });
    expect([help.code, help.out]).toEqual([0, expect.stringMatching(/^usage: npm run doctor/)]);
  });
});
