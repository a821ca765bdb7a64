/**
 * The same-world optimum: a clairvoyant strategy that runs in the twin.
 *
 * It knows the whole trace and plans its round trips with the dynamic
 * program of optimum.ts under the world's median delays (medianDelaysFor:
 * Terraform run, ALB creation, task start, the canary, the straggler window,
 * the destroy). Then it lives in the same world as LambdaFlex: it commits the
 * toggle with the production git adapter to the emulated repository,
 * Terraform Cloud's emulator plans and applies each commit to the emulated
 * AWS, it queues a failed run again through the production Terraform Cloud
 * adapter, and with the weighted switch it sets the listener's weights from
 * live target health with the policy's own canary and capacity rules through
 * the production ELB adapters. Target tracking sizes the tasks. Only the
 * decisions differ from LambdaFlex's: when to add the tier and when to leave.
 *
 * Where the plan and the world disagree, the world wins: serving begins when
 * the canary completes (weighted) or the tasks are healthy (DNS), and the
 * tier is removed once the drain window has passed and the record is gone.
 *
 * This file runs it minute by minute in the twin and reports what the world
 * billed; the plan is in same-world-plan.ts and the hands that act in the
 * world in same-world-actor.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TierState } from "../model/toggle";
import type { MedianDelays } from "./delays";
import { Actor } from "./same-world-actor";
import { planSameWorld, type SameWorldPlan } from "./same-world-plan";
import { MinuteLedger, type StrategyResult } from "./simulator";
import {
  buildTwinWorld,
  commitsOf,
  transitionLog,
  worldReportOf,
  type CommitRecord,
  type TwinWorldOptions,
  type WorldReport,
} from "./twin-world";
import { MINUTE, START } from "./world/build";

export { planSameWorld, sameWorldShape, type SameWorldPlan } from "./same-world-plan";

/** When in each minute the optimum acts: after the minute's requests are routed, as a scaler runs within its minute. */
const ACT_OFFSET_MS = 30_000;

export interface SameWorldOptimumOptions extends TwinWorldOptions {
  /** Plan with these delays instead of the world's medians (tests). */
  readonly planDelays?: MedianDelays;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The strategy's result, with the plan it followed. */
export type SameWorldStrategyResult = StrategyResult & { readonly plannedWith: SameWorldPlan };

export interface SameWorldOptimumResult {
  readonly strategy: SameWorldStrategyResult;
  /** Its commits as the repository holds them. */
  readonly commits: CommitRecord[];
  readonly worldReport: WorldReport;
  /** Share of each minute's requests served by Fargate (0..1). */
  readonly fargateShareByMinute: number[];
  /** Minutes in which the Fargate tier's resources existed. */
  readonly resourcesByMinute: boolean[];
}

/** Runs the same-world optimum on a per-minute request trace in the twin. */
export async function simulateSameWorldOptimum(
  trace: number[],
  o: SameWorldOptimumOptions,
): Promise<SameWorldOptimumResult> {
  const tw = buildTwinWorld(o);
  const policy = tw.settings.policy;
  const plan = planSameWorld(trace, {
    world: o.world,
    workload: o.workload,
    prices: tw.prices,
    policy,
    ...(o.planDelays ? { delays: o.planDelays } : {}),
  });
  const workRoot = mkdtempSync(join(tmpdir(), "lambdaflex-sim-optimum-"));
  const ledger = new MinuteLedger();
  const minutesByState: Record<TierState, number> = { off: 0, warming: 0, serving: 0, draining: 0 };
  let commits: CommitRecord[] = [];
  try {
    const actor = await Actor.start(tw, trace, plan, workRoot);
    for (let m = 0; m < trace.length; m++) {
      tw.clock.advanceTo(START + m * MINUTE);
      ledger.add(tw.aws.step(trace[m]!));
      tw.clock.advanceTo(START + m * MINUTE + ACT_OFFSET_MS);
      await actor.act(m);
      minutesByState[actor.state]++;
      if (o.onProgress && m % 5000 === 0) o.onProgress(m, trace.length);
    }
    o.onProgress?.(trace.length, trace.length);
    commits = commitsOf(tw.git);
  } finally {
    tw.git.dispose();
    rmSync(workRoot, { recursive: true, force: true });
  }
  const { transitions, log } = transitionLog(commits);
  const result = ledger.result("same-world-optimum", trace, { transitions, minutesByState, log });
  return {
    strategy: { ...result, plannedWith: plan },
    commits,
    worldReport: worldReportOf(tw, ledger),
    fargateShareByMinute: ledger.shares,
    resourcesByMinute: ledger.resources,
  };
}
