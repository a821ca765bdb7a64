/**
 * Bundles the service entry points and the scaler with esbuild into dist/.
 * The Dockerfile copies exactly dist/lambda.mjs and dist/server.js (with their
 * source maps), and the tests run exactly this output through entrypoint.sh,
 * so what is tested is what ships. The scaler is also zipped
 * (deterministically, so the committed deploy/ asset only changes when its
 * code does) for the core stack.
 *
 * The Lambda handler is built for its cold start (`npm run bench -- --only
 * cold-start` measures it through the real runtime client):
 *  - an ES module (.mjs): the runtime client loads the handler with
 *    `import()`, and Node then scans a CommonJS file twice before running it
 *    (module-syntax detection for a .js without "type", and cjs-module-lexer
 *    for its named exports), which cost more than everything else the
 *    service does at init;
 *  - the AWS SDK's ES builds (`module` before `main`), which esbuild can
 *    tree-shake to the commands used instead of every DynamoDB command;
 *  - code splitting: what the SDK imports dynamically (credential providers
 *    other than the environment's, STS, SSO) goes to chunks that load only
 *    if used (dist/lambda-*.mjs; on Lambda the credentials are in the
 *    environment);
 *  - one mime-types for Koa and its `accepts` (which nests an older copy with
 *    its own 140 KiB mime-db; only extension-style `ctx.accepts("json")`
 *    lookups could differ, and the service makes none);
 *  - large JSON (mime-db) as `JSON.parse("...")`, which V8 reads faster
 *    than an object literal of the same size;
 *  - source maps without `sourcesContent` (a stack needs only the mappings),
 *    read only when a logged stack is mapped (service/stack-map.ts): the
 *    image does not run Node with `--enable-source-maps`.
 */
import { build, type BuildOptions, type Plugin } from "esbuild";
import { zipSync } from "fflate";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { DIST, SCALER_ZIP } from "../model/paths";

/** Node packages' JSON over this size is emitted as `JSON.parse` of a string. */
const JSON_PARSE_MIN_BYTES = 10 * 1024;

const jsonAsParse: Plugin = {
  name: "json-as-parse",
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.json$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (text.length < JSON_PARSE_MIN_BYTES) return undefined;
      return {
        contents: `module.exports = JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(text)))});`,
        loader: "js",
      };
    });
  },
};

/** Resolves every `mime-types` to the top-level copy (see above). */
const oneMimeTypes: Plugin = {
  name: "one-mime-types",
  setup(b) {
    b.onResolve({ filter: /^mime-types$/ }, (args) =>
      /[\\/]node_modules[\\/]accepts[\\/]/.test(args.importer) ? { path: require.resolve("mime-types") } : undefined,
    );
  },
};

const common: BuildOptions = {
  bundle: true,
  platform: "node",
  // The image and the scaler run Node 22; the tests run the same bundles on Node 20.
  target: "node20",
  format: "cjs",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  // dev-only: the embedded store loads it lazily and reports its absence clearly.
  external: ["dynalite"],
};

/** The image's bundles: `common` plus what makes them load faster (the scaler keeps `common`, so its committed zip is unchanged). */
const image: BuildOptions = {
  ...common,
  // The AWS SDK's ES builds tree-shake; every other dependency resolves as before.
  mainFields: ["module", "main"],
  plugins: [jsonAsParse, oneMimeTypes],
  sourcemap: "linked",
  sourcesContent: false,
};

/**
 * The Lambda handler's files from an earlier build: its chunks (new names on
 * every change) and the CommonJS bundle of earlier layouts, which would shadow
 * lambda.mjs (the runtime client tries `.js` before `.mjs`).
 */
const isLambdaOutput = (file: string) => /^lambda[.-]/.test(file);

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(DIST, { recursive: true });
  for (const file of readdirSync(DIST, { withFileTypes: true }))
    if (file.isFile() && isLambdaOutput(file.name)) rmSync(join(DIST, file.name));
  await build({
    ...image,
    format: "esm",
    entryPoints: { lambda: "service/lambda.ts" },
    outdir: DIST,
    outExtension: { ".js": ".mjs" },
    splitting: true,
    chunkNames: "lambda-[name]-[hash]",
    // Bundled CommonJS dependencies call require() for Node's built-ins (and the embedded store for dynalite).
    banner: {
      js: 'import { createRequire as __lambdaflexRequire } from "node:module"; const require = __lambdaflexRequire(import.meta.url);',
    },
  });
  await build({
    ...image,
    // The second example app (examples/hello) ships the same way; its one file is both entries.
    entryPoints: { server: "service/server.ts", "examples/hello/app": "examples/hello/app.ts" },
    outdir: DIST,
  });
  await build({ ...common, entryPoints: { index: "scaler/handler.ts" }, outdir: join(DIST, "scaler") });
  // Fixed timestamps: the same code always gives the same zip bytes and asset hash.
  const zip = zipSync(
    { "index.js": [readFileSync(join(DIST, "scaler", "index.js")), { mtime: new Date("1980-01-01T00:00:00Z") }] },
    { level: 9 },
  );
  writeFileSync(SCALER_ZIP, zip);
  const sizes = ["lambda.mjs", "server.js", "scaler.zip"].map(
    (f) => `${f} ${(statSync(join(DIST, f)).size / 1024).toFixed(0)} KiB`,
  );
  process.stdout.write(`built ${sizes.join(", ")} in ${Date.now() - started} ms\n`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`build failed: ${err.message}\n`);
    process.exit(1);
  });
}
