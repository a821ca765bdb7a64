/**
 * What the report's charts draw, made compact enough to inline: demand at
 * full resolution (one number a minute), LambdaFlex's transitions (the state
 * of every minute follows from them), runs rather than minutes for the
 * optimum's tier, and cumulative costs sampled to at most COST_POINTS points.
 * NASA's 84,000 minutes come to about 1 MB.
 */
import type { ReferenceLine, SimulationReport } from "./types";
import { strategyName, STRATEGY_COLORS, usd } from "./format";

/** Most points per cumulative-cost series: a cumulative cost is smooth, a pixel column holds no more. */
export const COST_POINTS = 4000;

export interface ChartData {
  readonly minutes: number;
  /** Demand per minute, req/s (4 significant digits). */
  readonly demandRps: number[];
  /** Share of each minute's requests that LambdaFlex served on Fargate, whole percent; absent without a LambdaFlex run. */
  readonly fargateSharePct?: number[];
  /** LambdaFlex's state before its first transition. */
  readonly initialState: string;
  readonly transitions: ReadonlyArray<{ minute: number; from: string; to: string; reason: string }>;
  readonly referenceLines: ReferenceLine[];
  /** [first, last + 1) minutes in which the reference optimum (OPTIMUMS, the first present) serves on Fargate. */
  readonly optimumOnFargate?: Array<[number, number]>;
  /** The legend's name for that optimum. */
  readonly optimumLabel?: string;
  /** Cumulative cost per strategy at minutes 0, step, 2 step, ... and the last minute. */
  readonly cost: { readonly step: number; readonly series: Array<{ label: string; color: string; values: number[] }> };
}

const LABELS: Record<string, string> = { upRps: "scale up above", downRps: "scale down below" };

/** "transitionCostUsd" -> "transition cost". */
const words = (key: string) =>
  key
    .replace(/(Rps|Usd|Minutes)$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase();

/** A named figure's value in its unit, from the key's suffix. */
const figure = (key: string, value: number) =>
  key.endsWith("Usd") ? usd(value) : key.endsWith("Minutes") ? `${value} min` : String(value);

/**
 * The demand chart's horizontal lines: the break-even, then whatever request
 * rates the policy's thresholds give (a list of lines, or named numbers whose
 * keys end in "Rps"). Nothing but the break-even when there are no thresholds.
 */
export function referenceLines(report: Pick<SimulationReport, "breakEvenRps" | "thresholds">): ReferenceLine[] {
  const lines: ReferenceLine[] = [];
  if (Number.isFinite(report.breakEvenRps)) lines.push({ label: "break-even", rps: report.breakEvenRps! });
  const t = report.thresholds;
  if (Array.isArray(t)) lines.push(...t.filter((l) => Number.isFinite(l.rps)));
  else if (t) {
    for (const [key, value] of Object.entries(t))
      if (key.endsWith("Rps") && Number.isFinite(value))
        lines.push({ label: LABELS[key] ?? words(key), rps: value as number });
  }
  return lines;
}

/** The policy's figures that are not request rates (e.g. a transition cost), as "label value" text. */
export function policyFigures(report: Pick<SimulationReport, "thresholds">): string[] {
  const t = report.thresholds;
  if (!t || Array.isArray(t)) return [];
  return Object.entries(t)
    .filter(([key, value]) => !key.endsWith("Rps") && typeof value === "number")
    .map(([key, value]) => `${words(key)} ${figure(key, value as number)}`);
}

const sig4 = (x: number) => Number(x.toPrecision(4));

/** Runs of `true` as [first, last + 1) pairs. */
export function runs(flags: readonly boolean[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < flags.length; i++) {
    if (!flags[i]) continue;
    const start = i;
    while (i + 1 < flags.length && flags[i + 1]) i++;
    out.push([start, i + 1]);
  }
  return out;
}

/** The optimums the tier chart can draw, the same-world one first ("clairvoyant-optimum": the lower bound's former name). */
const OPTIMUMS = ["same-world-optimum", "lower-bound", "clairvoyant-optimum"];

const optimumOf = (report: Pick<SimulationReport, "strategies">) =>
  OPTIMUMS.map((n) => report.strategies.find((s) => s.strategy === n)).find((s) => s !== undefined);

/** The optimum the tier chart draws, as prose names it. */
export const optimumName = (report: Pick<SimulationReport, "strategies">): string => {
  const o = optimumOf(report);
  return o ? `the ${strategyName(o.strategy).toLowerCase()}` : "the optimum";
};

/** The charts' data for a report and the trace it ran on (requests per minute). */
export function chartData(report: SimulationReport, trace: readonly number[]): ChartData {
  const lf = report.strategies.find((s) => s.strategy === "lambdaflex");
  const optimum = optimumOf(report);
  const n = trace.length;
  const step = Math.max(1, Math.ceil(n / COST_POINTS));
  const samples: number[] = [];
  for (let i = 0; i < n; i += step) samples.push(i);
  if (samples.at(-1) !== n - 1) samples.push(n - 1);
  return {
    minutes: n,
    demandRps: trace.map((r) => sig4(r / 60)),
    ...(lf && report.fargateShareByMinute?.length
      ? { fargateSharePct: report.fargateShareByMinute.map((f) => Math.round(f * 100)) }
      : {}),
    initialState: lf?.log?.[0]?.from ?? "off",
    transitions: lf?.log ?? [],
    referenceLines: referenceLines(report),
    ...(optimum
      ? {
          optimumOnFargate: runs(optimum.tierByMinute.map((t) => t === "fargate")),
          optimumLabel: `${strategyName(optimum.strategy).toLowerCase()} serves on Fargate`,
        }
      : {}),
    cost: {
      step,
      series: report.strategies.map((s) => ({
        label: strategyName(s.strategy),
        color: STRATEGY_COLORS[s.strategy] ?? "#1a202c",
        values: samples.map((i) => Math.round((s.cumulativeCost[i] ?? 0) * 1e4) / 1e4),
      })),
    },
  };
}
