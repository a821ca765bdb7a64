import type { Logger } from "../model/log";
import type { AlertContext } from "./adapters/alerts";
import type { MetricReadings } from "./adapters/cloudwatch";
import type { ListenerWeights } from "./adapters/listener";
import type { LiveRecords } from "./adapters/route53";
import type { PublishedStatus, StatusAlert } from "./adapters/status";
import type { ToggleCheckout } from "./git-toggle";
import { decide, type Decision, type PolicyConfig, type RunObservation } from "./policy";
import { formatToggle, parseToggle, ToggleFileError, type TierState } from "../model/toggle";
import { formatCommitSubject } from "../model/commit-subject";

/** The reconciler's ports; the handler wires them to AWS and git, tests to fakes or real servers. */
export interface ReconcileDeps {
  readonly policy: PolicyConfig;
  readonly service: string;
  readonly toggleFile: string;
  readonly dryRun: boolean;
  readonly checkout: () => Promise<ToggleCheckout>;
  /** Reads the metrics the given state decides on, with the listener they were read with (weighted switch). */
  readonly metrics: (now: Date, state: TierState) => Promise<MetricReadings>;
  /** Weighted switch: sets the percent of the ALB's requests the tasks get on `listener` (as read with the metrics). */
  readonly setWeight?: (listener: ListenerWeights, fargateWeight: number) => Promise<void>;
  readonly records: () => Promise<LiveRecords>;
  /** The fargate workspace's runs for the commit the toggle was read at; absent when Terraform Cloud is not configured. */
  readonly runs?: (head: string) => Promise<RunReadings | undefined>;
  /** Queues the workspace's latest configuration again (after a failed run); returns the run id. */
  readonly queueRun?: (workspaceId: string, message: string) => Promise<string>;
  /** Writes the status item; called only when it differs from the one readStatus returned. */
  readonly publish: (status: PublishedStatus) => Promise<void>;
  /**
   * Reads the status item the last run wrote (undefined: none yet). Absent or
   * failing, the status is written on every run and every alert counts as new.
   */
  readonly readStatus?: () => Promise<PublishedStatus | undefined>;
  /** Tells the operators about an alert the previous status did not carry. Absent: alerts are only logged. */
  readonly notify?: (alert: StatusAlert, context: AlertContext) => Promise<void>;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Push attempts before giving up when the remote keeps moving. @default 3 */
  readonly maxAttempts?: number;
}

/** The runs as read, with the id of the workspace they belong to (what queueing another run takes). */
export type RunReadings = RunObservation & { readonly workspaceId: string };

export type ReconcileOutcome = "no-change" | "committed" | "dry-run" | "corrupt-toggle";

export interface ReconcileResult {
  readonly outcome: ReconcileOutcome;
  readonly attempts: number;
  readonly decision?: Decision;
  readonly commit?: string;
  /** The Terraform Cloud runs for the commit the toggle was read at, when read. */
  readonly run?: RunObservation;
}

const EMPTY: MetricReadings = {
  apiRequests: [],
  albRequests: [],
  healthyHosts: [],
  lambdaThrottles: [],
  lambdaConcurrency: [],
};

/** A commit message that reads as a line of scaling history, with the figures in the body. */
export function commitMessage(d: Decision, at: Date): string {
  const evidence = Object.entries(d.evidence)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return [
    formatCommitSubject(d),
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
 * and push when the decision asks for it; send each new alert and write the
 * status when it changed (the previous item, read first, says what is new). A rejected push
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
  let metrics: { state: TierState; value: Promise<MetricReadings> } | undefined;
  // null: the previous status is unknown, so it is written and every alert is new (a duplicate page beats a lost one).
  const previous: Promise<PublishedStatus | undefined | null> = deps.readStatus
    ? deps.readStatus().catch((err: Error) => {
        log("error", "could not read the scaler status; writing it anyway", { error: err.message });
        return null;
      })
    : Promise.resolve(null);
  const report = (next: PublishedStatus, alerts: readonly StatusAlert[], evidence?: Decision["evidence"]) =>
    settleStatus(deps, next, alerts, evidence, previous).catch((err: Error) =>
      log("error", "could not publish the scaler status", { error: err.message }),
    );
  const maxAttempts = deps.maxAttempts ?? 3;
  const requeue = (run: RunReadings, why: string) =>
    deps.queueRun!(run.workspaceId, `lambdaflex: retry: ${why}`).then(
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
        const alerts = [
          {
            kind: "corrupt-toggle",
            message: `${deps.toggleFile} is corrupt; nothing is committed until a human fixes it: ${err.message}`,
          },
        ];
        log("error", "decision", {
          action: "alert",
          alert: "corrupt-toggle",
          reason: err.message,
          alerts,
          head: checkout.head,
        });
        await report(
          {
            state: "unknown",
            decision: "alert: corrupt toggle file, nothing committed",
            reason: err.message,
            at: now.toISOString(),
          },
          alerts,
        );
        return { outcome: "corrupt-toggle", attempts: attempt };
      }
      // Fetched once per run; again only if a re-read after a rejected push found another state.
      if (metrics?.state !== toggle.fargate_tier)
        metrics = { state: toggle.fargate_tier, value: readMetrics(toggle.fargate_tier) };
      const run = await runsFor(checkout.head);
      // What earlier runs remembered lives in the status item (read once per run, like the alerts told).
      const prev = await previous;
      const decision = decide(
        deps.policy,
        {
          toggle,
          fargateRecordLive: (await records)?.fargate,
          metrics: await metrics.value,
          run,
          memory: prev?.memory,
        },
        now,
      );
      const unchanged = decision.action === "none" || formatToggle(decision.toggle) === checkout.text;
      const label = unchanged
        ? "no change"
        : deps.dryRun
          ? `dry run: would commit ${decision.to}`
          : `committed ${decision.to}`;
      const remembered = decision.memory && Object.keys(decision.memory).length > 0 ? { memory: decision.memory } : {};
      const status = (over: Partial<PublishedStatus> = {}): PublishedStatus => ({
        state: toggle.fargate_tier,
        decision: label,
        reason: decision.reason,
        at: now.toISOString(),
        ...remembered,
        ...over,
      });
      // While off and nothing changes the line is logged every run: keep it short (the status and commits carry the figures).
      const quiet =
        unchanged &&
        toggle.fargate_tier === "off" &&
        prev !== null &&
        !statusChanged(prev, { ...status(), alerts: decision.alerts });
      log(decision.alerts.length > 0 ? "warn" : "info", "decision", {
        action: unchanged ? "none" : deps.dryRun ? "dry-run" : "commit",
        from: decision.from,
        to: decision.to,
        reason: decision.reason,
        ...(quiet ? {} : { evidence: decision.evidence }),
        alerts: decision.alerts,
        requeueRun: decision.requeueRun,
        attempt,
        head: checkout.head,
      });
      // Weights are runtime state, not a commit: set them whatever happens to the toggle.
      const { fargateWeightNow: observed, listener } = await metrics.value;
      if (
        decision.fargateWeight !== undefined &&
        observed !== undefined &&
        decision.fargateWeight !== observed &&
        deps.setWeight &&
        !deps.dryRun
      ) {
        try {
          // A listener is read with the weight it reports; without one there is nothing to set.
          if (!listener)
            throw new Error("the ALB's HTTPS listener was not found with the metrics; weights left as they are");
          await deps.setWeight(listener, decision.fargateWeight);
          log("info", "weights set", {
            fargate: decision.fargateWeight,
            lambda: 100 - decision.fargateWeight,
            was: observed,
          });
        } catch (err) {
          log("error", "could not set the listener weights", { error: (err as Error).message });
        }
      }
      if (unchanged) {
        // A retry is asked for only on a failed run, so the runs (and their workspace) were read.
        if (decision.requeueRun && run && deps.queueRun && !deps.dryRun) await requeue(run, decision.requeueRun);
        await report(status(), decision.alerts, decision.evidence);
        return { outcome: "no-change", attempts: attempt, decision, run };
      }
      if (deps.dryRun) {
        await report(status(), decision.alerts, decision.evidence);
        return { outcome: "dry-run", attempts: attempt, decision };
      }
      const pushed = await checkout.commit(formatToggle(decision.toggle), commitMessage(decision, now), now);
      if (pushed.outcome === "pushed") {
        await report(status({ state: decision.to, commit: pushed.oid }), decision.alerts, decision.evidence);
        return { outcome: "committed", attempts: attempt, decision, commit: pushed.oid };
      }
      log("warn", "push rejected; re-reading the toggle", { attempt, detail: pushed.detail });
    } finally {
      await checkout.dispose();
    }
  }
  throw new Error(
    `push of the toggle was rejected ${maxAttempts} times in a row; another writer keeps moving ${deps.toggleFile}`,
  );
}

const sameAlerts = (a: readonly StatusAlert[] = [], b: readonly StatusAlert[] = []) =>
  a.length === b.length && a.every((x, i) => x.kind === b[i]!.kind && x.message === b[i]!.message);

/** Whether a status says something new; its time alone is no change (a quiet minute costs no write). */
export function statusChanged(prev: PublishedStatus | undefined, next: PublishedStatus): boolean {
  return (
    !prev ||
    prev.state !== next.state ||
    prev.decision !== next.decision ||
    prev.reason !== next.reason ||
    prev.commit !== next.commit ||
    !sameAlerts(prev.alerts, next.alerts) ||
    JSON.stringify(prev.memory ?? {}) !== JSON.stringify(next.memory ?? {})
  );
}

/**
 * Tells the operators about each alert the previous status did not carry,
 * then writes the status if it changed. The item records the alerts the
 * operators were told about: one whose publish failed is left out, so the
 * next run sends it again.
 */
async function settleStatus(
  deps: ReconcileDeps,
  next: PublishedStatus,
  alerts: readonly StatusAlert[],
  evidence: Decision["evidence"] | undefined,
  previous: Promise<PublishedStatus | undefined | null>,
): Promise<void> {
  const prev = await previous;
  const known = new Set((prev?.alerts ?? []).map((a) => a.kind));
  const told: StatusAlert[] = [];
  for (const alert of alerts) {
    if (known.has(alert.kind) || !deps.notify) {
      told.push(alert);
      continue;
    }
    try {
      await deps.notify(alert, {
        service: deps.service,
        state: next.state,
        reason: next.reason,
        evidence,
        at: next.at,
      });
      deps.logger("warn", "alert sent", { kind: alert.kind });
      told.push(alert);
    } catch (err) {
      deps.logger("error", "could not send an alert; the next run tries again", {
        kind: alert.kind,
        error: (err as Error).message,
      });
    }
  }
  const status: PublishedStatus = { ...next, alerts: told.map(({ kind, message }) => ({ kind, message })) };
  if (prev !== null && !statusChanged(prev, status)) return;
  await deps.publish(status);
}
