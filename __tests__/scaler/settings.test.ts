import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDeploymentConfig } from "../../config/schema";
import { scalerSettingsFrom, scalerSettingsFromEnv } from "../../scaler/settings";
import { ROOT } from "../helpers/processes";
import { TERRAFORM_IDS } from "../helpers/scaler-ids";

const RAW = JSON.parse(readFileSync(join(ROOT, "lambdaflex.config.json"), "utf8")) as Record<string, any>;
const GOOD = scalerSettingsFrom(parseDeploymentConfig(RAW), TERRAFORM_IDS);

/** The configuration with one field of one section changed. */
const configWith = (section: string, key: string, value: unknown) => ({
  ...RAW,
  [section]: { ...RAW[section], [key]: value },
});
const settingsEnv = (policy: Record<string, unknown>, top: Record<string, unknown> = {}) => ({
  LAMBDAFLEX_SCALER_SETTINGS: JSON.stringify({ ...GOOD, ...top, policy: { ...GOOD.policy, ...policy } }),
});

describe("scaler settings bounds", () => {
  // Each row: a value the configuration refuses, and where the same value sits in the settings.
  it.each([
    ["scaling", "historyMinutes", 10, (v: unknown) => settingsEnv({ historyMinutes: v }), /policy\.historyMinutes/],
    ["scaling", "warmupMinutes", 0.5, (v: unknown) => settingsEnv({ warmupMinutes: v }), /policy\.warmupMinutes/],
    [
      "scaling",
      "switchCostFactor",
      0.1,
      (v: unknown) => settingsEnv({ switchCostFactor: v }),
      /policy\.switchCostFactor/,
    ],
    [
      "scaling",
      "backoffDecayMinutes",
      30,
      (v: unknown) => settingsEnv({ backoffDecayMinutes: v }),
      /policy\.backoffDecayMinutes/,
    ],
    ["scaling", "maxBackoff", 11, (v: unknown) => settingsEnv({ maxBackoff: v }), /policy\.maxBackoff/],
    [
      "scaling",
      "warmingTimeoutMinutes",
      2,
      (v: unknown) => settingsEnv({ warmingTimeoutMinutes: v }),
      /policy\.warmingTimeoutMinutes/,
    ],
    ["scaling", "dnsTtlSeconds", 7200, (v: unknown) => settingsEnv({ dnsTtlSeconds: v }), /policy\.dnsTtlSeconds/],
    ["scaling", "metricLagMinutes", 16, (v: unknown) => settingsEnv({}, { metricLagMinutes: v }), /metricLagMinutes/],
    [
      "lambda",
      "memoryMb",
      64,
      (v: unknown) => settingsEnv({ workload: { ...GOOD.policy.workload, lambdaMemoryMb: v } }),
      /lambdaMemoryMb/,
    ],
  ])("refuses %s.%s = %p as the configuration does", (section, key, value, env, field) => {
    expect(() => parseDeploymentConfig(configWith(section, key, value))).toThrow(new RegExp(key));
    expect(() => scalerSettingsFromEnv(env(value))).toThrow(field);
  });

  it("accepts what the configuration builds", () => {
    expect(scalerSettingsFromEnv(settingsEnv({}))).toEqual(GOOD);
  });
});
