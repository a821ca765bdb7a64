import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { TOKEN_PLACEHOLDER } from "../../model/token";

/**
 * Reads a token (git or Terraform Cloud) from SSM Parameter Store. The
 * parameter is a SecureString under the AWS-managed `aws/ssm` key: free at
 * rest, decrypted by SSM for a caller allowed `ssm:GetParameter` on it. The
 * value is the token itself or JSON with a `token` field.
 */
export async function readToken(client: SSMClient, name: string): Promise<string> {
  const out = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  const p = out.Parameter;
  if (p?.Type !== "SecureString")
    throw new Error(`parameter ${name} is ${p?.Type ?? "missing its type"}; store the token as a SecureString`);
  const raw = p.Value?.trim();
  if (!raw)
    throw new Error(
      `parameter ${name} is empty; write the token with aws ssm put-parameter --name ${name} --type SecureString --overwrite --value ...`,
    );
  if (raw === TOKEN_PLACEHOLDER)
    throw new Error(
      `parameter ${name} still holds the bootstrap placeholder; write the token with aws ssm put-parameter --name ${name} --type SecureString --overwrite --value ...`,
    );
  if (raw.startsWith("{")) {
    let parsed: { token?: unknown };
    try {
      parsed = JSON.parse(raw) as { token?: unknown };
    } catch {
      throw new Error(`parameter ${name} looks like JSON but does not parse; store {"token": "..."} or the bare token`);
    }
    if (typeof parsed.token !== "string" || !parsed.token)
      throw new Error(`parameter ${name} is JSON without a string "token" field`);
    return parsed.token;
  }
  return raw;
}

/** Tokens read once per container, each used through {@link TokenCache.use}. */
export interface TokenCache {
  /**
   * Runs `use` with the token in parameter `name`. A failed read is retried on the next use, and
   * a token the server rejects (`rejected` says which errors mean that) is dropped, so a rotated
   * token is picked up without a redeploy.
   */
  use<T>(name: string, use: (token: string) => Promise<T>): Promise<T>;
}

/** A cache of the tokens in `client`'s parameters; `rejected` tells an error that means the token is wrong. */
export function tokenCache(client: SSMClient, rejected: (err: unknown) => boolean): TokenCache {
  const cached = new Map<string, Promise<string>>();
  const read = (name: string): Promise<string> => {
    let value = cached.get(name);
    if (!value) {
      value = readToken(client, name).catch((err: Error) => {
        cached.delete(name);
        throw err;
      });
      cached.set(name, value);
    }
    return value;
  };
  return {
    async use(name, use) {
      try {
        return await use(await read(name));
      } catch (err) {
        if (rejected(err)) cached.delete(name);
        throw err;
      }
    },
  };
}
