import { DynamoLinkStore } from "../../service/store/dynamo-link-store";
import {
  ensureLinksTable,
  localDynamoClient,
  startEmbeddedDynamo,
  type EmbeddedDynamo,
} from "../../service/store/embedded-dynamo";

/** A links table on an embedded dynalite for one test file: started before all tests, closed after. */
export function useLinkStore(table: string): {
  readonly store: () => DynamoLinkStore;
  readonly endpoint: () => string;
} {
  let dynamo: EmbeddedDynamo | undefined;
  let store: DynamoLinkStore | undefined;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    const client = localDynamoClient(dynamo.endpoint);
    await ensureLinksTable(client, table);
    store = new DynamoLinkStore(table, client);
  });
  afterAll(() => dynamo?.close());
  return { store: () => store!, endpoint: () => dynamo!.endpoint };
}
