/**
 * Bundles the service entry points and the scaler with esbuild into dist/.
 * The Dockerfile copies exactly dist/lambda.js and dist/server.js, and the
 * tests run exactly this output through entrypoint.sh, so what is tested is
 * what ships. The scaler is also zipped (deterministically, so the committed
 * deploy/ asset only changes when its code does) for the core stack.
 */
import { build } from "esbuild";
import { zipSync } from "fflate";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { DIST, SCALER_ZIP } from "./paths";

const common = {
  bundle: true,
  platform: "node" as const,
  // The image and the scaler run Node 22; the tests run the same bundles on Node 20.
  target: "node20",
  format: "cjs" as const,
  minify: true,
  legalComments: "none" as const,
  logLevel: "warning" as const,
};

async function main(): Promise<void> {
  const started = Date.now();
  await build({
    ...common,
    // The second example app (examples/hello) ships the same way; its one file is both entries.
    entryPoints: { lambda: "service/lambda.ts", server: "service/server.ts", "examples/hello/app": "examples/hello/app.ts" },
    outdir: DIST,
    sourcemap: "linked",
    // dev-only: the embedded store loads it lazily and reports its absence clearly.
    external: ["dynalite"],
  });
  await build({ ...common, entryPoints: { index: "scaler/handler.ts" }, outdir: join(DIST, "scaler"), external: ["dynalite"] });
  // Fixed timestamps: the same code always gives the same zip bytes and asset hash.
  const zip = zipSync({ "index.js": [readFileSync(join(DIST, "scaler", "index.js")), { mtime: new Date("1980-01-01T00:00:00Z") }] }, { level: 9 });
  writeFileSync(SCALER_ZIP, zip);
  const sizes = ["lambda.js", "server.js", "scaler.zip"].map((f) => `${f} ${(statSync(join(DIST, f)).size / 1024).toFixed(0)} KiB`);
  process.stdout.write(`built ${sizes.join(", ")} in ${Date.now() - started} ms\n`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`build failed: ${err.message}\n`);
    process.exit(1);
  });
}
