import { Testing, TerraformStack } from "cdktf";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../../config/load";
import { resourcesPerState, synthesize } from "../../../scripts/synth";
import { OverloadAlarm } from "../../../stacks/fargate/overload-alarm";
import { readStack, removeDir } from "../../helpers/terraform";

// A full app synth, because the scaler's ARN is a cross-stack reference.
const config = loadDeploymentConfig(undefined, {});
const out = mkdtempSync(join(tmpdir(), "lambdaflex-overload-"));
const json = readStack(synthesize(config, out).fargate!);
afterAll(() => removeDir(out));

describe("OverloadAlarm", () => {
  it("wakes the scaler in the first minute the tasks get more requests per healthy target than they carry", () => {
    const alarm = (Object.values(json.resource.aws_cloudwatch_metric_alarm) as any[]).find(
      (a) => a.alarm_name === "lambdaflex-fargate-overload",
    );
    expect(alarm).toMatchObject({
      namespace: "AWS/ApplicationELB",
      metric_name: "RequestCountPerTarget",
      dimensions: {
        LoadBalancer: expect.stringMatching(/^\$\{aws_lb\.[^.]+\.arn_suffix\}$/),
        TargetGroup: expect.stringMatching(/^\$\{aws_lb_target_group\.[^.]+\.arn_suffix\}$/),
      },
      statistic: "Sum",
      period: 60,
      evaluation_periods: 1,
      // requestsPerTaskPerSecond at full capacity, per minute.
      threshold: config.fargate.requestsPerTaskPerSecond * 60,
      comparison_operator: "GreaterThanThreshold",
      treat_missing_data: "notBreaching",
      count: "${local.tier_enabled}",
    });
    expect(alarm.alarm_actions).toHaveLength(1);
    expect(alarm.alarm_actions[0]).toMatch(/cross-stack-output-aws_lambda_functionscaler_function/);
    expect(alarm.ok_actions).toBeUndefined();
  });

  it("exists only while the tier does, as the low-demand alarm (billed with the tier)", () => {
    expect(
      resourcesPerState({ resource: { aws_cloudwatch_metric_alarm: json.resource.aws_cloudwatch_metric_alarm } }),
    ).toEqual({ off: 0, warming: 2, serving: 2, draining: 2 });
  });

  it("refuses a capacity that is not a positive number", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const props = {
      name: "x-fargate-overload",
      albArnSuffix: "app/x/1",
      targetGroupArnSuffix: "targetgroup/x/1",
      scalerArn: "arn",
      count: 1,
    };
    expect(() => new OverloadAlarm(stack, "o", { ...props, capacityPerTaskPerMinute: 0 })).toThrow(
      "OverloadAlarm o: capacityPerTaskPerMinute must be > 0, got 0",
    );
  });
});
