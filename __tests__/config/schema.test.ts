import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CONFIG_FILE, loadDeploymentConfig } from "../../config/load";
import { ConfigValidationError, parseDeploymentConfig } from "../../config/schema";

const raw = () => JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, "utf8"));

describe("deployment configuration", () => {
  it("accepts the committed defaults", () => {
    const c = loadDeploymentConfig(DEFAULT_CONFIG_FILE, {});
    expect(c.service).toBe("lambdaflex");
    // The money rule's defaults: warm-up and teardown price the round trip, classic ski rental.
    expect(c.scaling).toMatchObject({ warmupMinutes: 15, teardownMinutes: 10, switchCostFactor: 1, historyMinutes: 360, maxBackoff: 4 });
  });

  it("lets named environment variables override fields", () => {
    const c = loadDeploymentConfig(DEFAULT_CONFIG_FILE, { LAMBDAFLEX_FARGATE_MIN_TASKS: "3", LAMBDAFLEX_TFC_ORGANIZATION: "acme" });
    expect(c.fargate.minTasks).toBe(3);
    expect(c.terraformCloud.organization).toBe("acme");
  });

  it("reports every invalid field by name in one error", () => {
    const bad = raw();
    bad.region = "mars";
    bad.fargate.minTasks = 0;
    bad.fargate.cpu = 300;
    bad.scaling.downThresholdRps = 50;
    bad.toggleFile = "deploy/fargate/toggle.json";
    bad.surprise = true;
    let error: ConfigValidationError | undefined;
    try {
      parseDeploymentConfig(bad, "test.json");
    } catch (err) {
      error = err as ConfigValidationError;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const fields = error!.problems.map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(["region", "fargate.minTasks", "fargate.cpu", "toggleFile", "(root)"]));
    expect(error!.message).toContain("region: must be an AWS region such as us-east-1");
    expect(error!.message).toContain("test.json");
  });

  it("enforces task bounds across fields, and names a rate threshold left from an earlier version", () => {
    const bad = raw();
    bad.scaling.upThresholdRps = 20;
    bad.fargate.maxTasks = 1;
    expect(() => parseDeploymentConfig(bad)).toThrow(/fargate\.maxTasks: must be >= fargate\.minTasks \(2\)/);
    expect(() => parseDeploymentConfig(bad)).toThrow(/scaling.*upThresholdRps/);
  });

  it("names a non-numeric override and a broken file clearly", () => {
    expect(() => loadDeploymentConfig(DEFAULT_CONFIG_FILE, { LAMBDAFLEX_FARGATE_MAX_TASKS: "lots" })).toThrow(/fargate\.maxTasks/);
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    writeFileSync(join(dir, "c.json"), "{ nope");
    expect(() => loadDeploymentConfig(join(dir, "c.json"), {})).toThrow(/c\.json is not valid JSON/);
    expect(() => loadDeploymentConfig(join(dir, "missing.json"), {})).toThrow(/cannot read LambdaFlex configuration .*missing\.json/);
  });
});
