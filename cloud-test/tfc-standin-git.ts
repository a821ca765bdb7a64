/**
 * The VCS side of the HCP Terraform stand-in (cloud-test/tfc-standin.ts): git
 * against the watched repository, with the token in a header, and the poll of
 * the branch head that stands in for the VCS webhook. Each new head is handed
 * to `onPush` with the files changed since the last one.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface WatchedBranch {
  readonly gitUrl: string; // smart-HTTP URL; basic auth as x-access-token:gitToken
  readonly gitToken: string;
  readonly branch: string;
  readonly pollMs?: number; // default 200
}

/**
 * A new head: `changed` lists the files changed since the previous head,
 * undefined for the first head seen.
 */
export type OnPush = (head: string, changed: readonly string[] | undefined) => void;

export class BranchWatcher {
  private readonly gitEnv: NodeJS.ProcessEnv;
  private root = "";
  private head?: string;
  private polls: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly o: WatchedBranch,
    private readonly onPush: OnPush,
  ) {
    // The token goes in a header through GIT_CONFIG_* (git >= 2.31), not the URL or argv.
    const basic = Buffer.from(`x-access-token:${o.gitToken}`).toString("base64");
    this.gitEnv = {
      ...process.env,
      GIT_TERMINAL_PROMPT: "0",
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.extraHeader",
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    };
  }

  /** Makes the mirror under root (git's default working directory from now on) and reads the branch head. */
  async open(root: string): Promise<void> {
    this.root = root;
    await this.git(["init", "-q", "--bare", join(this.root, "mirror")]);
    await this.sync();
  }

  /** Stops polling and waits for the poll in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polls;
  }

  async git(args: string[], cwd?: string): Promise<string> {
    const { stdout } = await execFileAsync("git", args, {
      cwd: cwd ?? this.root,
      env: this.gitEnv,
      maxBuffer: 64 << 20,
    });
    return stdout.trim();
  }

  async headSha(): Promise<string> {
    const out = await this.git(["ls-remote", this.o.gitUrl, `refs/heads/${this.o.branch}`]);
    const sha = out.split(/\s/)[0];
    if (!sha) throw new Error(`branch ${this.o.branch} not found at ${this.o.gitUrl}`);
    return sha;
  }

  /** One poll, serialized with every other poll. */
  sync(): Promise<void> {
    const p = this.polls.then(() => this.poll());
    this.polls = p.catch(() => undefined);
    return p;
  }

  schedulePoll(): void {
    this.timer = setTimeout(() => {
      // A failed background poll (server restarting, stopping) is retried next time; whenIdle() reports errors.
      void this.sync()
        .catch(() => undefined)
        .finally(() => {
          if (!this.stopped) this.schedulePoll();
        });
    }, this.o.pollMs ?? 200);
  }

  private async poll(): Promise<void> {
    const head = await this.headSha();
    if (head === this.head) return;
    const mirror = join(this.root, "mirror");
    await this.git(["fetch", "-q", this.o.gitUrl, `+refs/heads/${this.o.branch}:refs/heads/seen`], mirror);
    const previous = this.head;
    this.head = head;
    const changed =
      previous === undefined
        ? undefined
        : (await this.git(["diff", "--name-only", previous, head], mirror)).split("\n").filter(Boolean);
    this.onPush(head, changed);
  }
}
