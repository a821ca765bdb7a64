/**
 * The result every strategy reports, and the ledger that builds it minute by
 * minute from what the emulated world says each minute cost and served.
 * LambdaFlex runs in the digital twin (twin.ts); the single-tier baselines
 * run in the same emulated AWS world (baselines.ts); the clairvoyant optimum
 * is a lower bound computed offline (optimum.ts).
 *
 * Every result accounts for every request: served within capacity on a tier,
 * failed (by cause), or answered by an overloaded task; and prices the last
 * two at equal service (equal-service.ts), so no strategy is cheaper for
 * having dropped or overloaded requests.
 */
import type { TierState } from "../model/toggle";
import { addToBill, type Bill } from "./bill";
import type { FailedRequests, MinuteOutcome } from "./world/aws";

export type { FailedRequests };

export type Tier = "lambda" | "fargate";

/** What each strategy reports. */
export interface StrategyResult {
  readonly strategy: string;
  readonly totalCost: number;
  /** Of totalCost: the scaler's own running cost (LambdaFlex only). */
  readonly overheadCost: number;
  readonly costPerMillionRequests: number;
  readonly transitions: number;
  readonly transitionsPerDay: number;
  readonly minutesByTier: Record<Tier, number>;
  /** Minutes with the Fargate tier's resources existing (and costing). */
  readonly minutesWithFargateResources: number;
  readonly minutesByState?: Record<TierState, number>;
  /** Requests sent to each tier (Lambda: invocations asked for, throttled ones included; Fargate: the ALB's share for the tasks, plus what an ALB could not deliver). For what each tier served, see requestsServed. */
  readonly requestsByTier: Record<Tier, number>;
  /**
   * Requests served within capacity on each tier: by Lambda neither throttled nor answered 429, and
   * by healthy tasks at up to requestsPerTaskPerSecond each.
   * requestsServed.lambda + requestsServed.fargate + requestsFailed.total + requestsOverloaded = demand.
   */
  readonly requestsServed: Record<Tier, number>;
  /** Requests turned away, by cause, and in all. */
  readonly requestsFailed: FailedRequests & { readonly total: number };
  /** Requests answered by a task beyond requestsPerTaskPerSecond per healthy task: not turned away, not served within capacity either. */
  readonly requestsOverloaded: number;
  /** totalCost plus each failed or overloaded request at what serving it on Lambda would have cost (equal-service.ts): what the verdict compares. */
  readonly costAtEqualService: number;
  /** Minutes in which some demand was not served within capacity (failed, overloaded, or short on a tier). */
  readonly shortfallMinutes: number;
  /** Requests whose client's cached DNS answer pointed at an ALB that had been destroyed (they fail); 0 for strategies that move no DNS answer. */
  readonly requestsToDeadEndpoint: number;
  /** Requests Route 53 sent to API Gateway while the tier served with healthy tasks although the fargate record was in sync and its ALB could serve them (MinuteOutcome.misroutedToApiRequests); 0 for strategies that move no DNS answer. */
  readonly requestsMisroutedToApi: number;
  /** Per-minute tier served, by the majority of the minute's requests (for charts and invariants). */
  readonly tierByMinute: Tier[];
  readonly cumulativeCost: number[];
  /** totalCost by item as the world billed it (USD and usage); the scaler's overheadCost is apart. */
  readonly bill: Bill;
  /** Of overheadCost: the scaler's cost by item (the twin's strategies). */
  readonly scalerCost?: Record<string, number>;
  /** Committed transitions, for LambdaFlex. */
  readonly log?: Array<{ minute: number; from: TierState; to: TierState; reason: string }>;
}

/** Accumulates the world's minute outcomes into a StrategyResult. */
export class MinuteLedger {
  private cost = 0;
  readonly tiers: Tier[] = [];
  readonly shares: number[] = [];
  readonly resources: boolean[] = [];
  private readonly cumulative: number[] = [];
  private readonly bill: Record<string, { quantity: number; usd: number }> = {};
  private readonly requests: Record<Tier, number> = { lambda: 0, fargate: 0 };
  private shortfall = 0;
  private readonly served: Record<Tier, number> = { lambda: 0, fargate: 0 };
  private readonly failedBy = { throttled: 0, rateLimited: 0, noTarget: 0, deadEndpoint: 0 };
  private overloaded = 0;
  private unservedUsd = 0;
  failedRequests = 0;
  deadEndpointRequests = 0;
  misroutedToApiRequests = 0;

  add(out: MinuteOutcome): void {
    this.cost += out.cost;
    addToBill(this.bill, out.bill);
    this.requests.lambda += out.lambdaRequests;
    this.requests.fargate += out.fargateRequests;
    this.failedRequests += out.failedRequests;
    this.deadEndpointRequests += out.deadEndpointRequests;
    this.misroutedToApiRequests += out.misroutedToApiRequests;
    this.served.lambda += out.served.lambda;
    this.served.fargate += out.served.fargate;
    for (const k of Object.keys(this.failedBy) as Array<keyof FailedRequests>) this.failedBy[k] += out.failed[k];
    this.overloaded += out.overloadedRequests;
    this.unservedUsd += out.unservedUsd;
    if (out.short) this.shortfall++;
    this.shares.push(out.fargateShare);
    this.resources.push(out.resources);
    this.tiers.push(out.fargateShare >= 0.5 ? "fargate" : "lambda");
    this.cumulative.push(this.cost);
  }

  /** The result, with `overhead` (a fixed cost accrued evenly, e.g. the scaler's) added to the total. */
  result(
    strategy: string,
    trace: readonly number[],
    o: { overhead?: number; transitions?: number } & Partial<StrategyResult> = {},
  ): StrategyResult {
    const { overhead = 0, transitions = 0, ...extra } = o;
    const total = trace.reduce((a, b) => a + b, 0);
    const days = trace.length / 1440;
    const cost = this.cost + overhead;
    return {
      strategy,
      totalCost: cost,
      overheadCost: overhead,
      costPerMillionRequests: total > 0 ? (cost / total) * 1e6 : 0,
      transitions,
      transitionsPerDay: days > 0 ? transitions / days : 0,
      minutesByTier: {
        lambda: this.tiers.filter((t) => t === "lambda").length,
        fargate: this.tiers.filter((t) => t === "fargate").length,
      },
      minutesWithFargateResources: this.resources.filter(Boolean).length,
      requestsByTier: { ...this.requests },
      requestsServed: { ...this.served },
      requestsFailed: { ...this.failedBy, total: this.failedRequests },
      requestsOverloaded: this.overloaded,
      costAtEqualService: cost + this.unservedUsd,
      shortfallMinutes: this.shortfall,
      requestsToDeadEndpoint: this.deadEndpointRequests,
      requestsMisroutedToApi: this.misroutedToApiRequests,
      tierByMinute: this.tiers,
      cumulativeCost: this.cumulative.map((c, i) => c + (overhead * (i + 1)) / trace.length),
      bill: structuredClone(this.bill),
      ...extra,
    };
  }
}
