/**
 * Who makes each call in the cycle. The emulator accepts any key; each
 * identity signs with its own access key id, so a recorded call names the
 * principal that would make it in production, and its IAM verdict is taken
 * against that principal's policies.
 */
export interface Identity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The IAM role whose policies decide this identity's calls; undefined for the admin and the harness, which are not accounted. */
  readonly role?: (service: string) => string;
  readonly what: string;
}

const key = (id: string): Pick<Identity, "accessKeyId" | "secretAccessKey"> => ({ accessKeyId: id, secretAccessKey: "cloud-test-not-a-secret" });

export const IDENTITIES = {
  /** The person who applies bootstrap once, with their own admin credentials (the runbook's first step). */
  admin: { ...key("AKIACLOUDTESTADMIN01"), what: "the administrator who applies bootstrap" },
  /** Sets up what exists before LambdaFlex (the hosted zone) and reads IAM for the accounting; never accounted. */
  harness: { ...key("AKIACLOUDTESTHARNESS"), what: "the test harness" },
  /** HCP Terraform's core workspace, through its dynamic credentials. */
  core: { ...key("AKIACLOUDTESTCORERUN"), role: (s: string) => `${s}-tfc-core`, what: "the core workspace's run role" },
  /** HCP Terraform's fargate workspace, through its dynamic credentials. */
  fargate: { ...key("AKIACLOUDTESTFARGATE"), role: (s: string) => `${s}-tfc-fargate`, what: "the fargate workspace's run role" },
  /** The scaler Lambda's execution role. */
  scaler: { ...key("AKIACLOUDTESTSCALER1"), role: (s: string) => `${s}-scaler-role`, what: "the scaler Lambda's role" },
} as const satisfies Record<string, Identity>;

export type IdentityName = keyof typeof IDENTITIES;

/** The identity that signed with `accessKeyId`, if any. */
export function identityOf(accessKeyId: string): IdentityName | undefined {
  return (Object.keys(IDENTITIES) as IdentityName[]).find((n) => IDENTITIES[n].accessKeyId === accessKeyId);
}

/** Environment for a process that should sign as `who` against the emulator at `endpoint` (SDK v3 and the Terraform AWS provider). */
export function awsEnv(who: IdentityName, endpoint: string, region: string): Record<string, string> {
  const id = IDENTITIES[who];
  return {
    AWS_ACCESS_KEY_ID: id.accessKeyId,
    AWS_SECRET_ACCESS_KEY: id.secretAccessKey,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
    AWS_EC2_METADATA_DISABLED: "true",
  };
}
