import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { parseScalerStatus, SCALER_STATUS_KEY } from "../../model/status-item";
import { dynamoScalerStatus } from "../../service/scaler-status";
import {
  ensureLinksTable,
  localDynamoClient,
  startEmbeddedDynamo,
  type EmbeddedDynamo,
} from "../../service/store/embedded-dynamo";

describe("scaler status item", () => {
  let dynamo: EmbeddedDynamo;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
  });
  afterAll(() => dynamo.close());

  it("reads the scaler's last decision from the table, and caches it for 15 s", async () => {
    const client = localDynamoClient(dynamo.endpoint);
    await ensureLinksTable(client, "status-test");
    let now = 1_000_000;
    const read = dynamoScalerStatus("status-test", client, () => now);
    expect(await read()).toBeUndefined();
    const put = (state: string) =>
      client.send(
        new PutItemCommand({
          TableName: "status-test",
          Item: {
            code: { S: SCALER_STATUS_KEY },
            status: { S: JSON.stringify({ state, decision: "commit", reason: "r", at: "t" }) },
          },
        }),
      );
    await put("warming");
    expect(await read()).toBeUndefined(); // still cached
    now += 15_001;
    expect(await read()).toEqual({ state: "warming", decision: "commit", reason: "r", at: "t" });
  });

  it("treats a corrupt or foreign value as unknown rather than failing the route", () => {
    expect(parseScalerStatus("{not json")).toBeUndefined();
    expect(parseScalerStatus('{"foo":1}')).toBeUndefined();
    expect(parseScalerStatus(undefined)).toBeUndefined();
  });
});
