import { join } from "node:path";
import { importViolations, readSources } from "../../scripts/check-imports";

describe("the floors of the house", () => {
  it("has no import that runs uphill in this checkout", () => {
    const sources = readSources(join(__dirname, "..", ".."));
    expect(sources.size).toBeGreaterThan(200);
    expect(importViolations(sources)).toEqual([]);
  });

  it("names the file, the line and the rule of an import that runs uphill", () => {
    const files = new Map([
      ["scaler/money.ts", 'import { x } from "../model/cost-model";\nimport {\n  minuteCost,\n} from "../sim/bill";\n'],
      ["stacks/core-stack.ts", 'import { paths } from "../scripts/paths";\n'],
      ["scaler/handler.ts", 'import type { Logger } from "../service/log";\n'],
      ["service/app.ts", 'const h = await import("../scaler/handler");\n'],
      [
        "model/toggle.ts",
        'import { loadDeploymentConfig } from "../config/load";\nimport type { DeploymentConfig } from "../config/schema";\n',
      ],
      [
        "sim/twin.ts",
        'import { decide } from "../scaler/policy";\nimport { FargateStack } from "../stacks/fargate-stack";\n',
      ],
      ["__tests__/sim/twin.test.ts", 'import { x } from "../../scripts/simulate";\n'],
    ]);
    expect(importViolations(files)).toEqual([
      {
        file: "scaler/money.ts",
        line: 2,
        target: "sim/bill",
        rule: "scaler/ (floor 1) imports from sim/ (floor 3), a floor above",
      },
      {
        file: "stacks/core-stack.ts",
        line: 1,
        target: "scripts/paths",
        rule: "stacks/ (floor 2) imports from scripts/ (floor 4), a floor above",
      },
      {
        file: "scaler/handler.ts",
        line: 1,
        target: "service/log",
        rule: "scaler/ and service/ are siblings and do not import each other",
      },
      {
        file: "service/app.ts",
        line: 1,
        target: "scaler/handler",
        rule: "service/ and scaler/ are siblings and do not import each other",
      },
      {
        file: "model/toggle.ts",
        line: 1,
        target: "config/load",
        rule: "model/ takes only types from config/ (use import type)",
      },
    ]);
  });
});
