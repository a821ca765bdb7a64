import { z } from "zod";

/** Tier states, in the order the scaler walks them (docs/architecture.md, "The tier state machine"). */
export const TierState = { off: "off", warming: "warming", serving: "serving", draining: "draining" } as const;
export type TierState = (typeof TierState)[keyof typeof TierState];
export const TIER_STATES: readonly TierState[] = Object.values(TierState);

/**
 * The committed `*.auto.tfvars.json` toggle. Every key is a variable the
 * fargate stack declares, so Terraform never warns about undeclared values.
 */
export const ToggleSchema = z
  .object({
    fargate_tier: z.enum(TierState),
    /** When fargate_tier last changed (ISO-8601 UTC); dwell and timeouts count from it. */
    fargate_tier_since: z.iso.datetime({ message: "must be an ISO-8601 UTC time such as 2026-01-01T00:00:00Z" }),
    fargate_min_tasks: z.number().int().min(1),
    fargate_max_tasks: z.number().int().min(1),
    /** A human pinned `fargate_tier`; the scaler only reports. */
    fargate_pinned: z.boolean(),
    /** Backoff steps before adding the tier: each doubles the round-trip cost weighed; one is added per serving stay that did not pay for itself. Absent means 0. */
    fargate_backoff_up: z.number().int().min(0).max(16).default(0),
    /** Backoff steps before draining: one is added per drain that was undone soon (the off stay did not pay). Absent means 0. */
    fargate_backoff_down: z.number().int().min(0).max(16).default(0),
    /** Minutes from the last warming commits to serving, as the scaler measured them (the round trip's warm-up). Absent or 0: not measured yet, the configured warmupMinutes. */
    fargate_warmup_minutes: z.number().int().min(0).max(240).optional(),
  })
  .strict();

export type Toggle = z.infer<typeof ToggleSchema>;

/** The toggle file is unreadable or holds something the scaler must not act on. */
export class ToggleFileError extends Error {
  override readonly name = "ToggleFileError";
}

/**
 * Parses the toggle file's text; names the field and value that is wrong. The
 * scaler reads the toggle with it, and `npm run synth` and `synth:check` refuse
 * a committed toggle it rejects, so the stacks are never published beside a
 * toggle the scaler would not act on.
 */
export function parseToggle(text: string, path = "toggle file"): Toggle {
  if (text.startsWith("\uFEFF")) {
    throw new ToggleFileError(`${path} starts with a byte-order mark (U+FEFF); save it as UTF-8 without one`);
  }
  if (text.trim() === "")
    throw new ToggleFileError(`${path} is empty; it must hold the JSON object the scaler commits`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ToggleFileError(`${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const result = ToggleSchema.safeParse(raw);
  if (!result.success) {
    const fields = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
    const problems = result.error.issues.flatMap((i) => {
      if (i.code === "unrecognized_keys") {
        return i.keys.map(
          (key) =>
            `${key} = ${JSON.stringify(fields[key])}: not a toggle field (${Object.keys(ToggleSchema.shape).join(", ")})`,
        );
      }
      const field = i.path.join(".") || "(root)";
      if (i.path.length === 0) return [`${field}: ${i.message}`];
      const value = fields[String(i.path[0])];
      return [
        value === undefined ? `${field} is missing: ${i.message}` : `${field} = ${JSON.stringify(value)}: ${i.message}`,
      ];
    });
    throw new ToggleFileError(`${path} is invalid: ${problems.join("; ")}`);
  }
  if (result.data.fargate_max_tasks < result.data.fargate_min_tasks) {
    throw new ToggleFileError(
      `${path} is invalid: fargate_max_tasks = ${result.data.fargate_max_tasks} is below fargate_min_tasks = ${result.data.fargate_min_tasks}`,
    );
  }
  return result.data;
}

/** Serialises a toggle in a stable, diff-friendly form (fixed key order, trailing newline). */
export function formatToggle(t: Toggle): string {
  const ordered: Toggle = {
    fargate_tier: t.fargate_tier,
    fargate_tier_since: t.fargate_tier_since,
    fargate_min_tasks: t.fargate_min_tasks,
    fargate_max_tasks: t.fargate_max_tasks,
    fargate_pinned: t.fargate_pinned,
    fargate_backoff_up: t.fargate_backoff_up,
    fargate_backoff_down: t.fargate_backoff_down,
    ...(t.fargate_warmup_minutes ? { fargate_warmup_minutes: t.fargate_warmup_minutes } : {}),
  };
  return JSON.stringify(ordered, null, 2) + "\n";
}
