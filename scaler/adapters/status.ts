import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { ScalerStatus } from "../../service/routes/status";
import { SCALER_STATUS_KEY } from "../../service/scaler-status";

/**
 * Publishes the scaler's last decision as one item in the service's table
 * (see service/scaler-status.ts for why this store); `/stack-status` reads it.
 */
export async function publishStatus(client: DynamoDBClient, tableName: string, status: ScalerStatus & Record<string, unknown>): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { code: { S: SCALER_STATUS_KEY }, status: { S: JSON.stringify(status) }, updatedAt: { S: status.at } },
    }),
  );
}
