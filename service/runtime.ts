import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type Koa from "koa";
import { createApp } from "./app";
import type { ServiceConfig } from "./config";
import type { Logger } from "../model/log";
import { DynamoLinkStore } from "./store/dynamo-link-store";
import { ensureLinksTable, localDynamoClient, startEmbeddedDynamo } from "./store/embedded-dynamo";
import { dynamoScalerStatus } from "./scaler-status";

/** A built app plus whatever must be closed with it (an embedded store). */
export interface Runtime {
  readonly app: Koa;
  close(): Promise<void>;
}

/**
 * Wires the app from the configuration. Both entry points call this, so the
 * Lambda and the server differ only in how requests reach `app.callback()`.
 */
export async function buildRuntime(config: ServiceConfig, logger: Logger): Promise<Runtime> {
  let client: DynamoDBClient;
  let close = async () => undefined as void;
  if (config.store.kind === "embedded") {
    const embedded = await startEmbeddedDynamo();
    client = localDynamoClient(embedded.endpoint);
    await ensureLinksTable(client, config.store.tableName);
    close = embedded.close;
    logger("info", "using embedded dynalite store", { endpoint: embedded.endpoint, table: config.store.tableName });
  } else {
    client = new DynamoDBClient(config.store.endpoint ? { endpoint: config.store.endpoint } : {});
  }
  const app = createApp({
    store: new DynamoLinkStore(config.store.tableName, client),
    tier: config.tier,
    version: config.version,
    logger,
    instanceId: randomUUID(),
    maxBodyBytes: config.maxBodyBytes,
    maxUrlLength: config.maxUrlLength,
    scalerStatus: dynamoScalerStatus(config.store.tableName, client),
  });
  return { app, close };
}
