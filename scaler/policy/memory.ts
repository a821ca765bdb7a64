/**
 * What the policy remembers across runs (ScalerMemory): when a drain's record
 * was first read gone, and the running tally of a stay's savings.
 */
import type { Toggle } from "../../model/toggle";
import { last } from "./demand";
import type { Observation, ScalerMemory, Series } from "./types";

/** Whether a remembered fact belongs to the toggle's current stay (keyed by its since) and carries a readable time. */
const ofThisStay = (t: Toggle, since: string, at: string): boolean =>
  Date.parse(since) === Date.parse(t.fargate_tier_since) && Number.isFinite(Date.parse(at));

/**
 * Since when the "fargate" record has been gone in the current drain, never before it went: the
 * earliest of what the memory says for this drain (keyed by the draining toggle's since) and when the
 * run for the committed toggle applied (its apply removed the record, so it was gone by then), else
 * now, the first run to read it gone, and never after now. A record read live again forgets it (clients resolve the ALB
 * again, so the window starts over when it goes); a Route 53 read that failed keeps what was known.
 */
export function recordGoneSince(t: Toggle, o: Observation, stamp: string): ScalerMemory["recordGone"] {
  const known = o.memory?.recordGone;
  const kept = known && ofThisStay(t, known.drainSince, known.at) ? known : undefined;
  if (o.fargateRecordLive === undefined) return kept;
  if (o.fargateRecordLive === true) return undefined;
  const run = o.run?.forHead;
  const applied =
    run?.phase === "applied" && run.finishedAt !== undefined && Number.isFinite(Date.parse(run.finishedAt))
      ? run.finishedAt
      : undefined;
  // Never later than now: a run stamped ahead of this clock (HCP Terraform's clock is not the scaler's) would hold the ALB past its window.
  const at = [kept?.at, applied, stamp]
    .filter((x): x is string => x !== undefined)
    .sort((a, b) => Date.parse(a) - Date.parse(b))[0]!;
  return { drainSince: t.fargate_tier_since, at };
}

/**
 * Lambda's excess summed over the current stay, and what to remember of it. Within the metric
 * window the window says; a stay longer than that adds the window's minutes since the last roll to
 * the sum remembered then (undefined with no such memory: its outcome is unknown). The sum is
 * rolled forward once half the window has passed since the last roll, so a scaler that runs at
 * least that often (the hourly heartbeat does) never loses a minute, for one status write per half
 * window.
 */
export function tallyStay(
  t: Toggle,
  known: ScalerMemory["stay"],
  excess: Series,
  minutesInState: number,
  now: Date,
  stamp: string,
): { sum: number | undefined; memory: ScalerMemory["stay"] } {
  const window = excess.length;
  const sumLast = (n: number) => last(excess, Math.ceil(n)).reduce<number>((a, e) => a + (e ?? 0), 0);
  const mine = known && ofThisStay(t, known.since, known.through) ? known : undefined;
  const sinceRoll = mine ? (now.getTime() - Date.parse(mine.through)) / 60_000 : undefined;
  let sum: number | undefined;
  if (minutesInState <= window) sum = sumLast(minutesInState);
  else if (mine && sinceRoll! >= 0 && sinceRoll! <= window) sum = mine.excessUsd + sumLast(sinceRoll!);
  if (sum === undefined || !Number.isFinite(minutesInState)) return { sum, memory: mine };
  const due = mine ? sinceRoll! >= window / 2 : minutesInState >= window / 2;
  return {
    sum,
    memory: due ? { since: t.fargate_tier_since, through: stamp, excessUsd: Number(sum.toFixed(6)) } : mine,
  };
}
