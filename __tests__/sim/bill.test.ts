import { loadDeploymentConfig } from "../../config/load";
import { simulateFargateAlways, simulateLambdaOnly } from "../../sim/baselines";
import { billTotal, fargateFixedMinuteBill, fargateMinuteBill, lambdaMinuteBill } from "../../sim/bill";
import { fargateFixedMinuteCost, fargateMinuteCost, lambdaMinuteCost, workloadFrom } from "../../sim/cost-model";
import { delaysFor } from "../../sim/delays";
import { clairvoyantOptimum } from "../../sim/optimum";
import { DEFAULT_PRICES as p } from "../../sim/prices";
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
  });

  it.each([
    [0, 0],
    [600, 1],
    [60_000, 4],
    [900_000, 20],
  ])("adds up to the Fargate tier's cost for %d requests on %d tasks", (requests, tasks) => {
    expect(billTotal(fargateMinuteBill(requests, tasks, w, p))).toBeCloseTo(fargateMinuteCost(requests, tasks, w, p), 15);
    expect(billTotal(fargateFixedMinuteBill(tasks, w, p))).toBeCloseTo(fargateFixedMinuteCost(tasks, w, p), 15);
    expect(fargateMinuteBill(requests, tasks, w, p).albHours.quantity).toBeCloseTo(1 / 60, 15);
  });
});

describe("each strategy's bill", () => {
  // A quiet night, four busy hours and a quiet evening (requests per minute).
  const day = [...Array(300).fill(120), ...Array(240).fill(3600), ...Array(900).fill(90)];

  it.each([
    ["lambda-only", () => simulateLambdaOnly(day, { config, world: DEFAULT_WORLD, workload: w })],
    ["fargate-always-on", () => simulateFargateAlways(day, { config, world: DEFAULT_WORLD, workload: w })],
    ["clairvoyant-optimum", () => clairvoyantOptimum(day, w, delaysFor(DEFAULT_WORLD, config.scaling.deregistrationDelaySeconds), 30)],
  ])("itemizes all of %s's total", (_, run) => {
    const r = run();
    expect(billTotal(r.bill) + r.overheadCost).toBeCloseTo(r.totalCost, 9);
    expect(r.bill.apiGatewayRequests!.quantity).toBeCloseTo(r.requestsByTier.lambda, 3);
  });

  it("bills Fargate always on for the ALB every hour of the trace, and Lambda only for none", () => {
    expect(simulateFargateAlways(day, { config, world: DEFAULT_WORLD, workload: w }).bill.albHours!.quantity).toBeCloseTo(day.length / 60, 9);
    expect(simulateLambdaOnly(day, { config, world: DEFAULT_WORLD, workload: w }).bill.albHours).toBeUndefined();
  });
});
