import type { Statement } from "../../policy";
import type { PermissionScope } from "./scope";

/** Route 53 conditions limiting a ChangeResourceRecordSets call. */
type RecordCondition = NonNullable<Statement["Condition"]>;

/**
 * Changing records in the one zone under `condition`, then what aws_route53_record needs besides: it
 * reads the zone (GetHostedZone, for its name) in every create, read, update and delete, lists the
 * record sets, and waits for the change. No ListTagsForResource: only the zone data source, gone since
 * issue 20, read the zone's tags.
 */
export const recordStatements = ({ zone }: PermissionScope, sid: string, condition: RecordCondition): Statement[] => [
  { Sid: sid, Effect: "Allow", Action: ["route53:ChangeResourceRecordSets"], Resource: zone, Condition: condition },
  {
    Sid: "ZoneRead",
    Effect: "Allow",
    Action: ["route53:GetHostedZone", "route53:ListResourceRecordSets"],
    Resource: zone,
  },
  { Sid: "ChangeStatus", Effect: "Allow", Action: ["route53:GetChange"], Resource: "arn:aws:route53:::change/*" },
];

/** Core: the service's A records (the "lambda" alias) and the certificate's _<token>.<domain> CNAME. */
export const coreRecordStatements = (scope: PermissionScope): Statement[] =>
  recordStatements(scope, "Records", {
    "ForAllValues:StringLike": {
      "route53:ChangeResourceRecordSetsNormalizedRecordNames": [scope.domain, `_*.${scope.domain}`],
    },
    "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["A", "CNAME"] },
  });

/** Fargate: only the tier's own record, the service's A records (the "fargate" alias). */
export const tierRecordStatements = (scope: PermissionScope): Statement[] =>
  recordStatements(scope, "TierRecord", {
    "ForAllValues:StringEquals": {
      "route53:ChangeResourceRecordSetsNormalizedRecordNames": [scope.domain],
      "route53:ChangeResourceRecordSetsRecordTypes": ["A"],
    },
  });
