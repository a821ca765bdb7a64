/**
 * Route 53: the hosted zone's record sets as the stacks create and delete
 * them, answered through `ListResourceRecordSets` with Route 53's ordering and
 * paging. A change is in the API at once but reaches resolvers only when it
 * is in sync on every name server, which the world reads through `liveAt`.
 */
import type { ResourceRecordSet } from "@aws-sdk/client-route-53";

interface Change {
  readonly at: number;
  readonly present: boolean;
}

const fqdn = (name: string) => (name.endsWith(".") ? name : `${name}.`).toLowerCase();
/** Route 53 lists names with their labels reversed (com.example.app), then by type and set identifier. */
const sortKey = (r: ResourceRecordSet) =>
  `${fqdn(r.Name ?? "")
    .split(".")
    .reverse()
    .join(".")}\u0000${r.Type}\u0000${r.SetIdentifier ?? ""}`;

/** One target group of an ALB as Route 53's target-health evaluation sees it at some moment. */
export interface TargetGroupHealth {
  readonly registered: number;
  readonly healthy: number;
}

/**
 * Whether Route 53 counts an ALB healthy for an alias record that evaluates target health. AWS,
 * Route 53 Developer Guide, "Values specific for simple alias records", Evaluate target health
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-alias.html#rrsets-values-alias-evaluate-target-health):
 * "For an Application or Network Load Balancer to be considered healthy, every target group that
 * contains targets must contain at least one healthy target. If any target group contains only
 * unhealthy targets, the load balancer is considered unhealthy, and Route 53 routes queries to other
 * resources." and "A target group that has no registered targets is considered unhealthy." (Older
 * versions of that page said "considered healthy"; the current wording is the one modelled.)
 */
export function albHealthyForRoute53(groups: readonly TargetGroupHealth[]): boolean {
  return groups.every((g) => g.registered > 0 && g.healthy > 0);
}

export class Route53Emulator {
  readonly meter = { calls: 0 };
  private readonly records = new Map<string, ResourceRecordSet>();
  /** When each set identifier's presence changed on the name servers. */
  private readonly history = new Map<string, Change[]>();

  constructor(private readonly o: { zoneId: string; now: () => number }) {}

  /** Creates or replaces a record set (as a Terraform apply does); resolvers see it from `inSyncAt`. */
  upsert(record: ResourceRecordSet, inSyncAt: number): void {
    this.records.set(sortKey(record), record);
    this.note(record.SetIdentifier ?? "", inSyncAt, true);
  }

  delete(name: string, type: string, setIdentifier: string, inSyncAt: number): void {
    if (
      this.records.delete(
        sortKey({ Name: name, Type: type as ResourceRecordSet["Type"], SetIdentifier: setIdentifier }),
      )
    )
      this.note(setIdentifier, inSyncAt, false);
  }

  /** Whether the record with this set identifier is answered by the name servers at `atMs`. */
  liveAt(setIdentifier: string, atMs: number): boolean {
    const h = this.history.get(setIdentifier);
    if (!h) return false;
    let live = false;
    for (const c of h) {
      if (c.at > atMs) break;
      live = c.present;
    }
    return live;
  }

  private note(id: string, at: number, present: boolean): void {
    const h = this.history.get(id) ?? [];
    h.push({ at, present });
    h.sort((a, b) => a.at - b.at);
    // Only the recent past matters to resolvers; keep the list short.
    while (h.length > 8) h.shift();
    this.history.set(id, h);
  }

  async send(command: { constructor: { name: string }; input: any }): Promise<unknown> {
    this.meter.calls++;
    if (command.constructor.name !== "ListResourceRecordSetsCommand") {
      throw Object.assign(new Error(`the Route 53 emulator does not implement ${command.constructor.name}`), {
        name: "InvalidAction",
      });
    }
    const i = command.input as {
      HostedZoneId?: string;
      StartRecordName?: string;
      StartRecordType?: string;
      StartRecordIdentifier?: string;
      MaxItems?: number;
    };
    if (i.HostedZoneId !== this.o.zoneId) {
      throw Object.assign(new Error(`No hosted zone found with ID: ${i.HostedZoneId}`), {
        name: "NoSuchHostedZone",
        $fault: "client",
        $metadata: { httpStatusCode: 404 },
      });
    }
    const max = Math.min(300, Number(i.MaxItems ?? 300));
    const start = i.StartRecordName
      ? sortKey({
          Name: i.StartRecordName,
          Type: (i.StartRecordType ?? "") as ResourceRecordSet["Type"],
          SetIdentifier: i.StartRecordIdentifier ?? "",
        })
      : "";
    const all = [...this.records.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .filter(([k]) => k >= start);
    const page = all.slice(0, max).map(([, r]) => r);
    const next = all[max]?.[1];
    return {
      $metadata: { httpStatusCode: 200 },
      ResourceRecordSets: page,
      IsTruncated: next !== undefined,
      MaxItems: max,
      ...(next
        ? { NextRecordName: next.Name, NextRecordType: next.Type, NextRecordIdentifier: next.SetIdentifier }
        : {}),
    };
  }
}
