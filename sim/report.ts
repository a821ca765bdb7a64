/**
 * Simulation results as JSON, and as a self-contained HTML page (verdict,
 * zoomable charts drawn by an inlined uPlot, itemized bills; no network when
 * viewed). The page itself is built in report/.
 */
import type { StrategyResult } from "./simulator";
import type { IdleBill } from "./idle-bill";
import { at } from "./report/format";
import { renderPage } from "./report/page";
import type { ScalerReport, WorldReport } from "./twin";
import type { World } from "./world/params";

/** A horizontal line on the demand chart. */
export interface ReferenceLine {
  readonly label: string;
  readonly rps: number;
}

export interface SimulationReport {
  readonly trace: { readonly source: string; readonly scale: number; readonly minutes: number; readonly requests: number };
  /** The request rate above which Fargate serves more cheaply than Lambda (drawn on the demand chart). */
  readonly breakEvenRps?: number;
  /**
   * The policy's thresholds: lines to draw, or named figures. Of named figures,
   * those whose key ends in "Rps" are drawn on the demand chart and the others
   * (e.g. `transitionCostUsd`) are listed beside it.
   */
  readonly thresholds?: readonly ReferenceLine[] | Readonly<Record<string, number>>;
  /** Every parameter of the emulated world in effect. */
  readonly world: World;
  /** What bills every month while the tier is off, itemized from the synthesized core stack (free items apart). */
  readonly idleBill: IdleBill;
  /** The world's shortest delays in whole minutes (what the optimum and Fargate-always-on use). */
  readonly delays: Record<string, number>;
  /** What the production scaler did in the twin, metered from its calls. */
  readonly scaler: ScalerReport;
  readonly worldReport: WorldReport;
  /** Share of each minute's requests on Fargate (LambdaFlex). */
  readonly fargateShareByMinute: number[];
  readonly strategies: StrategyResult[];
}

/** The JSON form: everything but the per-minute arrays, which the HTML charts use. */
export function summary(report: SimulationReport): object {
  const { fargateShareByMinute: _f, ...rest } = report;
  return {
    ...rest,
    strategies: report.strategies.map(({ tierByMinute: _t, cumulativeCost: _c, log, ...rest }) => ({
      ...rest,
      log: log?.map((l) => ({ ...l, at: at(l.minute) })),
    })),
  };
}

/** The HTML report for a simulation and the trace it ran on (requests per minute). */
export function renderHtml(report: SimulationReport, trace: readonly number[]): string {
  return renderPage(report, trace);
}
