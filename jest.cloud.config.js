// `npm run test:cloud`: the stacks applied against an AWS API emulator (cloud-test/).
// The AWS SDK warns on every Node below 22 that its releases after January 2027 will need 22.
// These machines run the tools on Node 20 (the image runs 22): the SDK's own switch keeps that
// one warning out of the output (every other warning still shows). Workers inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/cloud-test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  // One terraform apply after another against one emulator: the cycle is sequential by nature.
  maxWorkers: 1,
  testTimeout: 15 * 60 * 1000,
};
