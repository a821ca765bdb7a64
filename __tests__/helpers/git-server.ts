import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { httpBackend } from "../../sim/world/git-host";

/**
 * A real smart-HTTP git server: `git http-backend` behind a Node HTTP server on
 * 127.0.0.1, with basic auth on a token. Tests clone and push to it exactly as
 * the scaler does to GitHub or GitLab.
 */
export class GitServer {
  readonly root = mkdtempSync(join(tmpdir(), "lambdaflex-git-"));
  readonly bare = join(this.root, "deploy.git");
  private server?: http.Server;
  url = "";

  constructor(
    readonly token: string,
    readonly branch = "main",
  ) {}

  /** Creates the bare repository with an initial commit holding `files`. */
  async start(files: Record<string, string>): Promise<string> {
    const git = (args: string[], cwd: string) =>
      execFileSync("git", args, { cwd, stdio: "pipe", env: this.gitEnv() }).toString().trim();
    git(["init", "--bare", "-b", this.branch, this.bare], this.root);
    git(["config", "http.receivepack", "true"], this.bare);
    const seed = join(this.root, "seed");
    git(["clone", this.bare, seed], this.root);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(seed, path)), { recursive: true });
      writeFileSync(join(seed, path), content);
    }
    git(["add", "-A"], seed);
    git(["commit", "-m", "seed deployment repository"], seed);
    git(["push", "origin", `HEAD:${this.branch}`], seed);
    this.server = http.createServer((req, res) => this.handle(req, res));
    // Node's default 5 s keep-alive timeout races a client that reuses an idle socket (Node 20's
    // global agent keeps sockets alive): a request sent as the server closes it reads ECONNRESET.
    // Hosted git servers keep idle connections far longer; so does this one.
    this.server.keepAliveTimeout = 120_000;
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/deploy.git`;
    return this.url;
  }

  private gitEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      GIT_AUTHOR_NAME: "seed",
      GIT_AUTHOR_EMAIL: "seed@test",
      GIT_COMMITTER_NAME: "seed",
      GIT_COMMITTER_EMAIL: "seed@test",
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: this.root,
    };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const auth = req.headers.authorization ?? "";
    const password = Buffer.from(auth.replace(/^Basic /, ""), "base64")
      .toString()
      .split(":")
      .slice(1)
      .join(":");
    if (password !== this.token) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="deploy"' }).end("unauthorized");
      return;
    }
    const url = new URL(req.url ?? "/", "http://x");
    const body: Buffer[] = [];
    req.on("data", (chunk: Buffer) => body.push(chunk));
    req.on("end", () => {
      const request = {
        method: req.method ?? "GET",
        pathname: url.pathname,
        query: url.search.slice(1),
        contentType: req.headers["content-type"] ?? "",
        body: Buffer.concat(body),
      };
      httpBackend(this.root, request, this.gitEnv()).then(
        (out) => res.writeHead(out.status, out.headers).end(out.body),
        (e: unknown) => res.writeHead(500).end(`git http-backend failed: ${String(e)}`),
      );
    });
  }

  /** Runs git against the bare repository (for assertions and for simulating other committers). */
  git(args: string[]): string {
    return execFileSync("git", args, { cwd: this.bare, env: this.gitEnv(), stdio: "pipe" }).toString().trim();
  }

  /** Commits a file change directly into the bare repository, as another committer would. */
  commitOther(path: string, content: string, message: string): void {
    const work = mkdtempSync(join(this.root, "other-"));
    execFileSync("git", ["clone", "-q", "-b", this.branch, this.bare, work], { env: this.gitEnv(), stdio: "pipe" });
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), content);
    execFileSync("git", ["add", "-A"], { cwd: work, env: this.gitEnv(), stdio: "pipe" });
    execFileSync("git", ["commit", "-qm", message], { cwd: work, env: this.gitEnv(), stdio: "pipe" });
    execFileSync("git", ["push", "-q", "origin", this.branch], { cwd: work, env: this.gitEnv(), stdio: "pipe" });
  }

  /** The content of a file at the branch head. */
  show(path: string): string {
    return this.git(["show", `${this.branch}:${path}`]);
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    rmSync(this.root, { recursive: true, force: true });
  }
}
