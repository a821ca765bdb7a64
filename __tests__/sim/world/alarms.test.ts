import { readFileSync } from "node:fs";
import { loadDeploymentConfig } from "../../../config/load";
import { breakEvenRps, workloadFrom } from "../../../model/cost-model";
import { join } from "node:path";
import { AlarmEmulator, alarmsFromStack } from "../../../sim/world/alarms";
import { CloudWatchEmulator } from "../../../sim/world/cloudwatch";
import { ROOT } from "../../helpers/processes";

const MINUTE = 60_000;
const stack = JSON.parse(readFileSync(join(ROOT, "deploy", "core", "cdk.tf.json"), "utf8"));
const defs = alarmsFromStack(stack, { apiId: "api123", scalerFunctionName: "lambdaflex-scaler" });
const count = { namespace: "AWS/ApiGateway", name: "Count", dimensions: { ApiId: "api123" } };

function setup(lag: [number, number]) {
  let now = 0;
  const cw = new CloudWatchEmulator({ now: () => now, random: () => 0.5, lagMinutes: lag });
  const alarms = new AlarmEmulator(defs, cw, () => now);
  return { cw, alarms, at: (ms: number) => (now = ms) };
}

describe("CloudWatch alarms from the synthesized core stack", () => {
  it("reads every alarm with its metric resolved and what its action reaches", () => {
    const byName = Object.fromEntries(defs.map((d) => [d.name, d]));
    expect(Object.keys(byName).sort()).toEqual(["lambdaflex-wake-demand", "lambdaflex-wake-throttles"]);
    expect(byName["lambdaflex-wake-demand"]).toMatchObject({
      metric: count,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      threshold: Math.round(breakEvenRps(workloadFrom(loadDeploymentConfig(undefined, {}))) * 60),
      action: "scaler",
    });
    expect(byName["lambdaflex-wake-throttles"]).toMatchObject({
      metric: { namespace: "AWS/Lambda", name: "Throttles", dimensions: { FunctionName: "lambdaflex-api" } },
      action: "scaler",
    });
  });

  it("fires the wake-demand alarm once, on published datapoints only, even when the newest minutes are late", () => {
    const { cw, alarms, at } = setup([2, 2]);
    for (let m = 0; m < 10; m++) cw.count(count, m * MINUTE, 3000);
    // At minute 4.5 only minutes 0 and 1 are published (each appears 2 minutes after it ends): 2 of the 3 needed.
    at(4 * MINUTE + 30_000);
    expect(alarms.evaluate()).toEqual([]);
    expect((alarms.describe({ StateValue: "ALARM" }) as { MetricAlarms: unknown[] }).MetricAlarms).toEqual([]);
    // By minute 5.5, minutes 0-2 are published: three breaching datapoints.
    at(5 * MINUTE + 30_000);
    expect(alarms.evaluate().map((a) => a.name)).toEqual(["lambdaflex-wake-demand"]);
    // An alarm acts only when its state changes, but DescribeAlarms shows it still in ALARM.
    at(6 * MINUTE + 30_000);
    expect(alarms.evaluate()).toEqual([]);
    expect(alarms.meter.toAlarm).toEqual({ "lambdaflex-wake-demand": 1 });
    expect(alarms.describe({ AlarmNames: ["lambdaflex-wake-demand"], StateValue: "ALARM" })).toMatchObject({
      MetricAlarms: [{ AlarmName: "lambdaflex-wake-demand", StateValue: "ALARM" }],
    });
  });

  it("treats minutes without datapoints as not breaching, so quiet minutes return it to OK and it can fire again", () => {
    const { cw, alarms, at } = setup([0, 0]);
    for (const m of [0, 1, 2]) cw.count(count, m * MINUTE, 3000);
    at(3 * MINUTE + 1);
    expect(alarms.evaluate()).toHaveLength(1);
    at(20 * MINUTE);
    expect(alarms.evaluate()).toEqual([]);
    for (const m of [20, 21, 22]) cw.count(count, m * MINUTE, 3000);
    at(23 * MINUTE + 1);
    expect(alarms.evaluate().map((a) => a.name)).toEqual(["lambdaflex-wake-demand"]);
  });
});

describe("CloudWatch alarms from the synthesized fargate stack", () => {
  const fargate = JSON.parse(readFileSync(join(ROOT, "deploy", "fargate", "cdk.tf.json"), "utf8"));
  let alb: string | undefined;
  let tg: string | undefined;
  const fdefs = alarmsFromStack(fargate, {
    apiId: "api123",
    scalerFunctionName: "lambdaflex-scaler",
    albDimension: () => alb,
    targetGroupDimension: () => tg,
  });
  const overload = fdefs.find((d) => d.name === "lambdaflex-fargate-overload")!;

  it("resolves the overload alarm's ALB and target group while both exist, and wakes the scaler", () => {
    expect(fdefs.map((d) => d.name).sort()).toEqual(["lambdaflex-fargate-low-demand", "lambdaflex-fargate-overload"]);
    expect(overload).toMatchObject({
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparison: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      action: "scaler",
    });
    alb = undefined;
    tg = undefined;
    expect(overload.current!()).toBeUndefined();
    alb = "app/lambdaflex-alb/1";
    tg = "targetgroup/lambdaflex-tg/2";
    expect(overload.current!()).toEqual({
      namespace: "AWS/ApplicationELB",
      name: "RequestCountPerTarget",
      dimensions: { LoadBalancer: alb, TargetGroup: tg },
    });
  });

  it("fires on the first published minute past a task's capacity", () => {
    let now = 0;
    const cw = new CloudWatchEmulator({ now: () => now, random: () => 0.5, lagMinutes: [1, 1] });
    const alarms = new AlarmEmulator([overload], cw, () => now);
    const metric = overload.current!()!;
    cw.count(metric, 0, overload.threshold);
    cw.count(metric, MINUTE, overload.threshold + 60);
    now = 2 * MINUTE + 30_000; // minute 0 is published: at capacity, not past it
    expect(alarms.evaluate()).toEqual([]);
    now = 3 * MINUTE + 30_000;
    expect(alarms.evaluate().map((a) => a.name)).toEqual(["lambdaflex-fargate-overload"]);
  });
});
