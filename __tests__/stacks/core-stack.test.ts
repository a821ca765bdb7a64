import { breakEvenRps, workloadFrom } from "../../model/cost-model";
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
import { scalerSettingsFrom } from "../../scaler/settings";
import { Scaler } from "../../stacks/core/scaler";
import { SCALER_ZIP } from "../../model/paths";
import { decodeJsonencode } from "../helpers/terraform";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";

Testing.setupJest();

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
      environment: {
        variables: expect.objectContaining({
          LAMBDAFLEX_STORE: "dynamodb",
          LAMBDAFLEX_TIER: "lambda",
          LAMBDAFLEX_VERSION: "${var.image_digest}",
        }),
      },
    });
  });

  it("declares image_digest with no default and a ${...} validation of the sha256 form", () => {
    expect(json.variable.image_digest).toEqual({
      type: "string",
      description: expect.stringContaining("npm run release"),
      validation: [
        {
          condition: '${can(regex("^sha256:[0-9a-f]{64}$", var.image_digest))}',
          error_message: expect.stringContaining("image_digest must be sha256:"),
        },
      ],
    });
    const pattern = new RegExp(/regex\("(.*)", var/.exec(json.variable.image_digest.validation[0].condition)![1]!);
    expect(pattern.test(`sha256:${"a1".repeat(32)}`)).toBe(true);
    for (const bad of ["latest", `sha256:${"A1".repeat(32)}`, `sha256:${"a".repeat(63)}`, `${"a".repeat(64)}`])
      expect(pattern.test(bad)).toBe(false);
    // The other keys of the release file are declared too, so Terraform does not warn about them.
    expect(json.variable.image_tag).toMatchObject({ type: "string", default: "" });
    expect(json.variable.released_at).toMatchObject({ type: "string", default: "" });
  });

  it("fronts the function with an HTTP API whose only entrance is the custom domain", () => {
    expect(synth).toHaveResourceWithProperties(Apigatewayv2Api, {
      protocol_type: "HTTP",
      disable_execute_api_endpoint: true,
    });
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
    expect(domain.domain_name_configuration.certificate_arn).toMatch(
      /aws_acm_certificate_validation\..*\.certificate_arn/,
    );
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

  it("creates no role and no policy: its functions and the tier's task definition run with the bootstrap stack's roles, named by ARN", () => {
    expect(Object.keys(json.resource).filter((t) => t.startsWith("aws_iam_"))).toEqual([]);
    const role = (name: string) => `arn:aws:iam::\${data.aws_caller_identity.account.account_id}:role/${name}`;
    const fns = Object.fromEntries(
      (Object.values(json.resource.aws_lambda_function) as any[]).map((f) => [f.function_name, f.role]),
    );
    expect(fns).toEqual({
      "lambdaflex-api": role("lambdaflex-api-role"),
      "lambdaflex-scaler": role("lambdaflex-scaler-role"),
    });
    const [task] = Object.values(json.resource.aws_ecs_task_definition) as any[];
    expect([task.task_role_arn, task.execution_role_arn]).toEqual([
      role("lambdaflex-task"),
      role("lambdaflex-task-execution"),
    ]);
    expect(Object.keys(json.data.aws_caller_identity)).toEqual(["account"]);
  });

  it("names what the bootstrap stack's role policies name: the table, topic, functions, their log groups and the schedule group", () => {
    const names = (type: string, attr = "name") =>
      (Object.values(json.resource[type]) as any[]).map((r) => r[attr]).sort();
    expect(names("aws_dynamodb_table")).toEqual(["lambdaflex-links"]);
    expect(names("aws_sns_topic")).toEqual(["lambdaflex-alerts"]);
    expect(names("aws_lambda_function", "function_name")).toEqual(["lambdaflex-api", "lambdaflex-scaler"]);
    expect(names("aws_cloudwatch_log_group")).toEqual([
      "/aws/apigateway/lambdaflex-api",
      "/aws/lambda/lambdaflex-api",
      "/aws/lambda/lambdaflex-scaler",
    ]);
    expect(names("aws_scheduler_schedule_group")).toEqual(["lambdaflex-scaler"]);
  });

  it("creates each function after its log group, so its first run can log", () => {
    for (const [prefix, fn] of Object.entries(json.resource.aws_lambda_function as Record<string, any>).map(
      ([k, f]) => [k.split("_")[0], f],
    )) {
      expect(fn.depends_on).toEqual([expect.stringMatching(new RegExp(`^aws_cloudwatch_log_group\\.${prefix}_logs_`))]);
    }
  });

  it("publishes alerts on an unencrypted topic CloudWatch can use, with the operators' e-mail subscribed", () => {
    const withEmail = synthCore({ alertEmail: "ops@example.com" });
    expect(withEmail).toHaveResourceWithProperties(SnsTopic, { name: "lambdaflex-alerts" });
    expect((Object.values(JSON.parse(withEmail).resource.aws_sns_topic)[0] as any).kms_master_key_id).toBeUndefined();
    expect(withEmail).toHaveResourceWithProperties(SnsTopicSubscription, {
      protocol: "email",
      endpoint: "ops@example.com",
      topic_arn: expect.stringMatching(/aws_sns_topic\.alerts_topic_\w+\.arn/),
    });
    expect(synth).not.toHaveResource(SnsTopicSubscription);
  });

  it("tags every resource with the service tag the core run role requires (the certificate is created only with it)", () => {
    expect(json.provider.aws[0].default_tags[0].tags).toMatchObject({
      "lambdaflex:service": "lambdaflex",
      Stack: "core",
    });
  });

  it("creates no dashboard ($3 a month beyond the account's three free) unless the configuration asks for one", () => {
    expect(config.dashboard).toBe(false);
    expect(synth).not.toHaveResource(CloudwatchDashboard);
    expect(synthCore({ dashboard: true })).toHaveResourceWithProperties(CloudwatchDashboard, {
      dashboard_name: "lambdaflex",
    });
  });

  it("switches to Terraform Cloud on the configured host when an organization is configured", () => {
    const cloud = JSON.parse(
      synthCore({
        terraformCloud: { ...config.terraformCloud, organization: "acme", hostname: "app.eu.terraform.io" },
      }),
    );
    expect(cloud.terraform.cloud).toEqual({
      hostname: "app.eu.terraform.io",
      organization: "acme",
      workspaces: { name: "lambdaflex-core" },
    });
    expect(json.terraform.backend.local.path).toBe("../core/terraform.core.tfstate");
  });
});

describe("CoreStack scaler", () => {
  const synth = synthCore();
  const json = JSON.parse(synth);
  const [scalerKey, scaler] = (Object.entries(json.resource.aws_lambda_function) as Array<[string, any]>).find(
    ([, f]) => f.function_name === "lambdaflex-scaler",
  )!;
  const settings = scaler.environment.variables.LAMBDAFLEX_SCALER_SETTINGS as string;

  it("runs the bundled scaler zip on arm64 Node 22 without reserving concurrency unless configured", () => {
    expect(scaler).toMatchObject({
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      timeout: 60,
    });
    // New accounts have a concurrency quota of 10 and Lambda keeps 100 unreserved: reserving even 1 fails there.
    expect(scaler).not.toHaveProperty("reserved_concurrent_executions");
    const reserved = JSON.parse(synthCore({ scalerReservedConcurrency: 1 }));
    expect(
      (Object.values(reserved.resource.aws_lambda_function) as any[]).find(
        (f) => f.function_name === "lambdaflex-scaler",
      ).reserved_concurrent_executions,
    ).toBe(1);
    expect(scaler.filename).toMatch(/^assets\/scaler_code_\w+\/\w+\/scaler\.zip$/);
    expect(scaler.source_code_hash).toContain("filebase64sha256");
    expect(scaler.environment.variables.LAMBDAFLEX_SCALER_SETTINGS).toContain("jsonencode");
  });

  it("configures the scaler with the topic, the scheduler role named by ARN, its own ARN and its schedule group (the bootstrap's scaler role names the same)", () => {
    expect(settings).toMatch(/"alertTopicArn" = aws_sns_topic\.alerts_topic_\w+\.arn/);
    expect(settings).toContain(
      '"schedulerRoleArn" = "arn:aws:iam::${data.aws_caller_identity.account.account_id}:role/lambdaflex-scheduler"',
    );
    // Built from the name, not a reference to the function itself (which would be a cycle).
    expect(settings).toContain(
      '"scalerArn" = "arn:aws:lambda:us-east-1:${data.aws_caller_identity.account.account_id}:function:lambdaflex-scaler"',
    );
    expect(settings).toContain('"scheduleGroup" = "lambdaflex-scaler"');
    expect(json.data.aws_secretsmanager_secret).toBeUndefined();
  });

  it("drops a failed or stale asynchronous invocation instead of retrying it for hours, and sends it to the alert topic", () => {
    expect(synth).toHaveResourceWithProperties(LambdaFunctionEventInvokeConfig, {
      function_name: `\${aws_lambda_function.${scalerKey}.function_name}`,
      maximum_retry_attempts: 0,
      maximum_event_age_in_seconds: 60,
      destination_config: {
        on_failure: { destination: expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_\w+\.arn\}$/) },
      },
    });
    expect(Object.keys(json.resource.aws_lambda_function_event_invoke_config)).toHaveLength(1);
  });

  it("runs on an hourly heartbeat, nothing more often, and lets only the service's alarms invoke it", () => {
    expect(Object.values(json.resource.aws_cloudwatch_event_rule)).toEqual([
      expect.objectContaining({ name: "lambdaflex-scaler-heartbeat", schedule_expression: "rate(1 hour)" }),
    ]);
    const [target] = Object.values(json.resource.aws_cloudwatch_event_target) as any[];
    expect(target.arn).toBe(`\${aws_lambda_function.${scalerKey}.arn}`);
    const perms = Object.values(json.resource.aws_lambda_permission) as any[];
    expect(perms.find((p) => p.principal === "events.amazonaws.com").source_arn).toMatch(
      /^\$\{aws_cloudwatch_event_rule\.scaler_heartbeat_\w+\.arn\}$/,
    );
    expect(perms.find((p) => p.principal === "lambda.alarms.cloudwatch.amazonaws.com").source_arn).toMatch(
      /:alarm:lambdaflex-\*$/,
    );
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
    const threshold = (Object.values(custom.resource.aws_cloudwatch_metric_alarm) as any[]).find(
      (a) => a.alarm_name === "lambdaflex-wake-demand",
    ).threshold;
    expect(threshold).toBe(
      Math.round(breakEvenRps(workloadFrom({ ...config, lambda: { ...config.lambda, meanDurationMs: 400 } })) * 60),
    );
    expect(threshold).toBeLessThan(Math.round(breakEvenRps(workloadFrom(config)) * 60));
  });

  it("bills no paging alarm: no alarm notifies the alert topic or watches the scaler's errors or alerts", () => {
    for (const alarm of Object.values(json.resource.aws_cloudwatch_metric_alarm) as any[]) {
      expect(
        [...(alarm.alarm_actions ?? []), ...(alarm.ok_actions ?? []), ...(alarm.insufficient_data_actions ?? [])].join(
          " ",
        ),
      ).not.toContain("aws_sns_topic");
      expect(alarm.alarm_name).not.toMatch(/scaler-errors|tier-stuck/);
    }
    expect(json.resource.aws_cloudwatch_composite_alarm).toBeUndefined();
  });

  it("gives the scaler its schedule group (the scheduler role is the bootstrap stack's)", () => {
    expect(synth).toHaveResourceWithProperties(SchedulerScheduleGroup, { name: "lambdaflex-scaler" });
  });
});

describe("CoreStack's task definition for the Fargate tier", () => {
  const json = JSON.parse(synthCore());
  const [task] = Object.values(json.resource.aws_ecs_task_definition) as any[];
  const [container] = decodeJsonencode(task.container_definitions);

  it("registers family lambdaflex on ARM64 Fargate at the configured size, as a non-root, read-only container", () => {
    expect(task).toMatchObject({
      family: "lambdaflex",
      network_mode: "awsvpc",
      requires_compatibilities: ["FARGATE"],
      runtime_platform: { cpu_architecture: "ARM64", operating_system_family: "LINUX" },
      cpu: "512",
      memory: "1024",
    });
    expect(container).toMatchObject({
      name: "app",
      user: "10001",
      readonlyRootFilesystem: true,
      essential: true,
      portMappings: [{ containerPort: 8080, protocol: "tcp" }],
      stopTimeout: 30,
    });
    expect(container.healthCheck).toBeUndefined(); // the ALB's check is the one (see tier-task-definition.ts)
  });

  it("runs the released digest of the bootstrap's repository, the same the Lambda function runs", () => {
    expect(container.image).toBe("${data.aws_ecr_repository.image-repository.repository_url}@${var.image_digest}");
    expect(container.environment).toEqual([
      { name: "LAMBDAFLEX_STORE", value: "dynamodb" },
      { name: "TABLE_NAME", value: expect.stringMatching(/^\$\{aws_dynamodb_table\.links_table_\w+\.name\}$/) },
      { name: "LAMBDAFLEX_TIER", value: "fargate" },
      { name: "LAMBDAFLEX_VERSION", value: "${var.image_digest}" },
      { name: "PORT", value: "8080" },
    ]);
  });

  it("logs to the bootstrap stack's /ecs/<service> log group, which core neither creates nor deletes", () => {
    expect(container.logConfiguration).toEqual({
      logDriver: "awslogs",
      options: { "awslogs-group": "/ecs/lambdaflex", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app" },
    });
    expect((Object.values(json.resource.aws_cloudwatch_log_group) as any[]).map((g) => g.name)).not.toContain(
      "/ecs/lambdaflex",
    );
  });

  it("registers a release's revision before deregistering the last one, which a running tier keeps using (INACTIVE, no skip_destroy), and outputs its ARN", () => {
    expect(task.lifecycle).toEqual({ create_before_destroy: true });
    expect(task.skip_destroy).toBeUndefined();
    expect(json.output.task_definition_arn.value).toMatch(/^\$\{aws_ecs_task_definition\.tier-task_\w+\.arn\}$/);
  });

  it("exists while the tier is off, at no cost", () => {
    expect(task.count).toBeUndefined();
    expect(synthCore()).toHaveResourceWithProperties(EcsTaskDefinition, { family: "lambdaflex" });
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
          roleArn: "arn:aws:iam::123456789012:role/x",
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
    const settings = scalerSettingsFrom(config, {
      apiId: "a",
      functionName: "f",
      tableName: "t",
      alertTopicArn: "arn:aws:sns:us-east-1:1:t",
      scalerArn: "arn:aws:lambda:us-east-1:1:function:other",
      schedulerRoleArn: "r",
    });
    expect(
      () =>
        new Scaler(core, "bad-scaler", {
          functionName: "lambdaflex-scaler",
          heartbeatRuleName: "lambdaflex-scaler-heartbeat",
          zipPath: SCALER_ZIP,
          settings,
          roleArn: "arn:aws:iam::1:role/r",
          region: "us-east-1",
          accountId: "1",
          alarmPrefix: "lambdaflex-",
          logRetentionDays: 30,
        }),
    ).toThrow(
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
  const app = {
    healthPath: "/_status/ready",
    environment: { GREETING: "Hej", AWS_LWA_READINESS_CHECK_PATH: "/_status/ready" },
  };

  it("sets app.environment on the function beside the variables it sets itself", () => {
    const variables = (Object.values(JSON.parse(synthCore({ app })).resource.aws_lambda_function) as any[]).find(
      (f) => f.function_name === "lambdaflex-api",
    ).environment.variables;
    expect(variables).toEqual({
      LAMBDAFLEX_STORE: "dynamodb",
      TABLE_NAME: expect.stringMatching(/^\$\{aws_dynamodb_table\./),
      LAMBDAFLEX_TIER: "lambda",
      LAMBDAFLEX_VERSION: "${var.image_digest}",
      GREETING: "Hej",
      AWS_LWA_READINESS_CHECK_PATH: "/_status/ready",
    });
  });

  it("gives the tier's task app.environment after its own variables, and the configured size", () => {
    const byo = JSON.parse(synthCore({ app, fargate: { ...config.fargate, cpu: 1024 as const, memoryMb: 3072 } }));
    const [task] = Object.values(byo.resource.aws_ecs_task_definition) as any[];
    expect(task).toMatchObject({ cpu: "1024", memory: "3072" });
    const [container] = decodeJsonencode(task.container_definitions);
    expect(container.environment.map((v: { name: string }) => v.name)).toEqual([
      "LAMBDAFLEX_STORE",
      "TABLE_NAME",
      "LAMBDAFLEX_TIER",
      "LAMBDAFLEX_VERSION",
      "PORT",
      "GREETING",
      "AWS_LWA_READINESS_CHECK_PATH",
    ]);
    expect(container.environment).toContainEqual({ name: "GREETING", value: "Hej" });
  });

  it.each([
    [
      "an environment that sets PORT",
      { app: { healthPath: "/healthz", environment: { PORT: "9000" } } },
      "TierTaskDefinition tier-task: environment must not set PORT, which the container sets itself",
    ],
    [
      "too much memory for the CPU",
      { fargate: { ...config.fargate, cpu: 256 as const, memoryMb: 4096 } },
      "TierTaskDefinition tier-task: memoryMb 4096 does not go with cpu 256: Fargate takes 512-2048 MiB (512, 1024 or 2048); change fargate.cpu or fargate.memoryMb",
    ],
    [
      "memory off Fargate's 1024 steps",
      { fargate: { ...config.fargate, cpu: 2048 as const, memoryMb: 5000 } },
      "TierTaskDefinition tier-task: memoryMb 5000 does not go with cpu 2048: Fargate takes 4096-16384 MiB in steps of 1024",
    ],
  ])("refuses %s for the tier's task before anything is applied", (_name, bad, message) => {
    expect(() => synthCore(bad)).toThrow(message);
  });

  it("refuses an environment that would replace one of the function's own variables", () => {
    // The schema refuses these names already; the construct checks again for callers that skip it.
    expect(() => synthCore({ app: { healthPath: "/healthz", environment: { TABLE_NAME: "other" } } })).toThrow(
      "LambdaService lambda: environment must not set TABLE_NAME, which the function sets itself",
    );
  });
});
