import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { SCALER_STATUS_KEY, type ScalerStatus } from "../../model/status-item";
import type { ScalerMemory } from "../policy";

/** An alert as the status item records it: the kind is what makes it "new" or not. */
export interface StatusAlert {
  readonly kind: string;
  readonly message: string;
}

/**
 * The status item as the scaler writes it: what `/stack-status` shows, plus the alerts the operators
 * were told about and what the scaler remembers across runs (`/stack-status` shows neither).
 */
export type PublishedStatus = ScalerStatus & {
  readonly alerts?: readonly StatusAlert[];
  readonly commit?: string;
  readonly memory?: ScalerMemory;
};

/** The memory as stored, or nothing when it is not the shape the scaler writes (an older item, a hand edit). */
function parseMemory(raw: unknown): ScalerMemory | undefined {
  const m = raw as
    | {
        recordGone?: { drainSince?: unknown; at?: unknown };
        stay?: { since?: unknown; through?: unknown; excessUsd?: unknown };
      }
    | null
    | undefined;
  const gone = m?.recordGone;
  const stay = m?.stay;
  const memory: { -readonly [K in keyof ScalerMemory]: ScalerMemory[K] } = {};
  if (gone && typeof gone.drainSince === "string" && typeof gone.at === "string")
    memory.recordGone = { drainSince: gone.drainSince, at: gone.at };
  if (
    stay &&
    typeof stay.since === "string" &&
    typeof stay.through === "string" &&
    typeof stay.excessUsd === "number" &&
    Number.isFinite(stay.excessUsd)
  ) {
    memory.stay = { since: stay.since, through: stay.through, excessUsd: stay.excessUsd };
  }
  return Object.keys(memory).length > 0 ? memory : undefined;
}

/**
 * Publishes the scaler's last decision as one item in the service's table
 * (see service/scaler-status.ts for why this store); `/stack-status` reads it.
 */
export async function publishStatus(client: DynamoDBClient, tableName: string, status: PublishedStatus): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { code: { S: SCALER_STATUS_KEY }, status: { S: JSON.stringify(status) }, updatedAt: { S: status.at } },
    }),
  );
}

/**
 * Reads the item publishStatus wrote, alerts included; undefined when there is
 * none yet. Strongly consistent, so a second scaler running a second later
 * sees the first one's write and does not page twice.
 */
export async function readStatus(client: DynamoDBClient, tableName: string): Promise<PublishedStatus | undefined> {
  const out = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { code: { S: SCALER_STATUS_KEY } }, ConsistentRead: true }),
  );
  const raw = out.Item?.status?.S;
  if (!raw) return undefined;
  const p = JSON.parse(raw) as Partial<PublishedStatus> | null;
  if (!p || typeof p.state !== "string") return undefined;
  // Items written before alerts carried their kind hold plain messages; those count as no known alert.
  const alerts = Array.isArray(p.alerts)
    ? p.alerts.filter((a): a is StatusAlert => typeof a?.kind === "string" && typeof a.message === "string")
    : [];
  const memory = parseMemory(p.memory);
  return {
    state: p.state,
    decision: String(p.decision ?? ""),
    reason: String(p.reason ?? ""),
    at: String(p.at ?? ""),
    alerts,
    ...(p.commit ? { commit: p.commit } : {}),
    ...(memory ? { memory } : {}),
  };
}
