/**
 * Headless Chromium driven over the DevTools protocol on a pipe
 * (--remote-debugging-pipe: JSON messages separated by NUL bytes on file
 * descriptors 3 and 4), so the tests need no WebSocket client and no port.
 * Protocol reference: https://chromedevtools.github.io/devtools-protocol/
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";

/** Chromium is not installed: the message says how to install it. */
export class ChromiumMissingError extends Error {
  override readonly name = "ChromiumMissingError";
}

type Listener = (params: any) => void;

/** One page (tab) of a headless Chromium, with its protocol session. */
export class HeadlessPage {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: any) => void; reject: (e: Error) => void; method: string }
  >();
  private readonly listeners = new Map<string, Listener[]>();
  private sessionId: string | undefined;
  private buffer = "";
  private stderr = "";

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const input = child.stdio[4] as Readable;
    input.setEncoding("utf8");
    input.on("data", (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf("\0")) >= 0) {
        this.dispatch(JSON.parse(this.buffer.slice(0, end)));
        this.buffer = this.buffer.slice(end + 1);
      }
    });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (s: string) => (this.stderr = (this.stderr + s).slice(-4000)));
    child.on("exit", (code) => {
      for (const p of this.pending.values())
        p.reject(
          new Error(`chromium exited (${code}) while waiting for ${p.method}; its last output:\n${this.stderr}`),
        );
      this.pending.clear();
    });
  }

  /** Starts Chromium with a throwaway profile and attaches to a blank page of `width` x `height` CSS pixels. */
  static async launch(o: { width: number; height: number; extraArgs?: string[] }): Promise<HeadlessPage> {
    const profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));
    const args = [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-default-apps",
      "--disable-sync",
      "--disable-extensions",
      "--mute-audio",
      "--hide-scrollbars",
      "--force-device-scale-factor=1",
      `--window-size=${o.width},${o.height}`,
      `--user-data-dir=${profile}`,
      "--remote-debugging-pipe",
      ...(o.extraArgs ?? []),
      "about:blank",
    ];
    // Its own process group, so close() stops the renderer and utility processes with the browser.
    const child = spawn("chromium", args, { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"], detached: true });
    const started = await new Promise<Error | undefined>((resolve) => {
      child.once("spawn", () => resolve(undefined));
      child.once("error", (err) => resolve(err));
    });
    if (started) {
      rmSync(profile, { recursive: true, force: true });
      throw new ChromiumMissingError(
        `cannot start chromium (${started.message}): install the Debian package "chromium" (apt-get install chromium; CI's .ci/run does) to run the report's browser test`,
      );
    }
    const page = new HeadlessPage(child, profile);
    const { targetInfos } = await page.send<{ targetInfos: Array<{ targetId: string; type: string }> }>(
      "Target.getTargets",
    );
    const target =
      targetInfos.find((t) => t.type === "page") ??
      (await page.send<{ targetId: string }>("Target.createTarget", { url: "about:blank" }));
    page.sessionId = (
      await page.send<{ sessionId: string }>("Target.attachToTarget", { targetId: target.targetId, flatten: true })
    ).sessionId;
    return page;
  }

  private dispatch(msg: {
    id?: number;
    method?: string;
    params?: unknown;
    result?: unknown;
    error?: { message: string };
  }): void {
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p?.resolve(msg.result);
      return;
    }
    for (const fn of this.listeners.get(msg.method ?? "") ?? []) fn(msg.params);
  }

  /** Sends a protocol command to the page (or to the browser before a page is attached). */
  send<T = any>(method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    const out = this.child.stdio[3] as Writable;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      out.write(
        JSON.stringify({ id, method, params, ...(this.sessionId ? { sessionId: this.sessionId } : {}) }) + "\0",
      );
    });
  }

  /** Calls `fn` with the params of every `method` event. */
  on(method: string, fn: Listener): void {
    this.listeners.set(method, [...(this.listeners.get(method) ?? []), fn]);
  }

  /** The next `method` event, or an error after `timeoutMs`. */
  next(method: string, timeoutMs = 30_000): Promise<any> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
      const fn: Listener = (params) => {
        clearTimeout(timer);
        this.listeners.set(
          method,
          (this.listeners.get(method) ?? []).filter((f) => f !== fn),
        );
        resolve(params);
      };
      this.on(method, fn);
    });
  }

  /** Evaluates a JavaScript expression in the page and returns its (JSON-serializable) value; a thrown error fails. */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const r = await this.send<{
      result: { value: T };
      exceptionDetails?: { exception?: { description?: string }; text: string };
    }>("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails)
      throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value;
  }

  /** Stops Chromium and removes its profile. */
  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.kill();
      await exited;
    }
    // Chromium's helper processes (crashpad, utility) can outlive the browser and keep writing the
    // profile: stop the whole group, then remove it (retries cover the last writes in flight).
    try {
      process.kill(-this.child.pid!, "SIGKILL");
    } catch {
      // The group is already gone.
    }
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  }
}
