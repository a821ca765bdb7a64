/**
 * The doctor's result type and the helpers every check shares. A check is a
 * small async function that reads (never writes) and returns one or more
 * results; a result that fails always carries the command or UI step that
 * fixes it.
 */

/** One line of the doctor's report. */
export interface CheckResult {
  /** What was checked, as the user sees it ("service-linked role AWSServiceRoleForECS"). */
  readonly name: string;
  readonly ok: boolean;
  /** What was found (and, on failure, why it matters). Never a secret. */
  readonly detail: string;
  /** On failure: the exact command or UI step that fixes it. */
  readonly fix?: string;
}

/** A passing result. */
export const pass = (name: string, detail: string): CheckResult => ({ name, ok: true, detail });

/** A failing result with its fix. */
export const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, ok: false, detail, fix });

/** The error name the AWS SDK v3 sets (`NoSuchEntityException`, `ParameterNotFound`, ...). */
export const errorName = (err: unknown): string => (err instanceof Error ? err.name : typeof err);

// SDK credential-chain failures and the AWS error codes that mean "not allowed to read".
const NO_CREDENTIALS = new Set([
  "CredentialsProviderError",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidSignatureException",
]);
const DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"]);

/**
 * The result for an AWS call that failed in a way the check cannot judge:
 * missing or expired credentials, a denied read, or anything else, named
 * with the SDK's error name and message.
 */
export function awsCallFailed(name: string, action: string, err: unknown): CheckResult {
  const code = errorName(err);
  const message = err instanceof Error ? err.message : String(err);
  const detail = `${action} failed: ${code}: ${message}`;
  if (NO_CREDENTIALS.has(code)) {
    return fail(
      name,
      detail,
      "configure AWS credentials for the deployment account (aws configure sso, or export AWS_PROFILE=<profile>), then run npm run doctor again",
    );
  }
  if (DENIED.has(code))
    return fail(name, detail, `allow ${action} to the caller (the doctor only reads), or run it with a role that may`);
  return fail(
    name,
    detail,
    `retry npm run doctor; if ${action} keeps failing, check the region and the AWS service health dashboard`,
  );
}

/** Runs a check; an unexpected throw becomes a failed result named after the check instead of ending the doctor. */
export async function guarded(name: string, check: () => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> {
  try {
    const out = await check();
    return Array.isArray(out) ? out : [out];
  } catch (err) {
    return [
      fail(
        name,
        `the check itself failed: ${errorName(err)}: ${err instanceof Error ? err.message : String(err)}`,
        "report this with the output above; the other checks still ran",
      ),
    ];
  }
}
