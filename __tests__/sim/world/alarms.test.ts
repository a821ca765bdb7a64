import { readFileSync } from "node:fs";
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
    expect(byName["lambdaflex-lambda-high-demand"]).toMatchObject({ metric: count, evaluationPeriods: 2, threshold: 1200, action: "scaler" });
    expect(byName["lambdaflex-lambda-throttles"]).toMatchObject({ metric: { namespace: "AWS/Lambda", name: "Throttles", dimensions: { FunctionName: "lambdaflex-api" } }, action: "scaler" });
    expect(byName["lambdaflex-scaler-errors"]).toMatchObject({ metric: { dimensions: { FunctionName: "lambdaflex-scaler" } }, action: "page" });
    expect(byName["lambdaflex-tier-stuck"]!.action).toBe("page");
  });

  it("fires the high-demand alarm once, on published datapoints only, even when the newest minutes are late", () => {
    const { cw, alarms, at } = setup([2, 2]);
    for (let m = 0; m < 10; m++) cw.count(count, m * MINUTE, 3000);
    // At minute 3 nothing is published yet (each minute appears 2 minutes after it ends).
    at(3 * MINUTE + 30_000);
    expect(alarms.evaluate()).toEqual([]);
    // By minute 4.5, minutes 0 and 1 are published: two breaching datapoints.
    at(4 * MINUTE + 30_000);
    expect(alarms.evaluate().map((a) => a.name)).toEqual(["lambdaflex-lambda-high-demand"]);
    // An alarm acts only when its state changes.
    at(5 * MINUTE + 30_000);
    expect(alarms.evaluate()).toEqual([]);
    expect(alarms.meter.toAlarm).toEqual({ "lambdaflex-lambda-high-demand": 1 });
  });

  it("treats minutes without datapoints as not breaching, so quiet minutes return it to OK and it can fire again", () => {
    const { cw, alarms, at } = setup([0, 0]);
    cw.count(count, 0, 3000);
    cw.count(count, MINUTE, 3000);
    at(2 * MINUTE + 1);
    expect(alarms.evaluate()).toHaveLength(1);
    at(20 * MINUTE);
    expect(alarms.evaluate()).toEqual([]);
    cw.count(count, 20 * MINUTE, 3000);
    cw.count(count, 21 * MINUTE, 3000);
    at(22 * MINUTE + 1);
    expect(alarms.evaluate().map((a) => a.name)).toEqual(["lambdaflex-lambda-high-demand"]);
  });
});
