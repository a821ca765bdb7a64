import { breakEvenRps, workloadFrom } from "../../sim/cost-model";
import "cdktf/lib/testing/adapters/jest"; // the matchers' types
import { Testing } from "cdktf";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2DomainName } from "@cdktf/provider-aws/lib/apigatewayv2-domain-name";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { DataAwsEcrRepository } from "@cdktf/provider-aws/lib/data-aws-ecr-repository";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { SchedulerScheduleGroup } from "@cdktf/provider-aws/lib/scheduler-schedule-group";
import { loadDeploymentConfig } from "../../config/load";
import { buildStacks } from "../../stacks/app";
import { HttpApi } from "../../stacks/core/http-api";
import { LambdaService } from "../../stacks/core/lambda-service";
import { SCALER_STATUS_KEY } from "../../service/scaler-status";
import { scalerSettingsFrom, wakeAlarmNames } from "../../scaler/settings";
import { Scaler } from "../../stacks/core/scaler";
import { SCALER_ZIP } from "../../scripts/paths";
import { decodeJsonencode } from "../helpers/terraform";

Testing.setupJest();

/** The source text of the one statement with this Sid, inside a policy's jsonencode({...}) template (one nested object allowed, for Condition). */
const statementIn = (policy: string, sid: string) => new RegExp(`\\{[^{}]*"Sid" = "${sid}"(?:[^{}]|\\{[^{}]*(?:\\{[^{}]*\\}[^{}]*)*\\})*\\}`).exec(policy)?.[0] ?? "";
const actionsIn = (policy: string) => [...policy.matchAll(/"Action" = \[([^\]]*)\]/g)].flatMap((m) => [...m[1]!.matchAll(/"([^"]+)"/g)].map((a) => a[1]!));

const config = loadDeploymentConfig(undefined, {});
const synthCore = (overrides: Partial<typeof config> = {}) => {
  const app = Testing.app();
  const { core } = buildStacks(app, { ...config, ...overrides });
  return Testing.synth(core);
};

describe("CoreStack", () => {
  const synth = synthCore();
  const json = JSON.parse(synth);

  it("reads the bootstrap stack's image repository by name instead of creating it", () => {
    expect(synth).not.toHaveResource(EcrRepository);
    expect(synth).toHaveDataSourceWithProperties(DataAwsEcrRepository, { name: "lambdaflex" });
    expect(json.output.image_repository_url.value).toBe("${data.aws_ecr_repository.image-repository.repository_url}");
  });

  it("runs the image on arm64 Lambda by the committed digest, with the DynamoDB store configured", () => {
    expect(synth).toHaveResourceWithProperties(LambdaFunction, {
      package_type: "Image",
      image_uri: "${data.aws_ecr_repository.image-repository.repository_url}@${var.image_digest}",
      architectures: ["arm64"],
      memory_size: 512,
      timeout: 15,
      environment: { variables: expect.objectContaining({ LAMBDAFLEX_STORE: "dynamodb", LAMBDAFLEX_TIER: "lambda", LAMBDAFLEX_VERSION: "${var.image_digest}" }) },
    });
  });

  it("declares image_digest with no default and a ${...} validation of the sha256 form", () => {
    expect(json.variable.image_digest).toEqual({
      type: "string",
      description: expect.stringContaining("npm run release"),
      validation: [{ condition: '${can(regex("^sha256:[0-9a-f]{64}$", var.image_digest))}', error_message: expect.stringContaining("image_digest must be sha256:") }],
    });
    const pattern = new RegExp(/regex\("(.*)", var/.exec(json.variable.image_digest.validation[0].condition)![1]!);
    expect(pattern.test(`sha256:${"a1".repeat(32)}`)).toBe(true);
    for (const bad of ["latest", `sha256:${"A1".repeat(32)}`, `sha256:${"a".repeat(63)}`, `${"a".repeat(64)}`]) expect(pattern.test(bad)).toBe(false);
    // The other keys of the release file are declared too, so Terraform does not warn about them.
    expect(json.variable.image_tag).toMatchObject({ type: "string", default: "" });
    expect(json.variable.released_at).toMatchObject({ type: "string", default: "" });
  });

  it("fronts the function with an HTTP API whose only entrance is the custom domain", () => {
    expect(synth).toHaveResourceWithProperties(Apigatewayv2Api, { protocol_type: "HTTP", disable_execute_api_endpoint: true });
    expect(synth).toHaveResourceWithProperties(Apigatewayv2Stage, {
      name: "$default",
      default_route_settings: { throttling_rate_limit: 5000, throttling_burst_limit: 10000 },
    });
    expect(synth).toHaveResourceWithProperties(Apigatewayv2DomainName, {
      domain_name: "app.example.com",
      domain_name_configuration: expect.objectContaining({ endpoint_type: "REGIONAL", security_policy: "TLS_1_2" }),
    });
  });

  it("validates the certificate through Route 53 and hands out the validated ARN", () => {
    expect(synth).toHaveResource(AcmCertificateValidation);
    const domain = Object.values(json.resource.aws_apigatewayv2_domain_name)[0] as any;
    expect(domain.domain_name_configuration.certificate_arn).toMatch(/aws_acm_certificate_validation\..*\.certificate_arn/);
  });

  it("publishes the permanent weight-0 lambda alias record", () => {
    expect(synth).toHaveResourceWithProperties(Route53Record, {
      name: "app.example.com",
      type: "A",
      set_identifier: "lambda",
      weighted_routing_policy: { weight: 0 },
      alias: expect.objectContaining({ evaluate_target_health: false }),
    });
  });

  it("writes its records into the configured zone by id, without reading the zone (no route53:ListHostedZones for the run role)", () => {
    expect(json.data?.aws_route53_zone).toBeUndefined();
    const records = Object.values(json.resource.aws_route53_record) as any[];
    expect(records).toHaveLength(2); // the lambda alias and the certificate's validation record
    for (const r of records) expect(r.zone_id).toBe(config.hostedZoneId);
    const app = Testing.app();
    expect(buildStacks(app, { ...config, hostedZoneId: "Z9999999999" }).core.hostedZoneId).toBe("Z9999999999");
  });

  it("keeps links in an on-demand table with PITR and deletion protection", () => {
    expect(synth).toHaveResourceWithProperties(DynamodbTable, {
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "code",
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
    });
  });

  it("encrypts the table with DynamoDB's AWS owned key, so no plan reads a KMS key the run role may not", () => {
    // server_side_encryption { enabled = true } means the AWS managed key: billed per request, and
    // the provider calls kms:DescribeKey on every read (found by the cloud test's IAM accounting).
    const table = Object.values(json.resource.aws_dynamodb_table)[0] as Record<string, unknown>;
    expect(table.server_side_encryption).toBeUndefined();
  });

  it("limits the function's role to its log group and its table", () => {
    const policy = (Object.values(json.resource.aws_iam_role_policy) as any[]).find((p) => p.policy.includes("dynamodb"));
    expect(policy.policy).toContain("dynamodb:GetItem");
    expect(policy.policy).toMatch(/aws_dynamodb_table\.[^.]+\.arn/);
    expect(policy.policy).not.toMatch(/"Resource" *= *"\*"/);
  });

  it("denies the function's role every write to the scaler's status item", () => {
    const policy = json.resource.aws_iam_role_policy[Object.keys(json.resource.aws_iam_role_policy).find((k) => k.startsWith("lambda_policy"))!].policy as string;
    const deny = statementIn(policy, "NeverTheScalerStatus");
    expect(deny).toContain('"Effect" = "Deny"');
    expect(actionsIn(deny).sort()).toEqual(["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]);
    expect(deny).toMatch(/"Resource" = aws_dynamodb_table\.links_table_\w+\.arn/);
    // ForAnyValue: a batch that touches the status key at all is denied (ForAllValues would let a mixed batch through).
    expect(deny).toContain(`"ForAnyValue:StringEquals" = {"dynamodb:LeadingKeys" = ["${SCALER_STATUS_KEY}"]}`);
  });

  it("lets Lambda assume the two function roles, and EventBridge Scheduler the scheduler role, only on behalf of this account", () => {
    const roles = Object.values(json.resource.aws_iam_role) as any[];
    expect(roles.map((r) => r.name).sort()).toEqual(["lambdaflex-api-role", "lambdaflex-scaler-role", "lambdaflex-scheduler"]);
    const trust = (service: string) =>
      `\${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Effect" = "Allow", "Principal" = {"Service" = "${service}"}, "Action" = "sts:AssumeRole", ` +
      '"Condition" = {"StringEquals" = {"aws:SourceAccount" = data.aws_caller_identity.account.account_id}}}]})}';
    for (const role of roles) expect(role.assume_role_policy).toBe(trust(role.name === "lambdaflex-scheduler" ? "scheduler.amazonaws.com" : "lambda.amazonaws.com"));
    expect(Object.keys(json.data.aws_caller_identity)).toEqual(["account"]);
  });

  it("creates each function after its log group and role policy, so its first run can log", () => {
    for (const [prefix, fn] of Object.entries(json.resource.aws_lambda_function as Record<string, any>).map(([k, f]) => [k.split("_")[0], f])) {
      expect(fn.depends_on.sort()).toEqual([expect.stringMatching(new RegExp(`^aws_cloudwatch_log_group\\.${prefix}_logs_`)), expect.stringMatching(new RegExp(`^aws_iam_role_policy\\.${prefix}_policy_`))]);
    }
  });

  it("publishes alerts on an unencrypted topic CloudWatch can use, with the operators' e-mail subscribed", () => {
    const withEmail = synthCore({ alertEmail: "ops@example.com" });
    expect(withEmail).toHaveResourceWithProperties(SnsTopic, { name: "lambdaflex-alerts" });
    expect((Object.values(JSON.parse(withEmail).resource.aws_sns_topic)[0] as any).kms_master_key_id).toBeUndefined();
    expect(withEmail).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: "email", endpoint: "ops@example.com", topic_arn: expect.stringMatching(/aws_sns_topic\.alerts_topic_\w+\.arn/) });
    expect(synth).not.toHaveResource(SnsTopicSubscription);
  });

  it("tags every resource with the service tag the core run role requires (the certificate is created only with it)", () => {
    expect(json.provider.aws[0].default_tags[0].tags).toMatchObject({ "lambdaflex:service": "lambdaflex", Stack: "core" });
  });

  it("creates no dashboard ($3 a month beyond the account's three free) unless the configuration asks for one", () => {
    expect(config.dashboard).toBe(false);
    expect(synth).not.toHaveResource(CloudwatchDashboard);
    expect(synthCore({ dashboard: true })).toHaveResourceWithProperties(CloudwatchDashboard, { dashboard_name: "lambdaflex" });
  });

  it("switches to Terraform Cloud on the configured host when an organization is configured", () => {
    const cloud = JSON.parse(synthCore({ terraformCloud: { ...config.terraformCloud, organization: "acme", hostname: "app.eu.terraform.io" } }));
    expect(cloud.terraform.cloud).toEqual({ hostname: "app.eu.terraform.io", organization: "acme", workspaces: { name: "lambdaflex-core" } });
    expect(json.terraform.backend.local.path).toBe("../core/terraform.core.tfstate");
  });
});

describe("CoreStack scaler", () => {
  const synth = synthCore();
  const json = JSON.parse(synth);
  const [scalerKey, scaler] = (Object.entries(json.resource.aws_lambda_function) as Array<[string, any]>).find(([, f]) => f.function_name === "lambdaflex-scaler")!;
  const scalerPolicy = () => (Object.values(json.resource.aws_iam_role_policy) as any[]).find((p) => p.policy.includes("cloudwatch:GetMetricData")).policy as string;
  /** The source text of the one statement with this Sid, inside the policy's jsonencode({...}) template. */
  const statement = statementIn;
  const actionsOf = actionsIn;

  it("runs the bundled scaler zip on arm64 Node 22 without reserving concurrency unless configured", () => {
    expect(scaler).toMatchObject({ runtime: "nodejs22.x", architectures: ["arm64"], handler: "index.handler", timeout: 60 });
    // New accounts have a concurrency quota of 10 and Lambda keeps 100 unreserved: reserving even 1 fails there.
    expect(scaler).not.toHaveProperty("reserved_concurrent_executions");
    const reserved = JSON.parse(synthCore({ scalerReservedConcurrency: 1 }));
    expect((Object.values(reserved.resource.aws_lambda_function) as any[]).find((f) => f.function_name === "lambdaflex-scaler").reserved_concurrent_executions).toBe(1);
    expect(scaler.filename).toMatch(/^assets\/scaler_code_\w+\/\w+\/scaler\.zip$/);
    expect(scaler.source_code_hash).toContain("filebase64sha256");
    expect(scaler.environment.variables.LAMBDAFLEX_SCALER_SETTINGS).toContain("jsonencode");
  });

  it("gives the scaler only what it uses", () => {
    const policy = scalerPolicy();
    expect(actionsOf(policy).sort()).toEqual([
      "cloudwatch:DescribeAlarms",
      "cloudwatch:GetMetricData",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
      "elasticloadbalancing:ModifyListener",
      "iam:PassRole",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "route53:ListResourceRecordSets",
      "scheduler:CreateSchedule",
      "sns:Publish",
      "ssm:GetParameter",
    ]);
    expect(policy).toContain('"arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"');
    expect(json.data.aws_secretsmanager_secret).toBeUndefined();
  });

  it("reads and writes only its status item", () => {
    const status = statement(scalerPolicy(), "StatusItemOnly");
    expect(actionsOf(status)).toEqual(["dynamodb:GetItem", "dynamodb:PutItem"]);
    expect(status).toMatch(/"Resource" = aws_dynamodb_table\.links_table_\w+\.arn/);
    expect(status).toContain(`"ForAllValues:StringEquals" = {"dynamodb:LeadingKeys" = ["${SCALER_STATUS_KEY}"]}`);
  });

  it("reads the state of the two wake alarms only, by their ARNs", () => {
    const alarm = (name: string) => `"arn:aws:cloudwatch:us-east-1:\${data.aws_caller_identity.account.account_id}:alarm:${name}"`;
    expect(statement(scalerPolicy(), "WakeAlarms")).toContain(
      `"Action" = ["cloudwatch:DescribeAlarms"], "Resource" = [${wakeAlarmNames("lambdaflex").map(alarm).join(", ")}]`,
    );
  });

  it("re-arms itself only with schedules in its own group, passing only the scheduler role, and only to EventBridge Scheduler", () => {
    expect(statement(scalerPolicy(), "ReArm")).toContain(
      '"Action" = ["scheduler:CreateSchedule"], "Resource" = "arn:aws:scheduler:us-east-1:${data.aws_caller_identity.account.account_id}:schedule/lambdaflex-scaler/*"',
    );
    const pass = statement(scalerPolicy(), "PassSchedulerRole");
    expect(pass).toMatch(/"Action" = \["iam:PassRole"\], "Resource" = aws_iam_role\.wake-schedules_role_\w+\.arn/);
    expect(pass).toContain('"Condition" = {"StringEquals" = {"iam:PassedToService" = "scheduler.amazonaws.com"}}');
  });

  it("publishes its own alerts to the alert topic, and nowhere else", () => {
    expect(statement(scalerPolicy(), "Alerts")).toMatch(/"Action" = \["sns:Publish"\], "Resource" = aws_sns_topic\.alerts_topic_\w+\.arn/);
    const settings = scaler.environment.variables.LAMBDAFLEX_SCALER_SETTINGS as string;
    expect(settings).toMatch(/"alertTopicArn" = aws_sns_topic\.alerts_topic_\w+\.arn/);
    expect(settings).toMatch(/"schedulerRoleArn" = aws_iam_role\.wake-schedules_role_\w+\.arn/);
    // Built from the name, not a reference to the function itself (which would be a cycle).
    expect(settings).toContain('"scalerArn" = "arn:aws:lambda:us-east-1:${data.aws_caller_identity.account.account_id}:function:lambdaflex-scaler"');
    expect(settings).toContain('"scheduleGroup" = "lambdaflex-scaler"');
  });

  it("reads the token parameters by their exact ARNs, the Terraform Cloud one only when Terraform Cloud is configured", () => {
    const arn = (name: string) => `"arn:aws:ssm:us-east-1:\${data.aws_caller_identity.account.account_id}:parameter${name}"`;
    // No kms:Decrypt: the SecureStrings are under the AWS-managed aws/ssm key, which SSM decrypts for any reader of the parameter.
    expect(statement(scalerPolicy(), "Tokens")).toContain(`"Action" = ["ssm:GetParameter"], "Resource" = [${arn("/lambdaflex/git-token")}]`);
    const cloud = JSON.parse(synthCore({ terraformCloud: { ...config.terraformCloud, organization: "acme" } }));
    const cloudPolicy = (Object.values(cloud.resource.aws_iam_role_policy) as any[]).find((p) => p.policy.includes("cloudwatch:GetMetricData")).policy as string;
    expect(statement(cloudPolicy, "Tokens")).toContain(`"Resource" = [${arn("/lambdaflex/git-token")}, ${arn("/lambdaflex/tfc-token")}]`);
    expect(cloudPolicy).not.toContain("kms:");
  });

  it("lets the scaler look up the ALB, its listeners, target groups and target health, with four describe actions and no wildcard action", () => {
    const policy = scalerPolicy();
    const lookups = statement(policy, "LoadBalancers");
    expect(actionsOf(lookups).sort()).toEqual([
      "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
    ]);
    // ELBv2 Describe* have no resource-level permissions, so "*" is the only Resource AWS accepts.
    expect(lookups).toMatch(/"Resource" = "\*"/);
    expect(actionsOf(policy).filter((a) => a.includes("*"))).toEqual([]);
  });

  it("lets the scaler set listener weights only on its own ALB's listeners (weighted switch)", () => {
    const weights = statement(scalerPolicy(), "ListenerWeights");
    expect(weights).toBe(
      '{"Sid" = "ListenerWeights", "Effect" = "Allow", "Action" = ["elasticloadbalancing:ModifyListener"], ' +
        '"Resource" = "arn:aws:elasticloadbalancing:us-east-1:${data.aws_caller_identity.account.account_id}:listener/app/lambdaflex-alb/*"}',
    );
    // Only there: no other statement grants ModifyListener, or any other ELB write.
    expect(actionsOf(scalerPolicy()).filter((a) => a.startsWith("elasticloadbalancing:") && !a.startsWith("elasticloadbalancing:Describe"))).toEqual(["elasticloadbalancing:ModifyListener"]);
  });

  it("gives the scaler no listener actions with the dns switch, which never shifts weights", () => {
    const dnsJson = JSON.parse(synthCore({ fargate: { ...config.fargate, switch: "dns" } }));
    const policy = (Object.values(dnsJson.resource.aws_iam_role_policy) as any[]).find((p) => p.policy.includes("cloudwatch:GetMetricData")).policy as string;
    expect(actionsOf(policy).filter((a) => a.includes("Listener"))).toEqual([]);
    expect(statement(policy, "ListenerWeights")).toBe("");
  });

  it("drops a failed or stale asynchronous invocation instead of retrying it for hours, and sends it to the alert topic", () => {
    expect(synth).toHaveResourceWithProperties(LambdaFunctionEventInvokeConfig, {
      function_name: `\${aws_lambda_function.${scalerKey}.function_name}`,
      maximum_retry_attempts: 0,
      maximum_event_age_in_seconds: 60,
      destination_config: { on_failure: { destination: expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_\w+\.arn\}$/) } },
    });
    expect(Object.keys(json.resource.aws_lambda_function_event_invoke_config)).toHaveLength(1);
  });

  it("runs on an hourly heartbeat, nothing more often, and lets only the service's alarms invoke it", () => {
    expect(Object.values(json.resource.aws_cloudwatch_event_rule)).toEqual([expect.objectContaining({ name: "lambdaflex-scaler-heartbeat", schedule_expression: "rate(1 hour)" })]);
    const [target] = Object.values(json.resource.aws_cloudwatch_event_target) as any[];
    expect(target.arn).toBe(`\${aws_lambda_function.${scalerKey}.arn}`);
    const perms = Object.values(json.resource.aws_lambda_permission) as any[];
    expect(perms.find((p) => p.principal === "events.amazonaws.com").source_arn).toMatch(/^\$\{aws_cloudwatch_event_rule\.scaler_heartbeat_\w+\.arn\}$/);
    expect(perms.find((p) => p.principal === "lambda.alarms.cloudwatch.amazonaws.com").source_arn).toMatch(/:alarm:lambdaflex-\*$/);
  });

  it("wakes the scaler with exactly two alarms: 3 of 5 minutes of demand above the scale-up threshold, and any throttle", () => {
    const alarms = Object.values(json.resource.aws_cloudwatch_metric_alarm) as any[];
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual(["lambdaflex-wake-demand", "lambdaflex-wake-throttles"]);
    const byName = Object.fromEntries(alarms.map((a) => [a.alarm_name, a]));
    const scalerAction = [`\${aws_lambda_function.${scalerKey}.arn}`];
    expect(byName["lambdaflex-wake-demand"]).toMatchObject({
      namespace: "AWS/ApiGateway",
      metric_name: "Count",
      dimensions: { ApiId: expect.stringMatching(/aws_apigatewayv2_api\./) },
      statistic: "Sum",
      period: 60,
      // Break-even from the cost model: below it Lambda is cheaper and the policy cannot add the tier.
      threshold: Math.round(breakEvenRps(workloadFrom(config)) * 60),
      comparison_operator: "GreaterThanThreshold",
      evaluation_periods: 5,
      datapoints_to_alarm: 3,
      treat_missing_data: "notBreaching",
      alarm_actions: scalerAction,
    });
    expect(byName["lambdaflex-wake-throttles"]).toMatchObject({
      namespace: "AWS/Lambda",
      metric_name: "Throttles",
      dimensions: { FunctionName: expect.stringMatching(/aws_lambda_function\.lambda_function_\w+\.function_name/) },
      statistic: "Sum",
      period: 60,
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      evaluation_periods: 1,
      datapoints_to_alarm: 1,
      treat_missing_data: "notBreaching",
      alarm_actions: scalerAction,
    });
    // The demand threshold is break-even from the cost model: it moves with the workload.
    const custom = JSON.parse(synthCore({ lambda: { ...config.lambda, meanDurationMs: 400 } }));
    const threshold = (Object.values(custom.resource.aws_cloudwatch_metric_alarm) as any[]).find((a) => a.alarm_name === "lambdaflex-wake-demand").threshold;
    expect(threshold).toBe(Math.round(breakEvenRps(workloadFrom({ ...config, lambda: { ...config.lambda, meanDurationMs: 400 } })) * 60));
    expect(threshold).toBeLessThan(Math.round(breakEvenRps(workloadFrom(config)) * 60));
  });

  it("bills no paging alarm: no alarm notifies the alert topic or watches the scaler's errors or alerts", () => {
    for (const alarm of Object.values(json.resource.aws_cloudwatch_metric_alarm) as any[]) {
      expect([...(alarm.alarm_actions ?? []), ...(alarm.ok_actions ?? []), ...(alarm.insufficient_data_actions ?? [])].join(" ")).not.toContain("aws_sns_topic");
      expect(alarm.alarm_name).not.toMatch(/scaler-errors|tier-stuck/);
    }
    expect(json.resource.aws_cloudwatch_composite_alarm).toBeUndefined();
  });

  it("gives the scaler a schedule group and a scheduler role that may only invoke the scaler", () => {
    expect(synth).toHaveResourceWithProperties(SchedulerScheduleGroup, { name: "lambdaflex-scaler" });
    const [roleKey] = (Object.entries(json.resource.aws_iam_role) as Array<[string, any]>).find(([, r]) => r.name === "lambdaflex-scheduler")!;
    const policies = (Object.values(json.resource.aws_iam_role_policy) as any[]).filter((p) => p.role === `\${aws_iam_role.${roleKey}.id}`);
    expect(policies).toHaveLength(1);
    expect(decodeJsonencode(policies[0].policy).Statement).toEqual([
      { Sid: "InvokeScaler", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: "arn:aws:lambda:us-east-1:${data.aws_caller_identity.account.account_id}:function:lambdaflex-scaler" },
    ]);
  });
});

describe("core constructs reject bad props", () => {
  it("refuses a Lambda timeout API Gateway cannot wait for", () => {
    const app = Testing.app();
    const { core } = buildStacks(app, config);
    expect(
      () =>
        new LambdaService(core, "bad", {
          functionName: "x",
          imageUri: "x",
          accountId: "123456789012",
          table: core.links.table,
          memoryMb: 512,
          timeoutSeconds: 60,
          logRetentionDays: 30,
          version: "1",
        }),
    ).toThrow(/timeoutSeconds must be <= 29.*got 60/);
  });

  it("refuses a scaler whose settings would have the re-arm schedules invoke another function", () => {
    const app = Testing.app();
    const { core } = buildStacks(app, config);
    const settings = scalerSettingsFrom(config, { apiId: "a", functionName: "f", tableName: "t", alertTopicArn: "arn:aws:sns:us-east-1:1:t", scalerArn: "arn:aws:lambda:us-east-1:1:function:other", schedulerRoleArn: "r" });
    expect(() => new Scaler(core, "bad-scaler", { functionName: "lambdaflex-scaler", zipPath: SCALER_ZIP, settings, table: core.links.table, region: "us-east-1", accountId: "1", alarmPrefix: "lambdaflex-", logRetentionDays: 30 })).toThrow(
      /settings\.wake\.scalerArn \(arn:aws:lambda:us-east-1:1:function:other\) must name this function, lambdaflex-scaler/,
    );
  });

  it("refuses a burst limit below the rate limit", () => {
    const app = Testing.app();
    const { core } = buildStacks(app, config);
    expect(
      () =>
        new HttpApi(core, "bad-api", {
          name: "x",
          function: core.service.function,
          domain: "a.example.com",
          certificateArn: "arn",
          throttleRateLimit: 100,
          throttleBurstLimit: 10,
          logRetentionDays: 30,
        }),
    ).toThrow(/throttleBurstLimit \(10\) must be >= throttleRateLimit \(100\)/);
  });
});

describe("CoreStack with a brought-in app", () => {
  const app = { healthPath: "/_status/ready", environment: { GREETING: "Hej", AWS_LWA_READINESS_CHECK_PATH: "/_status/ready" } };

  it("sets app.environment on the function beside the variables it sets itself", () => {
    const variables = (Object.values(JSON.parse(synthCore({ app })).resource.aws_lambda_function) as any[]).find((f) => f.function_name === "lambdaflex-api").environment.variables;
    expect(variables).toEqual({
      LAMBDAFLEX_STORE: "dynamodb",
      TABLE_NAME: expect.stringMatching(/^\$\{aws_dynamodb_table\./),
      LAMBDAFLEX_TIER: "lambda",
      LAMBDAFLEX_VERSION: "${var.image_digest}",
      GREETING: "Hej",
      AWS_LWA_READINESS_CHECK_PATH: "/_status/ready",
    });
  });

  it("refuses an environment that would replace one of the function's own variables", () => {
    // The schema refuses these names already; the construct checks again for callers that skip it.
    expect(() => synthCore({ app: { healthPath: "/healthz", environment: { TABLE_NAME: "other" } } })).toThrow(
      "LambdaService lambda: environment must not set TABLE_NAME, which the function sets itself",
    );
  });
});
