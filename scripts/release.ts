/**
 * `npm run release -- --repository <ecr repository url> [--tag release-<name>] [--platform linux/arm64] [--dry-run]`
 * `npm run release -- --digest sha256:<64 hex> [--tag release-<name>] [--dry-run]`   (rollback)
 *
 * Builds and pushes the one image both tiers run under a new, never reused
 * `release-*` tag, then records its digest in `<deployDir>/core/image.auto.tfvars.json`
 * (see release-file.ts). Committing it queues a core run: once a human confirms
 * it, the Lambda function and the Fargate task definition run
 * `<repository>@<digest>`, and the fargate workspace's run trigger on core
 * moves a running tier to it. A tag would not do: Lambda resolves a tag
 * to a digest when the function's code is set and does not follow a re-pushed
 * tag (Lambda API reference, UpdateFunctionCode), while every new Fargate task
 * pulls whatever the tag points to at that moment.
 *
 * With `--digest` nothing is built: the digest of an image already in ECR is
 * recorded (the rollback path). Exit codes: 2 for bad input, 1 when docker fails.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DEFAULT_CONFIG_FILE, loadDeploymentConfig } from "../config/load";
import { HELP, parseFlags } from "./cli-flags";
import {
  formatImageRelease,
  IMAGE_DIGEST_PATTERN,
  IMAGE_TAG_PATTERN,
  imageReleasePaths,
  parseImageRelease,
} from "../model/release-file";

const ROOT = join(__dirname, "..");
const USAGE = `usage: npm run release -- --repository <ecr repository url> [--tag release-<name>] [--platform linux/arm64] [--dry-run]
       npm run release -- --digest sha256:<64 hex> [--tag release-<name>] [--dry-run]   (rollback to an image already in ECR)
       npm run release -- --help`;
/** A repository URL without tag or digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/lambdaflex. */
const REPOSITORY_PATTERN = /^[a-z0-9][a-z0-9.-]*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)+$/;

/** A release that cannot go ahead. `exitCode` is 2 for bad input, 1 for a failing tool. */
export class ReleaseError extends Error {
  override readonly name = "ReleaseError";
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** Validated command-line options. */
export interface ReleaseOptions {
  /** `--help`: print the usage and do nothing else. */
  readonly help: boolean;
  readonly repository?: string;
  readonly tag?: string;
  readonly platform: string;
  readonly digest?: string;
  readonly dryRun: boolean;
}

/** Parses and checks the flags; each error names the flag and the value. */
export function parseReleaseOptions(argv: string[]): ReleaseOptions {
  const values = (() => {
    try {
      return parseFlags({
        args: argv,
        options: {
          ...HELP,
          repository: { type: "string" },
          tag: { type: "string" },
          platform: { type: "string", default: "linux/arm64" },
          digest: { type: "string" },
          "dry-run": { type: "boolean", default: false },
        },
      }).values;
    } catch (err) {
      throw new ReleaseError(`${(err as Error).message}\n${USAGE}`, 2); // unknown flag, missing value, stray argument
    }
  })();
  if (values.help) return { help: true, platform: values.platform!, dryRun: true };
  const { repository, tag, platform, digest } = values;
  const bad = (message: string) => new ReleaseError(`${message}\n${USAGE}`, 2);
  if (digest === undefined && repository === undefined)
    throw bad("--repository is required to build and push (or pass --digest to record an image already pushed)");
  if (repository !== undefined && !REPOSITORY_PATTERN.test(repository)) {
    throw bad(
      `--repository ${JSON.stringify(repository)} is not a repository URL such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/lambdaflex (no tag, no digest)`,
    );
  }
  if (digest !== undefined && !IMAGE_DIGEST_PATTERN.test(digest))
    throw bad(`--digest ${JSON.stringify(digest)} must be sha256: followed by 64 lower-case hex digits`);
  if (tag !== undefined && !IMAGE_TAG_PATTERN.test(tag)) {
    // ECR tags are immutable and the lifecycle policy keeps the last 30 `release-*` images: other tags would be neither.
    throw bad(
      `--tag ${JSON.stringify(tag)} must start with release- and continue with letters, digits, '.', '_' or '-' (at most 128 characters)`,
    );
  }
  // One platform only: several would push an image index, which Lambda rejects like an attestation index.
  if (!/^[a-z0-9]+\/[a-z0-9]+(?:\/[a-z0-9]+)?$/.test(platform!))
    throw bad(`--platform ${JSON.stringify(platform)} must be exactly one platform such as linux/arm64`);
  return { help: false, repository, tag, platform: platform!, digest, dryRun: values["dry-run"]! };
}

/** The default tag, `release-<UTC yyyymmddHHMMSS>-<short git sha>`: unique, so never refused by an immutable ECR repository. */
export function defaultTag(now: Date, shortSha: string): string {
  return `release-${now.toISOString().replace(/\D/g, "").slice(0, 14)}-${shortSha}`;
}

/**
 * The `docker buildx build` arguments. `--provenance=false --sbom=false`: since
 * buildx 0.10 a push carries a provenance attestation by default, which turns
 * the result into an image index; Lambda accepts only a single image manifest
 * and fails with "The image manifest, config or layer media type ... is not
 * supported" (docker/buildx#1533, aws/aws-lambda-roadmap#82). With them,
 * `containerimage.digest` in the metadata file is that single manifest's digest.
 */
export function buildArgs(repository: string, tag: string, platform: string, metadataFile: string): string[] {
  return [
    "buildx",
    "build",
    "--platform",
    platform,
    "--provenance=false",
    "--sbom=false",
    "--push",
    "--metadata-file",
    metadataFile,
    "-t",
    `${repository}:${tag}`,
    ".",
  ];
}

const tail = (text: string, lines = 15) => text.trimEnd().split("\n").slice(-lines).join("\n");

function shortGitSha(): string {
  const git = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" });
  if (git.status !== 0)
    throw new ReleaseError(
      `cannot name the release after the git commit (${git.error?.message ?? tail(git.stderr)}); pass --tag release-<name>`,
      2,
    );
  return git.stdout.trim();
}

function requireBuildx(): void {
  const v = spawnSync("docker", ["buildx", "version"], { encoding: "utf8" });
  if (v.error)
    throw new ReleaseError(
      `cannot run docker (${v.error.message}): install Docker with the buildx plugin and make sure docker is on PATH`,
      1,
    );
  if (v.status !== 0)
    throw new ReleaseError(
      `docker buildx is not available (docker buildx version: ${tail(v.stderr || v.stdout)}): install the buildx plugin`,
      1,
    );
}

/** Runs the build, streaming docker's output (a build takes minutes) and keeping the end of stderr for the error. */
function dockerBuild(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", args, { cwd: ROOT, stdio: ["ignore", "inherit", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderr = (stderr + chunk.toString("utf8")).slice(-8000);
    });
    child.on("error", (err) => reject(new ReleaseError(`cannot run docker: ${err.message}`, 1)));
    child.on("close", (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new ReleaseError(
              `docker buildx build failed (${signal ?? `exit ${code}`}); nothing was written:\n${tail(stderr)}`,
              1,
            ),
          ),
    );
  });
}

/** Reads the pushed manifest digest from buildx's --metadata-file. */
function digestFromMetadata(file: string): string {
  let digest: unknown;
  try {
    digest = JSON.parse(readFileSync(file, "utf8"))["containerimage.digest"];
  } catch (err) {
    throw new ReleaseError(`docker buildx build wrote no readable metadata file ${file}: ${(err as Error).message}`, 1);
  }
  if (typeof digest !== "string" || !IMAGE_DIGEST_PATTERN.test(digest))
    throw new ReleaseError(
      `docker buildx build reported containerimage.digest ${JSON.stringify(digest)}, not a sha256 digest; nothing was written`,
      1,
    );
  return digest;
}

/** The tag an earlier release of `digest` recorded in `file`'s git history (the rollback path), if any. */
function tagFromHistory(repoRoot: string, file: string, digest: string): string | undefined {
  const git = (...args: string[]) => spawnSync("git", args, { cwd: repoRoot, encoding: "utf8" });
  const log = git("log", "--format=%H", "-n", "200", "--", file);
  for (const sha of log.status === 0 ? log.stdout.split("\n").filter(Boolean) : []) {
    try {
      const r = parseImageRelease(git("show", `${sha}:./${file}`).stdout, file);
      if (r.image_digest === digest) return r.image_tag;
    } catch {
      // a corrupt or deleted version of the file: keep looking further back
    }
  }
  return undefined;
}

/** The whole release; writes output lines through `say`. */
export async function release(argv: string[], env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<void> {
  const opts = parseReleaseOptions(argv);
  if (opts.help) {
    say(USAGE);
    return;
  }
  let deployDir: string;
  try {
    deployDir = loadDeploymentConfig(env.LAMBDAFLEX_CONFIG || DEFAULT_CONFIG_FILE, env).deployDir;
  } catch (err) {
    throw new ReleaseError((err as Error).message, 2);
  }
  const repoRoot = env.LAMBDAFLEX_REPO_ROOT || ROOT;
  const paths = imageReleasePaths(deployDir);
  const files = [paths.core];
  for (const dir of files.map(dirname)) {
    if (!existsSync(join(repoRoot, dir)))
      throw new ReleaseError(
        `${dir}/ does not exist in ${repoRoot}: run \`npm run synth\` first (or set LAMBDAFLEX_REPO_ROOT)`,
        2,
      );
  }
  let { digest, tag } = opts;
  if (digest === undefined) {
    tag ??= defaultTag(new Date(), shortGitSha());
    if (opts.dryRun) {
      say(
        `dry run: would run docker ${buildArgs(opts.repository!, tag, opts.platform, "<tmp>/metadata.json").join(" ")}`,
      );
      say(`and write the pushed digest to ${files.join(" and ")}; nothing was built or written`);
      return;
    }
    requireBuildx();
    const tmp = mkdtempSync(join(tmpdir(), "lambdaflex-release-"));
    try {
      const metadata = join(tmp, "metadata.json");
      await dockerBuild(buildArgs(opts.repository!, tag, opts.platform, metadata));
      digest = digestFromMetadata(metadata);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  } else {
    tag ??= tagFromHistory(repoRoot, paths.core, digest);
    if (tag === undefined)
      throw new ReleaseError(
        `--digest ${digest} appears in no earlier ${paths.core} in git; pass --tag with the release-* tag it was pushed under (aws ecr describe-images lists them)`,
        2,
      );
  }
  const text = formatImageRelease({
    image_digest: digest,
    image_tag: tag,
    released_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
  });
  parseImageRelease(text, "the new release record"); // never commit a file Terraform's validation would reject
  if (opts.dryRun) {
    say(`dry run: would write ${files.join(" and ")}:\n${text}nothing was written`);
    return;
  }
  for (const file of files) writeFileSync(join(repoRoot, file), text);
  say(`image ${opts.repository ? `${opts.repository}@` : ""}${digest} (tag ${tag})`);
  say(`wrote:\n${files.map((f) => `  ${f}`).join("\n")}`);
  if (opts.digest !== undefined) {
    say(
      `note: ${digest} must still exist in ECR (the lifecycle policy keeps the last 30 release-* images); otherwise the core apply fails and new Fargate tasks cannot pull it`,
    );
  }
  say(
    `commit and push it; confirm the core run it queues, and the fargate workspace (run trigger on core) moves a running tier to this digest:`,
  );
  say(`  git add ${files.join(" ")} && git commit -m "release: ${tag} ${digest}" && git push`);
}

if (require.main === module) {
  release(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`)).catch((err: Error) => {
    process.stderr.write(`release failed: ${err.message}\n`);
    process.exit(err instanceof ReleaseError ? err.exitCode : 1);
  });
}
