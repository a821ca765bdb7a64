import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import readline from "node:readline";

const ROOT = join(__dirname, "..", "..");

/** The HTTP server run from source (service/server.ts through tsx), so these tests need no build. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly lines: string[];
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  /** Resolves with the first JSON log line whose `msg` matches. */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export async function startServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "service", "server.ts")], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", NODE_NO_WARNINGS: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const listeners: Array<(line: string) => void> = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      for (const l of listeners) l(line);
    });
  }
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  const waitForLog = (msg: string, timeoutMs = 15_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = (line: string) => {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed.msg !== msg) return;
          clearTimeout(timer);
          resolve(parsed);
        } catch {
          /* not a JSON line */
        }
      };
      const timer = setTimeout(() => reject(new Error(`no "${msg}" log within ${timeoutMs} ms; output:\n${lines.join("\n")}`)), timeoutMs);
      lines.forEach(check);
      listeners.push(check);
    });
  const port = (await waitForLog("listening")).port as number;
  return { child, port, lines, exited, waitForLog };
}

/** Resolves with the exit code, or rejects if the process is still running after `ms`. */
export const exitWithin = (proc: ServerProcess, ms: number): Promise<number | string> =>
  Promise.race([
    proc.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`server still running ${ms} ms later`)), ms).unref()),
  ]);
