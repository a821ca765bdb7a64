/**
 * The rule of each tier state: what decide (policy.ts) does once the figures
 * are worked out and no guard (pin, clock skew, failed run) has answered.
 * Every rule reads one Situation and returns the decision through its none
 * or commit, so the figures are priced once and the words match the evidence.
 *
 * The Situation a rule reads is in situation.ts; each state's rule is in its
 * own file (while-off.ts, while-warming.ts, while-serving.ts, while-draining.ts).
 */
import { TierState } from "../../model/toggle";
import type { Situation } from "./situation";
import type { Decision } from "./types";
import { whileDraining } from "./while-draining";
import { whileOff } from "./while-off";
import { whileServing } from "./while-serving";
import { whileWarming } from "./while-warming";

export type { Carried, Situation, ToggleChanges } from "./situation";

/** The rule for each state. */
export const RULES: Readonly<Record<TierState, (s: Situation) => Decision>> = {
  [TierState.off]: whileOff,
  [TierState.warming]: whileWarming,
  [TierState.serving]: whileServing,
  [TierState.draining]: whileDraining,
};
