/**
 * Who makes each call in the cycle. The emulator accepts any key; each
 * identity signs with its own access key id, so a recorded call names the
 * principal that would make it in production, and its IAM verdict is taken
 * against that principal's policies.
 */
import { serviceNames } from "../model/names";

export interface Identity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The IAM role whose policies decide this identity's calls; undefined for the admin and the harness, which are not accounted. */
  readonly role?: (service: string) => string;
  readonly what: string;
}

const key = (id: string): Pick<Identity, "accessKeyId" | "secretAccessKey"> => ({
  accessKeyId: id,
  secretAccessKey: "cloud-test-not-a-secret",
});

export const IDENTITIES = {
  /** The person who applies bootstrap once, with their own admin credentials (the runbook's first step). */
  admin: { ...key("AKIACLOUDTESTADMIN01"), what: "the administrator who applies bootstrap" },
  /** Sets up what exists before LambdaFlex (the hosted zone) and reads IAM for the accounting; never accounted. */
  harness: { ...key("AKIACLOUDTESTHARNESS"), what: "the test harness" },
  /** HCP Terraform's core workspace in its plan phase (TFC_AWS_PLAN_ROLE_ARN): read-only. */
  corePlan: {
    ...key("AKIACLOUDTESTCOREPLN"),
    role: (s: string) => serviceNames(s).runRole("core", "plan"),
    what: "the core workspace's plan role",
  },
  /** HCP Terraform's core workspace in its apply phase (TFC_AWS_APPLY_ROLE_ARN). */
  coreApply: {
    ...key("AKIACLOUDTESTCOREAPL"),
    role: (s: string) => serviceNames(s).runRole("core", "apply"),
    what: "the core workspace's apply role",
  },
  /** HCP Terraform's fargate workspace in its plan phase: read-only. */
  fargatePlan: {
    ...key("AKIACLOUDTESTFARGPLN"),
    role: (s: string) => serviceNames(s).runRole("fargate", "plan"),
    what: "the fargate workspace's plan role",
  },
  /** HCP Terraform's fargate workspace in its apply phase. */
  fargateApply: {
    ...key("AKIACLOUDTESTFARGAPL"),
    role: (s: string) => serviceNames(s).runRole("fargate", "apply"),
    what: "the fargate workspace's apply role",
  },
  /** The scaler Lambda's execution role. */
  scaler: {
    ...key("AKIACLOUDTESTSCALER1"),
    role: (s: string) => serviceNames(s).roles.scaler,
    what: "the scaler Lambda's role",
  },
} as const satisfies Record<string, Identity>;

export type IdentityName = keyof typeof IDENTITIES;

/** Who plans and who applies a stack's runs: HCP Terraform gives each phase its own role (the administrator does both for bootstrap). */
export interface RunIdentities {
  readonly plan: IdentityName;
  readonly apply: IdentityName;
}

export const RUN_IDENTITIES: Readonly<Record<"bootstrap" | "core" | "fargate", RunIdentities>> = {
  bootstrap: { plan: "admin", apply: "admin" },
  core: { plan: "corePlan", apply: "coreApply" },
  fargate: { plan: "fargatePlan", apply: "fargateApply" },
};

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
