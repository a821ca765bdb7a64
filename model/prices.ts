/**
 * The one price table: AWS us-east-1 public prices, arm64 where it matters.
 * Checked against the AWS pricing pages on 2026-11-22 (later rows on their own date); each row's `source`
 * names its page.
 * Change a price here and every derived threshold, simulation and report follows.
 */
export interface Price {
  readonly usd: number;
  readonly per: string;
  readonly source: string;
}

const checked = "2026-11-22";
/**
 * Rows added with issue 23, read on 2026-12-07 from secondary transcriptions of these pages
 * (the ELB page's LCU table, CloudWatch's 2025 Lambda log tiers); ECR's and PITR's are the long-standing list prices.
 */
const added = "2026-12-07";

export const PRICES = {
  lambdaRequest: { usd: 0.2 / 1e6, per: "request", source: `https://aws.amazon.com/lambda/pricing/ (${checked})` },
  lambdaGbSecondArm: {
    usd: 0.0000133334,
    per: "GB-second (arm64)",
    source: `https://aws.amazon.com/lambda/pricing/ (${checked})`,
  },
  httpApiRequest: {
    usd: 1.0 / 1e6,
    per: "request (HTTP API, first 300M/month)",
    source: `https://aws.amazon.com/api-gateway/pricing/ (${checked})`,
  },
  albHour: {
    usd: 0.0225,
    per: "ALB-hour",
    source: `https://aws.amazon.com/elasticloadbalancing/pricing/ (${checked})`,
  },
  albLcuHour: {
    usd: 0.008,
    per: "LCU-hour",
    source: `https://aws.amazon.com/elasticloadbalancing/pricing/ (${checked})`,
  },
  fargateVcpuHourArm: {
    usd: 0.03238,
    per: "vCPU-hour (Linux/ARM)",
    source: `https://aws.amazon.com/fargate/pricing/ (${checked})`,
  },
  fargateGbHourArm: {
    usd: 0.00356,
    per: "GB-hour (Linux/ARM)",
    source: `https://aws.amazon.com/fargate/pricing/ (${checked})`,
  },
  publicIpv4Hour: {
    usd: 0.005,
    per: "public IPv4 address-hour",
    source: `https://aws.amazon.com/vpc/pricing/ (${checked})`,
  },
  route53AliasQuery: {
    usd: 0,
    per: "alias query to an AWS resource (free)",
    source: `https://aws.amazon.com/route53/pricing/ (${checked})`,
  },
  cloudwatchAlarmMonth: {
    usd: 0.1,
    per: "standard-resolution alarm-month",
    source: `https://aws.amazon.com/cloudwatch/pricing/ (${checked})`,
  },
  getMetricDataMetric: {
    usd: 0.01 / 1000,
    per: "metric requested by GetMetricData",
    source: `https://aws.amazon.com/cloudwatch/pricing/ (${checked})`,
  },
  // Lambda's own logs bill as vended logs since May 2025: $0.50/GB for the first 10 TB a month, less beyond (the twin stays in the first tier).
  logsIngestGb: {
    usd: 0.5,
    per: "GB of log data ingested (Standard class, first 10 TB a month)",
    source: `https://aws.amazon.com/cloudwatch/pricing/ (${checked})`,
  },
  dashboardMonth: {
    usd: 3.0,
    per: "dashboard-month (beyond the account's 3 free)",
    source: `https://aws.amazon.com/cloudwatch/pricing/ (${checked})`,
  },
  dynamoRead: {
    usd: 0.125 / 1e6,
    per: "on-demand read request unit",
    source: `https://aws.amazon.com/dynamodb/pricing/on-demand/ (${checked})`,
  },
  schedulerInvocation: {
    usd: 1.0 / 1e6,
    per: "EventBridge Scheduler invocation (first 14M a month free)",
    source: `https://aws.amazon.com/eventbridge/pricing/ (${checked})`,
  },
  kmsKeyMonth: {
    usd: 1.0,
    per: "customer-managed KMS key-month",
    source: `https://aws.amazon.com/kms/pricing/ (${checked})`,
  },
  secretsManagerSecretMonth: {
    usd: 0.4,
    per: "Secrets Manager secret-month",
    source: `https://aws.amazon.com/secrets-manager/pricing/ (${checked})`,
  },
  dynamoWrite: {
    usd: 0.625 / 1e6,
    per: "on-demand write request unit",
    source: `https://aws.amazon.com/dynamodb/pricing/on-demand/ (${checked})`,
  },
  dynamoPitrGbMonth: {
    usd: 0.2,
    per: "GB-month of table size with point-in-time recovery (continuous backups)",
    source: `https://aws.amazon.com/dynamodb/pricing/on-demand/ (${added})`,
  },
  ecrStorageGbMonth: {
    usd: 0.1,
    per: "GB-month stored in a private repository",
    source: `https://aws.amazon.com/ecr/pricing/ (${added})`,
  },
} as const satisfies Record<string, Price>;

/** AWS bills a month as 730 hours (the Lambda and CloudWatch pricing pages' examples); a monthly price per minute is `usd / (730 x 60)`. */
export const HOURS_PER_MONTH = 730;

/** A GB in AWS's bills: 2^30 bytes. */
export const GB = 1024 ** 3;

/**
 * What one ALB load-balancer capacity unit (LCU) includes per hour; the hour
 * bills the largest of the dimensions. Lambda targets count processed bytes
 * at 0.4 GB per LCU, instances, IPs and containers at 1 GB. Rule evaluations
 * bill only beyond the first 10 rules a request is evaluated against, and the
 * tier's listener has one weighted default action, so they bill nothing here.
 */
export const ALB_LCU = {
  newConnectionsPerSecond: 25,
  activeConnectionsPerMinute: 3000,
  targetGbPerHour: 1,
  lambdaTargetGbPerHour: 0.4,
  source: `https://aws.amazon.com/elasticloadbalancing/pricing/ (${added})`,
} as const;

export type PriceTable = { readonly [K in keyof typeof PRICES]: number };

/** The prices as plain numbers, for the cost functions (override any for what-if runs). */
export const DEFAULT_PRICES: PriceTable = Object.fromEntries(
  Object.entries(PRICES).map(([k, p]) => [k, p.usd]),
) as PriceTable;
