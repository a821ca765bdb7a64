/**
 * The report's first words: what LambdaFlex saved or lost against each
 * alternative, and why, in plain language. "Why" is where the money went:
 * the difference in each part of the bill (the Fargate tier, the Lambda tier,
 * the scaler itself), next to how long the tier existed and how much traffic
 * each tier carried.
 */
import type { SimulationReport } from "./types";
import type { StrategyResult } from "../simulator";
import { billTable, groupTotals, type BillGroup } from "./bill-table";
import { pct, qty, strategyName, usd } from "./format";

export interface Comparison {
  readonly strategy: string;
  readonly outcome: "saved" | "lost" | "even";
  /** The amount and the comparison, e.g. "$2.73 less than Fargate always on ($4.08), 67% less." */
  readonly lead: string;
  /** Where the difference came from. */
  readonly why: string;
}

export interface Verdict {
  readonly headline: string;
  /** Fargate always on first: the question a new user asks first. */
  readonly comparisons: Comparison[];
  /** Facts that explain the figures: demand against the break-even. */
  readonly notes: string[];
}

/** Below this a difference is rounding, not money. */
const CENT = 0.005;
const ORDER = ["fargate-always-on", "lambda-only", "clairvoyant-optimum"];

const prose = (s: string) => (s === "clairvoyant-optimum" ? "the clairvoyant optimum (a lower bound: it knows the future and sizes tasks perfectly)" : strategyName(s));

const list = (parts: string[]) => (parts.length <= 1 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`);

/** The clause that says why one part of the bill differs. */
function clause(group: BillGroup, diff: number, lf: StrategyResult, alt: StrategyResult, minutes: number): string {
  const amount = `${usd(Math.abs(diff))} ${diff < 0 ? "less" : "more"}`;
  const requests = (s: StrategyResult) => s.requestsByTier.lambda + s.requestsByTier.fargate;
  switch (group) {
    case "Fargate tier":
      return `${amount} for the Fargate tier (it existed ${pct(lf.minutesWithFargateResources, minutes)} of the time, against ${pct(alt.minutesWithFargateResources, minutes)})`;
    case "Lambda tier":
      return `${amount} for the Lambda tier (it served ${pct(lf.requestsByTier.lambda, requests(lf))} of requests on Lambda, against ${pct(alt.requestsByTier.lambda, requests(alt))})`;
    case "The scaler (LambdaFlex only)":
      return diff > 0 ? `${usd(diff)} for the scaler itself` : `${amount} for its scaler`;
    default:
      return `${amount} not itemized`;
  }
}

function compare(lf: StrategyResult, alt: StrategyResult, lfGroups: Record<BillGroup, number>, altGroups: Record<BillGroup, number>, minutes: number): Comparison {
  const diff = lf.totalCost - alt.totalCost;
  const name = prose(alt.strategy);
  const share = alt.totalCost > 0 ? ` (${pct(Math.abs(diff), alt.totalCost)} ${diff < 0 ? "less" : "more"})` : "";
  const outcome = Math.abs(diff) < CENT ? "even" : diff < 0 ? "saved" : "lost";
  const lead =
    outcome === "even"
      ? `About the same as ${name} (${usd(alt.totalCost)}).`
      : `${usd(Math.abs(diff))} ${diff < 0 ? "less" : "more"} than ${name}, which cost ${usd(alt.totalCost)}${share}.`;
  const parts = (Object.keys(lfGroups) as BillGroup[])
    .map((g) => ({ g, d: lfGroups[g] - altGroups[g] }))
    .filter(({ d }) => Math.abs(d) >= CENT)
    .sort((a, b) => Math.abs(b.d) - Math.abs(a.d))
    .map(({ g, d }) => clause(g, d, lf, alt, minutes));
  let why = parts.length > 0 ? `LambdaFlex paid ${list(parts)}.` : "No part of the bill differs by a cent.";
  if (alt.shortfallMinutes > lf.shortfallMinutes) why += ` ${strategyName(alt.strategy)} also could not carry the demand in ${qty(alt.shortfallMinutes)} minutes (LambdaFlex: ${qty(lf.shortfallMinutes)}).`;
  if (lf.shortfallMinutes > alt.shortfallMinutes) why += ` LambdaFlex could not carry the demand in ${qty(lf.shortfallMinutes)} minutes (${strategyName(alt.strategy)}: ${qty(alt.shortfallMinutes)}).`;
  return { strategy: alt.strategy, outcome, lead, why };
}

/** The verdict on a report, with the trace it ran on (requests per minute). */
export function verdict(report: Pick<SimulationReport, "strategies" | "scaler" | "breakEvenRps">, trace: readonly number[]): Verdict {
  const minutes = trace.length;
  const requests = trace.reduce((a, b) => a + b, 0);
  const days = minutes / 1440;
  const notes: string[] = [];
  const be = report.breakEvenRps;
  if (be !== undefined && Number.isFinite(be) && minutes > 0) {
    const above = trace.filter((r) => r / 60 > be).length;
    notes.push(`Demand was above the break-even of ${be.toFixed(2)} req/s, where Fargate serves more cheaply than Lambda, in ${pct(above, minutes)} of minutes (mean ${(requests / minutes / 60).toFixed(2)} req/s, peak ${(trace.reduce((a, b) => Math.max(a, b), 0) / 60).toFixed(2)} req/s).`);
  }
  const lf = report.strategies.find((s) => s.strategy === "lambdaflex");
  if (!lf) return { headline: "This simulation has no LambdaFlex result to compare.", comparisons: [], notes };
  const table = billTable(report);
  const lfGroups = groupTotals(table, lf.strategy);
  const alternatives = report.strategies
    .filter((s) => s !== lf)
    .sort((a, b) => (ORDER.indexOf(a.strategy) + 1 || 99) - (ORDER.indexOf(b.strategy) + 1 || 99));
  return {
    headline: `LambdaFlex cost ${usd(lf.totalCost)} for ${qty(requests)} requests over ${days.toFixed(1)} days, ${usd(lf.overheadCost)} of it for the scaler itself.`,
    comparisons: alternatives.map((alt) => compare(lf, alt, lfGroups, groupTotals(table, alt.strategy), minutes)),
    notes,
  };
}
