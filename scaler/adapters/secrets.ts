import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/**
 * Reads a token (git or Terraform Cloud) from Secrets Manager. The secret is either the token
 * itself or JSON with a `token` field.
 */
export async function readToken(client: SecretsManagerClient, secretId: string): Promise<string> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const raw = out.SecretString?.trim();
  if (!raw) throw new Error(`secret ${secretId} has no SecretString; store the token as text or as {"token": "..."}`);
  if (raw.startsWith("{")) {
    let parsed: { token?: unknown };
    try {
      parsed = JSON.parse(raw) as { token?: unknown };
    } catch {
      throw new Error(`secret ${secretId} looks like JSON but does not parse; store {"token": "..."} or the bare token`);
    }
    if (typeof parsed.token !== "string" || !parsed.token) throw new Error(`secret ${secretId} is JSON without a string "token" field`);
    return parsed.token;
  }
  return raw;
}
