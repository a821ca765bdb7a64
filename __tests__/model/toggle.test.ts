import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatToggle, parseToggle, TIER_STATES, ToggleFileError, ToggleSchema } from "../../model/toggle";
import { loadDeploymentConfig } from "../../config/load";
import { ROOT } from "../helpers/processes";

const GOOD = {
  fargate_tier: "serving",
  fargate_tier_since: "2026-11-22T10:00:00Z",
  fargate_min_tasks: 2,
  fargate_max_tasks: 8,
  fargate_pinned: false,
};
const text = (change: Record<string, unknown> = {}, drop: string[] = []) =>
  JSON.stringify(Object.fromEntries(Object.entries({ ...GOOD, ...change }).filter(([k]) => !drop.includes(k))));

/** parseToggle's message for a text it refuses. */
const refusal = (t: string): string => {
  try {
    parseToggle(t, "deploy/fargate/fargate.auto.tfvars.json");
  } catch (err) {
    expect(err).toBeInstanceOf(ToggleFileError);
    return (err as Error).message;
  }
  throw new Error(`parseToggle accepted ${t}`);
};

describe("parseToggle (the one toggle parser: scaler, synth and synth:check)", () => {
  it("reads a toggle and fills the scaler's backoff memory with 0 when absent", () => {
    expect(parseToggle(text())).toEqual({ ...GOOD, fargate_backoff_up: 0, fargate_backoff_down: 0 });
    expect(parseToggle(formatToggle(parseToggle(text())))).toEqual(parseToggle(text()));
  });

  it.each([
    ["invalid JSON", '{"fargate_tier": "off",', /^deploy\/fargate\/fargate\.auto\.tfvars\.json is not valid JSON: /],
    [
      "an empty file",
      "",
      /^deploy\/fargate\/fargate\.auto\.tfvars\.json is empty; it must hold the JSON object the scaler commits$/,
    ],
    [
      "a byte-order mark",
      `\uFEFF${text()}`,
      /starts with a byte-order mark \(U\+FEFF\); save it as UTF-8 without one$/,
    ],
    [
      "an unknown tier",
      text({ fargate_tier: "bogus" }),
      /is invalid: fargate_tier = "bogus": Invalid option: expected one of "off"\|"warming"\|"serving"\|"draining"$/,
    ],
    ["a missing fargate_tier_since", text({}, ["fargate_tier_since"]), /is invalid: fargate_tier_since is missing: /],
    [
      "an extra key",
      text({ fargate_tier_sinse: "x" }),
      /is invalid: fargate_tier_sinse = "x": not a toggle field \(fargate_tier, fargate_tier_since, /,
    ],
    [
      "min above max",
      text({ fargate_min_tasks: 9, fargate_max_tasks: 3 }),
      /is invalid: fargate_max_tasks = 3 is below fargate_min_tasks = 9$/,
    ],
    [
      "a pin that is not a boolean",
      text({ fargate_pinned: "yes" }),
      /is invalid: fargate_pinned = "yes": Invalid input: expected boolean, received string$/,
    ],
    [
      "a time that is not ISO-8601 UTC",
      text({ fargate_tier_since: "yesterday" }),
      /fargate_tier_since = "yesterday": must be an ISO-8601 UTC time/,
    ],
  ])("refuses %s, naming the field and the value", (_what, t, message) => {
    expect(refusal(t)).toMatch(message);
  });

  it("keeps the parser's own error as the cause of a refusal of invalid JSON", () => {
    let thrown: unknown;
    try {
      parseToggle('{"fargate_tier": "off",');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ToggleFileError);
    expect((thrown as Error).cause).toBeInstanceOf(SyntaxError);
  });
});

describe("the toggle and the fargate stack's variables agree", () => {
  // deploy/ is synthesized from the committed configuration.
  const config = loadDeploymentConfig(undefined, {});
  // The committed stack: __tests__/scripts/synth.test.ts checks that it is what synth makes today.
  const variables = JSON.parse(readFileSync(join(ROOT, "deploy", "fargate", "cdk.tf.json"), "utf8")).variable as Record<
    string,
    { type: string; default?: unknown; validation?: Array<{ condition: string }> }
  >;
  const shape = ToggleSchema.shape;

  it("declares every toggle field as a variable of the matching type, so Terraform reads the whole toggle", () => {
    const types = Object.fromEntries(Object.keys(shape).map((k) => [k, variables[k]?.type]));
    expect(types).toEqual({
      fargate_tier: "string",
      fargate_tier_since: "string",
      fargate_min_tasks: "number",
      fargate_max_tasks: "number",
      fargate_pinned: "bool",
      fargate_backoff_up: "number",
      fargate_backoff_down: "number",
      fargate_warmup_minutes: "number",
    });
  });

  it("validates the tier with the parser's states and the task counts from the parser's least value to the configured fargate.maxTasks, whole numbers only", () => {
    expect(shape.fargate_tier.options).toEqual(TIER_STATES);
    expect(variables.fargate_tier!.validation).toEqual([
      {
        condition: `\${contains(${JSON.stringify(TIER_STATES)}, var.fargate_tier)}`,
        error_message: expect.any(String),
      },
    ]);
    for (const name of ["fargate_min_tasks", "fargate_max_tasks"] as const) {
      expect([shape[name].minValue, shape[name].isInt]).toEqual([1, true]);
      expect(variables[name]!.validation).toEqual([
        {
          condition: `\${var.${name} >= ${shape[name].minValue} && var.${name} <= ${config.fargate.maxTasks} && floor(var.${name}) == var.${name}}`,
          error_message: expect.any(String),
        },
      ]);
    }
  });

  it("gives every variable a default the parser accepts, so a toggle without the scaler's memory still plans", () => {
    const defaults = Object.fromEntries(Object.keys(shape).map((k) => [k, variables[k]!.default]));
    expect(() => parseToggle(JSON.stringify(defaults))).not.toThrow();
  });
});
