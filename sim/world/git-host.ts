/**
 * The git host (GitHub, GitLab, ...): a real bare repository served by the
 * real `git http-backend` over the smart-HTTP protocol, reached in-process
 * through isomorphic-git's `HttpClient` port instead of a socket. The
 * production toggle code clones, commits and pushes against it unchanged.
 * Pushes that touch the fargate working directory fire the VCS webhook.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";

const gitEnv = (home: string): NodeJS.ProcessEnv => ({
  ...process.env,
  GIT_AUTHOR_NAME: "seed",
  GIT_AUTHOR_EMAIL: "seed@lambdaflex.invalid",
  GIT_COMMITTER_NAME: "seed",
  GIT_COMMITTER_EMAIL: "seed@lambdaflex.invalid",
  GIT_CONFIG_NOSYSTEM: "1",
  HOME: home,
});

/** Runs one smart-HTTP request through `git http-backend` (CGI) against repositories under `projectRoot`. */
export async function httpBackend(
  projectRoot: string,
  req: { method: string; pathname: string; query: string; contentType: string; body: Buffer },
  env: NodeJS.ProcessEnv,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const cgi = spawn("git", ["http-backend"], {
    env: {
      ...env,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: req.pathname,
      QUERY_STRING: req.query,
      REQUEST_METHOD: req.method,
      CONTENT_TYPE: req.contentType,
      CONTENT_LENGTH: String(req.body.length),
      REMOTE_USER: "scaler",
      REMOTE_ADDR: "127.0.0.1",
    },
  });
  const out: Buffer[] = [];
  cgi.stdout.on("data", (c: Buffer) => out.push(c));
  cgi.stderr.resume();
  // http-backend may answer (an error, or a GET) without reading its input; a closed pipe is not a failure.
  cgi.stdin.on("error", () => undefined);
  cgi.stdin.end(req.body);
  await new Promise<void>((resolve, reject) => {
    cgi.on("error", reject);
    cgi.on("close", () => resolve());
  });
  const raw = Buffer.concat(out);
  const end = raw.indexOf("\r\n\r\n");
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of raw.subarray(0, Math.max(0, end)).toString().split("\r\n")) {
    const at = line.indexOf(":");
    if (at < 0) continue;
    const k = line.slice(0, at).trim();
    const v = line.slice(at + 1).trim();
    if (k.toLowerCase() === "status") status = Number(v.split(" ")[0]);
    else headers[k.toLowerCase()] = v;
  }
  return { status, headers, body: end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4) };
}

async function* once(b: Uint8Array): AsyncIterableIterator<Uint8Array> {
  yield b;
}

async function collect(body: AsyncIterableIterator<Uint8Array> | undefined): Promise<Buffer> {
  const parts: Buffer[] = [];
  if (body) for await (const c of body) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

export interface GitHostOptions {
  readonly branch: string;
  /** Files of the first commit (the toggle as the first deploy leaves it). */
  readonly files: Readonly<Record<string, string>>;
  /** Basic-auth password the host accepts. */
  readonly token: string;
  /** Pushes changing files under this folder fire the webhook (the workspace's trigger pattern). */
  readonly watchDir: string;
  /** The file whose content each webhook carries (the toggle). */
  readonly watchFile: string;
  /** The VCS webhook: a push changed the watched folder. */
  readonly onPush: (sha: string, watchFileText: string) => void;
}

/** A git host holding one repository, `deploy.git`. */
export class GitHostEmulator {
  readonly root = mkdtempSync(join(tmpdir(), "lambdaflex-sim-git-"));
  readonly bare = join(this.root, "deploy.git");
  readonly url = "https://git.sim.invalid/deploy.git";
  readonly meter = { requests: 0, backendRuns: 0, pushes: 0 };
  private readonly env = gitEnv(this.root);
  private readonly refAdvert = new Map<string, { ref: string; response: Buffer; headers: Record<string, string> }>();

  constructor(private readonly o: GitHostOptions) {
    const git = (args: string[], cwd: string) => execFileSync("git", args, { cwd, stdio: "pipe", env: this.env });
    git(["init", "-q", "--bare", "-b", o.branch, this.bare], this.root);
    git(["config", "http.receivepack", "true"], this.bare);
    const seed = join(this.root, "seed");
    git(["init", "-q", "-b", o.branch, seed], this.root);
    for (const [path, content] of Object.entries(o.files)) {
      mkdirSync(dirname(join(seed, path)), { recursive: true });
      writeFileSync(join(seed, path), content);
    }
    git(["add", "-A"], seed);
    git(["commit", "-qm", "seed: the deployment repository as the first deploy leaves it"], seed);
    git(["push", "-q", this.bare, `HEAD:${o.branch}`], seed);
  }

  /** The branch head (a loose ref: http-backend's receive-pack writes loose refs). */
  head(): string {
    try {
      return readFileSync(join(this.bare, "refs", "heads", this.o.branch), "utf8").trim();
    } catch {
      return this.git(["rev-parse", this.o.branch]);
    }
  }

  git(args: string[]): string {
    return execFileSync("git", args, { cwd: this.bare, env: this.env, stdio: "pipe" }).toString().trim();
  }

  /** isomorphic-git's HTTP port, answered by this host. */
  readonly http: HttpClient = {
    request: async (req: GitHttpRequest): Promise<GitHttpResponse> => {
      this.meter.requests++;
      const url = new URL(req.url);
      const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const password = Buffer.from((headers.authorization ?? "").replace(/^Basic /, ""), "base64")
        .toString()
        .split(":")
        .slice(1)
        .join(":");
      const reply = (
        statusCode: number,
        statusMessage: string,
        h: Record<string, string>,
        body: Buffer,
      ): GitHttpResponse => ({
        url: req.url,
        method: req.method,
        statusCode,
        statusMessage,
        headers: h,
        body: once(body),
      });
      if (password !== this.o.token)
        return reply(401, "Unauthorized", { "www-authenticate": 'Basic realm="git"' }, Buffer.from("unauthorized"));
      const method = req.method ?? "GET";
      const key = `${method} ${url.pathname}${url.search}`;
      // A ref advertisement only changes when a ref does: answer repeats from cache
      // (the same bytes http-backend would write), so a minute costs no process.
      const cacheable = method === "GET" && url.pathname.endsWith("/info/refs");
      const ref = cacheable ? this.head() : "";
      const hit = cacheable ? this.refAdvert.get(key) : undefined;
      if (hit && hit.ref === ref) return reply(200, "OK", hit.headers, hit.response);
      const before = method === "POST" && url.pathname.endsWith("/git-receive-pack") ? this.head() : undefined;
      this.meter.backendRuns++;
      const res = await httpBackend(
        this.root,
        {
          method,
          pathname: url.pathname.replace(/^.*?(\/deploy\.git)/, "$1"),
          query: url.search.slice(1),
          contentType: headers["content-type"] ?? "",
          body: await collect(req.body),
        },
        this.env,
      );
      if (cacheable && res.status === 200) this.refAdvert.set(key, { ref, response: res.body, headers: res.headers });
      if (before !== undefined) this.afterPush(before);
      return reply(res.status, res.status === 200 ? "OK" : "Error", res.headers, res.body);
    },
  };

  private afterPush(before: string): void {
    const after = this.head();
    if (after === before) return;
    this.meter.pushes++;
    const changed = this.git(["diff", "--name-only", before, after, "--", this.o.watchDir]);
    if (changed) this.o.onPush(after, this.git(["show", `${after}:${this.o.watchFile}`]) + "\n");
  }

  /** Commits on the branch, oldest first: oid, author time (ms) and subject line. */
  log(): Array<{ oid: string; atMs: number; subject: string }> {
    return this.git(["log", "--reverse", "--format=%H %at %s", this.o.branch])
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [oid, at] = l.split(" ", 2) as [string, string];
        return { oid, atMs: Number(at) * 1000, subject: l.slice(oid.length + at.length + 2) };
      });
  }

  /** Clones the repository (with a working tree) to `dir`, e.g. OUT/toggle-history. */
  cloneTo(dir: string): void {
    execFileSync("git", ["clone", "-q", "-b", this.o.branch, this.bare, dir], { env: this.env, stdio: "pipe" });
  }

  dispose(): void {
    execFileSync("rm", ["-rf", this.root]);
  }
}
