import type { Statement } from "../../policy";
import { SERVICE_TAG_KEY } from "../service-tag";
import type { PermissionScope } from "./scope";

/**
 * Core: the service's certificate. Certificate IDs are random, so changes are held to certificates
 * carrying the service tag, and a new one to the one domain.
 */
export function certificateStatements({ arn, domain, service }: PermissionScope): Statement[] {
  const certificates = arn("acm", "certificate/*");
  return [
    // RequestCertificate has no resource-level permissions ("*"); it is held to the one domain, DNS-validated.
    {
      Sid: "RequestCertificate",
      Effect: "Allow",
      Action: ["acm:RequestCertificate"],
      Resource: "*",
      Condition: {
        "ForAllValues:StringEquals": { "acm:DomainNames": [domain] },
        StringEquals: { "acm:ValidationMethod": "DNS" },
      },
    },
    {
      Sid: "ReadCertificates",
      Effect: "Allow",
      Action: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"],
      Resource: certificates,
    },
    {
      Sid: "TagNewCertificate",
      Effect: "Allow",
      Action: ["acm:AddTagsToCertificate"],
      Resource: certificates,
      Condition: { StringEquals: { [`aws:RequestTag/${SERVICE_TAG_KEY}`]: service } },
    },
    {
      Sid: "ChangeOwnCertificate",
      Effect: "Allow",
      Action: ["acm:DeleteCertificate", "acm:RemoveTagsFromCertificate"],
      Resource: certificates,
      Condition: { StringEquals: { [`aws:ResourceTag/${SERVICE_TAG_KEY}`]: service } },
    },
  ];
}
