import "cdktf/lib/testing/adapters/jest"; // the matchers' types
import { Testing } from "cdktf";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2DomainName } from "@cdktf/provider-aws/lib/apigatewayv2-domain-name";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { loadDeploymentConfig } from "../../config/load";
import { buildStacks } from "../../stacks/app";
import { HttpApi } from "../../stacks/core/http-api";
import { LambdaService } from "../../stacks/core/lambda-service";

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

  it("creates the image repository with scan-on-push", () => {
    expect(synth).toHaveResourceWithProperties(EcrRepository, { name: "lambdaflex", image_scanning_configuration: { scan_on_push: true } });
  });

  it("runs the image on arm64 Lambda with the DynamoDB store configured", () => {
    expect(synth).toHaveResourceWithProperties(LambdaFunction, {
      package_type: "Image",
      architectures: ["arm64"],
      memory_size: 512,
      timeout: 15,
      environment: { variables: expect.objectContaining({ LAMBDAFLEX_STORE: "dynamodb", LAMBDAFLEX_TIER: "lambda" }) },
    });
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

  it("keeps links in an on-demand, encrypted table with PITR and deletion protection", () => {
    expect(synth).toHaveResourceWithProperties(DynamodbTable, {
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "code",
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      deletion_protection_enabled: true,
    });
  });

  it("limits the function's role to its log group and its table", () => {
    const policy = (Object.values(json.resource.aws_iam_role_policy) as any[]).find((p) => p.policy.includes("dynamodb"));
    expect(policy.policy).toContain("dynamodb:GetItem");
    expect(policy.policy).toMatch(/aws_dynamodb_table\.[^.]+\.arn/);
    expect(policy.policy).not.toMatch(/"Resource" *= *"\*"/);
  });

  it("switches to Terraform Cloud when an organization is configured, and lets the scaler read its run token", () => {
    const cloud = JSON.parse(synthCore({ terraformCloud: { ...config.terraformCloud, organization: "acme" } }));
    const tokens = (Object.values(cloud.data.aws_secretsmanager_secret) as any[]).map((d) => d.name);
    expect(tokens.sort()).toEqual(["lambdaflex/git-token", "lambdaflex/tfc-token"]);
    expect(Object.values(json.data.aws_secretsmanager_secret)).toHaveLength(1);
    expect(cloud.terraform.cloud).toEqual({ organization: "acme", workspaces: { name: "lambdaflex-core" } });
    expect(json.terraform.backend.local.path).toBe("../core/terraform.core.tfstate");
  });
});

describe("CoreStack scaler", () => {
  const synth = synthCore();
  const json = JSON.parse(synth);
  const [scalerKey, scaler] = (Object.entries(json.resource.aws_lambda_function) as Array<[string, any]>).find(([, f]) => f.function_name === "lambdaflex-scaler")!;
  const scalerPolicy = () => (Object.values(json.resource.aws_iam_role_policy) as any[]).find((p) => p.policy.includes("cloudwatch:GetMetricData")).policy as string;
  /** The source text of the one statement with this Sid, inside the policy's jsonencode({...}) template. */
  const statement = (policy: string, sid: string) => new RegExp(`\\{[^{}]*"Sid" = "${sid}"[^{}]*\\}`).exec(policy)?.[0] ?? "";
  const actionsOf = (policy: string) => [...policy.matchAll(/"Action" = \[([^\]]*)\]/g)].flatMap((m) => [...m[1]!.matchAll(/"([^"]+)"/g)].map((a) => a[1]!));

  it("runs the bundled scaler zip on arm64 Node 22 with reserved concurrency 1", () => {
    expect(scaler).toMatchObject({ runtime: "nodejs22.x", architectures: ["arm64"], handler: "index.handler", reserved_concurrent_executions: 1, timeout: 60 });
    expect(scaler.filename).toMatch(/^assets\/scaler_code_\w+\/\w+\/scaler\.zip$/);
    expect(scaler.source_code_hash).toContain("filebase64sha256");
    expect(scaler.environment.variables.LAMBDAFLEX_SCALER_SETTINGS).toContain("jsonencode");
  });

  it("gives the scaler only what it uses", () => {
    const policy = scalerPolicy();
    expect(actionsOf(policy).sort()).toEqual([
      "cloudwatch:GetMetricData",
      "dynamodb:PutItem",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "route53:ListResourceRecordSets",
      "secretsmanager:GetSecretValue",
    ]);
    expect(policy).toContain('"arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"');
    expect(policy).toContain('"dynamodb:LeadingKeys" = ["#scaler-status"]');
    expect(policy).toMatch(/data\.aws_secretsmanager_secret\.[^.]+\.arn/);
  });

  it("lets the scaler look up the ALB, target group and target health, with three describe actions and no wildcard action", () => {
    const policy = scalerPolicy();
    const lookups = statement(policy, "LoadBalancers");
    expect(actionsOf(lookups).sort()).toEqual(["elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"]);
    // ELBv2 Describe* have no resource-level permissions, so "*" is the only Resource AWS accepts.
    expect(lookups).toMatch(/"Resource" = "\*"/);
    expect(actionsOf(policy).filter((a) => a.includes("*"))).toEqual([]);
  });

  it("drops a failed or stale asynchronous invocation instead of retrying it for hours", () => {
    expect(synth).toHaveResourceWithProperties(LambdaFunctionEventInvokeConfig, {
      function_name: `\${aws_lambda_function.${scalerKey}.function_name}`,
      maximum_retry_attempts: 0,
      maximum_event_age_in_seconds: 60,
    });
    expect(Object.keys(json.resource.aws_lambda_function_event_invoke_config)).toHaveLength(1);
  });

  it("runs every minute and lets only the service's alarms invoke it", () => {
    expect(Object.values(json.resource.aws_cloudwatch_event_rule)).toEqual([expect.objectContaining({ schedule_expression: "rate(1 minute)" })]);
    const perms = Object.values(json.resource.aws_lambda_permission) as any[];
    expect(perms.find((p) => p.principal === "lambda.alarms.cloudwatch.amazonaws.com").source_arn).toMatch(/:alarm:lambdaflex-\*$/);
  });

  it("wakes the scaler on high demand and throttles, and pages on errors and a stuck tier", () => {
    const alarms = Object.values(json.resource.aws_cloudwatch_metric_alarm) as any[];
    const byName = Object.fromEntries(alarms.map((a) => [a.alarm_name, a]));
    expect(byName["lambdaflex-lambda-high-demand"]).toMatchObject({ metric_name: "Count", threshold: 1200, alarm_actions: [expect.stringMatching(/aws_lambda_function\.scaler_function/)] });
    expect(byName["lambdaflex-lambda-throttles"].alarm_actions[0]).toMatch(/aws_lambda_function\.scaler_function/);
    expect(byName["lambdaflex-scaler-errors"].alarm_actions[0]).toMatch(/aws_sns_topic\./);
    expect(byName["lambdaflex-tier-stuck"]).toMatchObject({ namespace: "LambdaFlex", metric_name: "ScalerAlerts", alarm_actions: [expect.stringMatching(/aws_sns_topic\./)] });
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
          table: core.links.table,
          memoryMb: 512,
          timeoutSeconds: 60,
          logRetentionDays: 30,
          version: "1",
        }),
    ).toThrow(/timeoutSeconds must be <= 29.*got 60/);
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
