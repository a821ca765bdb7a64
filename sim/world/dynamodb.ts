/** DynamoDB: the service table's items the scaler writes (its status), answered through `PutItem`. */
export class DynamoDbEmulator {
  /** writeUnits: on-demand write request units (1 per started KB of item). */
  readonly meter = { calls: 0, writeUnits: 0 };
  private readonly items = new Map<string, Record<string, unknown>>();

  constructor(private readonly tableName: string) {}

  async send(command: { constructor: { name: string }; input: any }): Promise<unknown> {
    this.meter.calls++;
    if (command.constructor.name !== "PutItemCommand") throw Object.assign(new Error(`not implemented: ${command.constructor.name}`), { name: "UnknownOperationException" });
    const { TableName, Item } = command.input as { TableName?: string; Item?: Record<string, { S?: string }> };
    if (TableName !== this.tableName) {
      throw Object.assign(new Error("Requested resource not found"), { name: "ResourceNotFoundException", $fault: "client", $metadata: { httpStatusCode: 400 } });
    }
    const bytes = Buffer.byteLength(JSON.stringify(Item ?? {}));
    this.meter.writeUnits += Math.max(1, Math.ceil(bytes / 1024));
    this.items.set(String(Item?.code?.S ?? ""), Item ?? {});
    return { $metadata: { httpStatusCode: 200 } };
  }

  get(code: string): Record<string, unknown> | undefined {
    return this.items.get(code);
  }
}
