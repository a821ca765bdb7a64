import {
  ListResourceRecordSetsCommand,
  Route53Client,
  type ListResourceRecordSetsCommandOutput,
  type RRType,
} from "@aws-sdk/client-route-53";

/** Which weighted alias records exist for the domain. */
export interface LiveRecords {
  readonly lambda: boolean;
  readonly fargate: boolean;
}

const normalise = (name: string) => name.toLowerCase().replace(/\.$/, "");

/** Lists the domain's A records in the zone and reports the "lambda" and "fargate" set identifiers. */
export async function readLiveRecords(client: Route53Client, zoneId: string, domain: string): Promise<LiveRecords> {
  const found = new Set<string>();
  let startName: string | undefined = domain;
  let startType: RRType | undefined = "A";
  let startId: string | undefined;
  for (let page = 0; page < 10 && startName; page++) {
    const out: ListResourceRecordSetsCommandOutput = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: startName,
        StartRecordType: startType,
        StartRecordIdentifier: startId,
        MaxItems: 100,
      }),
    );
    const sets = out.ResourceRecordSets ?? [];
    for (const r of sets) {
      if (normalise(r.Name ?? "") !== normalise(domain))
        return { lambda: found.has("lambda"), fargate: found.has("fargate") };
      if (r.Type === "A" && r.SetIdentifier) found.add(r.SetIdentifier);
    }
    if (!out.IsTruncated) break;
    startName = out.NextRecordName;
    startType = out.NextRecordType;
    startId = out.NextRecordIdentifier;
  }
  return { lambda: found.has("lambda"), fargate: found.has("fargate") };
}
