import { loadDeploymentConfig } from "../../config/load";
import { simulateFargateAlways, simulateLambdaOnly } from "../../sim/baselines";
import { billTotal, fargateFixedMinuteBill, fargateMinuteBill, lambdaMinuteBill } from "../../sim/bill";
import { fargateFixedMinuteCost, fargateMinuteCost, lambdaMinuteCost, workloadFrom } from "../../model/cost-model";
import { delaysFor } from "../../sim/delays";
import { clairvoyantOptimum } from "../../sim/optimum";
import { DEFAULT_PRICES as p } from "../../model/prices";
import { DEFAULT_WORLD } from "../../sim/world/params";

const config = loadDeploymentConfig(undefined, {});
const w = workloadFrom(config);

describe("a minute's bill by item", () => {
  it.each([
    [0, 0],
    [60, 0],
    [12_000, 3],
    [250_000, 40],
  ])("adds up to the Lambda tier's cost for %d requests and %d cold starts", (requests, cold) => {
    const bill = lambdaMinuteBill(requests, cold, w, p);
    expect(billTotal(bill)).toBeCloseTo(lambdaMinuteCost(requests, cold, w, p), 15);
    expect(bill.apiGatewayRequests.quantity).toBe(requests);
    expect(bill.lambdaRequests.quantity).toBe(requests);
    // An access-log line per request and the platform records per invocation, in GB.
    expect(bill.lambdaLogsGb.quantity).toBeCloseTo((requests * (167 + 509) + cold * 509) / 2 ** 30, 15);
  });

  it("bills invocations through the ALB's Lambda target group without API Gateway requests or access-log lines", () => {
    const bill = lambdaMinuteBill(12_000, 0, w, p, 2_000);
    expect(billTotal(bill)).toBeCloseTo(lambdaMinuteCost(12_000, 0, w, p, 2_000), 15);
    expect(bill.apiGatewayRequests.quantity).toBe(2_000);
    expect(bill.lambdaLogsGb.quantity).toBeCloseTo((2_000 * 167 + 12_000 * 509) / 2 ** 30, 15);
  });

  it.each([
    [0, 0],
    [600, 1],
    [60_000, 4],
    [900_000, 20],
  ])("adds up to the Fargate tier's cost for %d requests on %d tasks", (requests, tasks) => {
    expect(billTotal(fargateMinuteBill(requests, tasks, w, p))).toBeCloseTo(
      fargateMinuteCost(requests, tasks, w, p),
      15,
    );
    expect(billTotal(fargateFixedMinuteBill(tasks, w, p))).toBeCloseTo(fargateFixedMinuteCost(tasks, w, p), 15);
    expect(fargateMinuteBill(requests, tasks, w, p).albHours.quantity).toBeCloseTo(1 / 60, 15);
    expect(billTotal(fargateMinuteBill(requests, tasks, w, p, requests / 4))).toBeCloseTo(
      fargateMinuteCost(requests, tasks, w, p, requests / 4),
      15,
    );
    // The tier's four alarms, a month's price prorated by the minute.
    expect(fargateFixedMinuteBill(tasks, w, p).tierAlarmMonths.quantity).toBeCloseTo(4 / (730 * 60), 15);
  });

  it("itemizes the tasks' app logs only when the app writes any", () => {
    expect(fargateMinuteBill(60_000, 4, w, p).taskLogsGb).toBeUndefined();
    const logging = { ...w, appLogBytesPerRequest: 300 };
    const bill = fargateMinuteBill(60_000, 4, logging, p, 20_000);
    expect(bill.taskLogsGb!.quantity).toBeCloseTo((40_000 * 300) / 2 ** 30, 15);
    expect(billTotal(bill)).toBeCloseTo(fargateMinuteCost(60_000, 4, logging, p, 20_000), 15);
  });
});

describe("each strategy's bill", () => {
  // A quiet night, four busy hours and a quiet evening (requests per minute).
  const day = [...Array(300).fill(120), ...Array(240).fill(3600), ...Array(900).fill(90)];

  it.each([
    ["lambda-only", () => simulateLambdaOnly(day, { config, world: DEFAULT_WORLD, workload: w })],
    ["fargate-always-on", () => simulateFargateAlways(day, { config, world: DEFAULT_WORLD, workload: w })],
    [
      "clairvoyant-optimum",
      () => clairvoyantOptimum(day, w, delaysFor(DEFAULT_WORLD, config.scaling.deregistrationDelaySeconds), 30),
    ],
  ])("itemizes all of %s's total", async (_, run) => {
    const r = await run();
    expect(billTotal(r.bill) + r.overheadCost).toBeCloseTo(r.totalCost, 9);
    expect(r.bill.apiGatewayRequests!.quantity).toBeCloseTo(r.requestsByTier.lambda, 3);
  });

  it("bills Fargate always on for the ALB every hour of the trace, and Lambda only for none", async () => {
    expect(
      (await simulateFargateAlways(day, { config, world: DEFAULT_WORLD, workload: w })).bill.albHours!.quantity,
    ).toBeCloseTo(day.length / 60, 9);
    expect(simulateLambdaOnly(day, { config, world: DEFAULT_WORLD, workload: w }).bill.albHours).toBeUndefined();
  });
});
