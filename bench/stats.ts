/** Small helpers shared by every benchmark. */
export const median = (xs: number[]): number => quantile(xs, 0.5);

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** A measured figure with its target, so every result file says whether it met the goal. */
export interface Goal {
  readonly value: number;
  readonly unit: string;
  readonly target: string;
  readonly met: boolean;
}

export const goal = (value: number, unit: string, target: string, met: boolean): Goal => ({
  value: round(value),
  unit,
  target,
  met,
});
