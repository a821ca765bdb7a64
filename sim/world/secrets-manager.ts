/** Secrets Manager: the tokens the scaler reads, answered through `GetSecretValue`. */
export class SecretsManagerEmulator {
  readonly meter = { calls: 0 };
  private readonly secrets: Map<string, string>;

  constructor(secrets: Readonly<Record<string, string>>) {
    this.secrets = new Map(Object.entries(secrets));
  }

  /** Rotates a token (the scaler must pick it up after the old one is rejected). */
  put(name: string, value: string): void {
    this.secrets.set(name, value);
  }

  async send(command: { constructor: { name: string }; input: any }): Promise<unknown> {
    this.meter.calls++;
    if (command.constructor.name !== "GetSecretValueCommand") throw Object.assign(new Error(`not implemented: ${command.constructor.name}`), { name: "InvalidRequestException" });
    const id = String(command.input.SecretId);
    const value = this.secrets.get(id);
    if (value === undefined) {
      throw Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: "ResourceNotFoundException", $fault: "client", $metadata: { httpStatusCode: 400 } });
    }
    return { $metadata: { httpStatusCode: 200 }, ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${id}-AbCdEf`, Name: id, SecretString: value, VersionId: "v1" };
  }
}
