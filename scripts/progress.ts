/**
 * One progress bar for long runs (the simulator, the advisor's sweep, the
 * benchmarks). On a terminal it redraws one line in place; in a CI log, where
 * a carriage return does not move the cursor, it prints a plain line each
 * time another tenth of the work is done.
 */

/** Where the bar is drawn: stderr by default, so stdout keeps only results. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** @default process.stderr */
  readonly stream?: ProgressStream;
  /** Characters of bar on a terminal. @default 30 */
  readonly width?: number;
  /** Percent between two lines in a log. @default 10 */
  readonly stepPercent?: number;
}

/** Reports `done` of `total` units, with an optional note (what is running now). */
export type Progress = (done: number, total: number, note?: string) => void;

/**
 * A progress reporter labelled `label`. Calls with the same visible state
 * draw nothing, so it can be called for every unit of work; reaching `total`
 * ends the line (terminal) or prints 100% (log), once.
 */
export function progressBar(label: string, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const width = options.width ?? 30;
  const step = options.stepPercent ?? 10;
  let last = "";
  let lastStep = -1;
  let finished = false;
  return (done, total, note) => {
    if (finished) return;
    const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
    const percent = Math.floor(fraction * 100);
    const suffix = note ? ` ${note}` : "";
    finished = fraction >= 1;
    if (stream.isTTY) {
      const filled = Math.round(fraction * width);
      const line = `${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(percent).padStart(3)}%${suffix}`;
      if (line === last && !finished) return;
      // Pad over the previous line's tail when this one is shorter (a shorter note).
      stream.write(`\r${line.padEnd(last.length)}${finished ? "\n" : ""}`);
      last = line;
    } else {
      const reached = Math.floor(percent / step);
      if (reached <= lastStep && !finished) return;
      lastStep = reached;
      stream.write(`${label}: ${finished ? 100 : reached * step}%${suffix}\n`);
    }
  };
}
