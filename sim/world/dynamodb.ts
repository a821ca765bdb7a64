/** DynamoDB: the service table's items the scaler reads and writes (its status), through `GetItem` and `PutItem`. */
export class DynamoDbEmulator {
  /** On-demand request units: writes 1 per started KB, strongly consistent reads 1 per started 4 KB. */
  readonly meter = { calls: 0, writeUnits: 0, readUnits: 0, writes: 0 };
  private readonly items = new Map<string, Record<string, unknown>>();

  constructor(private readonly tableName: string) {}

  async send(command: { constructor: { name: string }; input: any }): Promise<unknown> {
    this.meter.calls++;
    const op = command.constructor.name;
    if (op !== "PutItemCommand" && op !== "GetItemCommand")
      throw Object.assign(new Error(`The DynamoDB emulator serves GetItem and PutItem, not ${op}`), {
        name: "UnknownOperationException",
      });
    const { TableName, Item, Key } = command.input as {
      TableName?: string;
      Item?: Record<string, { S?: string }>;
      Key?: Record<string, { S?: string }>;
    };
    if (TableName !== this.tableName) {
      throw Object.assign(new Error("Requested resource not found"), {
        name: "ResourceNotFoundException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
    }
    if (op === "GetItemCommand") {
      const item = this.items.get(String(Key?.code?.S ?? ""));
      this.meter.readUnits += Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(item ?? {})) / 4096));
      return { $metadata: { httpStatusCode: 200 }, ...(item ? { Item: item } : {}) };
    }
    this.meter.writes++;
    const bytes = Buffer.byteLength(JSON.stringify(Item ?? {}));
    this.meter.writeUnits += Math.max(1, Math.ceil(bytes / 1024));
    this.items.set(String(Item?.code?.S ?? ""), Item ?? {});
    return { $metadata: { httpStatusCode: 200 } };
  }

  get(code: string): Record<string, unknown> | undefined {
    return this.items.get(code);
  }
}
