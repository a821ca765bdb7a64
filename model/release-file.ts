/**
 * The committed image release: which image both tiers run.
 *
 * `npm run release` writes the record to `<deployDir>/core/image.auto.tfvars.json`;
 * `npm run synth` never touches it. The core stack declares the variables and
 * runs `<repository url>@<image_digest>` in the Lambda function and in the
 * Fargate tier's task definition, which the fargate stack only runs, so both
 * tiers run the same bytes and only core's human-confirmed apply changes them.
 * This module has no dependency on cdktf so the stacks, the release script
 * and the tests can all share it.
 */
import { posix } from "node:path";
import { z } from "zod";

/** File name of the release record inside the core stack's deploy directory. */
export const IMAGE_FILE = "image.auto.tfvars.json";

/** An image manifest digest; the core stack's `image_digest` validation uses the same pattern. */
export const IMAGE_DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/**
 * A release tag: `release-` plus a valid Docker tag remainder (at most 128
 * characters in all). The ECR lifecycle policy counts images by this prefix.
 */
export const IMAGE_TAG_PATTERN = /^release-[A-Za-z0-9_.-]{1,120}$/;

/** One released image, as committed for Terraform. */
export interface ImageRelease {
  /** Manifest digest both tiers run, e.g. `sha256:` and 64 hex digits. */
  readonly image_digest: string;
  /** The immutable ECR tag the digest was pushed under (for people; Terraform uses the digest). */
  readonly image_tag: string;
  /** When the release was recorded, ISO-8601 UTC. */
  readonly released_at: string;
}

/** Schema of the file; unknown keys are rejected so a typo cannot go unnoticed. */
export const ImageReleaseSchema = z
  .object({
    image_digest: z.string().regex(IMAGE_DIGEST_PATTERN, "must be sha256: followed by 64 lower-case hex digits"),
    image_tag: z
      .string()
      .regex(
        IMAGE_TAG_PATTERN,
        "must be release- followed by letters, digits, '.', '_' or '-' (at most 128 characters)",
      ),
    released_at: z.iso.datetime({ message: "must be an ISO-8601 UTC time such as 2026-01-01T00:00:00Z" }),
  })
  .strict();

/** The release file is unreadable or holds a value Terraform would reject. */
export class ImageReleaseError extends Error {
  override readonly name = "ImageReleaseError";
}

/** Parses a release file's text; the error names the file, each bad field and its value. */
export function parseImageRelease(text: string, path = IMAGE_FILE): ImageRelease {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ImageReleaseError(`${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const result = ImageReleaseSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const field = i.path.join(".") || "(root)";
      const value = i.path.length > 0 ? JSON.stringify((raw as Record<string, unknown>)[String(i.path[0])]) : undefined;
      return `${field}${value !== undefined ? ` = ${value}` : ""}: ${i.message}`;
    });
    throw new ImageReleaseError(`${path} is invalid: ${problems.join("; ")}`);
  }
  return result.data;
}

/** Serialises a release in a stable, diff-friendly form (fixed key order, trailing newline). */
export function formatImageRelease(r: ImageRelease): string {
  const ordered: ImageRelease = { image_digest: r.image_digest, image_tag: r.image_tag, released_at: r.released_at };
  return JSON.stringify(ordered, null, 2) + "\n";
}

/** Where the release file lives, relative to the repository root (like `deployDir`): core's directory only. */
export function imageReleasePaths(deployDir: string): { readonly core: string } {
  return { core: posix.join(deployDir, "core", IMAGE_FILE) };
}

/**
 * Where earlier versions also wrote the release, for the fargate stack, which no longer declares
 * `image_digest`: `npm run synth` deletes a leftover one and `synth:check` reports it.
 */
export const retiredImageReleasePath = (deployDir: string): string => posix.join(deployDir, "fargate", IMAGE_FILE);
