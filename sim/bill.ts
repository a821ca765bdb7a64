/**
 * A strategy's bill by item: how much of each priced unit it used and what
 * that cost. The items follow the cost model's formulas one for one (a test
 * holds each minute's items to `lambdaMinuteCost` / `fargateMinuteCost`), so a
 * report can say where the money went, not only how much.
 */
import { albLcus, lambdaGbSeconds, lambdaLogGb, type Workload } from "../model/cost-model";
import { GB, HOURS_PER_MONTH, type PriceTable } from "../model/prices";

/** One item of a bill: the usage in the item's unit, and its cost in USD. */
export interface BillLine {
  readonly quantity: number;
  readonly usd: number;
}

/** A bill: item key (see BILL_ITEMS) to line. */
export type Bill = Readonly<Record<string, BillLine>>;

/** The items the emulated world bills, in the order a report lists them, with a label and a unit each. */
export const BILL_ITEMS = {
  apiGatewayRequests: { label: "API Gateway requests (HTTP API)", unit: "requests", tier: "lambda" },
  lambdaRequests: { label: "Lambda requests", unit: "requests", tier: "lambda" },
  lambdaGbSeconds: { label: "Lambda compute (arm64)", unit: "GB-seconds", tier: "lambda" },
  lambdaLogsGb: { label: "CloudWatch Logs: access log and Lambda records", unit: "GB", tier: "lambda" },
  fargateVcpuHours: { label: "Fargate vCPU (Linux/ARM)", unit: "vCPU-hours", tier: "fargate" },
  fargateGbHours: { label: "Fargate memory (Linux/ARM)", unit: "GB-hours", tier: "fargate" },
  albHours: { label: "ALB hours", unit: "ALB-hours", tier: "fargate" },
  albLcuHours: { label: "ALB capacity units", unit: "LCU-hours", tier: "fargate" },
  publicIpv4Hours: { label: "Public IPv4 addresses", unit: "address-hours", tier: "fargate" },
  tierAlarmMonths: {
    label: "CloudWatch alarms of the tier (target tracking, low demand)",
    unit: "alarm-months",
    tier: "fargate",
  },
  taskLogsGb: { label: "CloudWatch Logs: the tasks' app logs", unit: "GB", tier: "fargate" },
} as const satisfies Record<string, { label: string; unit: string; tier: "lambda" | "fargate" }>;

export type BillItem = keyof typeof BILL_ITEMS;
type LambdaItem = "apiGatewayRequests" | "lambdaRequests" | "lambdaGbSeconds" | "lambdaLogsGb";
type FargateFixedItem = "fargateVcpuHours" | "fargateGbHours" | "albHours" | "publicIpv4Hours" | "tierAlarmMonths";

const line = (quantity: number, unitUsd: number): BillLine => ({ quantity, usd: quantity * unitUsd });

/**
 * The Lambda tier's minute, itemized: API Gateway and Lambda requests, GB-seconds (cold-start init included), log ingestion.
 * `viaApi` of the `requests` came through API Gateway (the rest through the ALB's Lambda target group, which bills no API Gateway request).
 */
export function lambdaMinuteBill(
  requests: number,
  coldStarts: number,
  w: Workload,
  p: PriceTable,
  viaApi = requests,
): Record<LambdaItem, BillLine> {
  return {
    apiGatewayRequests: line(viaApi, p.httpApiRequest),
    lambdaRequests: line(requests, p.lambdaRequest),
    lambdaGbSeconds: line(lambdaGbSeconds(requests, coldStarts, w), p.lambdaGbSecondArm),
    lambdaLogsGb: line(lambdaLogGb(requests, coldStarts, w, viaApi), p.logsIngestGb),
  };
}

/** The Fargate tier existing for a minute with `tasks` tasks, itemized: tasks' vCPU and memory, the ALB hour, public IPv4s, the tier's alarms. */
export function fargateFixedMinuteBill(tasks: number, w: Workload, p: PriceTable): Record<FargateFixedItem, BillLine> {
  const hours = 1 / 60;
  return {
    fargateVcpuHours: line(tasks * w.taskVcpu * hours, p.fargateVcpuHourArm),
    fargateGbHours: line(tasks * w.taskMemoryGb * hours, p.fargateGbHourArm),
    albHours: line(hours, p.albHour),
    // Two ALB nodes (one per AZ) and one address per task, all public IPv4 (as in fargateFixedMinuteCost).
    publicIpv4Hours: line((2 + tasks) * hours, p.publicIpv4Hour),
    tierAlarmMonths: line((w.tierAlarms * hours) / HOURS_PER_MONTH, p.cloudwatchAlarmMonth),
  };
}

/**
 * A minute on the Fargate tier, itemized (the fixed items and the ALB's LCUs): `requests` reach the ALB,
 * `lambdaRequests` of them go to its Lambda target group, the rest to `tasks` tasks. The tasks' own log
 * lines are an item only when the app writes any (`appLogBytesPerRequest`).
 */
export function fargateMinuteBill(
  requests: number,
  tasks: number,
  w: Workload,
  p: PriceTable,
  lambdaRequests = 0,
): Record<FargateFixedItem | "albLcuHours", BillLine> & Partial<Record<"taskLogsGb", BillLine>> {
  const taskRequests = requests - Math.min(Math.max(0, lambdaRequests), requests);
  return {
    ...fargateFixedMinuteBill(tasks, w, p),
    albLcuHours: line(albLcus(requests, w, lambdaRequests) / 60, p.albLcuHour),
    ...(w.appLogBytesPerRequest > 0
      ? { taskLogsGb: line((taskRequests * w.appLogBytesPerRequest) / GB, p.logsIngestGb) }
      : {}),
  };
}

/** Adds `from` into the running bill `into`, item by item. */
export function addToBill(into: Record<string, { quantity: number; usd: number }>, from: Bill): void {
  for (const [item, l] of Object.entries(from)) {
    const acc = (into[item] ??= { quantity: 0, usd: 0 });
    acc.quantity += l.quantity;
    acc.usd += l.usd;
  }
}

/** What a bill adds up to, in USD. */
export const billTotal = (bill: Bill): number => Object.values(bill).reduce((a, l) => a + l.usd, 0);
