import { readFileSync } from "node:fs";
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
    expect(runtime).toMatch(/COPY --from=build .*\/src\/dist\/lambda\.js .*\/src\/dist\/server\.js/);
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
});
