/** @type {import('jest').Config} */
// `npm run test:cloud`: the stacks applied against an AWS API emulator (cloud-test/).
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/cloud-test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  // One terraform apply after another against one emulator: the cycle is sequential by nature.
  maxWorkers: 1,
  testTimeout: 15 * 60 * 1000,
};
