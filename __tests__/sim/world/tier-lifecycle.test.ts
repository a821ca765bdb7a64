import { loadDeploymentConfig } from "../../../config/load";
import type { DeploymentConfig } from "../../../config/schema";
import { workloadFrom } from "../../../model/cost-model";
import { DEFAULT_PRICES } from "../../../model/prices";
import { minuteRuleExists, recordExists, tierExists, type SwitchMode } from "../../../model/tier-states";
import { formatToggle, TIER_STATES, type TierState } from "../../../model/toggle";
import { billTotal } from "../../../sim/bill";
import { buildAwsWorld, MINUTE, START } from "../../../sim/world/build";
import { parseWorld } from "../../../sim/world/params";

const base = loadDeploymentConfig(undefined, {});
const configFor = (s: SwitchMode): DeploymentConfig => ({ ...base, fargate: { ...base.fargate, switch: s } });
/** ALB in 3 min, tasks healthy 1 min later, DNS in sync in 10 s, destroy 2 min. */
const world = parseWorld({
  aws: { albCreateMinutes: [3, 3], albCreateTailRate: 0, taskStartMinutes: [1, 1], destroyMinutes: [2, 2] },
  dns: { propagationSeconds: [10, 10] },
});
const toggle = (config: DeploymentConfig, tier: TierState): string =>
  formatToggle({
    fargate_tier: tier,
    fargate_tier_since: "2026-01-01T00:00:00Z",
    fargate_min_tasks: config.fargate.minTasks,
    fargate_max_tasks: config.fargate.maxTasks,
    fargate_pinned: false,
    fargate_backoff_up: 0,
    fargate_backoff_down: 0,
  });

/** A world that applied `tier` and ran `minutes` minutes of `requests` each. */
function applied(mode: SwitchMode, tier: TierState, minutes = 10, requests = 600) {
  const config = configFor(mode);
  const parts = buildAwsWorld({ config, world, workload: workloadFrom(config), prices: DEFAULT_PRICES });
  let done = false;
  parts.aws.apply(toggle(config, tier), () => (done = true));
  const outcomes = Array.from({ length: minutes }, (_, m) => {
    parts.clock.advanceTo(START + m * MINUTE);
    return parts.aws.step(requests);
  });
  return { ...parts, config, outcomes, done: () => done };
}

describe("the tier's lifecycle follows the tier-state table", () => {
  for (const mode of ["weighted", "dns"] as const) {
    for (const state of TIER_STATES) {
      it(`${mode} switch, ${state}: the tier, its record and the minute rule exist as the table says`, () => {
        const w = applied(mode, state);
        expect(w.done()).toBe(true);
        expect(w.aws.minuteRuleLive).toBe(minuteRuleExists(state));
        expect(w.aws.albDimension !== undefined).toBe(tierExists(state));
        expect(w.route53.liveAt("fargate", w.clock.now())).toBe(recordExists(mode, state));
        expect(w.outcomes.at(-1)!.resources).toBe(tierExists(state));
        // Applying the same tfvars again changes nothing.
        expect(w.aws.hasChanges(toggle(w.config, state))).toBe(false);
      });
    }
  }

  it("plans a change between any two states where the tier exists, and none between off and off", () => {
    const w = applied("weighted", "serving", 6);
    expect(w.aws.hasChanges(toggle(w.config, "draining"))).toBe(true);
    expect(w.aws.hasChanges(toggle(w.config, "off"))).toBe(true);
    const off = applied("weighted", "off", 1);
    expect(off.aws.hasChanges(toggle(off.config, "off"))).toBe(false);
    expect(off.aws.hasChanges(toggle(off.config, "warming"))).toBe(true);
  });

  it("prices each minute once: its cost is its bill's total", () => {
    for (const out of applied("weighted", "serving").outcomes) expect(out.cost).toBe(billTotal(out.bill));
  });
});
