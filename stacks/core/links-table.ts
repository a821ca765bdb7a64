import { Construct } from "constructs";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";

export interface LinksTableProps {
  /** Table name. */
  readonly name: string;
}

/**
 * The service's shared state: on-demand (idle costs nothing), point-in-time
 * recovery, encryption at rest, and deletion protection.
 *
 * Encryption at rest is DynamoDB's default, with an AWS owned key: free, and
 * nothing for the core run role to be allowed. `server_side_encryption {
 * enabled = true }` would switch to the AWS managed key aws/dynamodb, which
 * KMS bills per request, and the provider then reads the key on every plan
 * (kms:DescribeKey), which the run role would need too.
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
      deletionProtectionEnabled: true,
    });
  }
}
