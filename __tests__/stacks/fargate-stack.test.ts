import "cdktf/lib/testing/adapters/jest"; // the matchers' types
import { Testing, TerraformStack } from "cdktf";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { breakEvenRps, workloadFrom } from "../../model/cost-model";
import { resourcesPerState, synthesize } from "../../scripts/synth";
import { readStack, removeDir } from "../helpers/terraform";
import { LambdaTarget } from "../../stacks/fargate/lambda-target";
import { TLS_POLICY } from "../../stacks/fargate/load-balancer";

Testing.setupJest();

// A full app synth, because cross-stack references only resolve there.
const config = loadDeploymentConfig(undefined, {});
const out = mkdtempSync(join(tmpdir(), "lambdaflex-fargate-"));
const json = readStack(synthesize(config, out).fargate!);
const synth = JSON.stringify(json);
afterAll(() => removeDir(out));
const all = (type: string) => Object.values(json.resource[type] ?? {}) as any[];
const byPath = (type: string, path: string) => all(type).find((r) => r["//"].metadata.path === path);
const CORE = "data.terraform_remote_state.cross-stack-reference-input-core.outputs";

describe("FargateStack with Terraform Cloud", () => {
  it("reads core's state from the configured HCP Terraform host, not always app.terraform.io", () => {
    const eu = {
      ...config,
      terraformCloud: { ...config.terraformCloud, organization: "acme", hostname: "app.eu.terraform.io" },
    };
    const dir = mkdtempSync(join(tmpdir(), "lambdaflex-fargate-eu-"));
    try {
      const stack = readStack(synthesize(eu, dir).fargate!);
      expect(stack.data.terraform_remote_state["cross-stack-reference-input-core"]).toEqual({
        backend: "remote",
        config: { hostname: "app.eu.terraform.io", organization: "acme", workspaces: { name: "lambdaflex-core" } },
      });
      expect(stack.terraform.cloud).toEqual({
        hostname: "app.eu.terraform.io",
        organization: "acme",
        workspaces: { name: "lambdaflex-fargate" },
      });
    } finally {
      removeDir(dir);
    }
  });
});

describe("FargateStack", () => {
  it("declares fargate_tier with a ${...} validation over the four states and default off", () => {
    expect(json.variable.fargate_tier).toMatchObject({ type: "string", default: "off" });
    expect(json.variable.fargate_tier.validation[0].condition).toBe(
      '${contains(["off","warming","serving","draining"], var.fargate_tier)}',
    );
    expect(json.variable.fargate_min_tasks.default).toBe(2);
    expect(json.variable.fargate_max_tasks.default).toBe(50);
  });

  it("counts every tier resource on tier_enabled, and only the DNS record on tier_routed (warming, serving)", () => {
    expect(json.locals).toEqual({
      tier_enabled: '${(var.fargate_tier != "off") ? 1 : 0}',
      tier_serving: '${(var.fargate_tier == "serving") ? 1 : 0}',
      tier_changing: '${((var.fargate_tier == "warming") || (var.fargate_tier == "draining")) ? 1 : 0}',
      tier_routed: '${((var.fargate_tier == "warming") || (var.fargate_tier == "serving")) ? 1 : 0}',
    });
    for (const [type, byName] of Object.entries(json.resource as Record<string, Record<string, any>>)) {
      for (const [name, r] of Object.entries(byName)) {
        // The per-minute scaler rule (rule, target, permission) exists only while the tier changes.
        const expected =
          type === "aws_route53_record"
            ? "${local.tier_routed}"
            : name.startsWith("scaler-minute")
              ? "${local.tier_changing}"
              : "${local.tier_enabled}";
        expect(`${type}.${name} ${r.count}`).toBe(`${type}.${name} ${expected}`);
      }
    }
  });

  it("spreads two public subnets over two AZs", () => {
    expect(synth).toHaveResourceWithProperties(Subnet, {
      availability_zone: expect.stringContaining("element(data.aws_availability_zones"),
    });
    expect(all("aws_subnet").map((s) => s.cidr_block)).toEqual([
      '${cidrsubnet("10.42.0.0/16", 8, 0)}',
      '${cidrsubnet("10.42.0.0/16", 8, 1)}',
    ]);
    expect(json.resource.aws_nat_gateway).toBeUndefined();
  });

  it("creates the internet-facing ALB only after the internet gateway and every route table association (InvalidSubnet otherwise)", () => {
    const [lb] = all("aws_lb");
    expect(lb.internal).toBe(false);
    const addresses = (type: string) => Object.keys(json.resource[type] ?? {}).map((name) => `${type}.${name}`);
    expect(addresses("aws_internet_gateway")).toHaveLength(1);
    expect(addresses("aws_route_table_association")).toHaveLength(2); // one per public subnet
    expect([...(lb.depends_on ?? [])].sort()).toEqual(
      [...addresses("aws_internet_gateway"), ...addresses("aws_route_table_association")].sort(),
    );
    // Counted alike: whenever the tier (and so the ALB) exists, so do they.
    for (const type of ["aws_lb", "aws_internet_gateway", "aws_route_table_association"])
      for (const r of all(type)) expect(r.count).toBe("${local.tier_enabled}");
  });

  it("terminates TLS on the ALB with a TLS 1.3 policy and redirects port 80", () => {
    expect(synth).toHaveResourceWithProperties(Lb, {
      load_balancer_type: "application",
      internal: false,
      drop_invalid_header_fields: true,
    });
    expect(synth).toHaveResourceWithProperties(LbListener, { port: 443, protocol: "HTTPS", ssl_policy: TLS_POLICY });
    expect(synth).toHaveResourceWithProperties(LbListener, {
      port: 80,
      protocol: "HTTP",
      default_action: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }],
    });
  });

  it("health-checks /healthz on an IP target group with a short deregistration delay", () => {
    expect(synth).toHaveResourceWithProperties(LbTargetGroup, {
      name: "lambdaflex-tg",
      target_type: "ip",
      deregistration_delay: "30",
      health_check: {
        path: "/healthz",
        matcher: "200",
        interval: 10,
        timeout: 5,
        healthy_threshold: 2,
        unhealthy_threshold: 3,
      },
    });
  });

  it("runs core's task definition, read from core's state, and declares no task definition, image, role or log group of its own", () => {
    expect(byPath("aws_ecs_service", "fargate/service/service").task_definition).toBe(
      `\${${CORE}.cross-stack-output-aws_ecs_task_definitiontier-task_B463EFFDarn}`,
    );
    for (const type of ["aws_ecs_task_definition", "aws_cloudwatch_log_group"])
      expect(json.resource[type]).toBeUndefined();
    expect(Object.keys(json.resource).filter((t) => t.startsWith("aws_iam_"))).toEqual([]);
    // No image variable: a commit under deploy/fargate/ cannot choose what the tasks run.
    expect(Object.keys(json.variable).sort()).toEqual([
      "fargate_backoff_down",
      "fargate_backoff_up",
      "fargate_max_tasks",
      "fargate_min_tasks",
      "fargate_pinned",
      "fargate_tier",
      "fargate_tier_since",
      "fargate_warmup_minutes",
    ]);
    expect(synth).not.toMatch(/image_digest|:role\/|ecr_repository/);
  });

  it("tags every resource with the service tag the run roles require", () => {
    expect(json.provider.aws[0].default_tags[0].tags).toMatchObject({
      "lambdaflex:service": "lambdaflex",
      Stack: "fargate",
    });
  });

  it("makes the ECS service depend on the listener, so the target group is attached first", () => {
    expect(byPath("aws_ecs_service", "fargate/service/service").depends_on).toEqual([
      `aws_lb_listener.${key(json, "aws_lb_listener", "fargate/lb/https")}`,
    ]);
  });

  it("uses the circuit breaker with rollback and lets autoscaling own desired_count", () => {
    expect(synth).toHaveResourceWithProperties(EcsService, {
      launch_type: "FARGATE",
      desired_count: "${var.fargate_min_tasks}",
      deployment_circuit_breaker: { enable: true, rollback: true },
      lifecycle: { ignore_changes: ["desired_count"] },
    });
  });

  it("target-tracks ALB requests per target between the tier's min and max", () => {
    const target = all("aws_appautoscaling_target")[0];
    expect(target.min_capacity).toBe("${var.fargate_min_tasks}");
    expect(target.max_capacity).toBe("${max(var.fargate_min_tasks, var.fargate_max_tasks)}");
    expect(synth).toHaveResourceWithProperties(AppautoscalingPolicy, {
      policy_type: "TargetTrackingScaling",
      target_tracking_scaling_policy_configuration: expect.objectContaining({
        target_value: 5400, // 150 req/s x 60 s x 0.6
        predefined_metric_specification: expect.objectContaining({
          predefined_metric_type: "ALBRequestCountPerTarget",
        }),
      }),
    });
  });

  it("admits task traffic only from the ALB's security group", () => {
    const tasks = all("aws_security_group").find((g) => g.name === "lambdaflex-tasks");
    expect(tasks.ingress).toEqual([
      expect.objectContaining({
        from_port: 8080,
        to_port: 8080,
        security_groups: [expect.stringMatching(/aws_security_group\.lb_sg_.*\[0\]\.id/)],
      }),
    ]);
    expect(tasks.ingress[0].cidr_blocks ?? []).toEqual([]);
    expect(tasks.ingress[0].ipv6_cidr_blocks ?? []).toEqual([]);
  });

  it("never emits an escaped reference, which Terraform would take as a literal string", () => {
    expect(synth).not.toContain("$${");
    expect(byPath("aws_ecs_service", "fargate/service/service").cluster).toMatch(
      /^\$\{aws_ecs_cluster\.service_cluster_\w+\[0\]\.arn\}$/,
    );
  });

  it("adds the weight-100 fargate record while warming and serving, not draining, without target health: the scaler's weights fail over", () => {
    // With evaluate_target_health, an empty tasks' group at warming or a throttled Lambda group while
    // serving would make Route 53 withhold the record and send clients back to API Gateway.
    expect(synth).toHaveResourceWithProperties(Route53Record, {
      set_identifier: "fargate",
      weighted_routing_policy: { weight: 100 },
      alias: expect.objectContaining({ evaluate_target_health: false }),
      count: "${local.tier_routed}",
    });
    const records = resourcesPerState({ resource: { aws_route53_record: json.resource.aws_route53_record } });
    expect(records).toEqual({ off: 0, warming: 1, serving: 1, draining: 0 });
  });

  it("wakes the scaler when the ALB's demand stays low, counting no datapoints as low", () => {
    const alarm = Object.values(json.resource.aws_cloudwatch_metric_alarm)[0] as any;
    expect(alarm).toMatchObject({
      alarm_name: "lambdaflex-fargate-low-demand",
      namespace: "AWS/ApplicationELB",
      metric_name: "RequestCount",
      // Below break-even for 5 minutes: the policy then weighs the money each minute.
      threshold: Math.round(breakEvenRps(workloadFrom(config)) * 60),
      evaluation_periods: 5,
      treat_missing_data: "breaching",
      count: "${local.tier_enabled}",
    });
    expect(alarm.alarm_actions[0]).toMatch(/cross-stack-output-aws_lambda_functionscaler_function/);
  });

  it("runs the core stack's scaler every minute only while the tier changes (warming, draining)", () => {
    const rule = byPath("aws_cloudwatch_event_rule", "fargate/scaler-minute/rule");
    expect(rule).toMatchObject({
      name: "lambdaflex-scaler-minute",
      schedule_expression: "rate(1 minute)",
      count: "${local.tier_changing}",
    });
    const ruleKey = Object.keys(json.resource.aws_cloudwatch_event_rule).find(
      (k) => json.resource.aws_cloudwatch_event_rule[k] === rule,
    )!;
    expect(byPath("aws_cloudwatch_event_target", "fargate/scaler-minute/target")).toMatchObject({
      rule: `\${aws_cloudwatch_event_rule.${ruleKey}[0].name}`,
      arn: expect.stringMatching(
        new RegExp(
          `^\\$\\{${CORE.replace(/\./g, "\\.")}\\.cross-stack-output-aws_lambda_functionscaler_function_\\w+arn\\}$`,
        ),
      ),
      count: "${local.tier_changing}",
    });
    expect(byPath("aws_lambda_permission", "fargate/scaler-minute/permission")).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "events.amazonaws.com",
      function_name: expect.stringMatching(/cross-stack-output-aws_lambda_functionscaler_function_\w+function_name\}$/),
      source_arn: `\${aws_cloudwatch_event_rule.${ruleKey}[0].arn}`,
      count: "${local.tier_changing}",
    });
    // Off and serving: none of the three is counted; warming and draining: each once.
    const minute = (type: string) =>
      Object.fromEntries(
        Object.entries(json.resource[type] as Record<string, any>).filter(([name]) => name.startsWith("scaler-minute")),
      );
    const perState = (state: string) =>
      ["aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_lambda_permission"].map(
        (type) => resourcesPerState({ resource: { [type]: minute(type) } })[state],
      );
    for (const state of ["off", "serving"]) expect(perState(state)).toEqual([0, 0, 0]);
    for (const state of ["warming", "draining"]) expect(perState(state)).toEqual([1, 1, 1]);
  });

  it("reads the certificate, the task definition and the functions from the core stack's state, and takes the zone id from the configuration", () => {
    const refs = [...synth.matchAll(/outputs\.cross-stack-output-([\w-]+)/g)].map((m) => m[1]!);
    const read = ["aws_acm_certificate_validation", "aws_ecs_task_definition", "aws_lambda_function"];
    expect(refs.filter((r) => !read.some((type) => r.startsWith(type)))).toEqual([]);
    for (const type of read) expect(refs.some((r) => r.startsWith(type))).toBe(true);
    expect(all("aws_route53_record").map((r) => r.zone_id)).toEqual([config.hostedZoneId]);
  });
});

describe("FargateStack with a brought-in app", () => {
  const byo = {
    ...config,
    app: { healthPath: "/_status/ready", environment: { GREETING: "Hej" } },
    fargate: { ...config.fargate, cpu: 1024 as const, memoryMb: 3072 },
  };
  const dir = mkdtempSync(join(tmpdir(), "lambdaflex-fargate-byo-"));
  const stack = readStack(synthesize(byo, dir).fargate!);
  afterAll(() => removeDir(dir));
  const only = (type: string) => Object.values(stack.resource[type]) as any[];

  it("health-checks app.healthPath on the target group", () => {
    // The tasks' IP target group and the service Lambda's target group alike.
    expect(
      only("aws_lb_target_group")
        .map((tg) => `${tg.name} ${tg.health_check.path}`)
        .sort(),
    ).toEqual(["lambdaflex-lambda-tg /_status/ready", "lambdaflex-tg /_status/ready"]);
  });
});

const key = (stack: Record<string, any>, type: string, path: string) =>
  Object.entries(stack.resource[type] as Record<string, any>).find(([, r]) => r["//"].metadata.path === path)![0];

/** A cross-stack reference to core's service function (core/lambda/function), not the scaler's. */
const serviceFunction = (attr: string) =>
  new RegExp(
    `^\\$\\{${CORE.replace(/\./g, "\\.")}\\.cross-stack-output-aws_lambda_functionlambda_function_\\w+${attr}\\}$`,
  );

describe("FargateStack with the weighted switch (the default)", () => {
  const lambdaTg = key(json, "aws_lb_target_group", "fargate/lambda-target/targets");
  const ecsTg = key(json, "aws_lb_target_group", "fargate/lb/targets");
  const permission = key(json, "aws_lambda_permission", "fargate/lambda-target/invoke");

  it("puts the core stack's service function, the one API Gateway invokes, in a <service>-lambda-tg target group that health-checks app.healthPath", () => {
    expect(byPath("aws_lb_target_group", "fargate/lambda-target/targets")).toMatchObject({
      name: "lambdaflex-lambda-tg",
      target_type: "lambda",
      lambda_multi_value_headers_enabled: true,
      // Longer than the function's 29 s limit, as the provider requires for Lambda targets.
      health_check: {
        enabled: true,
        path: "/healthz",
        matcher: "200",
        interval: 35,
        timeout: 30,
        healthy_threshold: 2,
        unhealthy_threshold: 2,
      },
      count: "${local.tier_enabled}",
    });
    const group = byPath("aws_lb_target_group", "fargate/lambda-target/targets");
    for (const field of ["port", "protocol", "vpc_id"]) expect(group[field]).toBeUndefined(); // a Lambda target group takes none
    expect(byPath("aws_lb_target_group_attachment", "fargate/lambda-target/attachment")).toMatchObject({
      target_group_arn: `\${aws_lb_target_group.${key(json, "aws_lb_target_group", "fargate/lambda-target/targets")}[0].arn}`,
      target_id: expect.stringMatching(serviceFunction("arn")),
      count: "${local.tier_enabled}",
    });
  });

  it("lets Elastic Load Balancing invoke the function only for that target group, before the function is registered", () => {
    expect(byPath("aws_lambda_permission", "fargate/lambda-target/invoke")).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "elasticloadbalancing.amazonaws.com",
      function_name: expect.stringMatching(serviceFunction("function_name")),
      source_arn: `\${aws_lb_target_group.${lambdaTg}[0].arn}`,
      count: "${local.tier_enabled}",
    });
    // Registering a Lambda target fails unless ELB may already invoke it.
    expect(byPath("aws_lb_target_group_attachment", "fargate/lambda-target/attachment").depends_on).toEqual([
      `aws_lambda_permission.${permission}`,
    ]);
  });

  it("forwards HTTPS by weight, all to Lambda at creation, without stickiness, and leaves later weights to the scaler", () => {
    expect(byPath("aws_lb_listener", "fargate/lb/https")).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      default_action: [
        {
          type: "forward",
          forward: {
            target_group: [
              { arn: `\${aws_lb_target_group.${lambdaTg}[0].arn}`, weight: 100 },
              { arn: `\${aws_lb_target_group.${ecsTg}[0].arn}`, weight: 0 },
            ],
            stickiness: { enabled: false, duration: 1 },
          },
        },
      ],
      lifecycle: { ignore_changes: ["default_action"] },
    });
    expect(byPath("aws_lb_listener", "fargate/lb/https").default_action[0].target_group_arn).toBeUndefined();
    // The redirect listener is the same in both switches.
    expect(byPath("aws_lb_listener", "fargate/lb/http-redirect").lifecycle).toBeUndefined();
  });

  it("counts three more resources in every tier state but off, and the record in warming, not draining", () => {
    expect(resourcesPerState(json)).toEqual({ off: 0, warming: 27, serving: 24, draining: 26 });
  });
});

describe("FargateStack with the dns switch (kept for comparison)", () => {
  const dns = { ...config, fargate: { ...config.fargate, switch: "dns" as const } };
  const dir = mkdtempSync(join(tmpdir(), "lambdaflex-fargate-dns-"));
  const stack = readStack(synthesize(dns, dir).fargate!);
  afterAll(() => removeDir(dir));

  it("has no Lambda target group, attachment or ELB invoke permission, and no tier_routed local", () => {
    expect(Object.values(stack.resource.aws_lb_target_group).map((tg: any) => tg.name)).toEqual(["lambdaflex-tg"]);
    expect(stack.resource.aws_lb_target_group_attachment).toBeUndefined();
    expect(Object.values(stack.resource.aws_lambda_permission).map((p: any) => p.principal)).toEqual([
      "events.amazonaws.com",
    ]);
    expect(Object.keys(stack.locals).sort()).toEqual(["tier_changing", "tier_enabled", "tier_serving"]);
  });

  it("forwards HTTPS to the tasks only, with Terraform owning the action, and adds the record only while serving", () => {
    const https = Object.values(stack.resource.aws_lb_listener).find((l: any) => l.port === 443) as any;
    expect(https.default_action).toEqual([
      {
        type: "forward",
        target_group_arn: `\${aws_lb_target_group.${key(stack, "aws_lb_target_group", "fargate/lb/targets")}[0].arn}`,
      },
    ]);
    expect(https.lifecycle).toBeUndefined();
    expect((Object.values(stack.resource.aws_route53_record)[0] as any).count).toBe("${local.tier_serving}");
    // No Lambda path on this ALB: Route 53's failover to the lambda record is the only way around unhealthy tasks.
    expect((Object.values(stack.resource.aws_route53_record)[0] as any).alias.evaluate_target_health).toBe(true);
    expect(resourcesPerState(stack)).toEqual({ off: 0, warming: 23, serving: 21, draining: 23 });
  });
});

describe("LambdaTarget", () => {
  it("refuses a function whose timeout the health check's would not outlast", () => {
    const stack = new TerraformStack(Testing.app(), "t");
    const fn = new LambdaFunction(stack, "fn", { functionName: "f", role: "arn:aws:iam::123456789012:role/r" });
    expect(
      () =>
        new LambdaTarget(stack, "lt", {
          targetGroupName: "s-lambda-tg",
          function: fn,
          functionTimeoutSeconds: 30,
          healthCheckPath: "/healthz",
          count: 1,
        }),
    ).toThrow("LambdaTarget lt: functionTimeoutSeconds must be below the health check timeout of 30 s, got 30");
  });
});
