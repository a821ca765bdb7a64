/**
 * Simulation results as JSON, and as a self-contained HTML page (verdict,
 * zoomable charts drawn by an inlined uPlot, itemized bills; no network when
 * viewed). The page itself is built in report/.
 */
import { at } from "./report/format";
import { renderPage } from "./report/page";
import type { SimulationReport } from "./report/types";

export type { ReferenceLine, SimulationReport } from "./report/types";

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
