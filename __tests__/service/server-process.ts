import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { ROOT, spawnLogged } from "../helpers/processes";

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
  const proc = spawnLogged(process.execPath, ["--import", "tsx", join(ROOT, "service", "server.ts")], {
    PORT: "0",
    HOST: "127.0.0.1",
    NODE_NO_WARNINGS: "1",
    ...env,
  });
  const port = (await proc.waitForLog("listening", 15_000)).port as number;
  return { ...proc, port, waitForLog: (msg, timeoutMs = 15_000) => proc.waitForLog(msg, timeoutMs) };
}

/** Resolves with the exit code, or rejects if the process is still running after `ms`. */
export const exitWithin = (proc: ServerProcess, ms: number): Promise<number | string> =>
  Promise.race([
    proc.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`server still running ${ms} ms later`)), ms).unref(),
    ),
  ]);
