import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { parseDeploymentConfig } from "../../config/schema";
import { synthesize } from "../../scripts/synth";
import { accessLogEventBytes, LOG_EVENT_OVERHEAD_BYTES, platformLogBytes, platformRecords } from "../../sim/log-bytes";
import { readStack, removeDir } from "../helpers/terraform";

const config = loadDeploymentConfig(undefined, {});
const out = mkdtempSync(join(tmpdir(), "lambdaflex-logs-"));
const core = readStack(synthesize(config, out).core!);
afterAll(() => removeDir(out));

const stage = Object.values(core.resource.aws_apigatewayv2_stage)[0] as any;
const service = Object.values(core.resource.aws_lambda_function).find(
  (f: any) => f.function_name === `${config.service}-api`,
) as any;

describe("the log bytes per request", () => {
  it("measures the stage's access-log format filled with a redirect's values: the workload default", () => {
    const format: string = stage.access_log_settings.format;
    expect(format).toContain("$context.requestId");
    const line = `{"requestId":"JyFbaiIIoAMEPFQ=","ip":"203.0.113.195","method":"GET","path":"/Ab3dE9x","status":"302","latencyMs":"12","integrationError":"-"}`;
    expect(accessLogEventBytes(format)).toBe(line.length + LOG_EVENT_OVERHEAD_BYTES);
    expect(config.workload.accessLogBytes).toBe(accessLogEventBytes(format));
  });

  it("measures the service function's JSON platform records: the workload defaults", () => {
    expect(service.logging_config.log_format).toBe("JSON");
    const f = { functionName: service.function_name, region: config.region, memoryMb: service.memory_size };
    const r = platformRecords(f);
    expect(JSON.parse(r.start)).toMatchObject({
      type: "platform.start",
      record: { functionArn: `arn:aws:lambda:us-east-1:123456789012:function:lambdaflex-api` },
    });
    expect(JSON.parse(r.report)).toMatchObject({
      type: "platform.report",
      record: { metrics: { memorySizeMB: 512 }, status: "success" },
    });
    expect(platformLogBytes(f)).toEqual({
      perInvocation: config.workload.platformLogBytes,
      perColdStart: config.workload.initLogBytes,
    });
  });

  it("names a $context variable it has no example for", () => {
    expect(() => accessLogEventBytes('{"ua":"$context.identity.userAgent"}')).toThrow(
      /no example value for \$context\.identity\.userAgent/,
    );
  });

  it("keeps configurations without a workload section valid, and refuses an unknown key in it", () => {
    const { workload: _, ...raw } = JSON.parse(JSON.stringify(config));
    expect(parseDeploymentConfig(raw).workload).toEqual(config.workload);
    expect(() => parseDeploymentConfig({ ...raw, workload: { accesLogBytes: 100 } })).toThrow(
      /unknown key "accesLogBytes" in workload; did you mean "accessLogBytes"\?/,
    );
  });
});
