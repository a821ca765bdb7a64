/**
 * What the deployment bills every month while the Fargate tier is off: the
 * fixed prices of what the core stack declares, what its always-on schedules
 * cost to run, and the storage of what it keeps (the release images it runs
 * from, the table's point-in-time recovery). Read from the synthesized core
 * `cdk.tf.json`, so a resource added to core shows up here (and `npm run
 * synth:check` fails above the limit). Pay-per-use items that are zero
 * without traffic (API Gateway, the service's Lambda, DynamoDB on demand) are
 * not part of an idle bill.
 */
import { DEFAULT_PRICES, GB, HOURS_PER_MONTH, type PriceTable } from "../model/prices";

/**
 * The most the deployment may bill while the tier is off. It was $0.30 while the
 * bill counted only what core declares and runs (alarms, the hourly heartbeat,
 * about $0.22); the storage items (up to 30 release images, PITR) add about $0.37,
 * which any deployment of the service pays, the Lambda tier alone included. The
 * limit keeps room for neither a dashboard ($3) nor a per-minute heartbeat ($0.90).
 */
export const IDLE_BILL_LIMIT_USD = 0.75;

/**
 * What LambdaFlex itself may add to a month while the tier is off (the wake alarms, the
 * heartbeat): the old limit, and the right budget where LambdaFlex is compared with a
 * single tier, which pays the storage items too.
 */
export const LAMBDAFLEX_IDLE_BUDGET_USD = 0.3;

/** The assumptions behind the usage items, each with where it comes from. */
export const IDLE_ASSUMPTIONS = {
  /** AWS bills a month as 730 hours (https://aws.amazon.com/lambda/pricing/, "730 hours in a month"). */
  hoursPerMonth: HOURS_PER_MONTH,
  /** An idle scaler run: one git GET, one GetMetricData, one GetItem; about 1 s billed (docs/architecture.md "The scaler"; its logs' REPORT lines). */
  secondsPerRun: 1,
  /** While off the scaler reads API Gateway Count and Lambda Throttles (docs/architecture.md "The scaler", step 2). */
  metricsPerRun: 2,
  /** START, END and REPORT lines plus one JSON decision line, about 2 KB per run (the scaler's log group). */
  logBytesPerRun: 2048,
  /** Lambda's default when a function declares no memory_size. */
  defaultMemoryMb: 128,
  /** Release images the repository keeps: the bootstrap stack's lifecycle policy (stacks/bootstrap/image-repository.ts `keepReleases`). */
  releasesKept: 30,
  /**
   * Compressed MiB of one release image: the Lambda Node.js 22 base image (about 485 MB unpacked,
   * roughly a quarter of that compressed) and under 1 MiB of bundles. ECR stores a layer two images
   * share once, but AWS republishes the base image often, so releases a week apart rarely share it:
   * every kept release is counted in full, which makes the item an upper bound.
   */
  imageMb: 120,
  /**
   * GiB of table data PITR bills for: a few hundred thousand links at about 300 bytes each
   * (item data plus DynamoDB's 100 bytes of overhead per item).
   */
  tableGb: 0.1,
} as const;

export interface IdleBillItem {
  readonly item: string;
  readonly count: number;
  readonly usdPerMonth: number;
  readonly note?: string;
}

export interface IdleBill {
  readonly items: IdleBillItem[];
  /** What the stack declares that costs nothing while idle, and why. */
  readonly free: Array<{ item: string; note: string }>;
  readonly totalUsdPerMonth: number;
}

type Json = Record<string, any>;

/** Resources of a type that exist while the tier is off (no count, or a literal count). */
function idle(stack: Json, type: string): Array<[string, Json]> {
  return Object.entries((stack.resource?.[type] ?? {}) as Record<string, Json>).flatMap(
    ([name, r]): Array<[string, Json]> => {
      const n = r.count === undefined ? 1 : Number(r.count);
      if (!Number.isInteger(n))
        throw new Error(
          `${type}.${name}: count ${JSON.stringify(r.count)} is not a number; the idle bill reads only the core stack, whose resources always exist`,
        );
      return Array.from({ length: n }, () => [name, r]);
    },
  );
}

const UNIT_MINUTES: Record<string, number> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };

/**
 * Minutes between two runs of a schedule expression: `rate(N unit)`, or the
 * shortest gap a `cron(...)` minutes-and-hours field allows (a list, range, step or `*`).
 * `at(...)` (one time) runs once: Infinity.
 */
export function minutesBetweenRuns(expression: string): number {
  const rate = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (rate) return Number(rate[1]) * UNIT_MINUTES[rate[2]!]!;
  if (/^at\(/.test(expression.trim())) return Infinity;
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) throw new Error(`unknown schedule expression "${expression}": expected rate(...), cron(...) or at(...)`);
  const [minutes, hours] = cron[1]!.trim().split(/\s+/);
  const gap = (field: string, span: number): number => {
    if (field === "*") return 1;
    const step = /^(?:\*|\d+(?:-\d+)?)\/(\d+)$/.exec(field);
    if (step) return Number(step[1]);
    if (/^\d+-\d+$/.test(field)) return 1;
    const values = field
      .split(",")
      .map(Number)
      .sort((a, b) => a - b);
    if (values.some((v) => !Number.isInteger(v)))
      throw new Error(`cannot read cron field "${field}" in "${expression}"`);
    if (values.length === 1) return span;
    return Math.min(...values.slice(1).map((v, i) => v - values[i]!), span - values[values.length - 1]! + values[0]!);
  };
  const minuteGap = gap(minutes!, 60);
  // Several minutes in an hour: their gap. One minute an hour: the hours field decides.
  return minuteGap < 60 ? minuteGap : 60 * gap(hours!, 24);
}

/** The `aws_lambda_function` a `${aws_lambda_function.<name>.arn}` reference points to, if it does. */
const lambdaTarget = (stack: Json, arn: unknown): Json | undefined => {
  const name = /\$\{aws_lambda_function\.([^.[\]}]+)\.arn\}/.exec(String(arn ?? ""))?.[1];
  return name ? stack.resource?.aws_lambda_function?.[name] : undefined;
};

const usd = (n: number) => `$${n.toFixed(n > 0 && n < 0.01 ? 4 : 2)}`;

/** The monthly bill of the synthesized core stack while the Fargate tier is off. */
export function idleBillFromStack(
  coreStackJson: Json,
  prices: PriceTable = DEFAULT_PRICES,
  assumptions: typeof IDLE_ASSUMPTIONS = IDLE_ASSUMPTIONS,
): IdleBill {
  const a = assumptions;
  const items: IdleBillItem[] = [];
  const free: Array<{ item: string; note: string }> = [];
  const fixed = (type: string, item: string, unitUsd: number, note?: string) => {
    const count = idle(coreStackJson, type).length;
    if (count > 0) items.push({ item, count, usdPerMonth: count * unitUsd, ...(note ? { note } : {}) });
  };
  const freeIf = (type: string, item: string, note: string) => {
    const count = idle(coreStackJson, type).length;
    if (count > 0) free.push({ item: `${item} (${count})`, note });
  };

  fixed(
    "aws_cloudwatch_metric_alarm",
    "CloudWatch alarms",
    prices.cloudwatchAlarmMonth,
    "standard resolution, $0.10 each",
  );
  fixed(
    "aws_cloudwatch_dashboard",
    "CloudWatch dashboards",
    prices.dashboardMonth,
    "at list price; free while the account has at most 3 dashboards in all",
  );
  fixed("aws_kms_key", "KMS customer-managed keys", prices.kmsKeyMonth);
  fixed("aws_secretsmanager_secret", "Secrets Manager secrets", prices.secretsManagerSecretMonth);
  const secretReads =
    Object.keys(coreStackJson.data?.aws_secretsmanager_secret ?? {}).length +
    Object.keys(coreStackJson.data?.aws_secretsmanager_secret_version ?? {}).length;
  if (secretReads > 0)
    items.push({
      item: "Secrets Manager secrets read",
      count: secretReads,
      usdPerMonth: secretReads * prices.secretsManagerSecretMonth,
      note: "each secret read bills as a stored secret",
    });

  // What the stack keeps: the release images it reads by repository, the tables it backs up continuously.
  const repositories = Object.keys(coreStackJson.data?.aws_ecr_repository ?? {}).length;
  if (repositories > 0) {
    const gb = (repositories * a.releasesKept * a.imageMb * 1024 ** 2) / GB;
    items.push({
      item: "ECR release images",
      count: gb,
      usdPerMonth: gb * prices.ecrStorageGbMonth,
      note: `GB-months: at most ${a.releasesKept} releases of ~${a.imageMb} MiB compressed`,
    });
  }
  const pitr = idle(coreStackJson, "aws_dynamodb_table").filter(([, t]) => t.point_in_time_recovery?.enabled === true);
  if (pitr.length > 0) {
    const gb = pitr.length * a.tableGb;
    items.push({
      item: "DynamoDB point-in-time recovery",
      count: gb,
      usdPerMonth: gb * prices.dynamoPitrGbMonth,
      note: `GB-months: ~${a.tableGb} GB of links per table`,
    });
  }

  // Always-on schedules that invoke a Lambda function: what every run costs.
  for (const [name, rule] of idle(coreStackJson, "aws_cloudwatch_event_rule")) {
    if (!rule.schedule_expression) continue;
    const runs = (a.hoursPerMonth * 60) / minutesBetweenRuns(rule.schedule_expression);
    const targets = idle(coreStackJson, "aws_cloudwatch_event_target").filter(([, t]) =>
      String(t.rule).includes(`aws_cloudwatch_event_rule.${name}.`),
    );
    for (const [, target] of targets) {
      const fn = lambdaTarget(coreStackJson, target.arn);
      if (!fn || runs === 0 || !Number.isFinite(runs)) continue;
      const what = `${fn.function_name} ${rule.schedule_expression}`;
      const gb = (fn.memory_size ?? a.defaultMemoryMb) / 1024;
      items.push({ item: `${what}: invocations`, count: runs, usdPerMonth: runs * prices.lambdaRequest });
      items.push({
        item: `${what}: compute`,
        count: runs,
        usdPerMonth: runs * a.secondsPerRun * gb * prices.lambdaGbSecondArm,
        note: `~${a.secondsPerRun} s at ${fn.memory_size ?? a.defaultMemoryMb} MB per run`,
      });
      items.push({
        item: `${what}: GetMetricData`,
        count: runs * a.metricsPerRun,
        usdPerMonth: runs * a.metricsPerRun * prices.getMetricDataMetric,
        note: `${a.metricsPerRun} metrics per run`,
      });
      items.push({
        item: `${what}: logs`,
        count: runs,
        usdPerMonth: ((runs * a.logBytesPerRun) / GB) * prices.logsIngestGb,
        note: `~${a.logBytesPerRun / 1024} KB per run`,
      });
    }
  }

  freeIf(
    "aws_scheduler_schedule_group",
    "EventBridge Scheduler schedule groups",
    "no charge for groups; re-arm schedules run only while a wake alarm is in ALARM, within the 14M free invocations a month",
  );
  freeIf(
    "aws_cloudwatch_event_rule",
    "EventBridge scheduled rules",
    "no charge for rules or scheduled events; their runs are priced above",
  );
  const ssm = idle(coreStackJson, "aws_ssm_parameter");
  const advanced = ssm.filter(([, p]) => p.tier === "Advanced" || p.tier === "Intelligent-Tiering");
  if (advanced.length > 0)
    throw new Error(
      `aws_ssm_parameter.${advanced[0]![0]}: tier ${advanced[0]![1].tier} bills $0.05 a month; add a price row before using it`,
    );
  freeIf("aws_ssm_parameter", "SSM standard parameters", "no charge for standard parameters or standard throughput");
  freeIf("aws_sns_topic", "SNS topics", "the first 1M publishes and 1,000 e-mails a month are free");
  freeIf(
    "aws_cloudwatch_log_group",
    "CloudWatch log groups",
    "idle storage is a few MB ($0.03/GB-month); ingestion is priced above",
  );
  freeIf(
    "aws_dynamodb_table",
    "DynamoDB on-demand tables",
    "requests only; storage under 25 GB is free (PITR is priced above)",
  );
  if (
    items.some((i) => i.item.endsWith(": invocations")) &&
    idle(coreStackJson, "aws_cloudwatch_metric_alarm").length > 0
  ) {
    free.push({
      item: "CloudWatch DescribeAlarms calls",
      note: "one per run while the tier is off, within the 1M free API requests a month",
    });
  }

  const totalUsdPerMonth = items.reduce((n, i) => n + i.usdPerMonth, 0);
  return { items, free, totalUsdPerMonth };
}

/** The bill as lines for `npm run synth`. */
export function formatIdleBill(bill: IdleBill): string {
  const lines = [
    `core idle bill while the tier is off: $${bill.totalUsdPerMonth.toFixed(2)}/month (limit $${IDLE_BILL_LIMIT_USD.toFixed(2)})`,
  ];
  for (const i of bill.items)
    lines.push(
      `    ${usd(i.usdPerMonth).padStart(8)}  ${i.item} x ${Math.round(i.count * 100) / 100}${i.note ? ` (${i.note})` : ""}`,
    );
  for (const f of bill.free) lines.push(`       free  ${f.item}: ${f.note}`);
  return `${lines.join("\n")}\n`;
}
