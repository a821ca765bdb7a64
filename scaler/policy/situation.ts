/**
 * What a tier state's rule reads: the Situation decide (policy.ts) works out
 * once per run (the figures, the words and the way to answer), and what a
 * rule may set on its way to a decision. The rules themselves are in the
 * while-*.ts files beside this one; states.ts maps each state to its rule.
 */
import type { TierState, Toggle } from "../../model/toggle";
import type { Alert, Decision, Observation, PolicyConfig, ScalerMemory, Series } from "./types";

/** The toggle fields a commit may set besides the state and since. */
export type ToggleChanges = Partial<
  Pick<
    Toggle,
    | "fargate_min_tasks"
    | "fargate_backoff_up"
    | "fargate_backoff_down"
    | "fargate_tier_since"
    | "fargate_warmup_minutes"
  >
>;

/** What a decision carries besides the toggle, set on the way to it (read when none or commit is called). */
export interface Carried {
  requeueRun?: string;
  followUp?: string;
  fargateWeight?: number;
}

/** Everything decide worked out for this run: the figures, the words, and the way to answer. */
export interface Situation {
  /** The policy's configuration. */
  readonly c: PolicyConfig;
  /** What was observed. */
  readonly o: Observation;
  /** The committed toggle. */
  readonly t: Toggle;
  /** Minutes since the toggle's since (0 for one a little ahead of the clock). */
  readonly minutesInState: number;
  /** Longer in this state than an apply may take. */
  readonly applyLate: boolean;
  /** ALB requests per minute (zero where the target group reports without requests). */
  readonly alb: Series;
  /** Requests in the newest minute, both tiers. */
  readonly latestDemand: number | undefined;
  /** Mean demand of the last 5 minutes, req/s. */
  readonly recentRps: number;
  /** Highest minute of the last 10, req/s. */
  readonly peakRps: number;
  /** Healthy tasks now (the target group's live answer, else CloudWatch's newest). */
  readonly healthyNow: number | undefined;
  /** The target group's live answer, when read. */
  readonly live: number | undefined;
  /** At least `n` healthy tasks: now, or for 2 published minutes without the live answer. */
  readonly healthyAtLeast: (n: number) => boolean;
  /** Lambda throttles in the last 2 minutes. */
  readonly throttles: number;
  /** The warm-up in use (measured, else configured). */
  readonly warmup: number;
  /** Requests per minute the load held over the last warm-up. */
  readonly lasting: number;
  /** Tasks for the lasting demand. */
  readonly size: number;
  /** The resting task floor. */
  readonly floor: number;
  /** Up backoff steps in force. */
  readonly upSteps: number;
  /** Down backoff steps in force. */
  readonly downSteps: number;
  /** One backoff step more, within the bound. */
  readonly step: (n: number) => number;
  /** Lambda's excess over Fargate in the newest minute. */
  readonly latestExcess: number | undefined;
  /** Lambda's excess over Fargate per minute of this stay. */
  readonly stayExcess: Series;
  /** The same on despiked demand. */
  readonly smoothStayExcess: Series;
  /** Lambda's rent over the warm-up the up price adds after a wasted switch up. */
  readonly leadRent: number;
  /** The up price without the lead rent. */
  readonly upBar: number;
  /** What Lambda must have cost more than Fargate to buy the tier. */
  readonly upPrice: number;
  /** What Lambda has cost more than Fargate, capped at the up price. */
  readonly lambdaBehind: number;
  /** The round trip with its down backoff. */
  readonly downPrice: number;
  /** What Fargate has cost more than Lambda this stay. */
  readonly fargateBehind: number;
  /** The level a returning load would come back at (requests per minute). */
  readonly recentHigh: number;
  /** Lambda's excess over a warm-up at that level. */
  readonly rewarm: number;
  /** Lambda's excess summed over the whole stay (undefined: unknown). */
  readonly stayExcessSum: number | undefined;
  /** A stay that saved less than its round trip. */
  readonly wasted: (saved: number | undefined) => saved is number;
  /** Draining: when the record was first read gone. */
  readonly recordGone: ScalerMemory["recordGone"];
  /** Draining: minutes since then. */
  readonly goneMinutes: number | undefined;
  /** The weighted switch. */
  readonly weighted: boolean;
  /** The listener's share on the tasks now (weighted switch). */
  readonly weightNow: number | undefined;
  /** The share of demand the healthy tasks carry. */
  readonly capacityWeight: number;
  /** Alerts raised so far; a rule may add one. */
  readonly alerts: Alert[];
  /** What a rule sets on its way to a decision; none and commit carry it. */
  readonly out: Carried;
  /** Stay as committed. */
  readonly none: (reason: string) => Decision;
  /** Commit a new toggle. */
  readonly commit: (to: TierState, reason: string, changes?: ToggleChanges) => Decision;
  /** The words for lambdaBehind. */
  readonly behindLambda: string;
  /** The words for fargateBehind. */
  readonly behindFargate: string;
  /** A round trip's price in words, with its backoff. */
  readonly priced: (price: number, steps: number) => string;
  /** The up price in words. */
  readonly upPriced: string;
}
