import "cdktf/lib/testing/adapters/jest"; // the matchers' types
import { Testing } from "cdktf";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { synthesize } from "../../scripts/synth";
import { readStack, removeDir } from "../helpers/terraform";
import { TLS_POLICY } from "../../stacks/fargate/load-balancer";

Testing.setupJest();

// A full app synth, because cross-stack references only resolve there.
const config = loadDeploymentConfig(undefined, {});
const out = mkdtempSync(join(tmpdir(), "lambdaflex-fargate-"));
const json = readStack(synthesize(config, out).fargate!);
const synth = JSON.stringify(json);
afterAll(() => removeDir(out));
const all = (type: string) => Object.values(json.resource[type] ?? {}) as any[];

describe("FargateStack", () => {
  it("declares fargate_tier with a ${...} validation over the four states and default off", () => {
    expect(json.variable.fargate_tier).toMatchObject({ type: "string", default: "off" });
    expect(json.variable.fargate_tier.validation[0].condition).toBe('${contains(["off","warming","serving","draining"], var.fargate_tier)}');
    expect(json.variable.fargate_min_tasks.default).toBe(2);
    expect(json.variable.fargate_max_tasks.default).toBe(50);
  });

  it("counts every tier resource on tier_enabled, and only the DNS record on tier_serving", () => {
    expect(json.locals).toEqual({
      tier_enabled: '${(var.fargate_tier != "off") ? 1 : 0}',
      tier_serving: '${(var.fargate_tier == "serving") ? 1 : 0}',
    });
    for (const [type, byName] of Object.entries(json.resource as Record<string, Record<string, any>>)) {
      for (const [name, r] of Object.entries(byName)) {
        const expected = type === "aws_route53_record" ? "${local.tier_serving}" : "${local.tier_enabled}";
        expect(`${type}.${name} ${r.count}`).toBe(`${type}.${name} ${expected}`);
      }
    }
  });

  it("spreads two public subnets over two AZs", () => {
    expect(synth).toHaveResourceWithProperties(Subnet, { availability_zone: expect.stringContaining("element(data.aws_availability_zones") });
    expect(all("aws_subnet").map((s) => s.cidr_block)).toEqual(['${cidrsubnet("10.42.0.0/16", 8, 0)}', '${cidrsubnet("10.42.0.0/16", 8, 1)}']);
    expect(json.resource.aws_nat_gateway).toBeUndefined();
  });

  it("terminates TLS on the ALB with a TLS 1.3 policy and redirects port 80", () => {
    expect(synth).toHaveResourceWithProperties(Lb, { load_balancer_type: "application", internal: false, drop_invalid_header_fields: true });
    expect(synth).toHaveResourceWithProperties(LbListener, { port: 443, protocol: "HTTPS", ssl_policy: TLS_POLICY });
    expect(synth).toHaveResourceWithProperties(LbListener, {
      port: 80,
      protocol: "HTTP",
      default_action: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }],
    });
  });

  it("health-checks /healthz on an IP target group with a short deregistration delay", () => {
    expect(synth).toHaveResourceWithProperties(LbTargetGroup, {
      target_type: "ip",
      deregistration_delay: "30",
      health_check: { path: "/healthz", matcher: "200", interval: 10, timeout: 5, healthy_threshold: 2, unhealthy_threshold: 3 },
    });
  });

  it("runs the same image on ARM64 Fargate as a non-root, read-only container", () => {
    expect(synth).toHaveResourceWithProperties(EcsTaskDefinition, {
      runtime_platform: { cpu_architecture: "ARM64", operating_system_family: "LINUX" },
      cpu: "512",
      memory: "1024",
    });
    const defs = all("aws_ecs_task_definition")[0].container_definitions as string;
    expect(defs).toContain("cross-stack-output-aws_ecr_repository");
    expect(defs).toMatch(/"user" *= *"10001"/);
    expect(defs).toMatch(/"readonlyRootFilesystem" *= *true/);
    expect(defs).toMatch(/"LAMBDAFLEX_TIER", *"value" *= *"fargate"/);
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
        predefined_metric_specification: expect.objectContaining({ predefined_metric_type: "ALBRequestCountPerTarget" }),
      }),
    });
  });

  it("admits task traffic only from the ALB's security group", () => {
    const tasks = all("aws_security_group").find((g) => g.name === "lambdaflex-tasks");
    expect(tasks.ingress).toEqual([expect.objectContaining({ from_port: 8080, to_port: 8080, security_groups: [expect.stringMatching(/aws_security_group\.lb_sg_.*\[0\]\.id/)] })]);
    expect(tasks.ingress[0].cidr_blocks ?? []).toEqual([]);
    expect(tasks.ingress[0].ipv6_cidr_blocks ?? []).toEqual([]);
  });

  it("never emits an escaped reference, which Terraform would take as a literal string", () => {
    expect(synth).not.toContain("$${");
    expect(json.resource.aws_ecs_task_definition ? JSON.stringify(json.resource.aws_ecs_task_definition) : "").toMatch(/"awslogs-group\\" = aws_cloudwatch_log_group\.[^.]+\[0\]\.name/);
  });

  it("adds the weight-100 fargate record with target health only while serving", () => {
    expect(synth).toHaveResourceWithProperties(Route53Record, {
      set_identifier: "fargate",
      weighted_routing_policy: { weight: 100 },
      alias: expect.objectContaining({ evaluate_target_health: true }),
      count: "${local.tier_serving}",
    });
  });

  it("wakes the scaler when the ALB's demand stays low, counting no datapoints as low", () => {
    const alarm = Object.values(json.resource.aws_cloudwatch_metric_alarm)[0] as any;
    expect(alarm).toMatchObject({
      alarm_name: "lambdaflex-fargate-low-demand",
      namespace: "AWS/ApplicationELB",
      metric_name: "RequestCount",
      threshold: 480,
      evaluation_periods: 30,
      treat_missing_data: "breaching",
      count: "${local.tier_enabled}",
    });
    expect(alarm.alarm_actions[0]).toMatch(/cross-stack-output-aws_lambda_functionscaler_function/);
  });

  it("reads zone, certificate, image and table from the core stack's state", () => {
    const refs = [...synth.matchAll(/outputs\.cross-stack-output-[\w-]+/g)].map((m) => m[0]);
    expect(refs.some((r) => r.includes("route53_zone"))).toBe(true);
    expect(refs.some((r) => r.includes("acm_certificate_validation"))).toBe(true);
    expect(refs.some((r) => r.includes("ecr_repository"))).toBe(true);
    expect(refs.some((r) => r.includes("dynamodb_table"))).toBe(true);
  });
});
