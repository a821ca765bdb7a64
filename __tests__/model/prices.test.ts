import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { billTotal, fargateMinuteBill, lambdaMinuteBill } from "../../sim/bill";
import { albLcuDimensions, fargateMinuteCost, lambdaMinuteCost, workloadFrom } from "../../model/cost-model";
import { ALB_LCU, DEFAULT_PRICES, PRICES } from "../../model/prices";

const config = loadDeploymentConfig(undefined, {});
const w = workloadFrom(config);

/**
 * One minute of a known load, priced by hand from AWS's published us-east-1 prices (each
 * with its page below), against the model the twin bills with. The weighted switch spills:
 * the ALB takes 6,000 req/s and its listener sends 75% to the 50 tasks fargate.maxTasks
 * allows (90 req/s each, their target) and 25% to the Lambda target group, while 500 req/s
 * of clients still on the API Gateway answer come in there. Warm functions, no cold start.
 * The defaults: 512 MB / 100 ms Lambda, 0.5 vCPU / 1 GB tasks, 10 KB a request, half of
 * requests on a new connection held 60 s, 167 B access-log lines, 509 B of platform records.
 */
describe("a minute priced by hand from AWS's published prices", () => {
  const viaApi = 500 * 60; // 30,000 requests through API Gateway
  const toAlb = 6000 * 60; // 360,000 requests to the ALB
  const albLambda = toAlb / 4; // 90,000 to its Lambda target group
  const tasks = 50;
  const invocations = viaApi + albLambda; // 120,000
  const GB = 2 ** 30; // AWS bills a GB as 2^30 bytes

  // https://aws.amazon.com/api-gateway/pricing/ : HTTP APIs, $1.00 per million requests (first 300 million a month)
  const httpApi = (viaApi * 1.0) / 1e6; // $0.030000
  // https://aws.amazon.com/lambda/pricing/ : $0.20 per million requests
  const lambdaRequests = (invocations * 0.2) / 1e6; // $0.024000
  // https://aws.amazon.com/lambda/pricing/ : Arm, $0.0000133334 per GB-second; 120,000 x 0.1 s x 0.5 GB = 6,000 GB-s
  const lambdaCompute = invocations * 0.1 * 0.5 * 0.0000133334; // $0.0800004
  // https://aws.amazon.com/cloudwatch/pricing/ : Logs, Standard ingestion $0.50 per GB (Lambda's vended-log first tier, up to 10 TB)
  // 30,000 access-log lines x 167 B + 120,000 invocations x 509 B = 66,090,000 B = 0.061551 GB
  const logs = ((viaApi * 167 + invocations * 509) / GB) * 0.5; // $0.0307756
  // https://aws.amazon.com/elasticloadbalancing/pricing/ : ALB $0.0225 per hour, $0.008 per LCU-hour; an LCU is
  // 25 new connections/s, 3,000 active connections/min, 1 GB/h processed for tasks (0.4 GB/h for Lambda targets)
  const albHour = 0.0225 / 60; // $0.000375
  const newConnections = (6000 * 0.5) / 25; // 3,000 new connections/s = 120 LCU
  const activeConnections = (6000 * 0.5 * 60) / 3000; // 180,000 open connections = 60 LCU
  const bytesToTasks = (4500 * 10_000 * 3600) / GB / 1; // 150.87 GB/h = 150.87 LCU
  const bytesToLambda = (1500 * 10_000 * 3600) / GB / 0.4; // 50.29 GB/h at 0.4 = 125.73 LCU
  const lcus = Math.max(newConnections, activeConnections, bytesToTasks + bytesToLambda); // 276.60 LCU
  const albLcu = (lcus * 0.008) / 60; // $0.036880
  // https://aws.amazon.com/fargate/pricing/ : Linux/ARM $0.03238 per vCPU-hour, $0.00356 per GB-hour
  const fargate = (tasks * (0.5 * 0.03238 + 1 * 0.00356)) / 60; // $0.016458
  // https://aws.amazon.com/vpc/pricing/ : $0.005 per public IPv4 address-hour: one per task, one per ALB node (2 AZs)
  const ipv4 = ((tasks + 2) * 0.005) / 60; // $0.004333
  // https://aws.amazon.com/cloudwatch/pricing/ : $0.10 per standard alarm-month (730 hours): target tracking's two, the low-demand and overload ones
  const alarms = (4 * 0.1) / 730 / 60; // $0.0000091
  const byHand = httpApi + lambdaRequests + lambdaCompute + logs + albHour + albLcu + fargate + ipv4 + alarms; // $0.2228

  // As the twin's AWS world bills a minute (sim/world/traffic.ts, step()).
  const model =
    lambdaMinuteCost(invocations, 0, w, DEFAULT_PRICES, viaApi) +
    fargateMinuteCost(toAlb, tasks, w, DEFAULT_PRICES, albLambda);
  const bill = {
    ...lambdaMinuteBill(invocations, 0, w, DEFAULT_PRICES, viaApi),
    ...fargateMinuteBill(toAlb, tasks, w, DEFAULT_PRICES, albLambda),
  };

  it("matches the model to the cent: $0.22", () => {
    expect(byHand).toBeCloseTo(0.2228, 4);
    expect(Math.round(model * 100)).toBe(Math.round(byHand * 100));
    expect(model).toBeCloseTo(byHand, 9);
    expect(billTotal(bill)).toBeCloseTo(byHand, 9);
  });

  it("matches it item by item", () => {
    expect(bill.apiGatewayRequests.usd).toBeCloseTo(httpApi, 12);
    expect(bill.lambdaRequests.usd).toBeCloseTo(lambdaRequests, 12);
    expect(bill.lambdaGbSeconds.usd).toBeCloseTo(lambdaCompute, 12);
    expect(bill.lambdaLogsGb.usd).toBeCloseTo(logs, 12);
    expect(bill.albHours.usd).toBeCloseTo(albHour, 12);
    expect(bill.albLcuHours.usd).toBeCloseTo(albLcu, 12);
    expect(bill.fargateVcpuHours.usd + bill.fargateGbHours.usd).toBeCloseTo(fargate, 12);
    expect(bill.publicIpv4Hours.usd).toBeCloseTo(ipv4, 12);
    expect(bill.tierAlarmMonths.usd).toBeCloseTo(alarms, 12);
  });

  it("bills the processed-bytes LCUs, the Lambda target's at 0.4 GB, above both connection dimensions", () => {
    const d = albLcuDimensions(toAlb, w, albLambda);
    expect(d).toEqual({
      newConnections: expect.closeTo(newConnections, 9),
      activeConnections: expect.closeTo(activeConnections, 9),
      processedBytes: expect.closeTo(bytesToTasks + bytesToLambda, 9),
    });
    // Counted at 1 GB like the tasks' bytes, the Lambda share would bill 75 fewer LCUs: a cent less this minute.
    expect(bytesToTasks + bytesToLambda * 0.4 - lcus).toBeCloseTo(-75.44, 2);
  });
});

describe("the price table", () => {
  // The table lives on the cost model's page (docs/cost-model.md), linked from the README.
  const readme = readFileSync(join(__dirname, "..", "..", "docs", "cost-model.md"), "utf8");
  const table = readme.slice(readme.indexOf("<!-- prices -->"), readme.indexOf("<!-- /prices -->"));

  it("is in docs/cost-model.md, one row per price, each citing its source", () => {
    expect(table.length).toBeGreaterThan(100);
    for (const [key, price] of Object.entries(PRICES)) {
      const row = table.split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
      expect({ key, row }).toEqual({ key, row: expect.stringContaining(price.source.replace(/ \(.*\)$/, "")) });
    }
    expect(table).toContain(ALB_LCU.source.replace(/ \(.*\)$/, ""));
  });

  it("quotes each price as the table in model/prices.ts holds it", () => {
    for (const [key, price] of Object.entries(PRICES)) {
      const row = table.split("\n").find((l) => l.startsWith(`| \`${key}\` |`))!;
      const perMillion = /per 1M|per million/.test(row);
      const quoted = Number(/\| \$([0-9.]+) /.exec(row)?.[1]);
      expect({ key, usd: perMillion ? quoted / 1e6 : quoted }).toEqual({ key, usd: expect.closeTo(price.usd, 15) });
    }
  });
});
