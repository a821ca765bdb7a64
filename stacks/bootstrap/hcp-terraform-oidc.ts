import { Construct } from "constructs";
import { Fn } from "cdktf";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import type { RunPhase } from "../../model/names";

export interface HcpTerraformOidcProps {
  /** HCP Terraform host (app.terraform.io, app.eu.terraform.io or a Terraform Enterprise host). */
  readonly hostname: string;
  /** The `aud` claim runs present (TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE). @default "aws.workload.identity" */
  readonly audience?: string;
}

/** The two phases of an HCP Terraform run, each with its own role (TFC_AWS_PLAN_ROLE_ARN, TFC_AWS_APPLY_ROLE_ARN). */
export type { RunPhase };

/** One workspace whose runs may assume a role. */
export interface WorkspaceIdentity {
  /** HCP Terraform organization (may be a Terraform variable reference). */
  readonly organization: string;
  readonly project: string;
  readonly workspace: string;
}

/**
 * The IAM OIDC identity provider for HCP Terraform's workload identity
 * tokens, so runs get short-lived AWS credentials (dynamic provider
 * credentials) instead of stored keys.
 * https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration
 */
export class HcpTerraformOidc extends Construct {
  public readonly provider: IamOpenidConnectProvider;
  public readonly hostname: string;
  public readonly audience: string;

  constructor(scope: Construct, id: string, props: HcpTerraformOidcProps) {
    super(scope, id);
    if (!/^[a-z0-9.-]+\.[a-z]{2,}$/.test(props.hostname)) {
      throw new Error(
        `HcpTerraformOidc ${id}: hostname must be a bare host such as app.terraform.io (no scheme, no path), got "${props.hostname}"`,
      );
    }
    this.hostname = props.hostname;
    this.audience = props.audience ?? "aws.workload.identity";
    // No thumbprint_list: IAM now verifies the token issuer through its own trusted root CAs, and
    // a pinned intermediate thumbprint would break the trust whenever the host rotates certificates.
    this.provider = new IamOpenidConnectProvider(this, "provider", {
      url: `https://${props.hostname}`,
      clientIdList: [this.audience],
    });
  }

  /**
   * The trust policy for one phase of one workspace's runs: HashiCorp's subject
   * organization:<org>:project:<project>:workspace:<ws>:run_phase:<phase>, matched
   * exactly (StringEquals, no wildcard), so a plan, whether of a push or of a pull
   * request (a speculative plan), never gets the apply role's credentials.
   * https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens
   */
  trustPolicy(who: WorkspaceIdentity, phase: RunPhase): string {
    return Fn.jsonencode({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: this.provider.arn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${this.hostname}:aud`]: this.audience,
              [`${this.hostname}:sub`]: `organization:${who.organization}:project:${who.project}:workspace:${who.workspace}:run_phase:${phase}`,
            },
          },
        },
      ],
    });
  }
}
