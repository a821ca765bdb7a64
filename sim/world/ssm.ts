/** SSM Parameter Store: the tokens the scaler reads, answered through `GetParameter` as SecureStrings. */
export class SsmEmulator {
  readonly meter = { calls: 0 };
  private readonly parameters: Map<string, string>;

  constructor(parameters: Readonly<Record<string, string>>) {
    this.parameters = new Map(Object.entries(parameters));
  }

  /** Writes a token (an operator rotating it; the scaler must pick it up after the old one is rejected). */
  put(name: string, value: string): void {
    this.parameters.set(name, value);
  }

  async send(command: { constructor: { name: string }; input: any }): Promise<unknown> {
    this.meter.calls++;
    if (command.constructor.name !== "GetParameterCommand") {
      throw Object.assign(new Error(`The SSM emulator does not serve ${command.constructor.name}`), {
        name: "InvalidAction",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
    }
    const name = String(command.input.Name);
    const value = this.parameters.get(name);
    if (value === undefined)
      throw Object.assign(new Error(""), {
        name: "ParameterNotFound",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
    const decrypted = command.input.WithDecryption === true;
    return {
      $metadata: { httpStatusCode: 200 },
      Parameter: {
        Name: name,
        Type: "SecureString",
        // Without decryption SSM returns the ciphertext, never the token.
        Value: decrypted ? value : Buffer.from(`kms:${value}`).toString("base64"),
        Version: 1,
        ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`,
        DataType: "text",
      },
    };
  }
}
