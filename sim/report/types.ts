/** What a simulation reports: the shape the JSON summary and the HTML page are built from. */
import type { IdleBill } from "../idle-bill";
import type { Sizing } from "../sizing";
import type { StrategyResult } from "../simulator";
import type { ScalerReport, WorldReport } from "../twin";
import type { World } from "../world/params";

/** A horizontal line on the demand chart. */
export interface ReferenceLine {
  readonly label: string;
  readonly rps: number;
}

export interface SimulationReport {
  readonly trace: {
    readonly source: string;
    readonly scale: number;
    readonly minutes: number;
    readonly requests: number;
  };
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
  /** How the verdict compares strategies: the rule, and what it charges for each request failed or overloaded (USD). */
  readonly equalService?: { readonly rule: string; readonly unservedRequestUsd: number };
  /** Demand against what fargate.maxTasks tasks carry, and the maxTasks that would have carried the peak. */
  readonly sizing?: Sizing;
}
