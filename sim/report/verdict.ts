/**
 * The report's first words: what LambdaFlex saved or lost against each
 * alternative, and why, in plain language. Strategies are compared at equal
 * service (sim/equal-service.ts): each request a strategy failed or answered
 * from an overloaded task is charged what serving it on Lambda would have
 * cost, so none is cheaper for having dropped requests. "Why" is where the
 * money went: the difference in each part of the bill (the Fargate tier, the
 * Lambda tier, the scaler itself, the requests not served within capacity),
 * next to how long the tier existed and how much traffic each tier served.
 * Every ratio names the reference it is taken against.
 */
import type { SimulationReport } from "./types";
import type { StrategyResult } from "../simulator";
import { pastCapacity } from "../sizing";
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
  /** Demand past what fargate.maxTasks tasks carry: what it cost and the maxTasks that would have carried it; absent when demand stayed within. */
  readonly sizing?: string;
  /** LambdaFlex at equal service over each reference (the optimums, the cheaper single tier), each naming its reference. */
  readonly ratios: string[];
  /** Fargate always on first: the question a new user asks first. */
  readonly comparisons: Comparison[];
  /** Facts that explain the figures: demand against the break-even, the equal-service rule. */
  readonly notes: string[];
}

/** Below this a difference is rounding, not money. */
const CENT = 0.005;
/** The references a ratio can be taken against, best yardstick first ("clairvoyant-optimum" is the lower bound's former name). */
const REFERENCES = ["same-world-optimum", "lower-bound", "clairvoyant-optimum"];
const ORDER = ["fargate-always-on", "lambda-only", ...REFERENCES];

/** Each strategy as prose names it: the references with what makes them what they are. */
const PROSE: Record<string, string> = {
  "same-world-optimum":
    "the same-world optimum (clairvoyant, in the twin with the world's median delays and target tracking)",
  "lower-bound": "the lower bound (clairvoyant, with the world's shortest delays and perfectly sized tasks)",
  "clairvoyant-optimum": "the clairvoyant optimum (a lower bound: it knows the future and sizes tasks perfectly)",
};
const prose = (s: string) => PROSE[s] ?? strategyName(s);

const list = (parts: string[]) =>
  parts.length <= 1 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;

/** Requests a strategy failed or answered from an overloaded task. */
const unserved = (s: StrategyResult) => s.requestsFailed.total + s.requestsOverloaded;
/** What equal service charges a strategy for them. */
const unservedUsd = (s: StrategyResult) => s.costAtEqualService - s.totalCost;
const served = (s: StrategyResult) => s.requestsServed.lambda + s.requestsServed.fargate;
const failedAndOverloaded = (s: StrategyResult) =>
  `failed ${qty(s.requestsFailed.total)} and overloaded ${qty(s.requestsOverloaded)}`;

/** The clause that says why one part of the bill differs. */
function clause(
  group: BillGroup | "unserved",
  diff: number,
  lf: StrategyResult,
  alt: StrategyResult,
  minutes: number,
): string {
  const amount = `${usd(Math.abs(diff))} ${diff < 0 ? "less" : "more"}`;
  switch (group) {
    case "Fargate tier":
      return `${amount} for the Fargate tier (it existed ${pct(lf.minutesWithFargateResources, minutes)} of the time, against ${pct(alt.minutesWithFargateResources, minutes)})`;
    case "Lambda tier":
      return `${amount} for the Lambda tier (it served ${pct(lf.requestsServed.lambda, served(lf))} of requests on Lambda, against ${pct(alt.requestsServed.lambda, served(alt))})`;
    case "The scaler (LambdaFlex only)":
      return diff > 0 ? `${usd(diff)} for the scaler itself` : `${amount} for its scaler`;
    case "unserved":
      return `${amount} for requests not served within capacity (it ${failedAndOverloaded(lf)}, against ${qty(alt.requestsFailed.total)} and ${qty(alt.requestsOverloaded)})`;
    default:
      return `${amount} not itemized`;
  }
}

function compare(
  lf: StrategyResult,
  alt: StrategyResult,
  lfGroups: Record<BillGroup, number>,
  altGroups: Record<BillGroup, number>,
  minutes: number,
): Comparison {
  // Equal service: the bill plus the charge for requests not served within capacity.
  const atEqual = Math.abs(unservedUsd(lf)) >= CENT || Math.abs(unservedUsd(alt)) >= CENT;
  const diff = lf.costAtEqualService - alt.costAtEqualService;
  const name = prose(alt.strategy);
  const altCost = alt.costAtEqualService;
  const share = altCost > 0 ? `${pct(Math.abs(diff), altCost)} ${diff < 0 ? "less" : "more"}` : "";
  const outcome = Math.abs(diff) < CENT ? "even" : diff < 0 ? "saved" : "lost";
  let lead: string;
  if (!atEqual) {
    lead =
      outcome === "even"
        ? `About the same as ${name} (${usd(altCost)}).`
        : `${usd(Math.abs(diff))} ${diff < 0 ? "less" : "more"} than ${name}, which cost ${usd(altCost)}${share ? ` (${share})` : ""}.`;
  } else {
    const altParts =
      unserved(alt) >= 0.5
        ? `${usd(alt.totalCost)} billed, plus ${usd(unservedUsd(alt))} for the ${qty(unserved(alt))} requests it failed or overloaded`
        : `${usd(alt.totalCost)} billed, every request served within capacity`;
    lead =
      outcome === "even"
        ? `At equal service, about the same as ${name} (${usd(altCost)}: ${altParts}).`
        : `At equal service, ${usd(Math.abs(diff))} ${diff < 0 ? "less" : "more"} than ${name}, which cost ${usd(altCost)} (${altParts}${share ? `; ${share}` : ""}).`;
  }
  const diffs: Array<{ g: BillGroup | "unserved"; d: number }> = (Object.keys(lfGroups) as BillGroup[]).map((g) => ({
    g,
    d: lfGroups[g] - altGroups[g],
  }));
  diffs.push({ g: "unserved", d: unservedUsd(lf) - unservedUsd(alt) });
  const parts = diffs
    .filter(({ d }) => Math.abs(d) >= CENT)
    .sort((a, b) => Math.abs(b.d) - Math.abs(a.d))
    .map(({ g, d }) => clause(g, d, lf, alt, minutes));
  let why = parts.length > 0 ? `LambdaFlex paid ${list(parts)}.` : "No part of the bill differs by a cent.";
  if (alt.shortfallMinutes > lf.shortfallMinutes)
    why += ` ${strategyName(alt.strategy)} also could not carry the demand in ${qty(alt.shortfallMinutes)} minutes (LambdaFlex: ${qty(lf.shortfallMinutes)}).`;
  if (lf.shortfallMinutes > alt.shortfallMinutes)
    why += ` LambdaFlex could not carry the demand in ${qty(lf.shortfallMinutes)} minutes (${strategyName(alt.strategy)}: ${qty(alt.shortfallMinutes)}).`;
  return { strategy: alt.strategy, outcome, lead, why };
}

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : "n/a");

/** LambdaFlex's cost at equal service over each reference that is present, each sentence naming its reference. */
function ratios(lf: StrategyResult, strategies: readonly StrategyResult[]): string[] {
  const out: string[] = [];
  for (const name of REFERENCES) {
    const ref = strategies.find((s) => s.strategy === name);
    if (ref)
      out.push(
        `LambdaFlex is ${ratio(lf.costAtEqualService, ref.costAtEqualService)} ${prose(name)} at equal service (${usd(lf.costAtEqualService)} against ${usd(ref.costAtEqualService)}).`,
      );
  }
  const singles = strategies.filter((s) => s.strategy === "lambda-only" || s.strategy === "fargate-always-on");
  if (singles.length > 0) {
    const cheaper = singles.reduce((a, b) => (b.costAtEqualService < a.costAtEqualService ? b : a));
    out.push(
      `LambdaFlex is ${ratio(lf.costAtEqualService, cheaper.costAtEqualService)} the cheaper single tier, ${strategyName(cheaper.strategy)}, at equal service (${usd(lf.costAtEqualService)} against ${usd(cheaper.costAtEqualService)}).`,
    );
  }
  return out;
}

/** When demand passed what maxTasks tasks carry: by how much, what it cost, and the maxTasks that would have carried it. */
function sizingSentence(report: Pick<SimulationReport, "strategies" | "sizing" | "equalService">): string | undefined {
  const s = report.sizing;
  if (!s || !pastCapacity(s)) return undefined;
  const price = report.equalService?.unservedRequestUsd;
  const onLambda = price !== undefined ? `, about ${usd(s.requestsPastCapacity * price)} served on Lambda` : "";
  const who = ["lambdaflex", "fargate-always-on"]
    .map((n) => report.strategies.find((x) => x.strategy === n))
    .filter((x): x is StrategyResult => x !== undefined)
    .map(
      (x) => `${strategyName(x.strategy)} ${failedAndOverloaded(x)} requests (${usd(unservedUsd(x))} at equal service)`,
    );
  return (
    `Demand passed what fargate.maxTasks = ${s.maxTasks} tasks carry (${qty(s.capacityRps)} req/s at ${qty(s.requestsPerTaskPerSecond)} req/s a task) in ${qty(s.minutesPastCapacity)} minutes, ` +
    `peaking at ${qty(s.peakRps)} req/s: ${qty(s.requestsPastCapacity)} requests more than the tasks can serve${onLambda}. ` +
    (who.length ? `Over the whole trace, ${list(who)}. ` : "") +
    `fargate.maxTasks = ${s.maxTasksForPeak} would have carried the peak on Fargate at the ${pct(s.targetUtilization, 1)} target utilization (${s.maxTasksForPeakAtFullCapacity} at full capacity); npm run advise sweeps maxTasks.`
  );
}

/** The verdict on a report, with the trace it ran on (requests per minute). */
export function verdict(
  report: Pick<SimulationReport, "strategies" | "scaler" | "breakEvenRps" | "sizing" | "equalService">,
  trace: readonly number[],
): Verdict {
  const minutes = trace.length;
  const requests = trace.reduce((a, b) => a + b, 0);
  const days = minutes / 1440;
  const notes: string[] = [];
  const be = report.breakEvenRps;
  if (be !== undefined && Number.isFinite(be) && minutes > 0) {
    const above = trace.filter((r) => r / 60 > be).length;
    notes.push(
      `Demand was above the break-even of ${be.toFixed(2)} req/s, where Fargate serves more cheaply than Lambda, in ${pct(above, minutes)} of minutes (mean ${(requests / minutes / 60).toFixed(2)} req/s, peak ${(trace.reduce((a, b) => Math.max(a, b), 0) / 60).toFixed(2)} req/s).`,
    );
  }
  if (report.equalService) {
    notes.push(
      `Compared at equal service: the bill plus, for every request failed (throttled, 429, 503, sent to a destroyed ALB) or answered by an overloaded task, what serving it on Lambda through the ALB would have cost (${usd(report.equalService.unservedRequestUsd * 1e6)} per million).`,
    );
  }
  const sizing = sizingSentence(report);
  const lf = report.strategies.find((s) => s.strategy === "lambdaflex");
  if (!lf)
    return {
      headline: "This simulation has no LambdaFlex result to compare.",
      ...(sizing ? { sizing } : {}),
      ratios: [],
      comparisons: [],
      notes,
    };
  const table = billTable(report);
  const lfGroups = groupTotals(table, lf.strategy);
  const alternatives = report.strategies
    .filter((s) => s !== lf)
    .sort((a, b) => (ORDER.indexOf(a.strategy) + 1 || 99) - (ORDER.indexOf(b.strategy) + 1 || 99));
  let headline = `LambdaFlex cost ${usd(lf.totalCost)} for ${qty(requests)} requests over ${days.toFixed(1)} days, ${usd(lf.overheadCost)} of it for the scaler itself.`;
  if (unserved(lf) >= 0.5)
    headline += ` It ${failedAndOverloaded(lf)} of them: ${usd(lf.costAtEqualService)} at equal service.`;
  return {
    headline,
    ...(sizing ? { sizing } : {}),
    ratios: ratios(lf, report.strategies),
    comparisons: alternatives.map((alt) => compare(lf, alt, lfGroups, groupTotals(table, alt.strategy), minutes)),
    notes,
  };
}
