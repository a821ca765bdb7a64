import type { Logger } from "../service/log";
import type { ScalerStatus } from "../service/routes/status";
import type { LiveRecords } from "./adapters/route53";
import type { ToggleCheckout } from "./git-toggle";
import { decide, type Decision, type Metrics, type PolicyConfig, type RunObservation } from "./policy";
import { formatToggle, parseToggle, ToggleFileError, type TierState } from "./toggle";

/** The reconciler's ports; the handler wires them to AWS and git, tests to fakes or real servers. */
export interface ReconcileDeps {
  readonly policy: PolicyConfig;
  readonly service: string;
  readonly toggleFile: string;
  readonly dryRun: boolean;
  readonly checkout: () => Promise<ToggleCheckout>;
  /** Reads the metrics the given state decides on. */
  readonly metrics: (now: Date, state: TierState) => Promise<Metrics>;
  readonly records: () => Promise<LiveRecords>;
  /** The fargate workspace's runs for the commit the toggle was read at; absent when Terraform Cloud is not configured. */
  readonly runs?: (head: string) => Promise<RunObservation | undefined>;
  /** Queues the workspace's latest configuration again (after a failed run); returns the run id. */
  readonly queueRun?: (message: string) => Promise<string>;
  readonly publish: (status: ScalerStatus & Record<string, unknown>) => Promise<void>;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Push attempts before giving up when the remote keeps moving. @default 3 */
  readonly maxAttempts?: number;
}

export type ReconcileOutcome = "no-change" | "committed" | "dry-run" | "corrupt-toggle";

export interface ReconcileResult {
  readonly outcome: ReconcileOutcome;
  readonly attempts: number;
  readonly decision?: Decision;
  readonly commit?: string;
}

const EMPTY: Metrics = { apiRequests: [], albRequests: [], healthyHosts: [], lambdaThrottles: [], lambdaConcurrency: [] };

/** A commit message that reads as a line of scaling history, with the figures in the body. */
export function commitMessage(d: Decision, at: Date): string {
  const evidence = Object.entries(d.evidence)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return [
    `lambdaflex: ${d.from} -> ${d.to}: ${d.reason}`,
    "",
    `decision: commit fargate_tier=${d.to} fargate_min_tasks=${d.toggle.fargate_min_tasks} fargate_max_tasks=${d.toggle.fargate_max_tasks}`,
    `evidence: ${evidence}`,
    `at: ${at.toISOString()}`,
    "",
  ].join("\n");
}

/**
 * One level-triggered step: read the toggle, then metrics (what its state
 * needs) and DNS; decide; commit
 * and push when the decision asks for it; publish the status. A rejected push
 * (the remote moved) re-reads the toggle and decides again, a bounded number
 * of times. A corrupt toggle is reported, never overwritten.
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileResult> {
  const now = deps.now();
  const log = deps.logger;
  const readMetrics = (state: TierState) =>
    deps.metrics(now, state).catch((err: Error) => {
      log("error", "metrics unavailable; deciding on no evidence", { error: err.message });
      return EMPTY;
    });
  const records = deps.records().catch((err: Error) => {
    log("error", "route 53 unavailable; record state unknown", { error: err.message });
    return undefined;
  });
  const runsFor = (head: string) =>
    (deps.runs?.(head) ?? Promise.resolve(undefined)).catch((err: Error) => {
      log("error", "terraform cloud unavailable; run status unknown", { error: err.message });
      return undefined;
    });
  let metrics: { state: TierState; value: Promise<Metrics> } | undefined;
  const publish = (status: ScalerStatus & Record<string, unknown>) =>
    deps.publish(status).catch((err: Error) => log("error", "could not publish the scaler status", { error: err.message }));
  const maxAttempts = deps.maxAttempts ?? 3;
  const requeue = (why: string) =>
    deps.queueRun!(`lambdaflex: retry: ${why}`).then(
      (id) => log("warn", "queued the failed Terraform run again", { run: id, why }),
      (err: Error) => log("error", "could not queue a Terraform run", { error: err.message, why }),
    );

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const checkout = await deps.checkout();
    try {
      let toggle;
      try {
        toggle = parseToggle(checkout.text, deps.toggleFile);
      } catch (err) {
        if (!(err instanceof ToggleFileError)) throw err;
        log("error", "decision", { action: "alert", alert: "corrupt-toggle", reason: err.message, head: checkout.head, stuckAlerts: 1 });
        emitAlertMetric(log, deps.service, now, 1);
        await publish({ state: "unknown", decision: "alert: corrupt toggle file, nothing committed", reason: err.message, at: now.toISOString() });
        return { outcome: "corrupt-toggle", attempts: attempt };
      }
      // Fetched once per run; again only if a re-read after a rejected push found another state.
      if (metrics?.state !== toggle.fargate_tier) metrics = { state: toggle.fargate_tier, value: readMetrics(toggle.fargate_tier) };
      const run = runsFor(checkout.head);
      const decision = decide(deps.policy, { toggle, fargateRecordLive: (await records)?.fargate, metrics: await metrics.value, run: await run }, now);
      const unchanged = decision.action === "none" || formatToggle(decision.toggle) === checkout.text;
      log(decision.alerts.length > 0 ? "warn" : "info", "decision", {
        action: unchanged ? "none" : deps.dryRun ? "dry-run" : "commit",
        from: decision.from,
        to: decision.to,
        reason: decision.reason,
        evidence: decision.evidence,
        alerts: decision.alerts,
        requeueRun: decision.requeueRun,
        attempt,
        head: checkout.head,
      });
      emitAlertMetric(log, deps.service, now, decision.alerts.length);
      const status = (label: string) => ({
        state: toggle.fargate_tier,
        decision: label,
        reason: decision.reason,
        at: now.toISOString(),
        alerts: decision.alerts.map((a) => a.message),
      });
      if (unchanged) {
        if (decision.requeueRun && deps.queueRun && !deps.dryRun) await requeue(decision.requeueRun);
        await publish(status("no change"));
        return { outcome: "no-change", attempts: attempt, decision };
      }
      if (deps.dryRun) {
        await publish(status(`dry run: would commit ${decision.to}`));
        return { outcome: "dry-run", attempts: attempt, decision };
      }
      const pushed = await checkout.commit(formatToggle(decision.toggle), commitMessage(decision, now), now);
      if (pushed.outcome === "pushed") {
        await publish({ ...status(`committed ${decision.to}`), state: decision.to, commit: pushed.oid });
        return { outcome: "committed", attempts: attempt, decision, commit: pushed.oid };
      }
      log("warn", "push rejected; re-reading the toggle", { attempt, detail: pushed.detail });
    } finally {
      await checkout.dispose();
    }
  }
  throw new Error(`push of the toggle was rejected ${maxAttempts} times in a row; another writer keeps moving ${deps.toggleFile}`);
}

/**
 * Alert count as a CloudWatch metric through the Embedded Metric Format (a
 * structured log line): no PutMetricData call or permission needed. The
 * stuck-state alarm watches LambdaFlex/ScalerAlerts.
 */
function emitAlertMetric(log: Logger, service: string, now: Date, count: number): void {
  log("info", "scaler metrics", {
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [{ Namespace: "LambdaFlex", Dimensions: [["Service"]], Metrics: [{ Name: "ScalerAlerts", Unit: "Count" }] }],
    },
    Service: service,
    ScalerAlerts: count,
  });
}
