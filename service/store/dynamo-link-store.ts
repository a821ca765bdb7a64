import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { CodeTakenError } from "../errors";
import type { Link, LinkStore } from "./link-store";

type Item = Record<string, AttributeValue>;

const fromItem = (item: Item): Link => ({
  code: item.code?.S ?? "",
  url: item.url?.S ?? "",
  createdAt: item.createdAt?.S ?? "",
  hits: Number(item.hits?.N ?? "0"),
});

/** LinkStore on one DynamoDB table with the partition key `code` (string). */
export class DynamoLinkStore implements LinkStore {
  constructor(
    private readonly tableName: string,
    private readonly client: DynamoDBClient = new DynamoDBClient({}),
  ) {}

  async create(link: Omit<Link, "hits">): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            code: { S: link.code },
            url: { S: link.url },
            createdAt: { S: link.createdAt },
            hits: { N: "0" },
          },
          // The conditional put is what makes codes collision-safe across tiers.
          ConditionExpression: "attribute_not_exists(code)",
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new CodeTakenError(link.code);
      throw err;
    }
  }

  async get(code: string): Promise<Link | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { code: { S: code } }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async hit(code: string): Promise<Link | undefined> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { code: { S: code } },
          UpdateExpression: "ADD hits :one",
          ConditionExpression: "attribute_exists(code)",
          ExpressionAttributeValues: { ":one": { N: "1" } },
          ReturnValues: "ALL_NEW",
        }),
      );
      return out.Attributes ? fromItem(out.Attributes) : undefined;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }
}
