import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Route53Client } from "@aws-sdk/client-route-53";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { jsonLogger, type Logger } from "../service/log";
import { readMetrics } from "./adapters/cloudwatch";
import { readLiveRecords } from "./adapters/route53";
import { readToken } from "./adapters/secrets";
import { publishStatus } from "./adapters/status";
import { latestRun } from "./adapters/terraform-cloud";
import { checkoutToggle } from "./git-toggle";
import { reconcile, type ReconcileDeps, type ReconcileResult } from "./reconcile";
import { scalerSettingsFromEnv, type ScalerSettings } from "./settings";

export type Trigger = { kind: "schedule" } | { kind: "alarm"; alarm: string; state: string } | { kind: "alarm-via-sns"; alarm: string; state: string } | { kind: "unknown" };

/**
 * Names what invoked the scaler. Every trigger leads to the same reconcile
 * step: the scaler is level-triggered, so an alarm only makes it look sooner.
 */
export function classifyEvent(event: unknown): Trigger {
  const e = (event ?? {}) as Record<string, any>;
  if (e.source === "aws.events" && e["detail-type"] === "Scheduled Event") return { kind: "schedule" };
  if (e.source === "aws.cloudwatch" && e.alarmData) {
    return { kind: "alarm", alarm: String(e.alarmData.alarmName ?? ""), state: String(e.alarmData.state?.value ?? "") };
  }
  const record = Array.isArray(e.Records) ? e.Records[0] : undefined;
  if (record?.EventSource === "aws:sns" && typeof record.Sns?.Message === "string") {
    try {
      const message = JSON.parse(record.Sns.Message) as { AlarmName?: string; NewStateValue?: string };
      return { kind: "alarm-via-sns", alarm: String(message.AlarmName ?? ""), state: String(message.NewStateValue ?? "") };
    } catch {
      return { kind: "unknown" };
    }
  }
  return { kind: "unknown" };
}

/** Wires the reconciler to AWS and the git host. Clients are injected for tests. */
export function awsDeps(
  s: ScalerSettings,
  logger: Logger,
  clients = { cloudwatch: new CloudWatchClient({}), route53: new Route53Client({}), secrets: new SecretsManagerClient({}), dynamo: new DynamoDBClient({}) },
): ReconcileDeps {
  // Each secret is read once per container; a failed read is retried on the next invocation.
  const cached = new Map<string, Promise<string>>();
  const secret = (name: string): Promise<string> => {
    let value = cached.get(name);
    if (!value) {
      value = readToken(clients.secrets, name).catch((err: Error) => {
        cached.delete(name);
        throw err;
      });
      cached.set(name, value);
    }
    return value;
  };
  const tfc = s.terraformCloud;
  return {
    policy: s.policy,
    service: s.service,
    toggleFile: s.toggleFile,
    dryRun: s.dryRun,
    logger,
    now: () => new Date(),
    metrics: (now, state) => readMetrics(clients.cloudwatch, s.targets, now, s.historyMinutes, state),
    records: () => readLiveRecords(clients.route53, s.hostedZoneId, s.domain),
    publish: (status) => publishStatus(clients.dynamo, s.tableName, status),
    lastRun: tfc
      ? async () => latestRun({ organization: tfc.organization, workspace: tfc.workspace, token: await secret(tfc.tokenSecretName) })
      : undefined,
    checkout: async () =>
      checkoutToggle({
        url: s.git.repositoryUrl,
        branch: s.git.branch,
        path: s.toggleFile,
        token: await secret(s.git.tokenSecretName),
        username: s.git.tokenUsername,
        author: { name: s.git.authorName, email: s.git.authorEmail },
      }),
  };
}

const logger = jsonLogger();
let deps: ReconcileDeps | undefined;

/** The scaler Lambda: EventBridge schedule, CloudWatch alarm actions and alarms via SNS all reconcile. */
export const handler = async (event: unknown): Promise<{ trigger: Trigger } & Omit<ReconcileResult, "decision"> & { to?: string }> => {
  const trigger = classifyEvent(event);
  if (trigger.kind === "unknown") logger("warn", "unrecognised event; reconciling anyway", { event });
  deps ??= awsDeps(scalerSettingsFromEnv(process.env), logger);
  const result = await reconcile(deps);
  logger("info", "reconciled", { trigger, outcome: result.outcome, attempts: result.attempts, commit: result.commit });
  return { trigger, outcome: result.outcome, attempts: result.attempts, commit: result.commit, to: result.decision?.to };
};
