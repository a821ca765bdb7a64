import "cdktf/lib/testing/adapters/jest"; // the matchers' types
import { Testing, TerraformStack } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { MAX_SERVICE_LENGTH } from "../../config/derived-names";
import { parseDeploymentConfig, type DeploymentConfig } from "../../config/schema";
import { synthesize } from "../../scripts/synth";
import { securityViolations } from "../../scripts/security-checks";
import { buildStacks } from "../../stacks/app";
import { runRoleName } from "../../stacks/bootstrap-stack";
import { corePermissions } from "../../stacks/bootstrap/core-permissions";
import { fargatePermissions } from "../../stacks/bootstrap/fargate-permissions";
import { HcpTerraformOidc } from "../../stacks/bootstrap/hcp-terraform-oidc";
import { ImageRepository } from "../../stacks/bootstrap/image-repository";
import { ELB_CALLER_PERMISSIONS, ELB_CALLER_PERMISSIONS_WITHHELD } from "../../stacks/bootstrap/on-behalf-actions";
import { isReadAction, readOnlyPolicies } from "../../stacks/bootstrap/read-actions";
import { MANAGED_POLICIES_PER_ROLE, MANAGED_POLICY_MAX_CHARS, RunRole } from "../../stacks/bootstrap/run-role";
import { SERVICE_LINKED_ROLES } from "../../stacks/bootstrap/service-linked-roles";
import { SERVICE_TAG_KEY } from "../../stacks/bootstrap/service-tag";
import { TOKEN_PLACEHOLDER } from "../../model/token";
import { tierLogGroupName } from "../../model/names";
import type { Statement } from "../../stacks/policy";
import { decodeJsonencode, readStack, removeDir } from "../helpers/terraform";

Testing.setupJest();

const config = loadDeploymentConfig(undefined, {});
const withTfc = (tfc: Partial<DeploymentConfig["terraformCloud"]>): DeploymentConfig => ({
  ...config,
  terraformCloud: { ...config.terraformCloud, ...tfc },
});
const synthBootstrap = (c: DeploymentConfig = config) => {
  const { bootstrap } = buildStacks(Testing.app(), c);
  const synth = Testing.synth(bootstrap);
  return { synth, json: JSON.parse(synth) as Record<string, any> };
};

const resources = (json: Record<string, any>, type: string): Array<[string, any]> =>
  Object.entries(json.resource?.[type] ?? {});
const roleNamed = (json: Record<string, any>, name: string) => {
  const found = resources(json, "aws_iam_role").find(([, r]) => r.name === name);
  if (!found) throw new Error(`no role ${name}`);
  return { key: found[0], role: found[1] };
};
/** The managed policies attached to a role, by resource key. */
const rolePolicies = (json: Record<string, any>, name: string): Array<[string, any]> => {
  const { key } = roleNamed(json, name);
  return resources(json, "aws_iam_role_policy_attachment")
    .filter(([, a]) => a.role === `\${aws_iam_role.${key}.name}`)
    .map(([, a]) => {
      const policy = /^\$\{aws_iam_policy\.([^.]+)\.arn\}$/.exec(a.policy_arn)?.[1];
      if (!policy || !json.resource.aws_iam_policy[policy])
        throw new Error(`${name}: attachment of ${a.policy_arn}, not a policy of this stack`);
      return [policy, json.resource.aws_iam_policy[policy]] as [string, any];
    });
};
/** Every statement of a role's policies, decoded. */
const roleStatements = (json: Record<string, any>, name: string): Statement[] =>
  rolePolicies(json, name).flatMap(([, p]) => decodeJsonencode(p.policy).Statement as Statement[]);
const trustOf = (json: Record<string, any>, name: string) =>
  decodeJsonencode(roleNamed(json, name).role.assume_role_policy).Statement;
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

/** IAM's glob: * is any run of characters, ? one character. */
const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
/** Whether the statements allow `action` on `arn`, ignoring conditions (which only narrow further). */
const allows = (statements: Statement[], action: string, arn: string) => {
  const matches = (s: Statement) => actions(s).includes(action) && resourcesOf(s).some((r) => glob(r).test(arn));
  return (
    statements.some((s) => s.Effect === "Allow" && matches(s)) &&
    !statements.some((s) => s.Effect === "Deny" && matches(s))
  );
};

const ACCOUNT = "123456789012";
const base = {
  service: config.service,
  region: config.region,
  accountId: ACCOUNT,
  hostedZoneId: config.hostedZoneId,
  domain: config.domain,
};
const coreRole = corePermissions({
  ...base,
  repositoryArn: `arn:aws:ecr:${config.region}:${ACCOUNT}:repository/${config.service}`,
});
const fargateRole = fargatePermissions(base);
const RUN_ROLES = [
  "lambdaflex-tfc-core-plan",
  "lambdaflex-tfc-core-apply",
  "lambdaflex-tfc-fargate-plan",
  "lambdaflex-tfc-fargate-apply",
];

describe("BootstrapStack", () => {
  const { synth, json } = synthBootstrap();

  it("keeps local state, even when the workspaces use HCP Terraform", () => {
    for (const c of [config, withTfc({ organization: "acme" })]) {
      const { json: j } = synthBootstrap(c);
      expect(j.terraform.backend).toEqual({ local: { path: "terraform.tfstate" } });
      expect(j.terraform.cloud).toBeUndefined();
    }
  });

  it("registers HCP Terraform's OIDC provider for the configured host and audience", () => {
    expect(synth).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      url: "https://app.terraform.io",
      client_id_list: ["aws.workload.identity"],
    });
    const eu = synthBootstrap(withTfc({ organization: "acme", hostname: "app.eu.terraform.io" })).synth;
    expect(eu).toHaveResourceWithProperties(IamOpenidConnectProvider, { url: "https://app.eu.terraform.io" });
  });

  it("trusts each run role to one phase of its own workspace's runs only, with HashiCorp's claim format, matched exactly", () => {
    const { json: j } = synthBootstrap(
      withTfc({ organization: "acme", hostname: "app.eu.terraform.io", project: "LambdaFlex" }),
    );
    expect(j.variable.tfc_organization.default).toBe("acme");
    for (const [stack, workspace] of [
      ["core", "lambdaflex-core"],
      ["fargate", "lambdaflex-fargate"],
    ] as const) {
      for (const phase of ["plan", "apply"] as const) {
        expect(trustOf(j, runRoleName("lambdaflex", stack, phase))).toEqual([
          {
            Effect: "Allow",
            Principal: {
              Federated: expect.stringMatching(
                /^\$\{aws_iam_openid_connect_provider\.hcp-terraform_provider_\w+\.arn\}$/,
              ),
            },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                "app.eu.terraform.io:aud": "aws.workload.identity",
                "app.eu.terraform.io:sub": `organization:\${var.tfc_organization}:project:LambdaFlex:workspace:${workspace}:run_phase:${phase}`,
              },
            },
          },
        ]);
      }
    }
  });

  it("asks for the organization at apply time when the configuration has none, and validates it", () => {
    expect(json.variable.tfc_organization).not.toHaveProperty("default");
    expect(json.variable.tfc_organization.validation[0].condition).toBe(
      '${can(regex("^[A-Za-z0-9_-]+$", var.tfc_organization))}',
    );
  });

  it("rejects a project or workspace name that would act as a wildcard in the subject", () => {
    expect(() => synthBootstrap(withTfc({ project: "Default*" }))).toThrow(
      /project "Default\*" must not contain \*, \? or :/,
    );
    expect(() => synthBootstrap(withTfc({ fargateWorkspace: "lambdaflex-core" }))).toThrow(
      /each stack needs its own workspace/,
    );
  });

  it("names every action in every policy it writes: no wildcard action anywhere", () => {
    const docs = [
      ...resources(json, "aws_iam_role_policy").map(([, p]) => p.policy),
      ...resources(json, "aws_iam_policy").map(([, p]) => p.policy),
      ...resources(json, "aws_ecr_repository_policy").map(([, p]) => p.policy),
      ...resources(json, "aws_iam_role").map(([, r]) => r.assume_role_policy),
    ].map((p) => decodeJsonencode(p));
    const all = docs.flatMap((d) => (d.Statement as Statement[]).flatMap(actions));
    expect(all.length).toBeGreaterThan(150);
    expect(all.filter((a) => a.includes("*"))).toEqual([]);
    expect(securityViolations(json)).toEqual([]);
  });

  it("uses a * resource only for actions without resource-level permissions", () => {
    // Describe/list calls, plus the documented exceptions named in the policies' comments.
    const exceptions = [
      "ecs:DeregisterTaskDefinition",
      "acm:RequestCertificate",
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:UpdateLogDelivery",
      "logs:PutResourcePolicy",
    ];
    const star = RUN_ROLES.flatMap((r) => roleStatements(json, r)).filter((s) => resourcesOf(s).includes("*"));
    expect(star.length).toBeGreaterThan(3);
    for (const a of star.flatMap(actions))
      expect(/^[\w-]+:(Describe|List)/.test(a) || exceptions.includes(a)).toBe(true);
  });

  describe("the fargate apply role", () => {
    const statements = roleStatements(json, "lambdaflex-tfc-fargate-apply");
    const touching = (prefix: string) => statements.filter((s) => actions(s).some((a) => a.startsWith(prefix)));

    it("changes only load balancers, target groups and listeners named lambdaflex-*", () => {
      const writes = touching("elasticloadbalancing:").filter((s) => !resourcesOf(s).includes("*"));
      expect(writes.flatMap(actions)).toEqual(
        expect.arrayContaining([
          "elasticloadbalancing:CreateLoadBalancer",
          "elasticloadbalancing:DeleteLoadBalancer",
          "elasticloadbalancing:CreateTargetGroup",
        ]),
      );
      for (const r of writes.flatMap(resourcesOf))
        expect(r).toMatch(/:(loadbalancer\/app|targetgroup|listener\/app)\/lambdaflex-\*\//);
      for (const s of touching("elasticloadbalancing:").filter((s) => resourcesOf(s).includes("*")))
        for (const a of actions(s)) expect(a).toMatch(/^elasticloadbalancing:Describe/);
    });

    it("changes only the lambdaflex ECS cluster and service, and runs only core's task definition family", () => {
      const scoped = touching("ecs:").filter((s) => !resourcesOf(s).includes("*"));
      const local = (r: string) =>
        r.replace(/^arn:aws:ecs:us-east-1:\$\{data\.aws_caller_identity\.account\.account_id\}:/, "");
      expect([...new Set(scoped.flatMap(resourcesOf).map(local))].sort()).toEqual([
        "cluster/lambdaflex",
        "service/lambdaflex/lambdaflex",
      ]);
      const family =
        "arn:aws:ecs:us-east-1:${data.aws_caller_identity.account.account_id}:task-definition/lambdaflex:*";
      expect(statements.find((s) => actions(s).includes("ecs:CreateService"))!.Condition).toEqual({
        ArnLike: { "ecs:task-definition": family },
      });
      expect(statements.find((s) => actions(s).includes("ecs:UpdateService"))!.Condition).toEqual({
        ArnLikeIfExists: { "ecs:task-definition": family },
      });
      for (const a of ["ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:RunTask", "ecs:StartTask"])
        expect(statements.flatMap(actions)).not.toContain(a);
    });

    it("has no IAM action at all: no role to create, change, trust or pass (ECS uses its service-linked role), and no ECR action", () => {
      expect(touching("iam:")).toEqual([]);
      expect(touching("ecr:")).toEqual([]);
    });

    it("creates EC2 networking only with the service tag, and changes only what carries it", () => {
      const ec2Writes = touching("ec2:").filter((s) => actions(s).some((a) => !a.startsWith("ec2:Describe")));
      expect(ec2Writes.length).toBeGreaterThan(3);
      for (const s of ec2Writes) {
        const keys = Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c));
        expect(
          keys.some((k) => k === `aws:RequestTag/${SERVICE_TAG_KEY}` || k === `aws:ResourceTag/${SERVICE_TAG_KEY}`),
        ).toBe(true);
      }
      // The statement that lets each create make its new resource requires the tag in the request.
      const creates = {
        "ec2:CreateVpc": "vpc",
        "ec2:CreateSubnet": "subnet",
        "ec2:CreateInternetGateway": "internet-gateway",
        "ec2:CreateRouteTable": "route-table",
        "ec2:CreateSecurityGroup": "security-group",
      };
      for (const [action, type] of Object.entries(creates)) {
        const granting = ec2Writes.filter(
          (s) => actions(s).includes(action) && resourcesOf(s).some((r) => r.endsWith(`:${type}/*`)),
        );
        expect(granting).toHaveLength(1);
        expect(granting[0]!.Condition).toEqual({
          StringEquals: { [`aws:RequestTag/${SERVICE_TAG_KEY}`]: "lambdaflex" },
        });
      }
      // Subnets, route tables and security groups go only into a VPC that carries the tag.
      const intoVpc = ec2Writes.find(
        (s) => actions(s).includes("ec2:CreateSubnet") && resourcesOf(s).some((r) => r.endsWith(":vpc/*")),
      )!;
      expect(intoVpc.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/${SERVICE_TAG_KEY}`]: "lambdaflex" } });
      // Tagging is allowed only as part of those creates, on resources carrying the tag, or (the
      // VPC's default security group) on a security group that has no service tag at all.
      for (const s of ec2Writes.filter((s) => actions(s).includes("ec2:CreateTags"))) {
        const c = s.Condition!;
        expect(
          c.StringEquals?.["ec2:CreateAction"] ??
            c.StringEquals?.[`aws:ResourceTag/${SERVICE_TAG_KEY}`] ??
            c.Null?.[`aws:ResourceTag/${SERVICE_TAG_KEY}`],
        ).toBeDefined();
      }
    });

    it("changes only the service's A record in the one zone, and only alarms named lambdaflex-fargate-*", () => {
      const dns = touching("route53:ChangeResourceRecordSets")[0]!;
      expect(dns.Resource).toBe("arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ");
      expect(dns.Condition).toEqual({
        "ForAllValues:StringEquals": {
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["app.example.com"],
          "route53:ChangeResourceRecordSetsRecordTypes": ["A"],
        },
      });
      for (const r of touching("cloudwatch:").flatMap(resourcesOf))
        expect(r).toMatch(/:alarm:(lambdaflex-fargate-\*|TargetTracking-service\/lambdaflex\/lambdaflex-\*)$/);
    });

    it("manages only the scaler's per-minute rule, and adds only an EventBridge invoke permission to the scaler and an ELB one to the service function", () => {
      const events = touching("events:");
      expect(events.flatMap(resourcesOf)).toEqual([
        "arn:aws:events:us-east-1:${data.aws_caller_identity.account.account_id}:rule/lambdaflex-scaler-minute",
      ]);
      expect(events.flatMap(actions).sort()).toEqual([
        "events:DeleteRule",
        "events:DescribeRule",
        "events:ListTagsForResource",
        "events:ListTargetsByRule",
        "events:PutRule",
        "events:PutTargets",
        "events:RemoveTargets",
        "events:TagResource",
      ]);
      const lambda = touching("lambda:");
      const fn = (name: string) =>
        `arn:aws:lambda:us-east-1:\${data.aws_caller_identity.account.account_id}:function:${name}`;
      expect([...new Set(lambda.flatMap(actions))].sort()).toEqual([
        "lambda:AddPermission",
        "lambda:GetPolicy",
        "lambda:RemovePermission",
      ]);
      for (const r of lambda.flatMap(resourcesOf)) expect([fn("lambdaflex-scaler"), fn("lambdaflex-api")]).toContain(r);
      // Each function's AddPermission only for the principal the fargate stack grants it to.
      const adds = lambda.filter((s) => actions(s).includes("lambda:AddPermission"));
      expect(adds.map((s) => [resourcesOf(s), s.Condition])).toEqual([
        [[fn("lambdaflex-scaler")], { StringEquals: { "lambda:Principal": "events.amazonaws.com" } }],
        [[fn("lambdaflex-api")], { StringEquals: { "lambda:Principal": "elasticloadbalancing.amazonaws.com" } }],
      ]);
      expect(
        allows(Object.values(fargateRole).flat(), "events:PutRule", arn("events", "rule/lambdaflex-scaler-heartbeat")),
      ).toBe(false);
    });

    it("has the EC2 reads Elastic Load Balancing checks against the caller of each ELB call it may make (AWS's table)", () => {
      const all = Object.values(fargateRole).flat();
      const elb = (op: string) =>
        arn(
          "elasticloadbalancing",
          `${op === "RegisterTargets" ? "targetgroup/lambdaflex-lambda-tg" : "loadbalancer/app/lambdaflex-alb"}/0123456789abcdef`,
        );
      const callable = Object.keys(ELB_CALLER_PERMISSIONS).filter((op) =>
        allows(all, `elasticloadbalancing:${op}`, elb(op)),
      );
      expect(callable).toEqual(
        expect.arrayContaining(["CreateLoadBalancer", "CreateTargetGroup", "RegisterTargets", "SetSubnets"]),
      );
      const missing = callable.flatMap((op) =>
        ELB_CALLER_PERMISSIONS[op]!.filter((a) => !(a in ELB_CALLER_PERMISSIONS_WITHHELD) && !allows(all, a, "*")).map(
          (a) => `${op}: ${a}`,
        ),
      );
      expect(missing).toEqual([]);
      // What is withheld is not granted anywhere (the bootstrap stack creates the service-linked role instead).
      for (const a of Object.keys(ELB_CALLER_PERMISSIONS_WITHHELD)) expect(all.flatMap(actions)).not.toContain(a);
    });

    it("can do exactly what the fargate stack declares (contract with stacks/fargate-stack.ts)", () => {
      const problems = contract(fargateStack, fargateRole, fargateNeeds);
      expect(problems).toEqual([]);
      expect(resources(fargateStack, "aws_cloudwatch_log_group")).toEqual([]); // the role has no Logs permission
    });
  });

  describe("the core apply role", () => {
    const statements = roleStatements(json, "lambdaflex-tfc-core-apply");

    it("writes no IAM: it only passes the functions' roles to Lambda and the tasks' roles to ECS tasks, by name", () => {
      const iam = statements.filter((s) => actions(s).some((a) => a.startsWith("iam:")));
      const role = (name: string) => `arn:aws:iam::\${data.aws_caller_identity.account.account_id}:role/${name}`;
      expect(iam.map((s) => [actions(s), resourcesOf(s), s.Condition])).toEqual([
        [
          ["iam:PassRole"],
          [role("lambdaflex-api-role"), role("lambdaflex-scaler-role")],
          { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
        ],
        [
          ["iam:PassRole"],
          [role("lambdaflex-task"), role("lambdaflex-task-execution")],
          { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        ],
      ]);
      const all = Object.values(coreRole).flat();
      for (const name of [
        "lambdaflex-tfc-core-apply",
        "lambdaflex-tfc-fargate-apply",
        "lambdaflex-scheduler",
        "lambdaflex-task-backdoor",
      ])
        expect(allows(all, "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/${name}`)).toBe(false);
    });

    it("registers only the lambdaflex task definition family; deregistering and describing take * (no resource types)", () => {
      const ecs = statements.filter((s) => actions(s).some((a) => a.startsWith("ecs:")));
      expect(ecs.map((s) => [actions(s), resourcesOf(s)])).toEqual([
        [
          ["ecs:ListTagsForResource", "ecs:RegisterTaskDefinition", "ecs:TagResource", "ecs:UntagResource"],
          ["arn:aws:ecs:us-east-1:${data.aws_caller_identity.account.account_id}:task-definition/lambdaflex:*"],
        ],
        [["ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition"], ["*"]],
      ]);
    });

    it("requests certificates for the service's domain only, DNS-validated, and deletes only tagged ones", () => {
      const request = statements.find((s) => actions(s).includes("acm:RequestCertificate"))!;
      expect(request.Condition).toEqual({
        "ForAllValues:StringEquals": { "acm:DomainNames": ["app.example.com"] },
        StringEquals: { "acm:ValidationMethod": "DNS" },
      });
      const del = statements.find((s) => actions(s).includes("acm:DeleteCertificate"))!;
      expect(del.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/${SERVICE_TAG_KEY}`]: "lambdaflex" } });
    });

    it("manages the scaler's schedule group and nothing else in EventBridge Scheduler", () => {
      const scheduler = statements.filter((s) => actions(s).some((a) => a.startsWith("scheduler:")));
      expect(scheduler.flatMap(resourcesOf)).toEqual([
        "arn:aws:scheduler:us-east-1:${data.aws_caller_identity.account.account_id}:schedule-group/lambdaflex-scaler",
      ]);
      expect(scheduler.flatMap(actions)).not.toContain("scheduler:CreateSchedule");
    });

    it("can do what the core stack declares (contract with stacks/core-stack.ts and stacks/core/*)", () => {
      expect(contract(coreStack, coreRole, coreNeeds)).toEqual([]);
    });
  });

  describe("the plan roles", () => {
    it("are read-only copies of the apply roles: the same statements, resources and conditions, only the read actions", () => {
      for (const stack of ["core", "fargate"] as const) {
        const apply = roleStatements(json, runRoleName("lambdaflex", stack, "apply"));
        const plan = roleStatements(json, runRoleName("lambdaflex", stack, "plan"));
        expect(plan).toEqual(
          apply.flatMap((s) =>
            actions(s).some(isReadAction) ? [{ ...s, Action: actions(s).filter(isReadAction) }] : [],
          ),
        );
        expect(plan.flatMap(actions).every(isReadAction)).toBe(true);
      }
    });

    it("can read what a plan of core and of fargate refreshes, and change nothing", () => {
      // The plan roles' policies as bootstrap builds them, with the account resolved (the test above ties them to the synthesized ones).
      const plan = (stack: "core" | "fargate") =>
        Object.values(readOnlyPolicies(stack === "core" ? coreRole : fargateRole)).flat();
      expect(allows(plan("core"), "lambda:GetFunction", arn("lambda", "function:lambdaflex-api"))).toBe(true);
      expect(allows(plan("core"), "ecs:DescribeTaskDefinition", "*")).toBe(true);
      expect(allows(plan("core"), "apigateway:GET", `arn:aws:apigateway:${config.region}::/apis/abc123`)).toBe(true);
      expect(allows(plan("fargate"), "ecs:DescribeServices", arn("ecs", "service/lambdaflex/lambdaflex"))).toBe(true);
      expect(allows(plan("fargate"), "elasticloadbalancing:DescribeLoadBalancers", "*")).toBe(true);
      for (const stack of ["core", "fargate"] as const) {
        for (const write of [
          "lambda:CreateFunction",
          "ecs:CreateService",
          "ecs:RegisterTaskDefinition",
          "iam:PassRole",
          "route53:ChangeResourceRecordSets",
        ]) {
          expect(plan(stack).flatMap(actions)).not.toContain(write);
        }
      }
    });
  });

  describe("RunRole", () => {
    const roleIn = (policies: Record<string, Statement[]>, phase: "plan" | "apply") => {
      const stack = new TerraformStack(Testing.app(), "s");
      const oidc = new HcpTerraformOidc(stack, "oidc", { hostname: "app.terraform.io" });
      return new RunRole(stack, "r", {
        name: `x-tfc-core-${phase}`,
        description: "d",
        oidc,
        workspace: { organization: "o", project: "p", workspace: "w" },
        phase,
        policies,
      });
    };

    it("refuses a write action in a plan role", () => {
      expect(() =>
        roleIn({ p: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "*" }] }, "plan"),
      ).toThrow(/policy "p" gives the plan role the write action "s3:PutObject"/);
      expect(() =>
        roleIn({ p: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: "*" }] }, "apply"),
      ).not.toThrow();
    });

    it("refuses more managed policies than IAM attaches to one role", () => {
      const policies = Object.fromEntries(
        Array.from({ length: MANAGED_POLICIES_PER_ROLE + 1 }, (_, i) => [
          `p${i}`,
          [{ Effect: "Allow" as const, Action: ["s3:GetObject"], Resource: "*" }],
        ]),
      );
      expect(() => roleIn(policies, "apply")).toThrow(/11 policies; IAM attaches at most 10 managed policies/);
    });
  });

  it("gives each run role customer-managed policies, each under IAM's 6,144 characters and at most 10 per role, even for the longest names", () => {
    // The longest service name the schema allows, a long region, the longest zone id, a 131-character domain.
    const service = "s".repeat(MAX_SERVICE_LENGTH);
    const longest: DeploymentConfig = {
      ...config,
      service,
      region: "ap-southeast-3",
      hostedZoneId: `Z${"A".repeat(31)}`,
      domain: `${"d".repeat(63)}.${"e".repeat(63)}.com`,
      git: { ...config.git, tokenParameterName: `/${service}/git-token` },
      terraformCloud: { ...config.terraformCloud, tokenParameterName: `/${service}/tfc-token` },
    };
    expect(() => parseDeploymentConfig(longest)).not.toThrow();
    const { json: j } = synthBootstrap(longest);
    // No inline policy on a run role: those count against one 10,240-character quota per role.
    for (const stack of ["core", "fargate"] as const) {
      for (const phase of ["plan", "apply"] as const) {
        const { key: roleKey } = roleNamed(j, runRoleName(service, stack, phase));
        expect(
          resources(j, "aws_iam_role_policy").filter(([, p]) => p.role === `\${aws_iam_role.${roleKey}.id}`),
        ).toEqual([]);
      }
    }
    // What IAM stores: the document with every reference resolved (the account id, the boundary's
    // and the repository's ARNs), counted without whitespace.
    const key = (type: string, name: string) => resources(j, type).find(([, r]) => r.name === name)![0];
    const values: Record<string, string> = {
      "${data.aws_caller_identity.account.account_id}": ACCOUNT,
      [`\${aws_iam_policy.${key("aws_iam_policy", `${service}-task-boundary`)}.arn}`]: `arn:aws:iam::${ACCOUNT}:policy/${service}-task-boundary`,
      [`\${aws_ecr_repository.${key("aws_ecr_repository", service)}.arn}`]: `arn:aws:ecr:${longest.region}:${ACCOUNT}:repository/${service}`,
    };
    const resolved = (policy: string) =>
      Object.entries(values).reduce(
        (doc, [ref, value]) => doc.replaceAll(ref, value),
        JSON.stringify(decodeJsonencode(policy)),
      );
    const size = (policy: string) => resolved(policy).replace(/\s/g, "").length;
    const report: string[] = [];
    const tooLarge: string[] = [];
    for (const stack of ["core", "fargate"] as const) {
      for (const phase of ["plan", "apply"] as const) {
        const policies = rolePolicies(j, runRoleName(service, stack, phase));
        expect(policies.length).toBeGreaterThan(0);
        expect(policies.length).toBeLessThanOrEqual(MANAGED_POLICIES_PER_ROLE);
        for (const [, p] of policies) {
          expect(resolved(p.policy)).not.toContain("${"); // every reference resolved, so the size is IAM's
          const chars = size(p.policy);
          if (chars >= MANAGED_POLICY_MAX_CHARS) tooLarge.push(`${p.name}: ${chars} characters`);
          expect(p.name.length).toBeLessThanOrEqual(128); // IAM's policy name limit
          expect(p.name.startsWith(`${runRoleName(service, stack, phase)}-`)).toBe(true);
          report.push(
            `${p.name.replace(service, "<service>")}: ${chars} (headroom ${MANAGED_POLICY_MAX_CHARS - chars})`,
          );
        }
        report.push(
          `${runRoleName("<service>", stack, phase)}: ${policies.length} of ${MANAGED_POLICIES_PER_ROLE} managed policies`,
        );
      }
    }
    expect(tooLarge).toEqual([]);
    console.log(
      `run role policies for a ${MAX_SERVICE_LENGTH}-character service name, characters of ${MANAGED_POLICY_MAX_CHARS}:\n  ${report.join("\n  ")}`,
    );
  });

  it("creates the image repository with immutable tags, scanning on push, AES256", () => {
    expect(synth).toHaveResourceWithProperties(EcrRepository, {
      name: "lambdaflex",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: "AES256" }],
    });
    expect(json.output.image_repository_url.value).toMatch(
      /^\$\{aws_ecr_repository\.images_repository_\w+\.repository_url\}$/,
    );
  });

  it("keeps the newest 30 release-* images, so the running digest is never expired, and expires untagged ones after 14 days", () => {
    const [, lifecycle] = resources(json, "aws_ecr_lifecycle_policy")[0]!;
    expect(decodeJsonencode(lifecycle.policy).rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: {
          tagStatus: "tagged",
          tagPrefixList: ["release-"],
          countType: "imageCountMoreThan",
          countNumber: 30,
        },
        action: { type: "expire" },
      }),
      expect.objectContaining({
        rulePriority: 2,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 },
        action: { type: "expire" },
      }),
    ]);
    expect(
      () =>
        new ImageRepository(Testing.app(), "r", {
          name: "x",
          region: "us-east-1",
          accountId: ACCOUNT,
          functionNamePrefix: "x-",
          keepReleases: 0,
        }),
    ).toThrow(/keepReleases must be a whole number >= 1, got 0/);
  });

  it("lets only this account's lambdaflex-* functions pull, through the Lambda service", () => {
    const [, policy] = resources(json, "aws_ecr_repository_policy")[0]!;
    expect(decodeJsonencode(policy.policy).Statement).toEqual([
      {
        Sid: "LambdaPull",
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Condition: {
          StringEquals: { "aws:SourceAccount": "${data.aws_caller_identity.account.account_id}" },
          ArnLike: {
            "aws:SourceArn":
              "arn:aws:lambda:us-east-1:${data.aws_caller_identity.account.account_id}:function:lambdaflex-*",
          },
        },
      },
    ]);
  });

  it("creates both token parameters through the write-only argument, so no value ever reaches the state", () => {
    for (const name of ["/lambdaflex/git-token", "/lambdaflex/tfc-token"]) {
      expect(synth).toHaveResourceWithProperties(SsmParameter, {
        name,
        type: "SecureString",
        value_wo: TOKEN_PLACEHOLDER,
        value_wo_version: 1,
      });
    }
    for (const [, p] of resources(json, "aws_ssm_parameter")) {
      expect(p).not.toHaveProperty("value");
      expect(p).not.toHaveProperty("insecure_value");
    }
  });

  it("creates the Fargate tier's log group, with the configured retention, under the name the tier logs to", () => {
    expect(synth).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: tierLogGroupName("lambdaflex"),
      retention_in_days: 30,
    });
    expect(synthBootstrap({ ...config, logRetentionDays: 90 }).synth).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/ecs/lambdaflex",
      retention_in_days: 90,
    });
  });

  it("puts the four service-linked roles behind create_service_linked_roles (default true): the tier's, and API Gateway's for core's custom domain", () => {
    expect(json.variable.create_service_linked_roles).toMatchObject({ type: "bool", default: true });
    expect(Object.values(SERVICE_LINKED_ROLES)).toHaveLength(4);
    expect(resources(json, "aws_iam_service_linked_role")).toHaveLength(4);
    for (const service of [
      "ecs.amazonaws.com",
      "elasticloadbalancing.amazonaws.com",
      "ecs.application-autoscaling.amazonaws.com",
      "ops.apigateway.amazonaws.com",
    ]) {
      expect(synth).toHaveResourceWithProperties(IamServiceLinkedRole, {
        aws_service_name: service,
        count: "${var.create_service_linked_roles ? 1 : 0}",
      });
    }
  });

  it("outputs each workspace's plan and apply role ARNs, described by HCP Terraform's phase variables, the OIDC provider ARN and the repository URL", () => {
    expect(Object.keys(json.output).sort()).toEqual([
      "core_apply_role_arn",
      "core_plan_role_arn",
      "fargate_apply_role_arn",
      "fargate_plan_role_arn",
      "image_repository_url",
      "oidc_provider_arn",
      "task_boundary_arn",
    ]);
    for (const stack of ["core", "fargate"]) {
      for (const [phase, variable] of [
        ["plan", "TFC_AWS_PLAN_ROLE_ARN"],
        ["apply", "TFC_AWS_APPLY_ROLE_ARN"],
      ]) {
        expect(json.output[`${stack}_${phase}_role_arn`]).toEqual({
          value: expect.stringMatching(new RegExp(`^\\$\\{aws_iam_role\\.${stack}-roles_${phase}_role_\\w+\\.arn\\}$`)),
          description: `${variable} of lambdaflex-${stack}`,
        });
      }
    }
  });

  it("tags its own resources with the service tag", () => {
    expect(json.provider.aws[0].default_tags[0].tags).toMatchObject({
      [SERVICE_TAG_KEY]: "lambdaflex",
      Stack: "bootstrap",
    });
  });
});

// ---- Contracts with the stacks the run roles run (their source is another engineer's) ----

const out = mkdtempSync(join(tmpdir(), "lambdaflex-bootstrap-"));
// With the optional dashboard, so the contract covers everything core can declare.
const dirs = synthesize({ ...config, dashboard: true }, out);
const bootstrapStack = readStack(dirs.bootstrap!);
const coreStack = readStack(dirs.core!);
const fargateStack = readStack(dirs.fargate!);
afterAll(() => removeDir(out));

type Needs = Record<string, (r: any, stack: Record<string, any>) => Array<[string, string]>>;
const arn = (service: string, resource: string) => `arn:aws:${service}:${config.region}:${ACCOUNT}:${resource}`;
/** A role ARN the core stack builds from a name (`arn:aws:iam::${account}:role/<name>`), with the account resolved. */
const literalRole = (arn: string) => String(arn).replace("${data.aws_caller_identity.account.account_id}", ACCOUNT);
const zone = `arn:aws:route53:::hostedzone/${config.hostedZoneId}`;
const single = (stack: Record<string, any>, type: string) => Object.values(stack.resource[type])[0] as any;
/** The core function a reference (`${aws_lambda_function.<key>.function_name}`, or a cross-stack output of it) points to. */
const coreFunctionName = (reference: string) => {
  const found = Object.entries(coreStack.resource.aws_lambda_function as Record<string, any>).find(
    ([key]) => reference.includes(`aws_lambda_function.${key}.`) || reference.includes(`aws_lambda_function${key}`),
  );
  if (!found) throw new Error(`${reference} names no function of the core stack`);
  return found[1].function_name as string;
};
const ruleName = (stack: Record<string, any>, reference: string) => {
  const key = /aws_cloudwatch_event_rule\.([^.[\]}]+)/.exec(reference)?.[1];
  return stack.resource.aws_cloudwatch_event_rule[key!].name as string;
};

/** The action and ARN each declared resource's creation needs, by resource type. */
const coreNeeds: Needs = {
  aws_lambda_function: (r) => [
    ["lambda:CreateFunction", arn("lambda", `function:${r.function_name}`)],
    ["iam:PassRole", literalRole(r.role)],
  ],
  aws_ecs_task_definition: (r) => [
    ["ecs:RegisterTaskDefinition", arn("ecs", `task-definition/${r.family}:1`)],
    ["ecs:TagResource", arn("ecs", `task-definition/${r.family}:1`)],
    ["iam:PassRole", literalRole(r.task_role_arn)],
    ["iam:PassRole", literalRole(r.execution_role_arn)],
  ],
  aws_dynamodb_table: (r) => [
    ["dynamodb:CreateTable", arn("dynamodb", `table/${r.name}`)],
    ["dynamodb:UpdateContinuousBackups", arn("dynamodb", `table/${r.name}`)],
  ],
  aws_sns_topic: (r) => [["sns:CreateTopic", arn("sns", r.name)]],
  aws_cloudwatch_metric_alarm: (r) => [["cloudwatch:PutMetricAlarm", arn("cloudwatch", `alarm:${r.alarm_name}`)]],
  aws_cloudwatch_dashboard: (r) => [
    ["cloudwatch:PutDashboard", `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${r.dashboard_name}`],
  ],
  aws_cloudwatch_log_group: (r) => [
    ["logs:CreateLogGroup", arn("logs", `log-group:${r.name}`)],
    ["logs:PutRetentionPolicy", arn("logs", `log-group:${r.name}`)],
  ],
  aws_cloudwatch_event_rule: (r) => [["events:PutRule", arn("events", `rule/${r.name}`)]],
  aws_cloudwatch_event_target: (r, s) => [["events:PutTargets", arn("events", `rule/${ruleName(s, r.rule)}`)]],
  aws_lambda_permission: (r) => [
    ["lambda:AddPermission", arn("lambda", `function:${coreFunctionName(r.function_name)}`)],
  ],
  aws_lambda_function_event_invoke_config: (r) => [
    ["lambda:PutFunctionEventInvokeConfig", arn("lambda", `function:${coreFunctionName(r.function_name)}`)],
  ],
  aws_scheduler_schedule_group: (r) => [
    ["scheduler:CreateScheduleGroup", arn("scheduler", `schedule-group/${r.name}`)],
    ["scheduler:TagResource", arn("scheduler", `schedule-group/${r.name}`)],
  ],
  aws_route53_record: () => [["route53:ChangeResourceRecordSets", zone]],
  aws_apigatewayv2_domain_name: (r) => [
    ["apigateway:POST", `arn:aws:apigateway:${config.region}::/domainnames`],
    ["apigateway:GET", `arn:aws:apigateway:${config.region}::/domainnames/${r.domain_name}`],
  ],
  aws_apigatewayv2_api: () => [["apigateway:POST", `arn:aws:apigateway:${config.region}::/apis`]],
};
const fargateNeeds: Needs = {
  aws_lb: (r) => [
    [
      "elasticloadbalancing:CreateLoadBalancer",
      arn("elasticloadbalancing", `loadbalancer/app/${r.name}/0123456789abcdef`),
    ],
  ],
  aws_lb_target_group: (r) => [
    ["elasticloadbalancing:CreateTargetGroup", arn("elasticloadbalancing", `targetgroup/${r.name}/0123456789abcdef`)],
  ],
  aws_lb_listener: (_r, s) => [
    [
      "elasticloadbalancing:CreateListener",
      arn("elasticloadbalancing", `loadbalancer/app/${single(s, "aws_lb").name}/0123456789abcdef`),
    ],
  ],
  aws_ecs_cluster: (r) => [["ecs:CreateCluster", arn("ecs", `cluster/${r.name}`)]],
  aws_ecs_service: (r, s) => [
    ["ecs:CreateService", arn("ecs", `service/${single(s, "aws_ecs_cluster").name}/${r.name}`)],
  ],
  aws_cloudwatch_metric_alarm: (r) => [["cloudwatch:PutMetricAlarm", arn("cloudwatch", `alarm:${r.alarm_name}`)]],
  aws_route53_record: (r) =>
    r.name === config.domain
      ? [["route53:ChangeResourceRecordSets", zone]]
      : [["route53:ChangeResourceRecordSets", `record ${r.name} is outside the role's one record name`]],
  aws_appautoscaling_target: () => [
    [
      "application-autoscaling:RegisterScalableTarget",
      arn("application-autoscaling", "scalable-target/0123456789abcdef"),
    ],
  ],
  aws_cloudwatch_event_rule: (r) => [
    ["events:PutRule", arn("events", `rule/${r.name}`)],
    ["events:TagResource", arn("events", `rule/${r.name}`)],
    ["events:DeleteRule", arn("events", `rule/${r.name}`)],
  ],
  aws_cloudwatch_event_target: (r, s) => [
    ["events:PutTargets", arn("events", `rule/${ruleName(s, r.rule)}`)],
    ["events:RemoveTargets", arn("events", `rule/${ruleName(s, r.rule)}`)],
  ],
  aws_lambda_permission: (r) => [
    ["lambda:AddPermission", arn("lambda", `function:${coreFunctionName(r.function_name)}`)],
    ["lambda:RemovePermission", arn("lambda", `function:${coreFunctionName(r.function_name)}`)],
  ],
  aws_lb_target_group_attachment: (r, s) => {
    const group = s.resource.aws_lb_target_group[/aws_lb_target_group\.([^.[\]}]+)/.exec(r.target_group_arn)![1]!].name;
    const tg = arn("elasticloadbalancing", `targetgroup/${group}/0123456789abcdef`);
    return [
      ["elasticloadbalancing:RegisterTargets", tg],
      ["elasticloadbalancing:DeregisterTargets", tg],
      ["elasticloadbalancing:DescribeTargetHealth", "*"],
    ];
  },
};

/** What a stack declares that its run role could not create: "<type>.<name>: <action> on <arn>". */
function contract(stack: Record<string, any>, permissions: Record<string, Statement[]>, needs: Needs): string[] {
  const statements = Object.values(permissions).flat();
  const problems: string[] = [];
  let checked = 0;
  for (const [type, byName] of Object.entries(stack.resource as Record<string, Record<string, any>>)) {
    for (const [name, r] of Object.entries(byName)) {
      for (const [action, target] of needs[type]?.(r, stack) ?? []) {
        checked++;
        if (!allows(statements, action, target)) problems.push(`${type}.${name}: ${action} on ${target}`);
      }
    }
  }
  // Every kind of resource the needs table knows was found and checked (a renamed type would silently skip).
  const missing = Object.keys(needs).filter((type) => !stack.resource[type]);
  if (missing.length > 0 || checked === 0)
    problems.push(`the stack declares none of: ${missing.join(", ")}; update the needs table`);
  return problems;
}

describe("contracts with the core and fargate stacks", () => {
  it("core and fargate never read the bootstrap stack's local state", () => {
    for (const stack of [coreStack, fargateStack]) {
      for (const source of Object.values((stack.data?.terraform_remote_state ?? {}) as Record<string, any>))
        expect(JSON.stringify(source)).not.toContain("bootstrap");
    }
  });

  it("core and fargate tag every resource with the service tag the run roles' conditions rely on (stacks/tags.ts)", () => {
    for (const stack of [coreStack, fargateStack])
      expect(stack.provider.aws[0].default_tags[0].tags).toMatchObject({ [SERVICE_TAG_KEY]: "lambdaflex" });
  });

  it("core names only roles the bootstrap stack makes, by ARN, and reads no IAM; fargate names none", () => {
    const bootstrapRoles = new Set(resources(bootstrapStack, "aws_iam_role").map(([, r]) => r.name as string));
    const named = [
      ...JSON.stringify(coreStack.resource).matchAll(
        /arn:aws:iam::\$\{data\.aws_caller_identity\.account\.account_id\}:role\/([\w+=,.@-]+)/g,
      ),
    ].map((m) => m[1]!);
    expect([...new Set(named)].sort()).toEqual([
      "lambdaflex-api-role",
      "lambdaflex-scaler-role",
      "lambdaflex-scheduler",
      "lambdaflex-task",
      "lambdaflex-task-execution",
    ]);
    for (const name of named) expect(bootstrapRoles).toContain(name);
    for (const stack of [coreStack, fargateStack])
      expect(Object.keys(stack.data ?? {}).filter((t) => t.startsWith("aws_iam_"))).toEqual([]);
    expect(JSON.stringify(fargateStack.resource)).not.toMatch(/:role\//);
  });

  it("the task and execution roles the core task definition names carry the permissions boundary (stacks/bootstrap/task-roles.ts)", () => {
    const [definition] = Object.values(coreStack.resource.aws_ecs_task_definition) as any[];
    for (const arn of [definition.task_role_arn, definition.execution_role_arn]) {
      const { role: r } = roleNamed(bootstrapStack, /:role\/(.+)$/.exec(arn)![1]!);
      expect(r.permissions_boundary).toMatch(/^\$\{aws_iam_policy\.task-boundary_policy_\w+\.arn\}$/);
    }
  });

  it("the contract check itself flags a resource outside the role's scope", () => {
    const renamed = JSON.parse(JSON.stringify(fargateStack));
    single(renamed, "aws_lb").name = "other-alb";
    const problems = contract(renamed, fargateRole, fargateNeeds);
    expect(problems).toContainEqual(
      expect.stringContaining(
        "elasticloadbalancing:CreateLoadBalancer on arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other-alb/",
      ),
    );
    expect(problems).toHaveLength(3); // the load balancer and its two listeners
    for (const p of problems) expect(p).toContain("/app/other-alb/");
  });
});
