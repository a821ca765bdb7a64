// `npm run test:cloud`: the stacks applied against an AWS API emulator (cloud-test/).
// Same transform and SDK warning switch as `npm test` (jest.config.js); its own root and pace.
const base = require("./jest.config");
/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ["<rootDir>/cloud-test"],
  // One terraform apply after another against one emulator: the cycle is sequential by nature.
  maxWorkers: 1,
  testTimeout: 15 * 60 * 1000,
};
