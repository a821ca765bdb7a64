/**
 * What the scaler cycle (scaler-cycle.ts) is given and what it reports.
 */
import type { DeploymentConfig } from "../config/schema";
import type { GitServer } from "../__tests__/helpers/git-server";
import type { TierState } from "../model/toggle";
import type { RecordedCall } from "./emulator";
import type { DemandProfile } from "./scaler-cycle-profile";
import type { StandInRun, TerraformCloudStandIn } from "./tfc-standin";

export interface ScalerCycleContext {
  /** The emulator's URL. */
  readonly endpoint: string;
  readonly region: string;
  /** The deployment's validated configuration (service, toggleFile, terraformCloud, ...). */
  readonly config: DeploymentConfig;
  /** The deployment repository, already seeded, the toggle at config.toggleFile = off. */
  readonly git: GitServer;
  /** The stand-in's base URL (started, watching git, applying deploy/fargate as the fargate run role). */
  readonly tfcUrl: string;
  readonly tfc: TerraformCloudStandIn;
  readonly log: (line: string) => void;
  /** Most simulated minutes before the cycle counts as not completed. @default 600 */
  readonly maxMinutes?: number;
  /** The emulator's recorded calls (`emulator.calls()`); when given, the report counts the scaler's own calls during the cycle. */
  readonly emulatorCalls?: () => ReadonlyArray<
    Pick<RecordedCall, "seq" | "service" | "operation" | "accessKey" | "status" | "error">
  >;
}

/** One tier transition the scaler committed. */
export interface Transition {
  readonly from: TierState;
  readonly to: TierState;
  readonly reason: string;
  readonly commit: string;
  /** Simulated minute of the loop (0 = the first invocation) and the scaler's clock then. */
  readonly minute: number;
  readonly at: string;
  /** The stand-in's run for the commit, once idle. */
  readonly run?: { readonly id: string; readonly status: string; readonly applySeconds: number };
}

/** What the emulator holds after a run applied, against what the committed state should leave. */
export interface TierCheck {
  readonly commit: string;
  readonly state: TierState;
  readonly runId: string;
  readonly runStatus: string;
  /** `<service>-alb` (ELBv2 DescribeLoadBalancers). */
  readonly alb: boolean;
  /** The ECS service `<service>` in cluster `<service>` is ACTIVE (ECS DescribeServices). */
  readonly ecsService: boolean;
  /** The per-minute rule `<service>-scaler-minute` (EventBridge DescribeRule). */
  readonly minuteRule: boolean;
  /** The "fargate" alias record (Route 53). */
  readonly fargateRecord: boolean;
  /** Every one of the four is as the state says (tier in warming/serving/draining, rule in warming/draining, record per the switch). */
  readonly ok: boolean;
}

/** One decision the scaler logged. */
export interface DecisionLine {
  readonly minute: number;
  readonly action: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly alerts: readonly string[];
  /** Why the scaler queued the failed run again, when it did. */
  readonly requeueRun?: string;
  readonly evidence?: Record<string, unknown>;
}

export interface ScalerCycleReport {
  readonly transitions: readonly Transition[];
  readonly invocations: number;
  readonly simulatedMinutes: number;
  readonly wallSeconds: number;
  readonly profile: DemandProfile;
  /** `git log` of the toggle file, oldest first: "<sha> <subject>". */
  readonly toggleLog: readonly string[];
  /** The fargate workspace's runs in the stand-in, oldest first (logs left out). */
  readonly runs: ReadonlyArray<Omit<StandInRun, "log">>;
  readonly tierChecks: readonly TierCheck[];
  /** Listener weight changes the scaler made (ModifyListener), in order. */
  readonly weights: ReadonlyArray<{ readonly minute: number; readonly fargate: number; readonly was: number }>;
  /** The scaler's one-time re-arm schedules that came due (and were deleted, as Scheduler does after they fire). */
  readonly rearms: ReadonlyArray<{ readonly minute: number; readonly schedule: string }>;
  /** Every decision, in order. */
  readonly decisions: readonly DecisionLine[];
  /** Alert kinds the scaler raised (a decision's alerts), in order of first appearance. */
  readonly alerts: readonly string[];
  /** The scaler's own error log lines (an adapter that failed while the invocation went on). */
  readonly scalerErrors: readonly string[];
  /** With `emulatorCalls`: the calls signed by the scaler's key during the cycle, by "service:operation" (failed ones as "service:operation status error"). */
  readonly scalerCalls?: Readonly<Record<string, number>>;
}

/** The cycle did not complete: stalled in a state, a run failed, or an invocation threw. */
export class ScalerCycleError extends Error {
  override readonly name = "ScalerCycleError";
}
