import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import type { ScalerStatus } from "./routes/status";

/**
 * The scaler publishes its last decision as one item in the service's own
 * DynamoDB table, under a key no link code can take (codes are alphanumeric).
 * Why not SSM: GetParameter is throttled at 40 TPS per account, which a busy
 * `/stack-status` across many Lambda instances would hit; the SSM client
 * would also add ~200 KiB to the bundle's cold start; and DynamoDB lets the
 * scaler's role write this one item only (dynamodb:LeadingKeys).
 */
export const SCALER_STATUS_KEY = "#scaler-status";

/** How long a read is reused; the scaler writes at most once a minute. */
const CACHE_MS = 15_000;

/** Parses the stored JSON, or undefined when it is absent or not a status. */
export function parseScalerStatus(raw: string | undefined): ScalerStatus | undefined {
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw) as Partial<ScalerStatus> | null;
    if (!p || typeof p.state !== "string") return undefined;
    return { state: p.state, decision: String(p.decision ?? ""), reason: String(p.reason ?? ""), at: String(p.at ?? "") };
  } catch {
    return undefined;
  }
}

/** A cached reader of the scaler's status item, for `/stack-status`. */
export function dynamoScalerStatus(
  tableName: string,
  client: DynamoDBClient,
  now: () => number = Date.now,
): () => Promise<ScalerStatus | undefined> {
  let cached: { at: number; value: ScalerStatus | undefined } | undefined;
  return async () => {
    if (cached && now() - cached.at < CACHE_MS) return cached.value;
    const out = await client.send(new GetItemCommand({ TableName: tableName, Key: { code: { S: SCALER_STATUS_KEY } } }));
    const value = parseScalerStatus(out.Item?.status?.S);
    cached = { at: now(), value };
    return value;
  };
}
