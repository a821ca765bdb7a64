import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/processes";

// No Docker engine here: these checks read the Dockerfile for the properties a reviewer would check by hand.
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages[stages.length - 1]!;

describe("Dockerfile", () => {
  it("is multi-stage and ends on the AWS Lambda Node.js base image, 22 or newer, arm64 only", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const m = /^--platform=(\S+) public\.ecr\.aws\/lambda\/nodejs:(\d+)/.exec(runtime);
    expect(m?.[1]).toBe("linux/arm64");
    expect(Number(m?.[2])).toBeGreaterThanOrEqual(22);
  });

  it("builds the bundles with the same script the tests use", () => {
    expect(stages[0]).toContain("RUN npx tsx scripts/build.ts");
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(pkg.scripts.build).toBe("tsx scripts/build.ts");
  });

  it("copies only the bundles and the entrypoint into the runtime stage, never node_modules", () => {
    expect(runtime).toMatch(/COPY --from=build .*\/src\/dist\/lambda\*\.mjs .*\/src\/dist\/server\.js/);
    expect(runtime).not.toMatch(/node_modules/);
    expect(runtime).toMatch(/ENTRYPOINT \["\/var\/task\/entrypoint\.sh"\]/);
  });

  it("runs as a non-root user", () => {
    const user = /^USER (\S+)/m.exec(runtime)?.[1] ?? "root";
    expect(user.split(":")[0]).not.toMatch(/^(root|0)$/);
  });

  it("defaults the handler to the bundle the Lambda tests invoke", () => {
    expect(runtime).toContain('CMD ["dist/lambda.handler"]');
    expect(readFileSync(join(ROOT, "entrypoint.sh"), "utf8")).toContain("dist/lambda.handler");
  });

  it("copies every file of the handler npm run build writes, and the one the runtime client finds for the CMD handler", () => {
    // Each source is a path under /src (the build stage's checkout) or a `*` pattern in dist/.
    const sources = [...runtime.matchAll(/^COPY --from=build (.*) \S+$/gm)].flatMap((m) =>
      m[1]!.split(/\s+/).filter((a) => a.startsWith("/src/dist/")),
    );
    const dist = readdirSync(join(ROOT, "dist"));
    const matches = (source: string) => {
      const pattern = new RegExp(
        `^${source.slice("/src/dist/".length).replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*")}$`,
      );
      return dist.filter((f) => pattern.test(f));
    };
    const copied = new Set(sources.flatMap(matches));
    for (const source of sources) expect(matches(source)).not.toEqual([]);
    // The handler's ES module imports its chunks by relative path: every lambda* file ships.
    expect(dist.filter((f) => f.startsWith("lambda")).filter((f) => !copied.has(f))).toEqual([]);
    // aws-lambda-ric tries the module name with "", ".js", ".mjs", ".cjs" in that order.
    const found = ["", ".js", ".mjs", ".cjs"]
      .map((ext) => `lambda${ext}`)
      .find((f) => existsSync(join(ROOT, "dist", f)));
    expect(found).toBe("lambda.mjs");
    expect(copied.has(found!)).toBe(true);
  });
});
