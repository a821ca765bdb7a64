import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../helpers/processes";

describe("entrypoint.sh", () => {
  it("is POSIX sh that passes shellcheck", () => {
    const run = spawnSync("shellcheck", ["--shell=sh", "--severity=style", join(ROOT, "entrypoint.sh")], {
      encoding: "utf8",
    });
    if (run.error) throw new Error(`shellcheck is not installed (Debian package "shellcheck"): ${run.error.message}`);
    expect(run.stdout + run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
