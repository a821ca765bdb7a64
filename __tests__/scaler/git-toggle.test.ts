import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkoutToggle, GitAuthError, toggleReader, type GitToggleOptions } from "../../scaler/git-toggle";
import { GitServer } from "../helpers/git-server";

const TOGGLE = "deploy/fargate/fargate.auto.tfvars.json";
const OFF = '{\n  "fargate_tier": "off"\n}\n';

describe("git toggle adapter against a real git http-backend", () => {
  const server = new GitServer("s3cret-token");
  let options: GitToggleOptions;

  beforeAll(async () => {
    const url = await server.start({ [TOGGLE]: OFF, "README.md": "deployment repo\n" });
    options = {
      url,
      branch: "main",
      path: TOGGLE,
      token: "s3cret-token",
      username: "x-access-token",
      author: { name: "LambdaFlex scaler", email: "scaler@test" },
    };
  });
  afterAll(() => server.stop());

  it("clones shallowly, commits one file as the scaler, and pushes", async () => {
    const co = await checkoutToggle(options);
    expect(co.text).toBe(OFF);
    const result = await co.commit(
      '{\n  "fargate_tier": "warming"\n}\n',
      "lambdaflex: off -> warming\n\nreason: test",
      new Date("2026-11-22T12:00:00Z"),
    );
    await co.dispose();
    expect(result.outcome).toBe("pushed");
    expect(server.show(TOGGLE)).toContain('"warming"');
    expect(server.git(["log", "-1", "--format=%an <%ae>|%s|%cI", "main"])).toBe(
      "LambdaFlex scaler <scaler@test>|lambdaflex: off -> warming|2026-11-22T12:00:00+00:00",
    );
    expect(server.git(["diff", "--name-only", "main~1", "main"])).toBe(TOGGLE);
  });

  it("reports a rejected push when the remote moved, and succeeds after re-reading", async () => {
    const stale = await checkoutToggle(options);
    server.commitOther("README.md", "someone else\n", "docs: another committer");
    const rejected = await stale.commit('{"fargate_tier":"serving"}\n', "lambdaflex: warming -> serving", new Date());
    await stale.dispose();
    expect(rejected.outcome).toBe("rejected");
    expect(server.show(TOGGLE)).toContain('"warming"');
    const fresh = await checkoutToggle(options);
    expect(
      (await fresh.commit('{"fargate_tier":"serving"}\n', "lambdaflex: warming -> serving", new Date())).outcome,
    ).toBe("pushed");
    await fresh.dispose();
    expect(server.show("README.md")).toBe("someone else");
    expect(server.show(TOGGLE)).toContain('"serving"');
  });

  it("gives a clear error for a wrong token and leaves the remote untouched", async () => {
    const before = server.git(["rev-parse", "main"]);
    await expect(checkoutToggle({ ...options, token: "wrong" })).rejects.toThrow(GitAuthError);
    await expect(checkoutToggle({ ...options, token: "wrong" })).rejects.toThrow(
      /rejected the credentials \(HTTP 401\)/,
    );
    expect(server.git(["rev-parse", "main"])).toBe(before);
  });

  it("names a missing toggle file", async () => {
    await expect(checkoutToggle({ ...options, path: "deploy/fargate/nope.auto.tfvars.json" })).rejects.toThrow(
      /toggle file deploy\/fargate\/nope\.auto\.tfvars\.json does not exist on main/,
    );
  });

  describe("a reader kept across warm invocations", () => {
    /** Counts the requests the reader makes, by kind. */
    const counting = () => {
      const seen: string[] = [];
      const http = require("isomorphic-git/http/node");
      return {
        seen,
        http: {
          request: (req: { url: string; method?: string }) => (
            seen.push(`${req.method ?? "GET"} ${new URL(req.url).pathname.split("/").pop()}`),
            http.request(req)
          ),
        },
      };
    };

    it("asks only for the branch head while nothing changed, and clones again when it moved", async () => {
      const workRoot = mkdtempSync(join(tmpdir(), "reader-"));
      const { seen, http } = counting();
      const read = toggleReader({ ...options, workRoot, http });
      const first = await read();
      await first.dispose();
      const clones = seen.filter((s) => s.startsWith("POST")).length;
      expect(clones).toBe(1);
      const second = await read();
      await second.dispose();
      expect(second.text).toBe(first.text);
      expect(seen.filter((s) => s.startsWith("POST")).length).toBe(clones);
      server.commitOther(TOGGLE, '{"fargate_tier":"off","edited_by":"a human"}\n', "a human edits the toggle");
      const third = await read();
      await third.dispose();
      expect(third.text).toBe('{"fargate_tier":"off","edited_by":"a human"}\n');
      expect(third.head).toBe(server.git(["rev-parse", "main"]));
      expect(seen.filter((s) => s.startsWith("POST")).length).toBe(clones + 1);
    });

    it("commits from a cached read, and reports rejected if the branch moved after the read", async () => {
      const workRoot = mkdtempSync(join(tmpdir(), "reader-"));
      const read = toggleReader({ ...options, workRoot });
      await (await read()).dispose();
      const cached = await read();
      server.commitOther("README.md", "moved\n", "docs: someone else");
      const result = await cached.commit(
        '{"fargate_tier":"draining"}\n',
        "lambdaflex: serving -> draining",
        new Date(),
      );
      await cached.dispose();
      expect(result.outcome).toBe("rejected");
      const fresh = await read();
      expect(
        (await fresh.commit('{"fargate_tier":"draining"}\n', "lambdaflex: serving -> draining", new Date())).outcome,
      ).toBe("pushed");
      await fresh.dispose();
      expect(server.show(TOGGLE)).toContain('"draining"');
    });

    it("clones into one folder per container, so a clone left by a timed-out invocation is replaced, never piled up", async () => {
      const workRoot = mkdtempSync(join(tmpdir(), "reader-"));
      // What a Lambda timeout leaves behind: the clone folder with stray content.
      mkdirSync(join(workRoot, "lambdaflex-toggle"));
      writeFileSync(join(workRoot, "lambdaflex-toggle", "stale"), "from an invocation that timed out");
      const co = await toggleReader({ ...options, workRoot })();
      expect(readdirSync(workRoot)).toEqual(["lambdaflex-toggle"]);
      expect(existsSync(join(workRoot, "lambdaflex-toggle", "stale"))).toBe(false);
      await co.dispose();
      expect(readdirSync(workRoot)).toEqual([]);
    });
  });
});
