import { promises as fsp } from "node:fs";
import * as fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import git from "isomorphic-git";
import http from "isomorphic-git/http/node";

/** Where the toggle lives and who commits it. */
export interface GitToggleOptions {
  /** HTTPS clone URL of the deployment repository. */
  readonly url: string;
  readonly branch: string;
  /** The toggle file, relative to the repository root. */
  readonly path: string;
  /** Token for HTTP basic auth (the password); read from Secrets Manager by the caller. */
  readonly token: string;
  /** Basic-auth user name that goes with the token (GitHub: x-access-token, GitLab: oauth2, Bitbucket: x-token-auth). */
  readonly username: string;
  readonly author: { readonly name: string; readonly email: string };
  /** Parent of the temporary clone. @default os.tmpdir() (Lambda's /tmp) */
  readonly workRoot?: string;
}

/** The git server refused the credentials. */
export class GitAuthError extends Error {
  override readonly name = "GitAuthError";
}

/** A shallow clone of one branch, holding the toggle as read. */
export interface ToggleCheckout {
  readonly text: string;
  /** Commit the toggle was read at. */
  readonly head: string;
  /** Replaces the toggle, commits and pushes. `rejected` means the remote moved: read again and decide again. */
  commit(text: string, message: string, at: Date): Promise<{ readonly outcome: "pushed"; readonly oid: string } | { readonly outcome: "rejected"; readonly detail: string }>;
  /** Removes the temporary clone. */
  dispose(): Promise<void>;
}

/**
 * The scaler's only write path: a depth-1, single-branch clone over smart
 * HTTP (isomorphic-git, so any host Terraform Cloud supports works), one file
 * changed, one commit, one push.
 */
export async function checkoutToggle(o: GitToggleOptions): Promise<ToggleCheckout> {
  const dir = await mkdtemp(join(o.workRoot ?? tmpdir(), "lambdaflex-toggle-"));
  let authRejected = false;
  const auth = {
    onAuth: () => ({ username: o.username, password: o.token }),
    onAuthFailure: () => {
      authRejected = true;
      return { cancel: true };
    },
  };
  const authError = (err: unknown) =>
    authRejected || (err as { data?: { statusCode?: number } }).data?.statusCode === 401
      ? new GitAuthError(`git server ${o.url} rejected the credentials (HTTP 401); check the token secret and its user name "${o.username}"`)
      : (err as Error);
  try {
    await git.clone({ fs, http, dir, url: o.url, ref: o.branch, singleBranch: true, depth: 1, noTags: true, ...auth });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw authError(err);
  }
  const file = join(dir, o.path);
  let text: string;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`toggle file ${o.path} does not exist on ${o.branch} of ${o.url}`);
  }
  const head = await git.resolveRef({ fs, dir, ref: "HEAD" });
  return {
    text,
    head,
    async commit(newText, message, at) {
      await fsp.mkdir(dirname(file), { recursive: true });
      await fsp.writeFile(file, newText);
      await git.add({ fs, dir, filepath: o.path });
      const who = { name: o.author.name, email: o.author.email, timestamp: Math.floor(at.getTime() / 1000), timezoneOffset: 0 };
      const oid = await git.commit({ fs, dir, message, author: who, committer: who });
      try {
        const result = await git.push({ fs, http, dir, remote: "origin", ref: o.branch, ...auth });
        if (result.ok) return { outcome: "pushed", oid };
        return { outcome: "rejected", detail: JSON.stringify(result.refs) };
      } catch (err) {
        const e = err as { code?: string; message: string };
        if (e.code === "PushRejectedError" || e.code === "GitPushError") return { outcome: "rejected", detail: e.message };
        throw authError(err);
      }
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
