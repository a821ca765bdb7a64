import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One AWS API call as the emulator recorded it (emulator/launcher.py). */
export interface RecordedCall {
  readonly seq: number;
  /** The SigV4 signing name: ec2, elasticloadbalancing, monitoring, ... */
  readonly service: string;
  /** The botocore operation name, e.g. CreateLoadBalancer. */
  readonly operation: string;
  /** The request parsed against botocore's input shape. */
  readonly params: Record<string, unknown>;
  /** The access key id that signed it: which identity made the call (identities.ts). */
  readonly accessKey: string;
  readonly region: string;
  readonly status: number;
  readonly error?: string;
  readonly message?: string;
  /** Tags of the resources the call names, by ARN, as they stood before it (EC2 networking, ACM certificates). */
  readonly resourceTags?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Route table associations the call names: the route table and subnet (or gateway) behind each. */
  readonly associations?: Readonly<Record<string, { readonly routeTable: string; readonly target?: string }>>;
}

/** The emulator is missing a part it needs; says how to get it. */
export class EmulatorUnavailableError extends Error {
  override readonly name = "EmulatorUnavailableError";
}

/** moto 5.2.1 is what the gaps in emulator/gaps.py were written against. */
export const MOTO_VERSION = "5.2.1";

/** Fails with one clear message when python3, moto or Flask is missing: never a silent skip. */
export function checkEmulatorAvailable(python = process.env.LAMBDAFLEX_PYTHON || "python3"): void {
  const probe = spawnSync(
    python,
    ["-c", "import importlib.metadata as m, flask, moto.server; print(m.version('moto'))"],
    { encoding: "utf8" },
  );
  if (probe.error)
    throw new EmulatorUnavailableError(
      `the AWS API emulator needs ${python} on PATH (${probe.error.message}); set LAMBDAFLEX_PYTHON to another interpreter`,
    );
  if (probe.status !== 0) {
    throw new EmulatorUnavailableError(
      `the AWS API emulator needs moto ${MOTO_VERSION} with its server extra (Flask) for ${python}: ${probe.stderr.trim().split("\n").pop()}. Install them with \`pip install "moto[server]==${MOTO_VERSION}"\` where a Python package index is reachable`,
    );
  }
  const version = probe.stdout.trim();
  if (version !== MOTO_VERSION)
    process.stderr.write(
      `cloud test: moto ${version} found; the emulator's gap patches were written for ${MOTO_VERSION}\n`,
    );
}

/** A running AWS API emulator on 127.0.0.1 that records every call it serves. */
export class Emulator {
  private constructor(
    readonly url: string,
    readonly callsFile: string,
    private readonly child: ChildProcess,
    private readonly logs: () => string,
  ) {}

  /** Starts moto behind emulator/launcher.py on a free port; resolves once it listens. */
  static async start(dir: string, python = process.env.LAMBDAFLEX_PYTHON || "python3"): Promise<Emulator> {
    checkEmulatorAvailable(python);
    const callsFile = join(dir, "calls.jsonl");
    writeFileSync(callsFile, "");
    const child = spawn(python, [join(__dirname, "emulator", "launcher.py"), "--port", "0", "--calls", callsFile], {
      cwd: join(__dirname, "emulator"),
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PYTHONUNBUFFERED: "1" },
    });
    let output = "";
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the AWS API emulator did not start within 30 s:\n${output}`)),
        30_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const ready = /ready (\d+)/.exec(output);
        if (ready) {
          clearTimeout(timer);
          resolve(Number(ready[1]));
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the AWS API emulator exited with ${code} before it listened:\n${output}`));
      });
    });
    return new Emulator(`http://127.0.0.1:${port}`, callsFile, child, () => output);
  }

  /** Every call recorded so far, in the order served. */
  calls(): RecordedCall[] {
    return readFileSync(this.callsFile, "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as RecordedCall);
  }

  /** The emulator's own log tail, for a failure message. */
  log(): string {
    return this.logs();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill("SIGTERM");
      setTimeout(() => this.child.kill("SIGKILL"), 3_000).unref();
    });
  }
}
