import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import readline from "node:readline";

export const ROOT = join(__dirname, "..", "..");

/** A child process plus every line it wrote, for assertions and for failure messages. */
export interface Spawned {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  /** Resolves with the first JSON log line whose `msg` matches. */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Runs entrypoint.sh exactly as the image does, with extra environment. */
export const runEntrypoint = (env: Record<string, string>): Spawned =>
  spawnLogged("sh", [join(ROOT, "entrypoint.sh")], {
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    NODE_NO_WARNINGS: "1",
    ...env,
  });

/** Spawns a command in the repository with extra environment, keeping every line it writes (stdout and stderr). */
export function spawnLogged(command: string, args: string[], env: Record<string, string>): Spawned {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const listeners: Array<(line: string) => void> = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      for (const l of listeners) l(line);
    });
  }
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const waitForLog = (msg: string, timeoutMs = 20_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = (line: string) => {
        try {
          const parsed = JSON.parse(line.slice(line.indexOf("{")));
          if (parsed.msg === msg) {
            clearTimeout(timer);
            resolve(parsed);
          }
        } catch {
          /* not a JSON line */
        }
      };
      const timer = setTimeout(
        () => reject(new Error(`no "${msg}" log within ${timeoutMs} ms; output:\n${lines.join("\n")}`)),
        timeoutMs,
      );
      lines.forEach(check);
      listeners.push(check);
    });
  return { child, lines, exited, waitForLog };
}
