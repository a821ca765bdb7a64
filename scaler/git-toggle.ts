import { promises as fsp } from "node:fs";
import * as fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import git, { type HttpClient } from "isomorphic-git";
import nodeHttp from "isomorphic-git/http/node";

/** Where the toggle lives and who commits it. */
export interface GitToggleOptions {
  /** HTTPS clone URL of the deployment repository. */
  readonly url: string;
  readonly branch: string;
  /** The toggle file, relative to the repository root. */
  readonly path: string;
  /** Token for HTTP basic auth (the password); read from the parameter store by the caller. */
  readonly token: string;
  /** Basic-auth user name that goes with the token (GitHub: x-access-token, GitLab: oauth2, Bitbucket: x-token-auth). */
  readonly username: string;
  readonly author: { readonly name: string; readonly email: string };
  /** Parent of the clone folder. @default os.tmpdir() (Lambda's /tmp) */
  readonly workRoot?: string;
  /** isomorphic-git's HTTP client. @default isomorphic-git/http/node */
  readonly http?: HttpClient;
}

/** The git server refused the credentials. */
export class GitAuthError extends Error {
  override readonly name = "GitAuthError";
}

/** The toggle as read at one commit of the branch. */
export interface ToggleCheckout {
  readonly text: string;
  /** Commit the toggle was read at. */
  readonly head: string;
  /** Replaces the toggle, commits and pushes. `rejected` means the remote moved: read again and decide again. */
  commit(
    text: string,
    message: string,
    at: Date,
  ): Promise<
    { readonly outcome: "pushed"; readonly oid: string } | { readonly outcome: "rejected"; readonly detail: string }
  >;
  /** Removes the clone, if one was made. */
  dispose(): Promise<void>;
}

/** A reader of the toggle that remembers what it read, per container. */
export type ToggleReader = () => Promise<ToggleCheckout>;

/**
 * The scaler's only write path, over smart HTTP (isomorphic-git, so any host
 * Terraform Cloud supports works). Each read asks the server for the branch
 * head (one GET); the toggle text is cached per head, so a minute with no new
 * commit costs no clone. A commit makes a depth-1, single-branch clone at the
 * head it decided on, changes one file, and pushes; if the branch moved in
 * between, the push is reported `rejected` and the caller decides again.
 *
 * The clone always goes to the same folder (`<workRoot>/lambdaflex-toggle`),
 * emptied first: a container runs one invocation at a time, so a clone left by
 * an invocation that timed out is removed by the next, and /tmp never fills.
 */
export function toggleReader(
  o: GitToggleOptions,
  dir = join(o.workRoot ?? tmpdir(), "lambdaflex-toggle"),
): ToggleReader {
  const http = o.http ?? nodeHttp;
  const file = join(dir, o.path);
  let cached: { head: string; text: string } | undefined;
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
      ? new GitAuthError(
          `git server ${o.url} rejected the credentials (HTTP 401); check the token parameter and its user name "${o.username}"`,
        )
      : (err as Error);
  const guarded = async <T>(f: () => Promise<T>): Promise<T> => {
    authRejected = false;
    try {
      return await f();
    } catch (err) {
      throw authError(err);
    }
  };
  /** A fresh depth-1 clone of the branch in the fixed folder; returns its head and the toggle's text. */
  const clone = async (): Promise<{ head: string; text: string }> => {
    await rm(dir, { recursive: true, force: true });
    await guarded(() =>
      git.clone({ fs, http, dir, url: o.url, ref: o.branch, singleBranch: true, depth: 1, noTags: true, ...auth }),
    );
    const head = await git.resolveRef({ fs, dir, ref: "HEAD" });
    let text: string;
    try {
      text = await fsp.readFile(file, "utf8");
    } catch {
      throw new Error(`toggle file ${o.path} does not exist on ${o.branch} of ${o.url}`);
    }
    return { head, text };
  };
  const remoteHead = async (): Promise<string> => {
    const refs = await guarded(() =>
      git.listServerRefs({ http, url: o.url, prefix: `refs/heads/${o.branch}`, protocolVersion: 1, ...auth }),
    );
    const ref = refs.find((r) => r.ref === `refs/heads/${o.branch}`);
    if (!ref) throw new Error(`branch ${o.branch} does not exist on ${o.url}`);
    return ref.oid;
  };

  return async () => {
    let cloned = false;
    const head = await remoteHead();
    if (cached?.head !== head) {
      cached = undefined;
      cached = await clone().catch(async (err: Error) => {
        await rm(dir, { recursive: true, force: true });
        throw err;
      });
      cloned = true;
    }
    const read = cached;
    return {
      text: read.text,
      head: read.head,
      async commit(newText, message, at) {
        if (!cloned) {
          const fresh = await clone();
          cloned = true;
          if (fresh.head !== read.head) {
            cached = fresh;
            return {
              outcome: "rejected",
              detail: `${o.branch} moved from ${read.head.slice(0, 8)} to ${fresh.head.slice(0, 8)}`,
            };
          }
        }
        await fsp.mkdir(dirname(file), { recursive: true });
        await fsp.writeFile(file, newText);
        await git.add({ fs, dir, filepath: o.path });
        const who = {
          name: o.author.name,
          email: o.author.email,
          timestamp: Math.floor(at.getTime() / 1000),
          timezoneOffset: 0,
        };
        const oid = await git.commit({ fs, dir, message, author: who, committer: who });
        try {
          const result = await guarded(() => git.push({ fs, http, dir, remote: "origin", ref: o.branch, ...auth }));
          if (!result.ok) return { outcome: "rejected", detail: JSON.stringify(result.refs) };
          cached = { head: oid, text: newText };
          return { outcome: "pushed", oid };
        } catch (err) {
          const e = err as { code?: string; message: string; data?: { statusCode?: number } };
          if (e.code === "PushRejectedError" || e.code === "GitPushError")
            return { outcome: "rejected", detail: e.message };
          // A server error mid-push (a concurrent push holding the ref lock) is treated like a moved
          // remote: read again and decide again, a bounded number of times.
          if (e.code === "HttpError" && (e.data?.statusCode ?? 0) >= 500)
            return { outcome: "rejected", detail: e.message };
          throw err;
        }
      },
      dispose: () => (cloned ? rm(dir, { recursive: true, force: true }) : Promise.resolve()),
    };
  };
}

/** One read without a cache, in its own folder (tests and one-off tools; several may be open at once). */
export async function checkoutToggle(o: GitToggleOptions): Promise<ToggleCheckout> {
  const dir = await mkdtemp(join(o.workRoot ?? tmpdir(), "lambdaflex-toggle-"));
  try {
    return await toggleReader(o, dir)();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
