/**
 * The first step of `npm test` and `npm run test:cloud`: checks that every
 * system tool the suite runs is on this machine, and stops before any test
 * with one message naming each missing tool, what needs it and the exact
 * command that installs it. No test then fails halfway for a missing tool.
 *
 *   tsx scripts/preflight.ts            # what `npm test` needs
 *   tsx scripts/preflight.ts --cloud    # what `npm run test:cloud` needs
 *
 * Exit 0 with one line naming what was found, or 1 with the message.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { MOTO_VERSION } from "../cloud-test/emulator";
import {
  awsProviderRequirement,
  providerSourceHere,
  type ProviderRequirement,
  type ProviderSource,
} from "./terraform-provider";

const ROOT = join(__dirname, "..");

export type Suite = "test" | "cloud";

/** What the checks may ask of the machine (injected so the checks can be tested without changing it). */
export interface Machine {
  readonly env: NodeJS.ProcessEnv;
  /** The executable `command` resolves to on PATH, or undefined. */
  which(command: string): string | undefined;
  /** Runs a command to read its version; `error` when it could not start. */
  run(
    command: string,
    args: string[],
  ): { readonly status: number | null; readonly stdout: string; readonly stderr: string; readonly error?: Error };
  exists(path: string): boolean;
  /** Where `terraform init` would get the AWS provider (scripts/terraform-provider.ts). */
  providerSource(provider: ProviderRequirement): ProviderSource;
}

/** A tool the suite needs and does not find. */
export interface Missing {
  readonly tool: string;
  /** Which tests need it. */
  readonly neededBy: string;
  /** What was found instead, when there is something to say. */
  readonly detail?: string;
  /** The exact command that installs it. */
  readonly install: string;
  /** Debian packages that install it, for one combined apt-get line. */
  readonly debian?: readonly string[];
}

/** What a check found: a name for the summary line, or what is missing. */
type Found = { readonly ok: string } | { readonly missing: Missing };

const TERRAFORM_INSTALL =
  "wget -O- https://apt.releases.hashicorp.com/gpg | gpg --dearmor -o /usr/share/keyrings/hashicorp-archive-keyring.gpg && " +
  'echo "deb [signed-by=/usr/share/keyrings/hashicorp-archive-keyring.gpg] https://apt.releases.hashicorp.com $(lsb_release -cs) main" > /etc/apt/sources.list.d/hashicorp.list && ' +
  "apt-get update && apt-get install terraform (Terraform 1.7 or later; CI runs 1.11)";

/** `terraform test` with mock_provider and override_resource, which the stack tests use, came in Terraform 1.7. */
const TERRAFORM_MIN: readonly [number, number] = [1, 7];

function onPath(machine: Machine, command: string, debian: string, neededBy: string): Found {
  const path = machine.which(command);
  return path
    ? { ok: command }
    : { missing: { tool: command, neededBy, install: `apt-get install ${debian}`, debian: [debian] } };
}

function git(machine: Machine): Found {
  return onPath(
    machine,
    "git",
    "git",
    "the scaler's git tests (a real git http-backend) and the GitOps end-to-end test",
  );
}

/** terraform at a version with `terraform test` mocks, and the AWS provider the stacks pin. */
function terraform(machine: Machine, provider: ProviderRequirement): Found[] {
  const neededBy = "the stack, HCL and GitOps tests (terraform init, validate and test)";
  if (!machine.which("terraform")) return [{ missing: { tool: "terraform", neededBy, install: TERRAFORM_INSTALL } }];
  const out = machine.run("terraform", ["version", "-json"]);
  let version = "";
  try {
    version = (JSON.parse(out.stdout) as { terraform_version?: string }).terraform_version ?? "";
  } catch {
    version = /Terraform v(\d+\.\d+\.\d+)/.exec(out.stdout)?.[1] ?? "";
  }
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const found: Found[] = [];
  if (major < TERRAFORM_MIN[0] || (major === TERRAFORM_MIN[0] && minor < TERRAFORM_MIN[1])) {
    found.push({
      missing: {
        tool: "terraform",
        neededBy,
        detail: `found ${version ? `Terraform ${version}` : `a terraform that does not say its version (${(out.error?.message ?? out.stderr).trim().split("\n")[0]})`}, need ${TERRAFORM_MIN.join(".")} or later`,
        install: TERRAFORM_INSTALL,
      },
    });
  } else {
    found.push({ ok: `terraform ${version}` });
  }
  const source = machine.providerSource(provider);
  const name = `${provider.source} ${provider.version}`;
  if (source.kind === "unavailable") {
    // The choice's own message names both ways out (a mirror, or the registry).
    found.push({
      missing: {
        tool: `the terraform provider ${name}`,
        neededBy,
        detail: source.message,
        install:
          'a mirror in LAMBDAFLEX_TF_PLUGIN_DIR, or HTTPS to registry.terraform.io, as said above (README: "The AWS provider for the terraform tests")',
      },
    });
  } else {
    found.push({
      ok:
        source.kind === "mirror"
          ? `${name} (mirror ${source.dir})`
          : `${name} (from registry.terraform.io into ${source.cacheDir})`,
    });
  }
  return found;
}

/**
 * The runtime client's native part. aws-lambda-ric builds it while `npm ci`
 * installs (cmake, make and g++ compile its curl and aws-lambda-cpp; node-gyp
 * needs python3); the tests only load it. Missing when `npm ci` ran without
 * that toolchain or with --ignore-scripts.
 */
function lambdaRuntimeClient(machine: Machine): Found {
  const binary = join(ROOT, "node_modules", "aws-lambda-ric", "rapid-client.node");
  if (machine.exists(binary)) return { ok: "aws-lambda-ric (built)" };
  return {
    missing: {
      tool: "aws-lambda-ric's native client",
      neededBy: "the image tests in Lambda mode (entrypoint.sh runs the real runtime client)",
      detail: `${binary} was not built: npm ci ran without cmake, make and g++, or with --ignore-scripts`,
      install: "apt-get install cmake make g++ python3 && npm rebuild aws-lambda-ric",
      debian: ["cmake", "make", "g++", "python3"],
    },
  };
}

/** python3 (or LAMBDAFLEX_PYTHON) with moto's server and Flask, as cloud-test/emulator.ts starts them. */
function moto(machine: Machine): Found {
  const configured = machine.env.LAMBDAFLEX_PYTHON;
  const python = configured || "python3";
  const neededBy = "the cloud test's AWS API emulator (cloud-test/emulator.ts)";
  // Debian's own python3 refuses `pip install` outside a virtual environment (PEP 668).
  const pip = `${python} -m pip install "moto[server]==${MOTO_VERSION}" (for Debian's own python3, in a virtual environment: apt-get install python3-venv && python3 -m venv ~/.venvs/moto && ~/.venvs/moto/bin/pip install "moto[server]==${MOTO_VERSION}", then LAMBDAFLEX_PYTHON=~/.venvs/moto/bin/python)`;
  if (!(isAbsolute(python) ? machine.exists(python) : machine.which(python))) {
    return configured
      ? {
          missing: {
            tool: `LAMBDAFLEX_PYTHON=${configured}`,
            neededBy,
            detail: "no such interpreter",
            install: `point LAMBDAFLEX_PYTHON at a python3 with moto ${MOTO_VERSION}, or unset it to use python3 on PATH`,
          },
        }
      : {
          missing: {
            tool: "python3",
            neededBy,
            install: `apt-get install python3 python3-pip, then ${pip}`,
            debian: ["python3", "python3-pip"],
          },
        };
  }
  const probe = machine.run(python, [
    "-c",
    "import importlib.metadata as m, flask, moto.server; print(m.version('moto'))",
  ]);
  if (probe.status !== 0) {
    const why = (probe.error?.message ?? probe.stderr).trim().split("\n").pop();
    return {
      missing: {
        tool: `moto ${MOTO_VERSION} with Flask for ${python}`,
        neededBy,
        ...(why ? { detail: why } : {}),
        install: pip,
      },
    };
  }
  const version = probe.stdout.trim();
  return {
    ok:
      version === MOTO_VERSION
        ? `moto ${version}`
        : `moto ${version} (the emulator's patches were written for ${MOTO_VERSION})`,
  };
}

/** Every check of a suite, in the order the message lists them. */
export function checkTools(
  suite: Suite,
  machine: Machine,
  provider: ProviderRequirement = awsProviderRequirement(),
): Found[] {
  if (suite === "cloud") return [git(machine), ...terraform(machine, provider), moto(machine)];
  return [
    git(machine),
    ...terraform(machine, provider),
    onPath(machine, "chromium", "chromium", "the simulator report's browser test (sim/report, headless Chromium)"),
    onPath(machine, "shellcheck", "shellcheck", "the entrypoint.sh lint (image/shellcheck)"),
    lambdaRuntimeClient(machine),
  ];
}

const COMMAND: Record<Suite, string> = { test: "npm test", cloud: "npm run test:cloud" };

/** The one message for what is missing: each tool, who needs it and its install command; then one apt-get line. */
export function missingMessage(suite: Suite, missing: readonly Missing[]): string {
  const lines = [
    `${COMMAND[suite]} stopped before any test: ${missing.length === 1 ? "a tool it needs is" : `${missing.length} tools it needs are`} missing on this machine (scripts/preflight.ts).`,
  ];
  for (const m of missing) {
    lines.push(
      `  - ${m.tool}, for ${m.neededBy}${m.detail ? `:\n      ${m.detail.split("\n").join("\n      ")}` : ""}`,
    );
    lines.push(`      install: ${m.install}`);
  }
  const debian = [...new Set(missing.flatMap((m) => m.debian ?? []))];
  if (debian.length > 1)
    lines.push(`All the Debian packages at once (as root): apt-get update && apt-get install -y ${debian.join(" ")}`);
  return lines.join("\n");
}

/** The real machine: PATH lookup, spawnSync, the file system and the provider choice. */
export function thisMachine(env: NodeJS.ProcessEnv = process.env): Machine {
  return {
    env,
    which(command) {
      for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
        const path = join(dir, command);
        try {
          accessSync(path, constants.X_OK);
          return path;
        } catch {
          /* not here */
        }
      }
      return undefined;
    },
    run(command, args) {
      const r = spawnSync(command, args, {
        encoding: "utf8",
        env: { ...env, CHECKPOINT_DISABLE: "1" },
        timeout: 30_000,
      });
      return {
        status: r.status,
        stdout: r.stdout ?? "",
        stderr: r.stderr ?? "",
        ...(r.error ? { error: r.error } : {}),
      };
    },
    exists: existsSync,
    providerSource: (provider) => providerSourceHere(provider, env),
  };
}

export function main(argv: string[] = process.argv.slice(2), machine: Machine = thisMachine()): number {
  const unknown = argv.filter((a) => a !== "--cloud");
  if (unknown.length) {
    process.stderr.write(`preflight: unknown argument ${unknown[0]}; usage: tsx scripts/preflight.ts [--cloud]\n`);
    return 2;
  }
  const suite: Suite = argv.includes("--cloud") ? "cloud" : "test";
  const found = checkTools(suite, machine);
  const missing = found.flatMap((f) => ("missing" in f ? [f.missing] : []));
  if (missing.length) {
    process.stderr.write(`${missingMessage(suite, missing)}\n`);
    return 1;
  }
  process.stdout.write(`preflight: ${found.map((f) => ("ok" in f ? f.ok : "")).join(", ")}\n`);
  return 0;
}

if (require.main === module) process.exit(main());
