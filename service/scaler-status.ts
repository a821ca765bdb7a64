import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { parseScalerStatus, SCALER_STATUS_KEY, type ScalerStatus } from "../model/status-item";

/** How long a read is reused; the scaler writes at most once a minute. */
const CACHE_MS = 15_000;

/** A cached reader of the scaler's status item, for `/stack-status`. */
export function dynamoScalerStatus(
  tableName: string,
  client: DynamoDBClient,
  now: () => number = Date.now,
): () => Promise<ScalerStatus | undefined> {
  let cached: { at: number; value: ScalerStatus | undefined } | undefined;
  return async () => {
    if (cached && now() - cached.at < CACHE_MS) return cached.value;
    const out = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { code: { S: SCALER_STATUS_KEY } } }),
    );
    const value = parseScalerStatus(out.Item?.status?.S);
    cached = { at: now(), value };
    return value;
  };
}
