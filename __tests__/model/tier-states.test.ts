import {
  existsIn,
  minuteRuleExists,
  RECORD_COUNT,
  recordExists,
  statesOf,
  TIER_COUNTS,
  tierCountOf,
  tierExists,
} from "../../model/tier-states";
import { TIER_STATES } from "../../model/toggle";

describe("the tier-state table", () => {
  it("says which counts are 1 in each tier state", () => {
    const counts = Object.keys(TIER_COUNTS) as Array<keyof typeof TIER_COUNTS>;
    const table = Object.fromEntries(TIER_STATES.map((s) => [s, counts.filter((c) => existsIn(c, s))]));
    expect(table).toEqual({
      off: [],
      warming: ["tier_enabled", "tier_changing", "tier_routed"],
      serving: ["tier_enabled", "tier_serving", "tier_routed"],
      draining: ["tier_enabled", "tier_changing"],
    });
  });

  it("keeps the tier's resources in every state but off", () => {
    expect(TIER_STATES.filter(tierExists)).toEqual(["warming", "serving", "draining"]);
  });

  it("routes the fargate record in warming and serving (weighted) or only serving (dns)", () => {
    expect(RECORD_COUNT).toEqual({ weighted: "tier_routed", dns: "tier_serving" });
    expect(TIER_STATES.filter((s) => recordExists("weighted", s))).toEqual(["warming", "serving"]);
    expect(TIER_STATES.filter((s) => recordExists("dns", s))).toEqual(["serving"]);
  });

  it("keeps the per-minute scaler rule while the tier changes", () => {
    expect(TIER_STATES.filter(minuteRuleExists)).toEqual(["warming", "draining"]);
  });

  it("lists each count's states on and off in the order the scaler walks them", () => {
    expect(statesOf("tier_enabled")).toEqual({ on: ["warming", "serving", "draining"], off: ["off"] });
    expect(statesOf("tier_changing")).toEqual({ on: ["warming", "draining"], off: ["off", "serving"] });
  });

  it("reads a count expression, and nothing else, as one of the counts", () => {
    expect(tierCountOf("${local.tier_routed}")).toBe("tier_routed");
    expect(tierCountOf("${local.tier_unknown}")).toBeUndefined();
    expect(tierCountOf("${local.toString}")).toBeUndefined();
    expect(tierCountOf("${var.create_service_linked_roles ? 1 : 0}")).toBeUndefined();
  });
});
