/**
 * The subject line of a toggle commit, "lambdaflex: FROM -> TO: REASON": the
 * scaler writes it (scaler/reconcile.ts) and the twin reads its history back
 * from it (sim/twin-world.ts), so the format and its parser live together.
 */
import { TIER_STATES, type TierState } from "./toggle";

/** What a toggle commit's subject says: the transition and why. */
export interface CommitSubject {
  readonly from: TierState;
  readonly to: TierState;
  readonly reason: string;
}

// The reason is free text and may hold ": " or " -> " itself, so only the first two fields are split off.
const SUBJECT = /^lambdaflex: (\w+) -> (\w+): (.*)$/;

/** The subject line for a transition (or a resize: from and to the same state). */
export function formatCommitSubject(s: CommitSubject): string {
  return `lambdaflex: ${s.from} -> ${s.to}: ${s.reason}`;
}

const isTierState = (x: string): x is TierState => (TIER_STATES as readonly string[]).includes(x);

/** The transition a subject names; undefined for any other subject (a human's commit, a malformed line). */
export function parseCommitSubject(subject: string): CommitSubject | undefined {
  const m = SUBJECT.exec(subject);
  if (!m || !isTierState(m[1]!) || !isTierState(m[2]!)) return undefined;
  return { from: m[1], to: m[2], reason: m[3]! };
}
