import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { StatusAlert } from "./status";

/** What the operators need to act on an alert without opening the logs. */
export interface AlertContext {
  readonly service: string;
  /** The committed state of the tier. */
  readonly state: string;
  readonly reason: string;
  readonly evidence?: Readonly<Record<string, unknown>>;
  readonly at: string;
}

/** SNS rejects a Subject over 100 characters or with a line break. */
const SUBJECT_MAX = 100;

export const alertSubject = (alert: StatusAlert, c: AlertContext): string => {
  const subject = `${c.service} scaler alert: ${alert.kind} (tier ${c.state})`.replace(/[\r\n]+/g, " ");
  return subject.length <= SUBJECT_MAX ? subject : `${subject.slice(0, SUBJECT_MAX - 3)}...`;
};

/**
 * Publishes one new alert to the operators' topic. The scaler sends each
 * alert once, when it first appears, so nothing is billed while all is quiet
 * (no paging alarm on an alert-count metric).
 */
export async function publishAlert(
  client: SNSClient,
  topicArn: string,
  alert: StatusAlert,
  c: AlertContext,
): Promise<string | undefined> {
  const message = [
    alert.message,
    "",
    `alert: ${alert.kind}`,
    `state: ${c.state}`,
    `reason: ${c.reason}`,
    `evidence: ${
      c.evidence
        ? Object.entries(c.evidence)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")
        : "none"
    }`,
    `at: ${c.at}`,
  ].join("\n");
  const out = await client.send(
    new PublishCommand({ TopicArn: topicArn, Subject: alertSubject(alert, c), Message: message }),
  );
  return out.MessageId;
}
