import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mapStack } from "../../service/stack-map";
import { ROOT } from "../helpers/processes";

const dir = mkdtempSync(join(tmpdir(), "stack-map-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mapStack", () => {
  it("maps a minified ES module bundle's frames to the TypeScript line that threw, from the map beside the bundle", async () => {
    writeFileSync(
      join(dir, "thrower.ts"),
      ["export function fails(): never {", '  throw new Error("boom");', "}", ""].join("\n"),
    );
    writeFileSync(
      join(dir, "entry.ts"),
      `import { mapStack } from ${JSON.stringify(join(ROOT, "service", "stack-map"))};
import { fails } from "./thrower";
try { fails(); } catch (err) { process.stdout.write(JSON.stringify({ raw: (err as Error).stack, mapped: mapStack((err as Error).stack!) })); }
`,
    );
    // As scripts/build.ts builds dist/lambda.mjs: minified, a linked map without the sources' text.
    await build({
      entryPoints: [join(dir, "entry.ts")],
      outfile: join(dir, "out", "bundle.mjs"),
      bundle: true,
      platform: "node",
      format: "esm",
      minify: true,
      sourcemap: "linked",
      sourcesContent: false,
      logLevel: "silent",
    });
    // Without --enable-source-maps, as the image runs.
    const run = spawnSync(process.execPath, [join(dir, "out", "bundle.mjs")], {
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    expect(run.stderr).toBe("");
    const { raw, mapped } = JSON.parse(run.stdout) as { raw: string; mapped: string };
    expect(raw).toMatch(/file:\/\/\S*\/out\/bundle\.mjs:1:\d+/);
    expect(mapped).toContain(`at c (${join(dir, "thrower.ts")}:2:9)`);
    expect(mapped).not.toContain("bundle.mjs");
    expect(mapped.split("\n")[0]).toBe("Error: boom");
  });

  it("leaves frames of files without a map, and Node's own, as they are", () => {
    const stack =
      "Error: x\n    at f (/nowhere/a.js:1:2)\n    at /nowhere/b.mjs:3:4\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)";
    expect(mapStack(stack)).toBe(stack);
  });
});
