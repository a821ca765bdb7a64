import { serviceConfigFromEnv } from "../../service/config";
import { ConfigError } from "../../service/errors";

describe("serviceConfigFromEnv", () => {
  it("uses the embedded store when nothing is configured", () => {
    const c = serviceConfigFromEnv({}, "fargate");
    expect(c).toMatchObject({ tier: "fargate", store: { kind: "embedded" }, maxBodyBytes: 8192, maxUrlLength: 2048 });
  });

  it("uses DynamoDB when LAMBDAFLEX_STORE=dynamodb and TABLE_NAME are set", () => {
    const c = serviceConfigFromEnv({ LAMBDAFLEX_STORE: "dynamodb", TABLE_NAME: "links" }, "lambda");
    expect(c.store).toEqual({ kind: "dynamodb", tableName: "links", endpoint: undefined });
  });

  it("names TABLE_NAME when DynamoDB is selected without it", () => {
    expect(() => serviceConfigFromEnv({ LAMBDAFLEX_STORE: "dynamodb" }, "lambda")).toThrow(/TABLE_NAME must be set/);
  });

  it("treats a configured endpoint as DynamoDB mode", () => {
    expect(() => serviceConfigFromEnv({ DYNAMODB_ENDPOINT: "http://127.0.0.1:1" }, "lambda")).toThrow(ConfigError);
  });

  it("reports every bad variable at once, by name and value", () => {
    let message = "";
    try {
      serviceConfigFromEnv({ LAMBDAFLEX_STORE: "redis", MAX_BODY_BYTES: "-5", LAMBDAFLEX_TIER: "ec2" }, "lambda");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('LAMBDAFLEX_STORE must be "dynamodb" or "embedded", got "redis"');
    expect(message).toContain('MAX_BODY_BYTES must be a positive integer, got "-5"');
    expect(message).toContain('LAMBDAFLEX_TIER must be "lambda" or "fargate", got "ec2"');
  });
});
