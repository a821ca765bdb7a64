import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import { synthesize } from "../../scripts/synth";
import { DEFAULT_PRICES } from "../../model/prices";
import {
  formatIdleBill,
  IDLE_ASSUMPTIONS,
  IDLE_BILL_LIMIT_USD,
  idleBillFromStack,
  LAMBDAFLEX_IDLE_BUDGET_USD,
  minutesBetweenRuns,
} from "../../sim/idle-bill";
import { readStack, removeDir } from "../helpers/terraform";

const config = loadDeploymentConfig(undefined, {});
const out = mkdtempSync(join(tmpdir(), "lambdaflex-idle-"));
const stacks = synthesize(config, out);
const core = readStack(stacks.core!);
const bootstrap = readStack(stacks.bootstrap!);
const withDashboard = readStack(synthesize({ ...config, dashboard: true }, mkdtempSync(join(out, "dashboard-"))).core!);
afterAll(() => removeDir(out));

const copy = (j: Record<string, any>) => JSON.parse(JSON.stringify(j));
const item = (bill: ReturnType<typeof idleBillFromStack>, prefix: string) =>
  bill.items.find((i) => i.item.startsWith(prefix));

describe("idleBillFromStack", () => {
  const bill = idleBillFromStack(core);

  it("keeps the default deployment within the limit while the tier is off", () => {
    expect(bill.totalUsdPerMonth).toBeLessThanOrEqual(IDLE_BILL_LIMIT_USD);
    // What core declares and runs stays near zero; the storage items are most of the rest.
    const storage = ["ECR release images", "DynamoDB point-in-time recovery"]
      .map((i) => item(bill, i)!.usdPerMonth)
      .reduce((a, b) => a + b, 0);
    expect(bill.totalUsdPerMonth - storage).toBeLessThanOrEqual(LAMBDAFLEX_IDLE_BUDGET_USD);
    expect(bill.totalUsdPerMonth).toBeCloseTo(
      bill.items.reduce((n, i) => n + i.usdPerMonth, 0),
      12,
    );
  });

  it("bills the two wake alarms at $0.10 each, the stored images and PITR, and nothing for dashboards, keys or secrets", () => {
    expect(item(bill, "CloudWatch alarms")).toMatchObject({ count: 2, usdPerMonth: 0.2 });
    expect(bill.items.map((i) => i.item)).toEqual([
      "CloudWatch alarms",
      "ECR release images",
      "DynamoDB point-in-time recovery",
      "lambdaflex-scaler rate(1 hour): invocations",
      "lambdaflex-scaler rate(1 hour): compute",
      "lambdaflex-scaler rate(1 hour): GetMetricData",
      "lambdaflex-scaler rate(1 hour): logs",
    ]);
  });

  it("prices the kept release images at $0.10 per GB-month: 30 of ~120 MiB", () => {
    const images = item(bill, "ECR release images")!;
    expect(images.count).toBeCloseTo((30 * 120) / 1024, 12);
    expect(images.usdPerMonth).toBeCloseTo(((30 * 120) / 1024) * 0.1, 12);
    // 30 is what the bootstrap stack's lifecycle policy keeps.
    const lifecycle = Object.values(bootstrap.resource.aws_ecr_lifecycle_policy)[0] as any;
    // The policy is HCL (`jsonencode({"countType" = ...})`): the count follows its countType.
    const keep = /"countType"="imageCountMoreThan","countNumber"=(\d+)/.exec(lifecycle.policy.replace(/\s/g, ""));
    expect(Number(keep?.[1])).toBe(IDLE_ASSUMPTIONS.releasesKept);
  });

  it("prices PITR at $0.20 per GB-month for every table that turns it on", () => {
    expect(item(bill, "DynamoDB point-in-time recovery")).toMatchObject({ count: 0.1, usdPerMonth: 0.1 * 0.2 });
    const off = copy(core);
    for (const t of Object.values(off.resource.aws_dynamodb_table) as any[])
      t.point_in_time_recovery = { enabled: false };
    expect(item(idleBillFromStack(off), "DynamoDB point-in-time recovery")).toBeUndefined();
  });

  it("prices the hourly heartbeat from its rate: 730 runs of ~1 s at 256 MB, 2 metrics each", () => {
    expect(item(bill, "lambdaflex-scaler rate(1 hour): invocations")).toMatchObject({
      count: 730,
      usdPerMonth: 730 * DEFAULT_PRICES.lambdaRequest,
    });
    expect(item(bill, "lambdaflex-scaler rate(1 hour): compute")!.usdPerMonth).toBeCloseTo(
      730 * 0.25 * DEFAULT_PRICES.lambdaGbSecondArm,
      12,
    );
    expect(item(bill, "lambdaflex-scaler rate(1 hour): GetMetricData")).toMatchObject({
      count: 1460,
      usdPerMonth: 1460 * DEFAULT_PRICES.getMetricDataMetric,
    });
    // Per minute it would cost 60 times as much: $1 a month in GetMetricData alone.
    const perMinute = copy(core);
    (Object.values(perMinute.resource.aws_cloudwatch_event_rule)[0] as any).schedule_expression = "rate(1 minute)";
    const busy = idleBillFromStack(perMinute);
    expect(item(busy, "lambdaflex-scaler rate(1 minute): GetMetricData")!.usdPerMonth).toBeCloseTo(
      43800 * 2 * DEFAULT_PRICES.getMetricDataMetric,
      9,
    );
    expect(busy.totalUsdPerMonth).toBeGreaterThan(IDLE_BILL_LIMIT_USD);
  });

  it("lists what costs nothing idle: the schedule group, the rule, the topic, the log groups", () => {
    const free = bill.free.map((f) => f.item);
    for (const what of [
      "EventBridge Scheduler schedule groups (1)",
      "EventBridge scheduled rules (1)",
      "SNS topics (1)",
      "CloudWatch log groups (3)",
    ])
      expect(free).toContain(what);
    for (const f of bill.free) expect(f.note.length).toBeGreaterThan(10);
  });

  it("counts a configured dashboard at list price and says the first three are free", () => {
    const dashboards = item(idleBillFromStack(withDashboard), "CloudWatch dashboards")!;
    expect(dashboards).toMatchObject({ count: 1, usdPerMonth: 3, note: expect.stringContaining("3 dashboards") });
    expect(idleBillFromStack(withDashboard).totalUsdPerMonth).toBeGreaterThan(IDLE_BILL_LIMIT_USD);
  });

  it("prices customer-managed keys at $1, secrets at $0.40, and follows a changed price table", () => {
    const j = copy(core);
    j.resource.aws_kms_key = { a: {} };
    j.resource.aws_secretsmanager_secret = { b: {}, c: {} };
    const b = idleBillFromStack(j);
    expect(item(b, "KMS customer-managed keys")).toMatchObject({ count: 1, usdPerMonth: 1 });
    expect(item(b, "Secrets Manager secrets")).toMatchObject({ count: 2, usdPerMonth: 0.8 });
    expect(
      item(idleBillFromStack(core, { ...DEFAULT_PRICES, cloudwatchAlarmMonth: 0.3 }), "CloudWatch alarms")!.usdPerMonth,
    ).toBeCloseTo(0.6, 12);
  });

  it("prints the total and every item", () => {
    const text = formatIdleBill(bill);
    expect(text).toMatch(
      new RegExp(
        `^core idle bill while the tier is off: \\$${bill.totalUsdPerMonth.toFixed(2).replace(".", "\\.")}/month \\(limit \\$0\\.75\\)`,
      ),
    );
    expect(text).toContain("CloudWatch alarms x 2");
    expect(text).toContain("free  SNS topics (1)");
  });
});

describe("minutesBetweenRuns", () => {
  it.each([
    ["rate(1 minute)", 1],
    ["rate(15 minutes)", 15],
    ["rate(1 hour)", 60],
    ["rate(2 days)", 2880],
    ["cron(0/5 * * * ? *)", 5],
    ["cron(*/20 * * * ? *)", 20],
    ["cron(0,30 * * * ? *)", 30],
    ["cron(* * * * ? *)", 1],
    ["cron(0 * * * ? *)", 60],
    ["cron(0 3 * * ? *)", 1440],
    ["cron(0 0/6 * * ? *)", 360],
    ["at(2026-12-01T00:00:00)", Infinity],
  ])("%s runs every %p minutes", (expression, minutes) => {
    expect(minutesBetweenRuns(expression)).toBe(minutes);
  });

  it("refuses an expression it cannot read", () => {
    expect(() => minutesBetweenRuns("every minute")).toThrow(/unknown schedule expression "every minute"/);
  });
});
