import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * Commits files into a bare repository as a maintainer would (`git add -A &&
 * git commit && git push` in the runbook), without going through the scaler's
 * token. Returns the new head.
 */
export function maintainerCommit(
  bare: string,
  branch: string,
  files: Readonly<Record<string, string>>,
  message: string,
): string {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "maintainer",
    GIT_AUTHOR_EMAIL: "maintainer@example.com",
    GIT_COMMITTER_NAME: "maintainer",
    GIT_COMMITTER_EMAIL: "maintainer@example.com",
    GIT_CONFIG_NOSYSTEM: "1",
  };
  const work = mkdtempSync(join(tmpdir(), "lambdaflex-maintainer-"));
  const git = (args: string[]) => execFileSync("git", args, { cwd: work, env, stdio: "pipe" }).toString().trim();
  try {
    git(["clone", "-q", "-b", branch, bare, "."]);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), content, "latin1");
    }
    git(["add", "-A"]);
    git(["commit", "-qm", message]);
    git(["push", "-q", "origin", branch]);
    return git(["rev-parse", "HEAD"]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
