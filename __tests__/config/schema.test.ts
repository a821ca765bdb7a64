import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CONFIG_FILE, loadDeploymentConfig } from "../../config/load";
import { MAX_SERVICE_LENGTH } from "../../config/derived-names";
import {
  ConfigValidationError,
  FARGATE_CPUS,
  FARGATE_MEMORY,
  fargateSizeProblem,
  parseDeploymentConfig,
} from "../../config/schema";

const raw = () => JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, "utf8"));

describe("deployment configuration", () => {
  it("accepts the committed defaults", () => {
    const c = loadDeploymentConfig(DEFAULT_CONFIG_FILE, {});
    expect(c.service).toBe("lambdaflex");
    // The money rule's defaults: warm-up and teardown price the round trip, classic ski rental.
    expect(c.scaling).toMatchObject({
      warmupMinutes: 15,
      teardownMinutes: 10,
      switchCostFactor: 1,
      historyMinutes: 360,
      maxBackoff: 4,
    });
  });

  it("lets named environment variables override fields", () => {
    const c = loadDeploymentConfig(DEFAULT_CONFIG_FILE, {
      LAMBDAFLEX_FARGATE_MIN_TASKS: "3",
      LAMBDAFLEX_TFC_ORGANIZATION: "acme",
    });
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
    expect(fields).toEqual(
      expect.arrayContaining(["region", "fargate.minTasks", "fargate.cpu", "toggleFile", "surprise"]),
    );
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

  /** The problems parseDeploymentConfig reports for a change to the committed defaults, as "field: message". */
  const problemsFor = (change: (c: Record<string, any>) => void): string[] => {
    const c = raw();
    change(c);
    try {
      parseDeploymentConfig(c, "test.json");
    } catch (err) {
      return (err as ConfigValidationError).problems.map((p) => `${p.field}: ${p.message}`);
    }
    return [];
  };

  it.each([
    ["fargate", "swtich", "switch"],
    ["lambda", "reservedConcurency", "reservedConcurrency"],
    ["git", "brnch", "branch"],
    ["api", "throttleRateLimt", "throttleRateLimit"],
    ["terraformCloud", "organisation", "organization"],
    ["scaling", "minDwelMinutes", "minDwellMinutes"],
    ["app", "healthpath", "healthPath"],
  ])("refuses the typo %s.%s by name, with its section and the key meant", (section, typo, meant) => {
    expect(problemsFor((c) => ((c[section] ??= {})[typo] = "dns"))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${section}\\.${typo}: unknown key "${typo}" in ${section}; did you mean "${meant}"\\? \\(${section} takes .*${meant}`,
        ),
      ),
    ]);
  });

  it("names an unknown key at the top level with the keys it takes, and suggests nothing for a key far from all of them", () => {
    expect(problemsFor((c) => (c.surprise = true))).toEqual([
      expect.stringMatching(
        /^surprise: unknown key "surprise" at the top level \(the top level takes service, region, /,
      ),
    ]);
    expect(problemsFor((c) => (c.fargate.spotCapacity = 1))).toEqual([
      expect.stringMatching(
        /^fargate\.spotCapacity: unknown key "spotCapacity" in fargate \(fargate takes cpu, memoryMb, /,
      ),
    ]);
  });

  it("lists the allowed values of an enum with the value given", () => {
    expect(problemsFor((c) => (c.fargate.cpu = 300))).toEqual([
      "fargate.cpu: must be one of 256, 512, 1024, 2048 or 4096, got 300",
    ]);
    expect(problemsFor((c) => (c.fargate.switch = "dsn"))).toEqual([
      'fargate.switch: must be one of "weighted" or "dns", got "dsn"',
    ]);
    expect(problemsFor((c) => (c.logRetentionDays = 10))).toEqual([
      "logRetentionDays: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 180 or 365, got 10",
    ]);
  });

  it("names a missing field, a wrong type and a value out of range with what was given", () => {
    expect(problemsFor((c) => delete c.domain)).toEqual(["domain: is missing: must be a string"]);
    expect(problemsFor((c) => (c.fargate.minTasks = "2"))).toEqual(['fargate.minTasks: must be a number, got "2"']);
    expect(problemsFor((c) => (c.lambda.timeoutSeconds = 30))).toEqual([
      expect.stringMatching(/^lambda\.timeoutSeconds: Too big: expected number to be <=29, got 30$/),
    ]);
  });
});

describe("Fargate task sizes (the rule AWS enforces, in the schema)", () => {
  const withSize = (cpu: number, memoryMb: number) =>
    parseDeploymentConfig({ ...raw(), fargate: { ...raw().fargate, cpu, memoryMb } }, "size.json");

  it("accepts every size Fargate offers, at both ends of each range", () => {
    for (const cpu of FARGATE_CPUS) {
      const [least, most] = FARGATE_MEMORY[cpu];
      expect(withSize(cpu, least).fargate).toMatchObject({ cpu, memoryMb: least });
      expect(withSize(cpu, most).fargate).toMatchObject({ cpu, memoryMb: most });
    }
  });

  it.each([
    [256, 4096, "memoryMb 4096 does not go with cpu 256: Fargate takes 512-2048 MiB (512, 1024 or 2048)"],
    [256, 1536, "memoryMb 1536 does not go with cpu 256: Fargate takes 512-2048 MiB (512, 1024 or 2048)"],
    [2048, 5000, "memoryMb 5000 does not go with cpu 2048: Fargate takes 4096-16384 MiB in steps of 1024"],
    [4096, 4096, "memoryMb 4096 does not go with cpu 4096: Fargate takes 8192-30720 MiB in steps of 1024"],
  ])("refuses cpu %i with memoryMb %i as fargate.memoryMb, in the words the stack uses", (cpu, memoryMb, message) => {
    expect(fargateSizeProblem(cpu, memoryMb)).toBe(message);
    let error: ConfigValidationError | undefined;
    try {
      withSize(cpu, memoryMb);
    } catch (err) {
      error = err as ConfigValidationError;
    }
    expect(error?.problems).toEqual([{ field: "fargate.memoryMb", message }]);
  });

  it("takes a service name as long as every AWS name built from it allows: 22 characters, for <service>-lambda-tg", () => {
    const withService = (service: string) => parseDeploymentConfig({ ...raw(), service });
    expect(MAX_SERVICE_LENGTH).toBe(22);
    expect(withService("a".repeat(22)).service).toBe("a".repeat(22));
    expect(withService("ab").service).toBe("ab");
    let error: ConfigValidationError | undefined;
    try {
      withService("a".repeat(23));
    } catch (err) {
      error = err as ConfigValidationError;
    }
    expect(error?.problems).toEqual([
      {
        field: "service",
        message: `service "${"a".repeat(23)}" is 23 characters; at most 22, because "<service>-lambda-tg" must fit Elastic Load Balancing's 32-character target group name limit`,
      },
    ]);
    expect(() => withService("a")).toThrow(
      /service: must be lower-case letters, digits or dashes, starting with a letter, at least 2 characters/,
    );
    expect(() => withService("Api")).toThrow(/service: must be lower-case letters/);
  });

  it("names a non-numeric override and a broken file clearly", () => {
    expect(() => loadDeploymentConfig(DEFAULT_CONFIG_FILE, { LAMBDAFLEX_FARGATE_MAX_TASKS: "lots" })).toThrow(
      /fargate\.maxTasks/,
    );
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    writeFileSync(join(dir, "c.json"), "{ nope");
    expect(() => loadDeploymentConfig(join(dir, "c.json"), {})).toThrow(/c\.json is not valid JSON/);
    expect(() => loadDeploymentConfig(join(dir, "missing.json"), {})).toThrow(
      /cannot read LambdaFlex configuration .*missing\.json/,
    );
  });
});

describe("the app section (bring your own service)", () => {
  const problems = (app: unknown): string[] => {
    try {
      parseDeploymentConfig({ ...raw(), app }, "app.json");
    } catch (err) {
      return (err as ConfigValidationError).problems.map((p) => `${p.field}: ${p.message}`);
    }
    return [];
  };

  it("defaults to the shortener's contract when a configuration has no app section", () => {
    const c = parseDeploymentConfig(raw());
    expect(raw().app).toBeUndefined();
    expect(c.app).toEqual({ healthPath: "/healthz", environment: {} });
    expect(parseDeploymentConfig({ ...raw(), app: { environment: { GREETING: "Hej" } } }).app).toEqual({
      healthPath: "/healthz",
      environment: { GREETING: "Hej" },
    });
  });

  it("accepts a health path and the Web Adapter's AWS_LWA_* variables", () => {
    const app = {
      healthPath: "/_status/ready",
      environment: { GREETING: "Hej", AWS_LWA_READINESS_CHECK_PATH: "/_status/ready", log_level: "debug", EMPTY: "" },
    };
    expect(parseDeploymentConfig({ ...raw(), app }).app).toEqual(app);
  });

  it.each([
    ["healthz", "app.healthPath: must be a path such as /healthz", '"healthz"'],
    ["/health?deep=1", "app.healthPath: must be a path such as /healthz", '"/health?deep=1"'],
    [`/${"a".repeat(1024)}`, "app.healthPath: must be at most 1024 characters", "got 1025"],
  ])("names the bad health path %j", (healthPath, problem, value) => {
    const found = problems({ healthPath });
    expect(found).toEqual([expect.stringContaining(problem)]);
    expect(found[0]).toContain(value);
  });

  it.each([
    ["PORT", "1", "app.environment.PORT: PORT is set by the stacks from fargate.containerPort"],
    ["TABLE_NAME", "t", "app.environment.TABLE_NAME: TABLE_NAME is set by the stacks"],
    ["LAMBDAFLEX_TIER", "x", "app.environment.LAMBDAFLEX_TIER: LAMBDAFLEX_TIER is set by the stacks"],
    ["AWS_REGION", "eu-west-1", "app.environment.AWS_REGION: AWS_REGION is reserved"],
    ["AWS_ACCESS_KEY_ID", "AKIA", "app.environment.AWS_ACCESS_KEY_ID: AWS_ACCESS_KEY_ID is reserved"],
    ["TZ", "Europe/Oslo", "app.environment.TZ: TZ is reserved"],
    ["LAMBDA_TASK_ROOT", "/x", "app.environment.LAMBDA_TASK_ROOT: LAMBDA_TASK_ROOT is reserved"],
    ["_HANDLER", "x.h", 'app.environment._HANDLER: "_HANDLER" is not a variable name Lambda accepts'],
    ["my-var", "x", 'app.environment.my-var: "my-var" is not a variable name Lambda accepts'],
    ["X", "x", 'app.environment.X: "X" is not a variable name Lambda accepts'],
    ["GREETING", 'say "hi"', 'app.environment.GREETING: value "say \\"hi\\"" holds a quote'],
    ["GREETING", "${var.image_digest}", 'app.environment.GREETING: value "${var.image_digest}" holds'],
    ["GREETING", "%{ if true }x%{ endif }", "app.environment.GREETING: value"],
    ["GREETING", "a\\b", "app.environment.GREETING: value"],
    ["GREETING", "line\nbreak", "app.environment.GREETING: value"],
  ])("refuses %s=%j and names it", (name, value, problem) => {
    expect(problems({ environment: { [name]: value } })).toEqual([expect.stringContaining(problem)]);
  });

  it("names a value that is not a string, an unknown key, and an environment over Lambda's size", () => {
    expect(problems({ environment: { WORKERS: 4 } })).toEqual([
      "app.environment.WORKERS: must be a string (quote numbers and booleans), got 4",
    ]);
    expect(problems({ healthpath: "/x" })).toEqual([
      expect.stringMatching(/^app\.healthpath: unknown key "healthpath" in app; did you mean "healthPath"\?/),
    ]);
    const big = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`BLOB_${i}`, "x".repeat(1000)]));
    expect(problems({ environment: big })).toEqual([
      expect.stringMatching(/^app\.environment: names and values take 4024 bytes, more than 3584/),
    ]);
  });

  it("reports every bad variable at once", () => {
    expect(
      problems({ healthPath: "x", environment: { PORT: "1", AWS_REGION: "x", OK_NAME: "fine" } }).map(
        (p) => p.split(":")[0],
      ),
    ).toEqual(["app.healthPath", "app.environment.PORT", "app.environment.AWS_REGION"]);
  });
});
