/** The scaler's last published decision, as `/stack-status` shows it. */
export interface ScalerStatus {
  readonly state: string;
  readonly decision: string;
  readonly reason: string;
  readonly at: string;
}

/**
 * The scaler publishes its last decision as one item in the service's own
 * DynamoDB table, under a key no link code can take (codes are alphanumeric).
 * Why not SSM: GetParameter is throttled at 40 TPS per account, which a busy
 * `/stack-status` across many Lambda instances would hit; the SSM client
 * would also add ~200 KiB to the bundle's cold start; and DynamoDB lets the
 * scaler's role write this one item only (dynamodb:LeadingKeys).
 */
export const SCALER_STATUS_KEY = "#scaler-status";

/** Parses the stored JSON, or undefined when it is absent or not a status. */
export function parseScalerStatus(raw: string | undefined): ScalerStatus | undefined {
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw) as Partial<ScalerStatus> | null;
    if (!p || typeof p.state !== "string") return undefined;
    return {
      state: p.state,
      decision: String(p.decision ?? ""),
      reason: String(p.reason ?? ""),
      at: String(p.at ?? ""),
    };
  } catch {
    return undefined;
  }
}
