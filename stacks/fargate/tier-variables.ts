import { Construct } from "constructs";
import { Fn, Op, TerraformLocal, TerraformVariable } from "cdktf";
import { TIER_STATES } from "../../model/toggle";
import { RECORD_COUNT, statesOf, type SwitchMode, type TierCount } from "../../model/tier-states";

export interface TierVariablesProps {
  /** Default for `fargate_min_tasks`. */
  readonly minTasks: number;
  /** Default for `fargate_max_tasks`. */
  readonly maxTasks: number;
  /**
   * `fargate.switch`. "weighted" adds `local.tier_routed` (warming or serving), which the
   * "fargate" record counts on; "dns" counts it on `local.tier_serving`. @default "weighted"
   */
  readonly switch?: SwitchMode;
}

/**
 * The variables the toggle file sets: `fargate_tier` (validated), the sizing
 * the scaler chose, and `fargate_pinned`. Also the counts every toggleable
 * resource uses, written from the tier-state table (model/tier-states.ts):
 * `local.tier_enabled` (not off), `local.tier_serving`, `local.tier_changing`,
 * and for the weighted switch `local.tier_routed` (the "fargate" record's count).
 */
export class TierVariables extends Construct {
  public readonly tier: TerraformVariable;
  public readonly since: TerraformVariable;
  public readonly minTasks: TerraformVariable;
  public readonly maxTasks: TerraformVariable;
  public readonly pinned: TerraformVariable;
  /** 1 when the Fargate resources exist (warming, serving, draining), else 0. */
  public readonly enabledCount: number;
  /** 1 only while serving: the "fargate" DNS record. */
  public readonly servingCount: number;
  /**
   * The "fargate" DNS record's count. Weighted switch: 1 in warming and serving (the ALB sends
   * everything to Lambda until the scaler shifts weight; draining removes the record while the ALB
   * keeps serving stragglers through Lambda). DNS switch: `servingCount`.
   */
  public readonly recordCount: number;
  /** 1 while the tier changes (warming, draining): the scaler's per-minute rule. */
  public readonly changingCount: number;

  constructor(scope: Construct, id: string, props: TierVariablesProps) {
    super(scope, id);
    if (props.minTasks < 1 || props.maxTasks < props.minTasks) {
      throw new Error(
        `TierVariables ${id}: need 1 <= minTasks <= maxTasks, got ${props.minTasks} and ${props.maxTasks}`,
      );
    }
    this.tier = new TerraformVariable(this, "fargate_tier", {
      type: "string",
      default: "off",
      description: `Fargate tier state, set by the scaler's commits to the toggle file: ${TIER_STATES.join(", ")}.`,
      // A `${...}` template: cdktf writes a bare string as a literal, which Terraform rejects.
      validation: [
        {
          condition: `\${contains(${JSON.stringify(TIER_STATES)}, var.fargate_tier)}`,
          errorMessage: `fargate_tier must be one of ${TIER_STATES.join(", ")}.`,
        },
      ],
    });
    this.tier.overrideLogicalId("fargate_tier");
    this.since = new TerraformVariable(this, "fargate_tier_since", {
      type: "string",
      default: "1970-01-01T00:00:00Z",
      description: "When fargate_tier last changed (ISO-8601 UTC); the scaler counts dwell and timeouts from it.",
    });
    this.since.overrideLogicalId("fargate_tier_since");
    // The configuration's maxTasks is the ceiling of both counts: a toggle (the only file a
    // path-restricted bot token may push) can size the tier, never beyond what was reviewed.
    this.minTasks = this.taskCount(
      "fargate_min_tasks",
      props.minTasks,
      props.maxTasks,
      "Minimum running tasks; the scaler sizes it from demand when it commits warming.",
    );
    this.maxTasks = this.taskCount(
      "fargate_max_tasks",
      props.maxTasks,
      props.maxTasks,
      "Maximum tasks target tracking may run.",
    );
    this.pinned = new TerraformVariable(this, "fargate_pinned", {
      type: "bool",
      default: false,
      description: "When true a human has pinned fargate_tier and the scaler only reports.",
    });
    this.pinned.overrideLogicalId("fargate_pinned");
    // Declared so the toggle's every key is a variable; only the scaler reads them (its memory of wasted switches).
    this.scalerMemory(
      "fargate_backoff_up",
      "The scaler's backoff before adding the tier: each step doubles the round-trip cost it weighs.",
    );
    this.scalerMemory(
      "fargate_backoff_down",
      "The scaler's backoff before draining the tier: each step doubles the round-trip cost it weighs.",
    );
    this.scalerMemory(
      "fargate_warmup_minutes",
      "Minutes from warming to serving as the scaler measured them; it prices the round trip with them (0: not measured yet).",
    );

    // Each local once: the DNS switch's record shares tier_serving, so tier_routed exists for the weighted switch only.
    const locals = new Map<TierCount, number>();
    const count = (name: TierCount): number => {
      if (!locals.has(name)) locals.set(name, this.countLocal(name));
      return locals.get(name)!;
    };
    this.enabledCount = count("tier_enabled");
    this.servingCount = count("tier_serving");
    this.changingCount = count("tier_changing");
    this.recordCount = count(RECORD_COUNT[props.switch ?? "weighted"]);
  }

  /** `local.<name>`: 1 in the tier states model/tier-states.ts lists for it, else 0. */
  private countLocal(name: TierCount): number {
    const tier = this.tier.stringValue;
    const { on, off } = statesOf(name);
    // One state off is written as `!=`, otherwise each state on as `==` joined by `||`.
    const condition =
      off.length === 1 ? Op.neq(tier, off[0]!) : on.map((s) => Op.eq(tier, s)).reduce((a, b) => Op.or(a, b));
    const local = new TerraformLocal(this, name, Fn.conditional(condition, 1, 0));
    local.overrideLogicalId(name);
    return local.asNumber;
  }

  /** A number only the scaler reads, declared so the toggle file sets no undeclared variable. */
  private scalerMemory(name: string, description: string): TerraformVariable {
    const v = new TerraformVariable(this, name, { type: "number", default: 0, description });
    v.overrideLogicalId(name);
    return v;
  }

  /** A whole-number task count variable from 1 to `ceiling`, validated, under its own name. */
  private taskCount(name: string, defaultValue: number, ceiling: number, description: string): TerraformVariable {
    const v = new TerraformVariable(this, name, {
      type: "number",
      default: defaultValue,
      description,
      validation: [
        {
          condition: `\${var.${name} >= 1 && var.${name} <= ${ceiling} && floor(var.${name}) == var.${name}}`,
          errorMessage: `${name} must be a whole number from 1 to ${ceiling} (fargate.maxTasks in lambdaflex.config.json; raise it there and run npm run synth).`,
        },
      ],
    });
    v.overrideLogicalId(name);
    return v;
  }
}
