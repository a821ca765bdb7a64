import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { synthesize } from "../../scripts/synth";
import { SECURITY_CHECKS, securityViolations } from "../../scripts/security-checks";
import { readStack, removeDir } from "../helpers/terraform";

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
    const broken = copy(core);
    const p = first(broken, "aws_iam_role_policy", (r) => r.policy.includes("dynamodb:GetItem"));
    p.policy = p.policy.replace('"dynamodb:GetItem"', '"dynamodb:*"');
    expect(SECURITY_CHECKS.noWildcardActions(broken)).toEqual([expect.objectContaining({ problem: 'wildcard action "dynamodb:*"' })]);
  });

  it("flag a wildcard action in a run role's customer-managed policy", () => {
    const broken = copy(bootstrap);
    const p = first(broken, "aws_iam_policy", (r) => r.name === "lambdaflex-tfc-fargate-load-balancing");
    p.policy = p.policy.replace('"elasticloadbalancing:CreateLoadBalancer"', '"elasticloadbalancing:*"');
    expect(SECURITY_CHECKS.noWildcardActions(broken)).toEqual([expect.objectContaining({ resource: expect.stringMatching(/^aws_iam_policy\.fargate-run-role_load-balancing_/), problem: 'wildcard action "elasticloadbalancing:*"' })]);
  });

  it("flag a bare * action in trust policies, written as jsonencode or as plain JSON", () => {
    const encoded = copy(core);
    const role = first(encoded, "aws_iam_role");
    role.assume_role_policy = role.assume_role_policy.replace('"sts:AssumeRole"', '"*"');
    expect(SECURITY_CHECKS.noWildcardActions(encoded)).toEqual([expect.objectContaining({ problem: 'wildcard action "*" in trust policy' })]);
    const plain = copy(core);
    first(plain, "aws_iam_role").assume_role_policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "*" }] });
    expect(SECURITY_CHECKS.noWildcardActions(plain)).toEqual([expect.objectContaining({ problem: 'wildcard action "*" in trust policy' })]);
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
    expect(SECURITY_CHECKS.noWorldOpenTaskGroups(broken)).toEqual([expect.objectContaining({ problem: expect.stringContaining("22-22") })]);
  });

  it("flag an HTTP listener that forwards instead of redirecting", () => {
    const broken = copy(fargate);
    const http = first(broken, "aws_lb_listener", (l) => l.protocol === "HTTP");
    http.default_action = [{ type: "forward", target_group_arn: "x" }];
    const found = SECURITY_CHECKS.httpsOnlyWithRedirect(broken).map((v) => v.problem);
    expect(found).toEqual(["HTTP listener on port 80 serves traffic instead of redirecting to HTTPS", "no HTTP-to-HTTPS redirect listener"]);
  });

  it("flag an HTTPS listener with an old TLS policy", () => {
    const broken = copy(fargate);
    first(broken, "aws_lb_listener", (l) => l.protocol === "HTTPS").ssl_policy = "ELBSecurityPolicy-2016-08";
    expect(SECURITY_CHECKS.httpsOnlyWithRedirect(broken)).toEqual([expect.objectContaining({ problem: expect.stringContaining("not a TLS 1.3 policy") })]);
  });

  it("flag an ELB invoke permission on a Lambda function that is not scoped to a target group", () => {
    const elb = (stack: Record<string, any>) => first(stack, "aws_lambda_permission", (p) => p.principal === "elasticloadbalancing.amazonaws.com");
    expect(elb(fargate).source_arn).toMatch(/^\$\{aws_lb_target_group\.lambda-target_targets_\w+\[0\]\.arn\}$/);
    const unscoped = copy(fargate);
    delete elb(unscoped).source_arn;
    expect(SECURITY_CHECKS.elbInvokeScopedToTargetGroup(unscoped)).toEqual([
      expect.objectContaining({ check: "elb-invoke-scoped", problem: "lets Elastic Load Balancing invoke the function without a source_arn" }),
    ]);
    const loadBalancer = copy(fargate);
    elb(loadBalancer).source_arn = "${aws_lb.lb_alb_3A88C95E[0].arn}";
    expect(SECURITY_CHECKS.elbInvokeScopedToTargetGroup(loadBalancer)).toEqual([expect.objectContaining({ problem: "source_arn ${aws_lb.lb_alb_3A88C95E[0].arn} is not a target group" })]);
    const wildcard = copy(fargate);
    elb(wildcard).source_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/*";
    expect(SECURITY_CHECKS.elbInvokeScopedToTargetGroup(wildcard)).toHaveLength(1);
    // A literal target group ARN is scoped; other principals are another check's business.
    const literal = copy(fargate);
    elb(literal).source_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambdaflex-lambda-tg/0123456789abcdef";
    expect(SECURITY_CHECKS.elbInvokeScopedToTargetGroup(literal)).toEqual([]);
  });

  it("flag a log group without retention", () => {
    const broken = copy(core);
    delete first(broken, "aws_cloudwatch_log_group").retention_in_days;
    expect(SECURITY_CHECKS.logGroupsHaveRetention(broken)).toEqual([expect.objectContaining({ problem: "no retention_in_days" })]);
  });

  it("flag a table without point-in-time recovery", () => {
    const broken = copy(core);
    first(broken, "aws_dynamodb_table").point_in_time_recovery.enabled = false;
    expect(SECURITY_CHECKS.tablesHavePitr(broken)).toEqual([expect.objectContaining({ check: "table-pitr" })]);
  });

  it("flag an always-on schedule more frequent than every 15 minutes, but not one that exists only with the tier", () => {
    const broken = copy(core);
    first(broken, "aws_cloudwatch_event_rule").schedule_expression = "rate(5 minutes)";
    broken.resource.aws_scheduler_schedule = { poll: { schedule_expression: "cron(*/10 * * * ? *)" }, daily: { schedule_expression: "cron(0 3 * * ? *)" } };
    expect(SECURITY_CHECKS.noFrequentIdleSchedules(broken)).toEqual([
      expect.objectContaining({ check: "idle-schedules", resource: expect.stringMatching(/^aws_cloudwatch_event_rule\.scaler_heartbeat_/), problem: expect.stringContaining("runs every 5 min") }),
      expect.objectContaining({ check: "idle-schedules", resource: "aws_scheduler_schedule.poll", problem: expect.stringContaining("runs every 10 min") }),
    ]);
    first(broken, "aws_cloudwatch_event_rule").schedule_expression = "rate(15 minutes)";
    expect(SECURITY_CHECKS.noFrequentIdleSchedules(broken)).toHaveLength(1);
    // The fargate stack's per-minute rule is counted on the tier, so it is not an idle schedule.
    expect(first(fargate, "aws_cloudwatch_event_rule")).toMatchObject({ schedule_expression: "rate(1 minute)", count: "${local.tier_changing}" });
    expect(SECURITY_CHECKS.noFrequentIdleSchedules(fargate)).toEqual([]);
    const always = copy(fargate);
    delete first(always, "aws_cloudwatch_event_rule").count;
    expect(SECURITY_CHECKS.noFrequentIdleSchedules(always)).toHaveLength(1);
  });

  it("flag any Secrets Manager secret, created or read", () => {
    const broken = copy(core);
    broken.resource.aws_secretsmanager_secret = { token: { name: "x" } };
    broken.data.aws_secretsmanager_secret_version = { token: { secret_id: "x" } };
    expect(SECURITY_CHECKS.noSecretsManager(broken).map((v) => v.resource)).toEqual(["aws_secretsmanager_secret.token", "data.aws_secretsmanager_secret_version.token"]);
    expect(SECURITY_CHECKS.noSecretsManager(core)).toEqual([]);
  });

  describe("alarm topics CloudWatch can publish to", () => {
    const alertTopic = (j: Record<string, any>) => Object.keys(j.resource.aws_sns_topic)[0]!;
    /** Core pages nobody through an alarm (the scaler publishes its alerts itself), so the tests add one. */
    const withPagingAlarm = (j: Record<string, any>) => {
      j.resource.aws_cloudwatch_metric_alarm.page = { alarm_name: "lambdaflex-page", alarm_actions: [`\${aws_sns_topic.${alertTopic(j)}.arn}`] };
      return j;
    };

    it("flag every alarm that notifies a topic under the AWS-managed alias/aws/sns key", () => {
      const broken = withPagingAlarm(copy(core));
      broken.resource.aws_sns_topic[alertTopic(broken)].kms_master_key_id = "alias/aws/sns";
      const found = SECURITY_CHECKS.alarmTopicsUsableByCloudWatch(broken);
      expect(found).toEqual([expect.objectContaining({ check: "alarm-topics-usable", resource: "aws_cloudwatch_metric_alarm.page", problem: expect.stringContaining("AWS-managed alias/aws/sns key") })]);
      expect(securityViolations(broken)).toEqual(found);
    });

    it("flag a key whose policy is not in the stack, or does not let CloudWatch use it", () => {
      const outside = withPagingAlarm(copy(core));
      outside.resource.aws_sns_topic[alertTopic(outside)].kms_master_key_id = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000";
      expect(SECURITY_CHECKS.alarmTopicsUsableByCloudWatch(outside)).toEqual([expect.objectContaining({ problem: expect.stringContaining("a key whose policy is not in this stack") })]);

      const withKey = (policy: string) => {
        const j = withPagingAlarm(copy(core));
        j.resource.aws_kms_key = { alerts: { policy } };
        j.resource.aws_kms_alias = { alerts: { name: "alias/alerts", target_key_id: "${aws_kms_key.alerts.key_id}" } };
        j.resource.aws_sns_topic[alertTopic(j)].kms_master_key_id = "${aws_kms_alias.alerts.name}";
        return SECURITY_CHECKS.alarmTopicsUsableByCloudWatch(j);
      };
      const grantsCloudWatch = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" }] });
      expect(withKey(grantsCloudWatch)).toEqual([]);
      expect(withKey(grantsCloudWatch.replace("cloudwatch.amazonaws.com", "sns.amazonaws.com"))).toEqual([
        expect.objectContaining({ problem: expect.stringContaining("does not let cloudwatch.amazonaws.com use it") }),
      ]);
    });
  });
});
