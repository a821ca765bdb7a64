import { Construct } from "constructs";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";

export interface LinksTableProps {
  /** Table name. */
  readonly name: string;
}

/**
 * The service's shared state: on-demand (idle costs nothing), point-in-time
 * recovery, encryption at rest, and deletion protection.
 */
export class LinksTable extends Construct {
  public readonly table: DynamodbTable;

  constructor(scope: Construct, id: string, props: LinksTableProps) {
    super(scope, id);
    this.table = new DynamodbTable(this, "table", {
      name: props.name,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "code",
      attribute: [{ name: "code", type: "S" }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: true,
    });
  }
}
