import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  formatImageRelease,
  IMAGE_FILE,
  ImageReleaseError,
  imageReleasePaths,
  retiredImageReleasePath,
  parseImageRelease,
  type ImageRelease,
} from "../../model/release-file";
import { ROOT } from "../helpers/processes";
import { removeDir } from "../helpers/terraform";

const REPOSITORY = "123456789012.dkr.ecr.us-east-1.amazonaws.com/lambdaflex";
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const OLD_DIGEST = `sha256:${"fedcba9876543210".repeat(4)}`;
/** The test configuration's deployDir: not the default, so the script must read it from the config. */
const DEPLOY_DIR = "out/deploy";
/** Core's file only: the fargate stack runs core's task definition and declares no image. */
const FILES = [`${DEPLOY_DIR}/core/${IMAGE_FILE}`];
const RETIRED = `${DEPLOY_DIR}/fargate/${IMAGE_FILE}`;

/**
 * A stand-in for docker: records each invocation (one argument per line, a
 * blank line after each) and answers `buildx version` and `buildx build` the
 * way buildx does, writing a --metadata-file like the one a single-platform
 * push without attestations produces.
 */
const DOCKER_STUB = `#!/bin/sh
{ for a in "$@"; do printf '%s\\n' "$a"; done; printf '\\n'; } >> "$DOCKER_STUB_LOG"
case "$1 $2" in
"buildx version")
  if [ -n "$DOCKER_STUB_NO_BUILDX" ]; then echo "docker: 'buildx' is not a docker command." >&2; exit 1; fi
  echo "github.com/docker/buildx v0.17.1 257815a"
  exit 0 ;;
"buildx build")
  if [ -n "$DOCKER_STUB_FAIL" ]; then
    echo "#12 exporting to image" >&2
    echo "#12 ERROR: failed to push: tag invalid: The image tag already exists and cannot be overwritten because the repository is immutable." >&2
    exit 1
  fi
  meta=""; name=""; prev=""
  for a in "$@"; do
    [ "$prev" = "--metadata-file" ] && meta="$a"
    [ "$prev" = "-t" ] && name="$a"
    prev="$a"
  done
  cat > "$meta" <<JSON
{
  "buildx.build.ref": "default/default/q1w2e3r4t5y6u7i8o9p0",
  "containerimage.config.digest": "sha256:2937f66a9722f7f4a2df583de2f8cb97fc9196059a410e7f00072fc918930e66",
  "containerimage.descriptor": {
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "digest": "$DOCKER_STUB_DIGEST",
    "size": 1581,
    "platform": { "architecture": "arm64", "os": "linux" }
  },
  "containerimage.digest": "$DOCKER_STUB_DIGEST",
  "image.name": "$name"
}
JSON
  echo "#13 DONE 41.2s" >&2
  exit 0 ;;
esac
echo "docker stub: unexpected arguments: $*" >&2
exit 64
`;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Each docker invocation's arguments, in order. */
  docker: string[][];
}

describe("npm run release", () => {
  const work = mkdtempSync(join(tmpdir(), "lambdaflex-release-test-"));
  const bin = join(work, "bin");
  const emptyBin = join(work, "empty-bin");
  const config = join(work, "lambdaflex.config.json");
  let repo: string;
  let log: string;

  beforeAll(() => {
    mkdirSync(bin);
    mkdirSync(emptyBin);
    writeFileSync(join(bin, "docker"), DOCKER_STUB);
    chmodSync(join(bin, "docker"), 0o755);
    // The repository's own configuration, with the deploy directory moved so nothing under deploy/ is touched.
    const raw = JSON.parse(readFileSync(join(ROOT, "lambdaflex.config.json"), "utf8"));
    writeFileSync(
      config,
      JSON.stringify({ ...raw, deployDir: DEPLOY_DIR, toggleFile: `${DEPLOY_DIR}/fargate/fargate.auto.tfvars.json` }),
    );
  });
  afterAll(() => removeDir(work));

  beforeEach(() => {
    repo = mkdtempSync(join(work, "repo-"));
    for (const stack of ["core", "fargate"]) mkdirSync(join(repo, DEPLOY_DIR, stack), { recursive: true });
    log = join(repo, "docker.log");
    writeFileSync(log, "");
  });

  function release(args: string[], env: Record<string, string> = {}): Run {
    const run = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/tsx/dist/cli.mjs"), join(ROOT, "scripts/release.ts"), ...args],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          LAMBDAFLEX_CONFIG: config,
          LAMBDAFLEX_REPO_ROOT: repo,
          DOCKER_STUB_LOG: log,
          DOCKER_STUB_DIGEST: DIGEST,
          ...env,
        },
      },
    );
    const docker = readFileSync(log, "utf8")
      .split("\n\n")
      .filter((call) => call.trim() !== "")
      .map((call) => call.split("\n").filter((a) => a !== ""));
    return { status: run.status, stdout: run.stdout, stderr: run.stderr, docker };
  }

  const written = () => FILES.filter((f) => existsSync(join(repo, f)));
  const read = (file: string) => readFileSync(join(repo, file), "utf8");

  it("builds a single-platform arm64 image without attestations, pushes it under the tag, and records its digest in core's directory only", () => {
    const started = Date.now();
    const run = release(["--repository", REPOSITORY, "--tag", "release-2026-checkout-fix"]);
    expect(run.stderr).not.toContain("release failed");
    expect(run.status).toBe(0);
    expect(run.docker[0]).toEqual(["buildx", "version"]);
    const build = run.docker[1]!;
    const metadata = build[build.indexOf("--metadata-file") + 1]!;
    expect(build).toEqual([
      "buildx",
      "build",
      "--platform",
      "linux/arm64",
      "--provenance=false",
      "--sbom=false",
      "--push",
      "--metadata-file",
      metadata,
      "-t",
      `${REPOSITORY}:release-2026-checkout-fix`,
      ".",
    ]);
    expect(metadata).toMatch(/metadata\.json$/);
    expect(existsSync(metadata)).toBe(false); // the temporary directory is cleaned up
    expect(run.docker).toHaveLength(2);

    const [core] = FILES.map(read);
    expect(existsSync(join(repo, RETIRED))).toBe(false);
    const record = parseImageRelease(core!, FILES[0]);
    expect(record).toEqual({
      image_digest: DIGEST,
      image_tag: "release-2026-checkout-fix",
      released_at: expect.any(String),
    });
    expect(Date.parse(record.released_at)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
    expect(core).toBe(formatImageRelease(record));

    expect(run.stdout).toContain(`${REPOSITORY}@${DIGEST}`);
    expect(run.stdout).toContain(
      `git add ${FILES[0]} && git commit -m "release: release-2026-checkout-fix ${DIGEST}" && git push`,
    );
    expect(run.stdout).toContain("run trigger on core");
    expect(run.stdout).not.toContain("must still exist in ECR");
  });

  it("names the release after the UTC time and the git commit when no --tag is given", () => {
    const before = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const run = release(["--repository", REPOSITORY]);
    const after = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    expect(run.status).toBe(0);
    const sha = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
    const image = run.docker[1]![run.docker[1]!.indexOf("-t") + 1]!;
    const match = new RegExp(`^${REPOSITORY}:release-(\\d{14})-${sha}$`).exec(image);
    expect(match).not.toBeNull();
    expect(match![1]! >= before && match![1]! <= after).toBe(true);
    expect(parseImageRelease(read(FILES[0]!)).image_tag).toBe(image.split(":")[1]);
  });

  it("records an already-pushed digest with --digest (rollback) without calling docker at all", () => {
    const run = release(["--digest", OLD_DIGEST, "--tag", "release-20260101000000-abc1234"]);
    expect(run.status).toBe(0);
    expect(run.docker).toEqual([]);
    expect(parseImageRelease(read(FILES[0]!))).toMatchObject({
      image_digest: OLD_DIGEST,
      image_tag: "release-20260101000000-abc1234",
    });
    expect(run.stdout).toMatch(/must still exist in ECR.*last 30 release/);
    expect(run.stdout).toContain(`git commit -m "release: release-20260101000000-abc1234 ${OLD_DIGEST}"`);
  });

  it("takes a rollback's tag from the release that first recorded the digest in git", () => {
    const git = (...args: string[]) =>
      spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], {
        cwd: repo,
        encoding: "utf8",
      });
    git("init", "-q");
    const old: ImageRelease = {
      image_digest: OLD_DIGEST,
      image_tag: "release-20260101000000-abc1234",
      released_at: "2026-01-01T00:00:00Z",
    };
    for (const f of FILES) writeFileSync(join(repo, f), formatImageRelease(old));
    git("add", ...FILES);
    expect(git("commit", "-q", "-m", "release").status).toBe(0);
    for (const f of FILES)
      writeFileSync(
        join(repo, f),
        formatImageRelease({ ...old, image_digest: DIGEST, image_tag: "release-20260202000000-def5678" }),
      );
    git("commit", "-q", "-am", "release");

    const run = release(["--digest", OLD_DIGEST]);
    expect(run.status).toBe(0);
    expect(parseImageRelease(read(FILES[0]!))).toMatchObject({
      image_digest: OLD_DIGEST,
      image_tag: "release-20260101000000-abc1234",
    });
  });

  it.each([
    ["a malformed digest", ["--digest", "sha256:abc123"], /--digest "sha256:abc123" must be sha256: followed by 64/],
    ["an upper-case digest", ["--digest", DIGEST.toUpperCase()], /--digest "SHA256:0123/],
    [
      "a tag that is not a release tag",
      ["--repository", REPOSITORY, "--tag", "latest"],
      /--tag "latest" must start with release-/,
    ],
    ["no --repository", ["--tag", "release-1"], /--repository is required/],
    [
      "a repository with a tag",
      ["--repository", `${REPOSITORY}:latest`],
      /--repository ".*:latest" is not a repository URL/,
    ],
    [
      "several platforms",
      ["--repository", REPOSITORY, "--platform", "linux/arm64,linux/amd64"],
      /--platform "linux\/arm64,linux\/amd64" must be exactly one platform/,
    ],
    ["an unknown flag", ["--repository", REPOSITORY, "--push"], /Unknown option '--push'/],
    [
      "a digest with no release in git and no --tag",
      ["--digest", OLD_DIGEST],
      /--digest sha256:fedc\S+ appears in no earlier out\/deploy\/core\/image\.auto\.tfvars\.json in git; pass --tag/,
    ],
  ])("exits 2 naming the problem and writes nothing for %s", (_, args, message) => {
    const run = release(args);
    expect(run.stderr).toMatch(message);
    expect(run.status).toBe(2);
    expect(written()).toEqual([]);
    expect(run.docker.filter((call) => call[1] === "build")).toEqual([]);
  });

  it("exits 1 and writes nothing when docker is not installed", () => {
    const run = release(["--repository", REPOSITORY, "--tag", "release-1"], { PATH: emptyBin });
    expect(run.stderr).toMatch(/cannot run docker \(.*ENOENT.*\): install Docker with the buildx plugin/);
    expect(run.status).toBe(1);
    expect(written()).toEqual([]);
  });

  it("exits 1 and writes nothing when docker has no buildx plugin", () => {
    const run = release(["--repository", REPOSITORY, "--tag", "release-1"], { DOCKER_STUB_NO_BUILDX: "1" });
    expect(run.stderr).toContain(
      "docker buildx is not available (docker buildx version: docker: 'buildx' is not a docker command.)",
    );
    expect(run.status).toBe(1);
    expect(run.docker).toEqual([["buildx", "version"]]);
    expect(written()).toEqual([]);
  });

  it("exits 1 with the end of docker's error output and writes nothing when the build or push fails", () => {
    const run = release(["--repository", REPOSITORY, "--tag", "release-1"], { DOCKER_STUB_FAIL: "1" });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /release failed: docker buildx build failed \(exit 1\); nothing was written:\n#12 exporting to image\n#12 ERROR: .*repository is immutable/,
    );
    expect(written()).toEqual([]);
  });

  it("exits 1 and writes nothing when buildx reports something that is not a digest", () => {
    const run = release(["--repository", REPOSITORY, "--tag", "release-1"], {
      DOCKER_STUB_DIGEST: "sha256:not-a-digest",
    });
    expect(run.stderr).toContain('reported containerimage.digest "sha256:not-a-digest", not a sha256 digest');
    expect(run.status).toBe(1);
    expect(written()).toEqual([]);
  });

  it("with --dry-run prints the build command and writes nothing", () => {
    const run = release(["--repository", REPOSITORY, "--tag", "release-1", "--dry-run"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      `would run docker buildx build --platform linux/arm64 --provenance=false --sbom=false --push --metadata-file <tmp>/metadata.json -t ${REPOSITORY}:release-1 .`,
    );
    expect(run.docker).toEqual([]);
    expect(written()).toEqual([]);

    const rollback = release(["--digest", OLD_DIGEST, "--tag", "release-1", "--dry-run"]);
    expect(rollback.status).toBe(0);
    expect(rollback.stdout).toContain(`"image_digest": "${OLD_DIGEST}"`);
    expect(written()).toEqual([]);
  });

  it("refuses to write when the deploy directory is missing, so a wrong checkout is noticed", () => {
    removeDir(join(repo, DEPLOY_DIR, "core"));
    const run = release(["--digest", OLD_DIGEST, "--tag", "release-1"]);
    expect(run.stderr).toContain("out/deploy/core/ does not exist");
    expect(run.status).toBe(2);
    expect(readdirSync(join(repo, DEPLOY_DIR, "fargate"))).toEqual([]);
  });
});

describe("the image release file", () => {
  const release: ImageRelease = {
    image_digest: DIGEST,
    image_tag: "release-20260101000000-abc1234",
    released_at: "2026-01-01T12:00:00Z",
  };

  it("round-trips through a stable, pretty-printed form with a trailing newline", () => {
    const text = formatImageRelease(release);
    expect(text).toBe(
      `{\n  "image_digest": "${DIGEST}",\n  "image_tag": "release-20260101000000-abc1234",\n  "released_at": "2026-01-01T12:00:00Z"\n}\n`,
    );
    expect(parseImageRelease(text)).toEqual(release);
  });

  it.each([
    ["image_digest", { ...release, image_digest: "sha256:abc" }, /image_digest = "sha256:abc": must be sha256:/],
    ["image_tag", { ...release, image_tag: "latest" }, /image_tag = "latest": must be release-/],
    [
      "released_at",
      { ...release, released_at: "yesterday" },
      /released_at = "yesterday": must be an ISO-8601 UTC time/,
    ],
    ["an unknown key", { ...release, image: "x" }, /Unrecognized key/],
  ])("names the file, the field and the value when %s is wrong", (_, value, message) => {
    let error: unknown;
    try {
      parseImageRelease(JSON.stringify(value), "deploy/core/image.auto.tfvars.json");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ImageReleaseError);
    expect((error as Error).name).toBe("ImageReleaseError");
    expect((error as Error).message).toMatch(/^deploy\/core\/image\.auto\.tfvars\.json is invalid: /);
    expect((error as Error).message).toMatch(message);
  });

  it("rejects text that is not JSON", () => {
    expect(() => parseImageRelease("{", "f.json")).toThrow(/^f\.json is not valid JSON/);
  });

  it("puts the file in the core stack's directory under deployDir, and knows where earlier versions also wrote it", () => {
    expect(imageReleasePaths("deploy")).toEqual({ core: "deploy/core/image.auto.tfvars.json" });
    expect(retiredImageReleasePath("deploy")).toBe("deploy/fargate/image.auto.tfvars.json");
  });
});
