/**
 * Load shapes that hurt a threshold policy (issue 12's table), as per-minute
 * request counts. Each is built around the break-even rate `be` (req/s), so
 * the same shapes stress any price table or task size. Used by the scenario
 * tests and the benchmark; none of them is fitted to a real trace.
 */

export interface Shape {
  readonly name: string;
  readonly description: string;
  readonly trace: number[];
}

const WEEK = 7 * 1440;

const build = (minutes: number, rps: (m: number) => number): number[] =>
  Array.from({ length: minutes }, (_, m) => Math.max(0, Math.round(rps(m) * 60)));

/** The five shapes of the issue, one week each, around break-even `be` (req/s). */
export function hostileShapes(be: number, minutes = WEEK): Shape[] {
  return [
    {
      name: "square-wave",
      description: "a square wave across break-even: 20 min at 2x, 20 min at 0.4x",
      trace: build(minutes, (m) => (m % 40 < 20 ? 2 * be : 0.4 * be)),
    },
    {
      name: "hourly-bursts",
      description: "bursts of 20 minutes at 2.5x break-even each hour, silence between",
      trace: build(minutes, (m) => (m % 60 < 20 ? 2.5 * be : 0)),
    },
    {
      name: "sine",
      description: "a sine between 0.3x and 1.7x break-even, period 3 hours",
      trace: build(minutes, (m) => be * (1 + 0.7 * Math.sin((2 * Math.PI * m) / 180))),
    },
    {
      name: "spiky-tail",
      description: "6 hours at 5x break-even, then 0.15x with a one-minute spike at 15x every 30 minutes",
      trace: build(minutes, (m) => (m < 360 ? 5 * be : m % 30 === 0 ? 15 * be : 0.15 * be)),
    },
    {
      name: "flash-crowd",
      description: "0.1x break-even with a daily 90-minute flash crowd at 20x",
      trace: build(minutes, (m) => (m % 1440 >= 720 && m % 1440 < 810 ? 20 * be : 0.1 * be)),
    },
  ];
}
