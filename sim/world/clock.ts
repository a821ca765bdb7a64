/**
 * The simulated world's one clock and event queue (SimPy style): every delay
 * is an event scheduled on it, and randomness comes from one seeded generator,
 * so the same seed replays the same world. No wall-clock timer anywhere.
 */
export class SimClock {
  private nowMs: number;
  private readonly queue: Array<{ at: number; seq: number; fn: () => void }> = [];
  private seq = 0;

  constructor(startMs: number) {
    this.nowMs = startMs;
  }

  now = (): number => this.nowMs;

  /** Runs `fn` at `atMs` (or at once, in order, if that is already past). */
  schedule = (atMs: number, fn: () => void): void => {
    const item = { at: Math.max(atMs, this.nowMs), seq: this.seq++, fn };
    // Binary insertion keeps the queue sorted by (at, seq); it stays short (tens of events).
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.queue[mid]!;
      if (m.at < item.at || (m.at === item.at && m.seq < item.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, item);
  };

  /** Runs every event due up to `atMs`, in time order, then sets the clock to `atMs`. */
  advanceTo(atMs: number): void {
    while (this.queue.length && this.queue[0]!.at <= atMs) {
      const e = this.queue.shift()!;
      this.nowMs = e.at;
      e.fn();
    }
    this.nowMs = Math.max(this.nowMs, atMs);
  }

  /** Events still waiting (for tests and reports). */
  get pending(): number {
    return this.queue.length;
  }
}

/** A seeded generator (mulberry32): fast, small, and the same sequence for the same seed. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  random = (): number => {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  /** Uniform in [min, max]. */
  between(range: readonly [number, number]): number {
    return range[0] + (range[1] - range[0]) * this.random();
  }

  chance(p: number): boolean {
    return p > 0 && this.random() < p;
  }

  /** An independent generator for one part of the world, so adding draws in one part leaves the others' sequences unchanged. */
  fork(salt: number): Rng {
    return new Rng((Math.imul(this.state ^ salt, 0x85ebca6b) ^ (salt * 0x27d4eb2f)) >>> 0);
  }
}
