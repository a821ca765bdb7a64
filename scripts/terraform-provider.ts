/**
 * Where `terraform init` gets the AWS provider the stacks pin: a local mirror
 * when there is one (LAMBDAFLEX_TF_PLUGIN_DIR, or one of the places a mirror
 * usually lives), otherwise the public registry, otherwise nowhere, with one
 * message naming both ways out. The tests' terraform helper runs this; the
 * choice itself (`chooseProviderSource`) is pure so it can be tested on its own.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** There is no copy of the provider to init from; the message names the ways out. */
export class ProviderUnavailableError extends Error {
  override readonly name = "ProviderUnavailableError";
}

/** A provider and the exact version the synthesized stacks require. */
export interface ProviderRequirement {
  /** e.g. hashicorp/aws */
  readonly source: string;
  /** e.g. 5.100.0 */
  readonly version: string;
}

/** Terraform's name for a platform: linux_amd64, darwin_arm64, windows_amd64, ... */
export function terraformPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === "win32" ? "windows" : platform;
  const cpu = ({ x64: "amd64", ia32: "386", arm: "arm" } as Record<string, string>)[arch] ?? arch;
  return `${os}_${cpu}`;
}

/**
 * Whether `dir` is a provider mirror holding `provider` for `platform`, in
 * either layout `terraform init -plugin-dir` reads: unpacked
 * (`registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/`) or packed, as
 * `terraform providers mirror` writes it
 * (`registry.terraform.io/hashicorp/aws/terraform-provider-aws_5.100.0_linux_amd64.zip`).
 */
export function holdsProvider(
  dir: string,
  provider: ProviderRequirement,
  platform: string,
  exists: (path: string) => boolean = existsSync,
): boolean {
  const [namespace, type] = provider.source.split("/") as [string, string];
  const base = join(dir, "registry.terraform.io", namespace, type);
  return (
    exists(join(base, provider.version, platform)) ||
    exists(join(base, `terraform-provider-${type}_${provider.version}_${platform}.zip`))
  );
}

/** Where the registry fallback keeps the provider it downloads, so the next run finds it as a mirror. */
export function downloadCacheDir(
  provider: ProviderRequirement,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  return join(
    env.XDG_CACHE_HOME || join(home, ".cache"),
    "lambdaflex",
    "terraform-providers",
    `${provider.source.replace("/", "-")}-${provider.version}`,
  );
}

/**
 * Directories searched for a mirror when LAMBDAFLEX_TF_PLUGIN_DIR is unset:
 * this project's CI image, Terraform's own implied local mirrors (its CLI
 * configuration docs, "Implied Local Mirror Directories"), a plugin cache,
 * and the registry fallback's download cache.
 */
export function likelyMirrorDirs(
  provider: ProviderRequirement,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string[] {
  const dataHome = env.XDG_DATA_HOME || join(home, ".local", "share");
  const dataDirs = (env.XDG_DATA_DIRS || "/usr/local/share:/usr/share").split(":").filter(Boolean);
  return [
    "/opt/tf-plugins",
    join(home, ".terraform.d", "plugins"),
    join(dataHome, "terraform", "plugins"),
    ...dataDirs.map((d) => join(d, "terraform", "plugins")),
    ...(env.TF_PLUGIN_CACHE_DIR ? [env.TF_PLUGIN_CACHE_DIR] : []),
    downloadCacheDir(provider, env, home),
  ];
}

/** What a registry probe found. */
export interface RegistryProbe {
  readonly reachable: boolean;
  /** What happened, for the message: "HTTP 200", "ENOTFOUND", "no answer within 3 s", ... */
  readonly detail: string;
}

/** Where `terraform init` installs the provider from. */
export type ProviderSource =
  | { readonly kind: "mirror"; readonly dir: string; readonly why: string }
  | { readonly kind: "registry"; readonly cacheDir: string; readonly why: string }
  | { readonly kind: "unavailable"; readonly message: string };

export interface ProviderChoiceInput {
  readonly provider: ProviderRequirement;
  readonly platform: string;
  readonly env: NodeJS.ProcessEnv;
  /** Candidate mirrors, in order, used when LAMBDAFLEX_TF_PLUGIN_DIR is unset. */
  readonly searched: readonly string[];
  /** Whether a directory holds the provider (injected so the choice can be tested without files). */
  readonly holds: (dir: string) => boolean;
  /** Asked only when no mirror holds the provider. */
  readonly probeRegistry: () => RegistryProbe;
  readonly cacheDir: string;
}

const mirrorHowTo = (provider: ProviderRequirement, platform: string) =>
  `on a machine with access, \`terraform -chdir=deploy/core providers mirror -platform=${platform} DIR\` downloads ${provider.source} ${provider.version} into DIR; copy DIR here and set LAMBDAFLEX_TF_PLUGIN_DIR=DIR`;

/**
 * Picks the provider source: LAMBDAFLEX_TF_PLUGIN_DIR when set (and an error
 * when it does not hold the provider: a mistyped path should not silently
 * fall back to the network), else the first searched mirror that holds it,
 * else the registry when the probe reaches it, else "unavailable" with one
 * message naming both ways out.
 */
export function chooseProviderSource(input: ProviderChoiceInput): ProviderSource {
  const { provider, platform, env } = input;
  const wanted = `${provider.source} ${provider.version} (${platform})`;
  const configured = env.LAMBDAFLEX_TF_PLUGIN_DIR;
  if (configured) {
    if (input.holds(configured)) return { kind: "mirror", dir: configured, why: "LAMBDAFLEX_TF_PLUGIN_DIR" };
    return {
      kind: "unavailable",
      message:
        `LAMBDAFLEX_TF_PLUGIN_DIR=${configured} does not hold ${wanted}: ` +
        `expected registry.terraform.io/${provider.source}/${provider.version}/${platform}/ or registry.terraform.io/${provider.source}/terraform-provider-${provider.source.split("/")[1]}_${provider.version}_${platform}.zip under it. ` +
        `Point it at a mirror that does (${mirrorHowTo(provider, platform)}), or unset it to let the tests download the provider from registry.terraform.io.`,
    };
  }
  const found = input.searched.find((dir) => input.holds(dir));
  if (found) return { kind: "mirror", dir: found, why: "found; LAMBDAFLEX_TF_PLUGIN_DIR is unset" };
  const probe = input.probeRegistry();
  if (probe.reachable) {
    return {
      kind: "registry",
      cacheDir: input.cacheDir,
      why: `no local mirror, and registry.terraform.io answers (${probe.detail})`,
    };
  }
  return {
    kind: "unavailable",
    message:
      `terraform tests need ${wanted}, and there is no local mirror of it (searched ${input.searched.join(", ")}) and registry.terraform.io cannot be reached (${probe.detail}). Either:\n` +
      `  - set LAMBDAFLEX_TF_PLUGIN_DIR to a provider mirror: ${mirrorHowTo(provider, platform)}; or\n` +
      `  - allow HTTPS to registry.terraform.io and releases.hashicorp.com: the tests then download the provider once into ${input.cacheDir}.`,
  };
}

/** The AWS provider every stack pins: the version @cdktf/provider-aws was generated from. */
export function awsProviderRequirement(): ProviderRequirement {
  const { name, version } = require("@cdktf/provider-aws/package.json").cdktf.provider as {
    name: string;
    version: string;
  };
  return { source: name.replace(/^registry\.terraform\.io\//, ""), version };
}

/**
 * `chooseProviderSource` on this machine: LAMBDAFLEX_TF_PLUGIN_DIR, the likely
 * mirror directories, the registry probe and the download cache. The tests'
 * terraform helper and `npm test`'s preflight (scripts/preflight.ts) both ask this.
 */
export function providerSourceHere(
  provider: ProviderRequirement,
  env: NodeJS.ProcessEnv = process.env,
  platform: string = terraformPlatform(),
): ProviderSource {
  return chooseProviderSource({
    provider,
    platform,
    env,
    searched: likelyMirrorDirs(provider, env),
    holds: (dir) => holdsProvider(dir, provider, platform),
    probeRegistry: () => probeRegistry(registryDownloadUrl(provider, platform), 3000, env),
    cacheDir: downloadCacheDir(provider, env),
  });
}

/** The registry's download endpoint for one provider build: 200 with a JSON body naming the archive when it exists. */
export const registryDownloadUrl = (provider: ProviderRequirement, platform: string): string =>
  `https://registry.terraform.io/v1/providers/${provider.source}/${provider.version}/download/${platform.replace("_", "/")}`;

// Runs in a child node process so the probe can be synchronous (the helper's
// init is) and is bounded twice: by fetch's abort signal and by spawnSync's timeout.
const PROBE_SCRIPT = `
const [url, ms] = process.argv.slice(1);
fetch(url, { signal: AbortSignal.timeout(Number(ms)) })
  .then((r) => process.stdout.write(r.ok ? "ok HTTP " + r.status : "no HTTP " + r.status))
  .catch((e) => process.stdout.write("no " + (e.name === "TimeoutError" ? "no answer within " + Number(ms) / 1000 + " s" : (e.cause && (e.cause.code || e.cause.message)) || e.message)));
`;

/**
 * Asks `url` (the registry's download endpoint) once, giving up after
 * `timeoutMs`. Behind an HTTPS proxy it does not ask: Node's fetch ignores
 * HTTPS_PROXY and terraform honours it, so the registry is assumed reachable.
 */
export function probeRegistry(url: string, timeoutMs = 3000, env: NodeJS.ProcessEnv = process.env): RegistryProbe {
  const proxy = env.HTTPS_PROXY || env.https_proxy;
  if (proxy) return { reachable: true, detail: `assumed through the proxy ${proxy}` };
  const run = spawnSync(process.execPath, ["-e", PROBE_SCRIPT, url, String(timeoutMs)], {
    encoding: "utf8",
    timeout: timeoutMs + 2000,
  });
  if (run.error || run.status !== 0)
    return { reachable: false, detail: `probe failed: ${run.error?.message ?? run.stderr.trim().split("\n")[0]}` };
  const [verdict, ...rest] = run.stdout.trim().split(" ");
  return { reachable: verdict === "ok", detail: rest.join(" ") || "no answer" };
}

/** Runs terraform with arguments in a directory (the tests' helper, with its CLI configuration). */
export type RunTerraform = (args: string[], cwd: string) => { readonly status: number; readonly output: string };

/** Sleeps without a timer (init is synchronous). */
const sleepMs = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Downloads `provider` once from the registry with `terraform providers mirror`
 * into `cacheDir`, which is then a mirror: later runs find it (it is one of
 * `likelyMirrorDirs`) and need no network. A lock directory keeps two test
 * workers from downloading it twice; the mirror appears whole, by rename.
 */
export function downloadProvider(
  provider: ProviderRequirement,
  platform: string,
  cacheDir: string,
  terraform: RunTerraform,
): void {
  const lock = `${cacheDir}.lock`;
  mkdirSync(dirname(cacheDir), { recursive: true });
  for (const started = Date.now(); ; sleepMs(1000)) {
    if (holdsProvider(cacheDir, provider, platform)) return;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker is downloading; take over a lock left by a run that died (older than 15 minutes).
      const lockedAt = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - lockedAt > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() - started > 20 * 60_000)
        throw new ProviderUnavailableError(
          `waited 20 minutes for another test worker to download ${provider.source} into ${cacheDir}; remove ${lock} if no test run is active`,
        );
    }
  }
  const partial = `${cacheDir}.partial-${process.pid}`;
  const config = mkdtempSync(join(tmpdir(), "lambdaflex-provider-"));
  try {
    const [, type] = provider.source.split("/");
    writeFileSync(
      join(config, "main.tf"),
      `terraform {\n  required_providers {\n    ${type} = { source = "${provider.source}", version = "${provider.version}" }\n  }\n}\n`,
    );
    const result = terraform(["providers", "mirror", `-platform=${platform}`, partial], config);
    if (result.status !== 0) {
      throw new ProviderUnavailableError(
        `could not download ${provider.source} ${provider.version} from registry.terraform.io (terraform providers mirror):\n${result.output.trim()}\n` +
          `Either allow HTTPS to registry.terraform.io and releases.hashicorp.com, or set LAMBDAFLEX_TF_PLUGIN_DIR to a provider mirror: ${mirrorHowTo(provider, platform)}.`,
      );
    }
    rmSync(cacheDir, { recursive: true, force: true }); // an incomplete earlier download, if any
    renameSync(partial, cacheDir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
    rmSync(config, { recursive: true, force: true });
    rmSync(lock, { recursive: true, force: true });
  }
}
