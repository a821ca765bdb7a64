/**
 * Which of the Fargate tier's resources exist in each tier state: the one table the
 * fargate stack's counts (stacks/fargate/tier-variables.ts), synth's resource summary
 * (scripts/synth.ts) and the twin's AWS world (sim/world/) are built from.
 */
import type { DeploymentConfig } from "../config/schema";
import { TIER_STATES, type TierState } from "./toggle";

/** How traffic moves to the tier (config `fargate.switch`). */
export type SwitchMode = NonNullable<DeploymentConfig["fargate"]["switch"]>;

/**
 * The fargate stack's counts, by the local each toggleable resource's `count` names: the tier
 * states in which it is 1, in TIER_STATES order.
 */
export const TIER_COUNTS = {
  /** Everything the tier brings (ALB, listener, target groups, ECS service, alarms): all but off. */
  tier_enabled: ["warming", "serving", "draining"],
  /** The "fargate" record under the DNS switch: only while serving. */
  tier_serving: ["serving"],
  /** The scaler's per-minute rule, its target and permission: while the tier changes. */
  tier_changing: ["warming", "draining"],
  /**
   * The "fargate" record under the weighted switch: the ALB sends everything to Lambda until the
   * scaler shifts weight, and draining removes the record while the ALB serves stragglers.
   */
  tier_routed: ["warming", "serving"],
} as const satisfies Record<string, readonly TierState[]>;

/** The name of one of the fargate stack's count locals. */
export type TierCount = keyof typeof TIER_COUNTS;

/** The local the "fargate" alias record counts on, per switch mode. */
export const RECORD_COUNT: Readonly<Record<SwitchMode, TierCount>> = { weighted: "tier_routed", dns: "tier_serving" };

/** Whether resources counted on `count` exist in `state`. */
export const existsIn = (count: TierCount, state: TierState): boolean =>
  (TIER_COUNTS[count] as readonly TierState[]).includes(state);

/** The tier's resources exist (anything but off). */
export const tierExists = (state: TierState): boolean => existsIn("tier_enabled", state);

/** The "fargate" alias record exists in this state under this switch. */
export const recordExists = (mode: SwitchMode, state: TierState): boolean => existsIn(RECORD_COUNT[mode], state);

/** The per-minute rule that invokes the scaler exists in this state. */
export const minuteRuleExists = (state: TierState): boolean => existsIn("tier_changing", state);

/** The states in which a count is 1, and those in which it is 0 (both in TIER_STATES order). */
export function statesOf(count: TierCount): { readonly on: readonly TierState[]; readonly off: readonly TierState[] } {
  return { on: TIER_STATES.filter((s) => existsIn(count, s)), off: TIER_STATES.filter((s) => !existsIn(count, s)) };
}

/** The count local a resource's Terraform `count` expression names (`${local.tier_enabled}`), if it is one of them. */
export function tierCountOf(expression: string): TierCount | undefined {
  const m = /^\$\{local\.(\w+)\}$/.exec(expression);
  return m !== null && Object.hasOwn(TIER_COUNTS, m[1]!) ? (m[1] as TierCount) : undefined;
}
