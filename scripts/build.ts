/**
 * Bundles the service entry points (and the scaler) with esbuild into dist/.
 * The Dockerfile copies exactly this output, and the tests run exactly this
 * output through entrypoint.sh, so what is tested is what ships.
 */
import { build } from "esbuild";
import { statSync } from "node:fs";

export const ENTRIES = {
  lambda: "service/lambda.ts",
  server: "service/server.ts",
} as const;

async function main(): Promise<void> {
  const started = Date.now();
  await build({
    entryPoints: ENTRIES,
    outdir: "dist",
    bundle: true,
    platform: "node",
    // The image runs Node 22; the tests run the same bundle on Node 20.
    target: "node20",
    format: "cjs",
    minify: true,
    sourcemap: "linked",
    legalComments: "none",
    // dev-only: the embedded store loads it lazily and reports its absence clearly.
    external: ["dynalite"],
    logLevel: "warning",
  });
  const sizes = Object.keys(ENTRIES).map((name) => `${name}.js ${(statSync(`dist/${name}.js`).size / 1024).toFixed(0)} KiB`);
  process.stdout.write(`built ${sizes.join(", ")} in ${Date.now() - started} ms\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`build failed: ${err.message}\n`);
  process.exit(1);
});
