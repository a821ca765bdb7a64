/**
 * ECS target tracking on the ALB's requests per target: it scales out after its alarm's lag and in
 * only after a sustained quiet spell, within the task floor and ceiling the toggle last applied.
 */
import type { Workload } from "../../model/cost-model";
import type { Rng, SimClock } from "./clock";
import type { World } from "./params";
import type { Tier } from "./tier-lifecycle";

const MINUTE = 60_000;

export interface TargetTrackingOptions {
  readonly clock: SimClock;
  readonly rng: Rng;
  readonly world: World;
  readonly workload: Workload;
  /** The tier now, if its resources exist. */
  readonly current: () => Tier | undefined;
  /** Sets the current tier's ECS desired count. */
  readonly resize: (desired: number) => void;
}

export class TargetTracking {
  constructor(private readonly o: TargetTrackingOptions) {}

  /** A minute of `rps` to the tasks: what the tracking alarms see. */
  observe(rps: number): void {
    const tier = this.o.current();
    if (!tier || tier.phase !== "active") return;
    const { clock, world, workload: w } = this.o;
    const perTask = w.requestsPerTaskPerSecond * w.targetUtilization;
    const want = Math.min(tier.maxTasks, Math.max(tier.minTasks, Math.ceil(rps / perTask)));
    const now = clock.now();
    if (want > tier.desired && !tier.scaleOutPending) {
      tier.scaleOutPending = true;
      clock.schedule(now + this.o.rng.between(world.aws.autoscaleLagMinutes) * MINUTE, () => {
        tier.scaleOutPending = false;
        if (this.o.current() === tier && tier.phase === "active") this.o.resize(Math.max(tier.desired, want));
      });
    }
    if (want < tier.desired) {
      tier.belowSince ??= now;
      if (now - tier.belowSince >= world.aws.scaleInMinutes * MINUTE) {
        this.o.resize(want);
        tier.belowSince = undefined;
      }
    } else tier.belowSince = undefined;
  }
}
