import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from "@aws-sdk/client-dynamodb";

/** A DynamoDB-compatible server (dynalite) on loopback, for local runs and tests. */
export interface EmbeddedDynamo {
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts an in-memory dynalite on 127.0.0.1. dynalite is a dev dependency and
 * is loaded lazily, so the production bundle never carries it.
 */
export async function startEmbeddedDynamo(port = 0): Promise<EmbeddedDynamo> {
  let dynalite: (opts: object) => Server;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    dynalite = require("dynalite");
  } catch {
    throw new Error(
      "The embedded store needs the dev dependency 'dynalite' (run `npm ci`). " +
        "In AWS, set LAMBDAFLEX_STORE=dynamodb and TABLE_NAME instead.",
    );
  }
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A client for a local endpoint; dynalite accepts any credentials. */
export const localDynamoClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });

/** Creates the links table (on-demand, key `code`) unless it exists. */
export async function ensureLinksTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: "code", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "code", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  // dynalite reports CREATING briefly even with createTableMs 0.
  for (let i = 0; i < 50; i++) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === "ACTIVE") return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
