/**
 * Security checks on synthesized Terraform JSON (those on roles and images:
 * scripts/role-checks.ts), plus two guards on what the stacks bill while idle
 * (schedules, Secrets Manager). `npm run synth:check` runs
 * them on the committed output, and the tests run each against a
 * deliberately broken copy so every check is known to fail when it should.
 */

import { minutesBetweenRuns } from "../sim/idle-bill";
import { ROLE_CHECKS } from "./role-checks";

type Json = Record<string, any>;

/** One finding: which check, which resource, what is wrong. */
export interface Violation {
  readonly check: string;
  readonly resource: string;
  readonly problem: string;
}

const resources = (stack: Json, type: string): Array<[string, Json]> => Object.entries(stack.resource?.[type] ?? {});

/** Every action list in a policy, whether the policy is plain JSON or a `${jsonencode(...)}` template. */
function actionsIn(policy: string): string[] {
  const out: string[] = [];
  for (const m of policy.matchAll(/"Action"\s*[:=]\s*(\[[^\]]*\]|"[^"]*")/g)) {
    out.push(...[...m[1]!.matchAll(/"([^"]*)"/g)].map((a) => a[1]!));
  }
  return out;
}

/** No IAM statement may use a wildcard action (`*`, `s3:*`, `dynamodb:Get*`). */
export function noWildcardActions(stack: Json): Violation[] {
  const found: Violation[] = [];
  const policyTypes = ["aws_iam_role_policy", "aws_iam_policy", "aws_ecr_repository_policy", "aws_sns_topic_policy"];
  for (const type of policyTypes) {
    for (const [name, r] of resources(stack, type)) {
      for (const action of actionsIn(String(r.policy ?? ""))) {
        if (action.includes("*"))
          found.push({
            check: "no-wildcard-actions",
            resource: `${type}.${name}`,
            problem: `wildcard action "${action}"`,
          });
      }
    }
  }
  for (const [name, r] of resources(stack, "aws_iam_role")) {
    for (const action of actionsIn(String(r.assume_role_policy ?? ""))) {
      if (action.includes("*"))
        found.push({
          check: "no-wildcard-actions",
          resource: `aws_iam_role.${name}`,
          problem: `wildcard action "${action}" in trust policy`,
        });
    }
  }
  return found;
}

const WORLD = ["0.0.0.0/0", "::/0"];

/** Only the ALB's security group may admit the internet, and only on 80 and 443. */
export function noWorldOpenTaskGroups(stack: Json): Violation[] {
  const found: Violation[] = [];
  const albGroups = new Set(
    resources(stack, "aws_lb").flatMap(([, lb]) =>
      (lb.security_groups ?? []).map((ref: string) => /aws_security_group\.([^.[\]]+)/.exec(ref)?.[1]),
    ),
  );
  for (const [name, sg] of resources(stack, "aws_security_group")) {
    for (const rule of sg.ingress ?? []) {
      const cidrs: string[] = [...(rule.cidr_blocks ?? []), ...(rule.ipv6_cidr_blocks ?? [])];
      if (!cidrs.some((c) => WORLD.includes(c))) continue;
      if (!albGroups.has(name)) {
        found.push({
          check: "no-world-open-task-groups",
          resource: `aws_security_group.${name}`,
          problem: `ingress ${rule.from_port}-${rule.to_port} open to ${cidrs.join(", ")}`,
        });
      } else if (![80, 443].includes(rule.from_port) || rule.from_port !== rule.to_port) {
        found.push({
          check: "no-world-open-task-groups",
          resource: `aws_security_group.${name}`,
          problem: `ALB open to the world on ${rule.from_port}-${rule.to_port}, not just 80/443`,
        });
      }
    }
  }
  for (const [name, rule] of resources(stack, "aws_vpc_security_group_ingress_rule")) {
    if (WORLD.includes(rule.cidr_ipv4) || WORLD.includes(rule.cidr_ipv6)) {
      found.push({
        check: "no-world-open-task-groups",
        resource: `aws_vpc_security_group_ingress_rule.${name}`,
        problem: "ingress open to the world",
      });
    }
  }
  return found;
}

/** Listeners: HTTPS with a TLS 1.3 policy and a certificate, plus HTTP only as a redirect to HTTPS. */
export function httpsOnlyWithRedirect(stack: Json): Violation[] {
  const found: Violation[] = [];
  const listeners = resources(stack, "aws_lb_listener");
  if (resources(stack, "aws_lb").length === 0) return found;
  let https = 0;
  let redirect = 0;
  for (const [name, l] of listeners) {
    const id = `aws_lb_listener.${name}`;
    const actions: Json[] = l.default_action ?? [];
    if (l.protocol === "HTTPS") {
      https++;
      if (!String(l.ssl_policy ?? "").includes("TLS13"))
        found.push({
          check: "https-only",
          resource: id,
          problem: `TLS policy ${l.ssl_policy ?? "(default)"} is not a TLS 1.3 policy`,
        });
      if (!l.certificate_arn)
        found.push({ check: "https-only", resource: id, problem: "HTTPS listener without a certificate" });
    } else if (actions.length === 1 && actions[0]!.type === "redirect" && actions[0]!.redirect?.protocol === "HTTPS") {
      redirect++;
    } else {
      found.push({
        check: "https-only",
        resource: id,
        problem: `${l.protocol ?? "HTTP"} listener on port ${l.port} serves traffic instead of redirecting to HTTPS`,
      });
    }
  }
  if (https === 0) found.push({ check: "https-only", resource: "aws_lb", problem: "no HTTPS listener" });
  if (redirect === 0)
    found.push({ check: "https-only", resource: "aws_lb", problem: "no HTTP-to-HTTPS redirect listener" });
  return found;
}

/** Every log group has a retention (the default keeps logs, and their cost, forever). */
export function logGroupsHaveRetention(stack: Json): Violation[] {
  return resources(stack, "aws_cloudwatch_log_group")
    .filter(([, g]) => !(Number(g.retention_in_days) > 0))
    .map(([name]) => ({
      check: "log-retention",
      resource: `aws_cloudwatch_log_group.${name}`,
      problem: "no retention_in_days",
    }));
}

/** Every DynamoDB table has point-in-time recovery. */
export function tablesHavePitr(stack: Json): Violation[] {
  return resources(stack, "aws_dynamodb_table")
    .filter(([, t]) => t.point_in_time_recovery?.enabled !== true)
    .map(([name]) => ({
      check: "table-pitr",
      resource: `aws_dynamodb_table.${name}`,
      problem: "point-in-time recovery is not enabled",
    }));
}

/** The name of the `type` resource a `${type.name...}` reference points to, if it does. */
const refTo = (type: string, value: unknown): string | undefined =>
  new RegExp(`\\$\\{${type}\\.([^.[\\]}]+)`).exec(String(value ?? ""))?.[1];

/** Why CloudWatch cannot publish to a topic encrypted with `keyId`, or undefined when it can. */
function keyUnusableByCloudWatch(stack: Json, keyId: unknown): string | undefined {
  if (keyId === undefined || keyId === null || keyId === "") return undefined; // not encrypted
  const text = String(keyId);
  const awsManaged = /alias\/aws\/[\w-]+/.exec(text);
  if (awsManaged)
    return `is encrypted with the AWS-managed ${awsManaged[0]} key, whose key policy cannot grant CloudWatch its use`;
  const alias = refTo("aws_kms_alias", text);
  const keyName =
    refTo("aws_kms_key", text) ??
    (alias ? refTo("aws_kms_key", stack.resource?.aws_kms_alias?.[alias]?.target_key_id) : undefined);
  if (!keyName || !stack.resource?.aws_kms_key?.[keyName])
    return `is encrypted with a key whose policy is not in this stack (${text})`;
  const policies = [
    stack.resource.aws_kms_key[keyName].policy,
    ...resources(stack, "aws_kms_key_policy")
      .filter(([, p]) => refTo("aws_kms_key", p.key_id) === keyName)
      .map(([, p]) => p.policy),
  ];
  if (!policies.some((p) => String(p ?? "").includes("cloudwatch.amazonaws.com"))) {
    return `is encrypted with aws_kms_key.${keyName}, whose policy does not let cloudwatch.amazonaws.com use it`;
  }
  return undefined;
}

/**
 * Every SNS topic an alarm notifies can be published to by CloudWatch. CloudWatch
 * needs kms:GenerateDataKey* and kms:Decrypt on an encrypted topic's key, which the
 * AWS-managed alias/aws/sns key never grants: the alarm then fails with KMS
 * AccessDenied and the alert never arrives, with no error anywhere a person looks.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export function alarmTopicsUsableByCloudWatch(stack: Json): Violation[] {
  const found: Violation[] = [];
  for (const type of ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"]) {
    for (const [name, alarm] of resources(stack, type)) {
      const actions: unknown[] = [
        ...(alarm.alarm_actions ?? []),
        ...(alarm.ok_actions ?? []),
        ...(alarm.insufficient_data_actions ?? []),
      ];
      const topics = new Set(actions.map((a) => refTo("aws_sns_topic", a)).filter((t): t is string => t !== undefined));
      for (const topic of topics) {
        const problem = keyUnusableByCloudWatch(stack, stack.resource?.aws_sns_topic?.[topic]?.kms_master_key_id);
        if (problem)
          found.push({
            check: "alarm-topics-usable",
            resource: `${type}.${name}`,
            problem: `notifies aws_sns_topic.${topic}, which ${problem}`,
          });
      }
    }
  }
  return found;
}

/** The most often an always-on schedule may run: every run of an idle scaler bills (issue "near-zero idle cost"). */
export const IDLE_SCHEDULE_MIN_MINUTES = 15;

/**
 * No schedule that exists while the tier is off (no `count`, so not the fargate stack's
 * per-minute rule) runs more often than every 15 minutes.
 */
export function noFrequentIdleSchedules(stack: Json): Violation[] {
  const found: Violation[] = [];
  for (const type of ["aws_cloudwatch_event_rule", "aws_scheduler_schedule"]) {
    for (const [name, r] of resources(stack, type)) {
      if (r.count !== undefined || !r.schedule_expression) continue;
      let minutes: number;
      try {
        minutes = minutesBetweenRuns(String(r.schedule_expression));
      } catch (err) {
        found.push({ check: "idle-schedules", resource: `${type}.${name}`, problem: (err as Error).message });
        continue;
      }
      if (minutes < IDLE_SCHEDULE_MIN_MINUTES) {
        found.push({
          check: "idle-schedules",
          resource: `${type}.${name}`,
          problem: `${r.schedule_expression} runs every ${minutes} min while the tier is off; at most every ${IDLE_SCHEDULE_MIN_MINUTES} min (put faster schedules behind the tier's count)`,
        });
      }
    }
  }
  return found;
}

/** No Secrets Manager secret, created or read: each bills $0.40 a month idle; tokens live in SSM SecureStrings. */
export function noSecretsManager(stack: Json): Violation[] {
  return (["resource", "data"] as const).flatMap((kind) =>
    Object.entries((stack[kind] ?? {}) as Json)
      .filter(([type]) => type.startsWith("aws_secretsmanager_"))
      .flatMap(([type, byName]) =>
        Object.keys(byName as Json).map((name) => ({
          check: "no-secrets-manager",
          resource: `${kind === "data" ? "data." : ""}${type}.${name}`,
          problem: "Secrets Manager bills $0.40 a month per secret; use an SSM SecureString parameter",
        })),
      ),
  );
}

/**
 * A Lambda permission for Elastic Load Balancing names the one target group it serves
 * (`source_arn`): without it, any target group in any account's ALB could invoke the function.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
 */
export function elbInvokeScopedToTargetGroup(stack: Json): Violation[] {
  const targetGroup = (arn: unknown) =>
    refTo("aws_lb_target_group", arn) !== undefined ||
    refTo("aws_alb_target_group", arn) !== undefined ||
    /^arn:aws[\w-]*:elasticloadbalancing:[^:]+:\d{12}:targetgroup\/[^*]+$/.test(String(arn ?? ""));
  return resources(stack, "aws_lambda_permission")
    .filter(([, p]) => String(p.principal ?? "").startsWith("elasticloadbalancing."))
    .filter(([, p]) => !targetGroup(p.source_arn))
    .map(([name, p]) => ({
      check: "elb-invoke-scoped",
      resource: `aws_lambda_permission.${name}`,
      problem:
        p.source_arn === undefined
          ? "lets Elastic Load Balancing invoke the function without a source_arn"
          : `source_arn ${p.source_arn} is not a target group`,
    }));
}

export const SECURITY_CHECKS = {
  noWildcardActions,
  noWorldOpenTaskGroups,
  httpsOnlyWithRedirect,
  logGroupsHaveRetention,
  tablesHavePitr,
  alarmTopicsUsableByCloudWatch,
  noFrequentIdleSchedules,
  noSecretsManager,
  elbInvokeScopedToTargetGroup,
  ...ROLE_CHECKS,
};

/** Runs every check on one synthesized stack. */
export const securityViolations = (stack: Json): Violation[] =>
  Object.values(SECURITY_CHECKS).flatMap((check) => check(stack));
