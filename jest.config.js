// The AWS SDK warns on every Node below 22 that its releases after January 2027 will need 22.
// These machines run the tools on Node 20 (the image runs 22): the SDK's own switch keeps that
// one warning out of the output (every other warning still shows). Workers inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Type checking runs once in `npm test` (tsc --noEmit); jest only transpiles.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 30000,
  // Integration suites spawn processes and terraform; two cores, two workers.
  maxWorkers: 2,
};
