import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { checkTools, missingMessage, type Machine, type Missing } from "../../scripts/preflight";
import type { ProviderSource } from "../../scripts/terraform-provider";
import { ROOT } from "../helpers/processes";

const AWS = { source: "hashicorp/aws", version: "5.100.0" };
const TOOLS = ["git", "terraform", "chromium", "shellcheck", "python3"];

/** A machine with `present` on PATH, terraform `version`, the provider as `provider` says and moto as `moto` says. */
function machine(
  o: {
    present?: string[];
    version?: string;
    provider?: ProviderSource;
    ricBuilt?: boolean;
    moto?: { status: number; stdout?: string; stderr?: string };
    env?: Record<string, string>;
  } = {},
): Machine {
  const present = new Set(o.present ?? TOOLS);
  return {
    env: o.env ?? {},
    which: (c) => (present.has(c) ? `/usr/bin/${c}` : undefined),
    run: (command) =>
      command === "terraform"
        ? { status: 0, stdout: JSON.stringify({ terraform_version: o.version ?? "1.11.4" }), stderr: "" }
        : { status: o.moto?.status ?? 0, stdout: o.moto?.stdout ?? "5.2.1\n", stderr: o.moto?.stderr ?? "" },
    exists: (path) => (path.endsWith("rapid-client.node") ? (o.ricBuilt ?? true) : false),
    providerSource: () => o.provider ?? { kind: "mirror", dir: "/opt/tf-plugins", why: "found" },
  };
}
const missingOf = (suite: "test" | "cloud", m: Machine): Missing[] =>
  checkTools(suite, m, AWS).flatMap((f) => ("missing" in f ? [f.missing] : []));

describe("scripts/preflight.ts checks", () => {
  it("finds nothing missing on a machine with every tool", () => {
    expect(missingOf("test", machine())).toEqual([]);
    expect(missingOf("cloud", machine())).toEqual([]);
  });

  it.each([
    ["chromium", "apt-get install chromium"],
    ["shellcheck", "apt-get install shellcheck"],
    ["git", "apt-get install git"],
  ])("names %s and the command that installs it", (tool, install) => {
    const missing = missingOf("test", machine({ present: TOOLS.filter((t) => t !== tool) }));
    expect(missing).toEqual([expect.objectContaining({ tool, install })]);
    expect(missingMessage("test", missing)).toContain(`install: ${install}`);
  });

  it("names terraform with HashiCorp's apt repository, and a terraform too old for mock providers", () => {
    const [absent] = missingOf("test", machine({ present: TOOLS.filter((t) => t !== "terraform") }));
    expect(absent).toMatchObject({ tool: "terraform", install: expect.stringContaining("apt-get install terraform") });
    expect(missingOf("test", machine({ version: "1.6.6" }))).toEqual([
      expect.objectContaining({ tool: "terraform", detail: "found Terraform 1.6.6, need 1.7 or later" }),
    ]);
  });

  it("names the AWS provider with the provider choice's own message when there is no mirror and no registry", () => {
    const message = "terraform tests need hashicorp/aws 5.100.0 (linux_amd64), and there is no local mirror of it ...";
    const missing = missingOf("test", machine({ provider: { kind: "unavailable", message } }));
    expect(missing).toEqual([
      expect.objectContaining({ tool: "the terraform provider hashicorp/aws 5.100.0", detail: message }),
    ]);
    // A registry that answers is enough: the tests download the provider once.
    expect(missingOf("test", machine({ provider: { kind: "registry", cacheDir: "/c", why: "answers" } }))).toEqual([]);
  });

  it("names the runtime client's native part when npm ci could not build it, with the toolchain and the rebuild", () => {
    expect(missingOf("test", machine({ ricBuilt: false }))).toEqual([
      expect.objectContaining({
        tool: "aws-lambda-ric's native client",
        install: "apt-get install cmake make g++ python3 && npm rebuild aws-lambda-ric",
      }),
    ]);
  });

  it("names python3 and moto for the cloud test only", () => {
    const noMoto = machine({
      moto: { status: 1, stderr: "Traceback ...\nModuleNotFoundError: No module named 'moto'\n" },
    });
    expect(missingOf("test", noMoto)).toEqual([]);
    expect(missingOf("cloud", noMoto)).toEqual([
      expect.objectContaining({
        tool: "moto 5.2.1 with Flask for python3",
        detail: "ModuleNotFoundError: No module named 'moto'",
        install: expect.stringMatching(/^python3 -m pip install "moto\[server\]==5\.2\.1"/),
      }),
    ]);
    expect(missingOf("cloud", machine({ present: ["git", "terraform"] }))).toEqual([
      expect.objectContaining({
        tool: "python3",
        install: expect.stringContaining("apt-get install python3 python3-pip"),
      }),
    ]);
    expect(missingOf("cloud", machine({ env: { LAMBDAFLEX_PYTHON: "/opt/py/bin/python" } }))).toEqual([
      expect.objectContaining({ tool: "LAMBDAFLEX_PYTHON=/opt/py/bin/python", detail: "no such interpreter" }),
    ]);
  });

  it("lists everything missing in one message, with one apt-get line for the Debian packages", () => {
    const missing = missingOf("test", machine({ present: ["terraform"], ricBuilt: false }));
    expect(missing.map((m) => m.tool)).toEqual(["git", "chromium", "shellcheck", "aws-lambda-ric's native client"]);
    const message = missingMessage("test", missing);
    expect(message.split("\n")[0]).toBe(
      "npm test stopped before any test: 4 tools it needs are missing on this machine (scripts/preflight.ts).",
    );
    expect(message).toContain(
      "All the Debian packages at once (as root): apt-get update && apt-get install -y git chromium shellcheck cmake make g++ python3",
    );
  });
});

describe("npm test and npm run test:cloud on a machine without a tool", () => {
  const work = mkdtempSync(join(tmpdir(), "lambdaflex-preflight-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** A PATH holding every executable of this one except `without`: the same machine, less one tool. */
  function pathWithout(without: string): string {
    const bin = join(work, `bin-without-${without}`);
    mkdirSync(bin);
    const seen = new Set<string>([without]);
    for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (seen.has(name)) continue;
        try {
          if (!statSync(join(dir, name)).isFile()) continue;
        } catch {
          continue;
        }
        seen.add(name);
        symlinkSync(join(dir, name), join(bin, name));
      }
    }
    return bin;
  }

  /** Runs an npm script in the repository; stops it (and fails) should it get past the preflight. */
  function npmRun(script: string, env: Record<string, string>): Promise<{ code: number | string; output: string }> {
    // Without the outer npm's variables, as a person's shell has none.
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    const child = spawn("npm", ["run", script], {
      cwd: ROOT,
      env: { ...clean, ...env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const guard = (chunk: Buffer) => {
      output += chunk.toString();
      // The step after the preflight started: the preflight let it through. Stop before the suite runs.
      if (/> \S+ (typecheck|build)\b/.test(output)) process.kill(-child.pid!, "SIGKILL");
    };
    child.stdout!.on("data", guard);
    child.stderr!.on("data", guard);
    const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 60_000);
    return new Promise((resolve) =>
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? signal ?? -1, output });
      }),
    );
  }

  it("npm test stops in its preflight naming chromium and its install command, and runs no test", async () => {
    const { code, output } = await npmRun("test", { PATH: pathWithout("chromium") });
    expect(code).toBe(1);
    // One message (chromium is the one tool taken away; a machine lacking others lists them too).
    expect(output.match(/stopped before any test/g)).toHaveLength(1);
    expect(output).toMatch(
      /npm test stopped before any test: (a tool it needs is|\d+ tools it needs are) missing on this machine \(scripts\/preflight\.ts\)\./,
    );
    expect(output).toMatch(
      /- chromium, for the simulator report's browser test.*\n\s+install: apt-get install chromium\n/,
    );
    // Nothing after the preflight ran: no type check, no build, no jest.
    expect(output).not.toMatch(/> \S+ (typecheck|build)\b/);
    expect(output).not.toMatch(/Test Suites:|PASS |FAIL /);
  }, 90_000);

  it("npm run test:cloud stops in the same preflight naming moto, and runs no test", async () => {
    // An interpreter without moto, as python3 is on a fresh machine.
    const python = join(work, "python-without-moto");
    writeFileSync(python, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'moto'\" >&2\nexit 1\n");
    chmodSync(python, 0o755);
    const { code, output } = await npmRun("test:cloud", { LAMBDAFLEX_PYTHON: python });
    expect(code).toBe(1);
    expect(output).toContain(`- moto 5.2.1 with Flask for ${python}, for the cloud test's AWS API emulator`);
    expect(output).toContain(`install: ${python} -m pip install "moto[server]==5.2.1"`);
    expect(output).not.toMatch(/> \S+ (typecheck|build)\b/);
    expect(output).not.toMatch(/Test Suites:|PASS |FAIL /);
  }, 90_000);
});
