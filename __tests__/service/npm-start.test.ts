import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import readline from "node:readline";
import { ROOT } from "../helpers/processes";

// `npm start` as a person runs it and stops it: npm -> sh -c "<start script>" -> entrypoint.sh ->
// node dist/server.js. A signal to npm, or Ctrl-C to the whole process group, must stop the
// server with its shutdown log, and leave no server behind answering on the port.
//
// `npm start` rebuilds dist/; it runs in a copy of the repository's top level (package.json,
// entrypoint.sh, scripts/ and model/ copied, everything else linked: model/paths.ts places dist/
// beside itself, and node resolves a linked module to its real path), so the bundles the other
// suites are reading at the same time are never rewritten under them.
const app = mkdtempSync(join(tmpdir(), "lambdaflex-npm-start-"));
const COPIED = ["package.json", "entrypoint.sh", "scripts", "model"];
const SKIPPED = new Set([".git", "dist", "test-output", "cdktf.out", "sim-output", "advise-output", ...COPIED]);
beforeAll(() => {
  for (const name of COPIED) cpSync(join(ROOT, name), join(app, name), { recursive: true });
  for (const name of readdirSync(ROOT)) if (!SKIPPED.has(name)) symlinkSync(join(ROOT, name), join(app, name));
});

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* the group is gone */
    }
  }
  for (const pid of serversOfThisApp()) process.kill(pid, "SIGKILL");
});
afterAll(() => rmSync(app, { recursive: true, force: true }));

/** Processes running this copy's server, whoever their parent is now. */
function serversOfThisApp(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(join(app, "dist", "server.js")))
        pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

interface NpmStart {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | string>;
  waitFor(msg: string, timeoutMs: number): Promise<Record<string, unknown>>;
}

/** `npm start` in its own process group (as a terminal's foreground job is), on a free port. */
function npmStart(): NpmStart {
  // Without the outer npm's variables: npm_config_local_prefix would point the inner npm at the repository itself.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const child = spawn("npm", ["start"], {
    cwd: app,
    env: { ...env, PORT: "0" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  const lines: string[] = [];
  const listeners: Array<() => void> = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      listeners.forEach((l) => l());
    });
  }
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const logged = (msg: string) =>
    lines.flatMap((l) => {
      try {
        const parsed = JSON.parse(l) as Record<string, unknown>;
        return parsed.msg === msg ? [parsed] : [];
      } catch {
        return [];
      }
    })[0];
  const waitFor = (msg: string, timeoutMs: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${msg}" log within ${timeoutMs} ms; output:\n${lines.join("\n")}`)),
        timeoutMs,
      );
      const check = () => {
        const found = logged(msg);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      listeners.push(check);
      check();
    });
  return { child, lines, exited, waitFor };
}

/** The IPv4 addresses listening on `port` (/proc/net/tcp: state 0A is LISTEN, addresses in little-endian hex). */
function listeningOn(port: number): string[] {
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[3] === "0A" && Number.parseInt(f[1]!.split(":")[1]!, 16) === port)
    .map((f) => Buffer.from(f[1]!.split(":")[0]!, "hex").reverse().join("."));
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms).unref()),
  ]);

describe("npm start", () => {
  // Each case: npm builds the bundles (seconds, longer on a loaded machine), then the server starts.
  const START_MS = 90_000;

  it.each([
    ["SIGTERM to the npm process", "SIGTERM", "npm"],
    ["SIGINT to the npm process", "SIGINT", "npm"],
    ["Ctrl-C: SIGINT to the whole process group", "SIGINT", "group"],
  ] as const)(
    "stops the server with its shutdown log on %s, leaving nothing on the port",
    async (_, signal, target) => {
      const run = npmStart();
      const port = (await run.waitFor("listening", START_MS)).port as number;
      expect(await answers(port)).toBe(true);
      expect(listeningOn(port)).toEqual(["127.0.0.1"]); // HOST's default reaches the server through exec
      expect(serversOfThisApp()).toHaveLength(1);

      process.kill(target === "group" ? -run.child.pid! : run.child.pid!, signal);

      expect(await within(run.waitFor("shutting down", 10_000), 10_000, "shutdown log")).toMatchObject({ signal });
      expect(await within(run.waitFor("stopped", 10_000), 10_000, "stopped log")).toMatchObject({ outcome: "drained" });
      // npm exits once its script's process (exec'd down to node) has exited, with its code.
      expect(await within(run.exited, 10_000, "npm exit")).toBe(0);
      expect(await answers(port)).toBe(false);
      expect(serversOfThisApp()).toEqual([]);
      // The service's own warnings would show here; the AWS SDK's Node-version notice must not.
      expect(run.lines.join("\n")).not.toMatch(/NodeVersionSupportWarning/);
    },
    3 * 90_000,
  );
});
