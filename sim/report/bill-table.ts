/**
 * Each strategy's bill, item by item: what the emulated world billed it
 * (StrategyResult.bill) and, for LambdaFlex, what the scaler itself cost
 * (ScalerReport.cost). Whatever a result does not itemize (an older
 * simulation, a new cost the world does not break down yet) shows as one
 * "not itemized" row, so the columns still add up to each strategy's total.
 */
import { BILL_ITEMS } from "../bill";
import type { SimulationReport } from "./types";
import type { ScalerReport } from "../twin";

export type BillGroup = "Lambda tier" | "Fargate tier" | "The scaler (LambdaFlex only)" | "Other";

export interface BillCell {
  /** Usage in the row's unit, when known. */
  readonly quantity?: number;
  readonly usd: number;
}

export interface BillRow {
  readonly group: BillGroup;
  readonly label: string;
  readonly unit: string;
  /** One cell per strategy, in the table's order; absent where the strategy has no such item. */
  readonly cells: ReadonlyArray<BillCell | undefined>;
}

export interface BillTable {
  readonly strategies: string[];
  readonly rows: BillRow[];
  /** Each strategy's totalCost, which the rows add up to. */
  readonly totals: number[];
}

/** The scaler's cost items (ScalerReport.cost keys), with the usage each one is billed on. */
const SCALER_ITEMS: Record<string, { label: string; unit: string; quantity: (s: ScalerReport) => number }> = {
  invocations: { label: "Scaler: Lambda requests", unit: "invocations", quantity: (s) => s.invocations },
  compute: { label: "Scaler: Lambda compute", unit: "billed seconds", quantity: (s) => s.billedSeconds },
  getMetricData: {
    label: "Scaler: CloudWatch GetMetricData",
    unit: "metrics",
    quantity: (s) => s.getMetricDataMetrics,
  },
  statusWrites: { label: "Scaler: DynamoDB status reads and writes", unit: "writes", quantity: (s) => s.statusWrites },
  rearmSchedules: { label: "Scaler: EventBridge Scheduler re-arms", unit: "invocations", quantity: (s) => s.rearms },
  logs: { label: "Scaler: CloudWatch Logs ingestion", unit: "GB", quantity: (s) => s.logBytes / 1e9 },
  tokens: { label: "Scaler: SSM SecureString token reads (free)", unit: "reads", quantity: (s) => s.tokenReads },
  alarms: { label: "Scaler: CloudWatch alarms (prorated)", unit: "alarms", quantity: (s) => s.billedResources.alarms },
  dashboards: {
    label: "Scaler: CloudWatch dashboards (prorated)",
    unit: "dashboards",
    quantity: (s) => s.billedResources.dashboards,
  },
};

const GROUP_OF_TIER = { lambda: "Lambda tier", fargate: "Fargate tier" } as const;

/** Below this a difference is rounding, not money. */
const CENT = 0.005;

/** Builds the itemized bill of every strategy in the report. */
export function billTable(report: Pick<SimulationReport, "strategies" | "scaler">): BillTable {
  const strategies = report.strategies;
  const known = Object.keys(BILL_ITEMS);
  const keys = new Set(strategies.flatMap((s) => Object.keys(s.bill ?? {})));
  const order = [...known.filter((k) => keys.has(k)), ...[...keys].filter((k) => !known.includes(k)).sort()];
  const rows: BillRow[] = order.map((key) => {
    const meta = BILL_ITEMS[key as keyof typeof BILL_ITEMS];
    return {
      group: meta ? GROUP_OF_TIER[meta.tier] : "Other",
      label: meta?.label ?? key,
      unit: meta?.unit ?? "",
      cells: strategies.map((s) => s.bill?.[key]),
    };
  });
  const scalerCost = report.scaler?.cost ?? {};
  for (const [key, usd] of Object.entries(scalerCost)) {
    const meta = SCALER_ITEMS[key];
    rows.push({
      group: "The scaler (LambdaFlex only)",
      label: meta?.label ?? `Scaler: ${key}`,
      unit: meta?.unit ?? "",
      // The scaler's usage is reported for the main LambdaFlex run; another twin run (the DNS-only switch) lists its own costs.
      cells: strategies.map((s) =>
        s.strategy === "lambdaflex"
          ? { usd, ...(meta ? { quantity: meta.quantity(report.scaler) } : {}) }
          : s.scalerCost?.[key] !== undefined
            ? { usd: s.scalerCost[key]! }
            : undefined,
      ),
    });
  }
  const totals = strategies.map((s) => s.totalCost);
  const rest = totals.map((total, j) => total - rows.reduce((a, r) => a + (r.cells[j]?.usd ?? 0), 0));
  if (rest.some((r) => Math.abs(r) >= CENT)) {
    rows.push({
      group: "Other",
      label: "Not itemized",
      unit: "",
      cells: rest.map((usd) => (Math.abs(usd) >= CENT ? { usd } : undefined)),
    });
  }
  return { strategies: strategies.map((s) => s.strategy), rows, totals };
}

/** A strategy's bill summed by group (USD), for the verdict: where its money went. */
export function groupTotals(table: BillTable, strategy: string): Record<BillGroup, number> {
  const j = table.strategies.indexOf(strategy);
  const out: Record<BillGroup, number> = {
    "Lambda tier": 0,
    "Fargate tier": 0,
    "The scaler (LambdaFlex only)": 0,
    Other: 0,
  };
  if (j < 0) return out;
  for (const r of table.rows) out[r.group] += r.cells[j]?.usd ?? 0;
  return out;
}
