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
