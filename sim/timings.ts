/**
 * How quickly LambdaFlex followed a load step in the twin: minutes from the
 * step up to most traffic on Fargate, and from the drop to the tier's
 * resources being gone. Used by the scenario tests and the benchmark.
 */
import type { TwinResult } from "./twin";

export interface StepTiming {
  readonly stepMinute: number;
  /** Minutes from the step until at least half of a minute's requests reach Fargate; undefined if never. */
  readonly toServing?: number;
  readonly dropMinute: number;
  /** Minutes from the drop until the Fargate tier's resources no longer exist; undefined if never. */
  readonly toOff?: number;
}

/** Timings of each (step, drop) pair, in trace minutes. */
export function stepTimings(
  r: Pick<TwinResult, "fargateShareByMinute" | "resourcesByMinute">,
  steps: ReadonlyArray<readonly [number, number]>,
): StepTiming[] {
  return steps.map(([up, down]) => {
    let serving: number | undefined;
    for (let m = up; m < down && serving === undefined; m++)
      if ((r.fargateShareByMinute[m] ?? 0) >= 0.5) serving = m - up;
    let off: number | undefined;
    const end = r.resourcesByMinute.length;
    for (let m = down; m < end && off === undefined; m++) if (!r.resourcesByMinute[m]) off = m - down;
    return { stepMinute: up, toServing: serving, dropMinute: down, toOff: off };
  });
}

/** The (step, drop) pairs of a trace: minutes where demand crosses `rps` upward, and where it next falls below. */
export function findSteps(trace: readonly number[], rps: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let up: number | undefined;
  trace.forEach((r, m) => {
    const high = r / 60 > rps;
    if (high && up === undefined) up = m;
    if (!high && up !== undefined) {
      out.push([up, m]);
      up = undefined;
    }
  });
  return out;
}
