import { Construct } from "constructs";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";

export interface DnsValidatedCertificateProps {
  /** The single name on the certificate. */
  readonly domain: string;
  /** Hosted zone that holds the validation record. */
  readonly zoneId: string;
}

/**
 * An ACM certificate validated automatically through Route 53. Consumers use
 * `certificateArn`, which only resolves once validation has completed, so the
 * API domain and the ALB listener never attach an unvalidated certificate.
 */
export class DnsValidatedCertificate extends Construct {
  public readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: DnsValidatedCertificateProps) {
    super(scope, id);
    if (props.domain.startsWith("*."))
      throw new Error(`DnsValidatedCertificate ${id}: wildcard domains are not supported, got ${props.domain}`);
    const certificate = new AcmCertificate(this, "certificate", {
      domainName: props.domain,
      validationMethod: "DNS",
      lifecycle: { createBeforeDestroy: true },
    });
    const option = certificate.domainValidationOptions.get(0);
    const record = new Route53Record(this, "validation-record", {
      zoneId: props.zoneId,
      name: option.resourceRecordName,
      type: option.resourceRecordType,
      records: [option.resourceRecordValue],
      ttl: 300,
      allowOverwrite: true,
    });
    const validation = new AcmCertificateValidation(this, "validation", {
      certificateArn: certificate.arn,
      validationRecordFqdns: [record.fqdn],
    });
    this.certificateArn = validation.certificateArn;
  }
}
