import { Construct } from "constructs";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";

import { TOKEN_PLACEHOLDER } from "../../model/token";

/** One SecureString parameter that will hold a token. */
export interface TokenParameter {
  /** Construct id. */
  readonly id: string;
  /** Parameter name, such as /lambdaflex/git-token. */
  readonly name: string;
  readonly description: string;
}

export interface TokenParametersProps {
  readonly parameters: readonly TokenParameter[];
}

/**
 * SecureString parameters (under the AWS-managed aws/ssm key, free at rest)
 * created with a placeholder through the provider's write-only argument
 * `value_wo` (AWS provider >= 5.87, Terraform >= 1.11): Terraform sends the
 * value once and never stores it, and on refresh the provider leaves `value`
 * empty, so neither the placeholder nor the token the operator later writes
 * with `aws ssm put-parameter --overwrite` ever reaches the state. Terraform
 * sends the value again only when `value_wo_version` changes, so the real
 * token is never overwritten by an apply.
 * https://developer.hashicorp.com/terraform/language/resources/ephemeral#write-only-arguments
 */
export class TokenParameters extends Construct {
  public readonly parameters: SsmParameter[];

  constructor(scope: Construct, id: string, props: TokenParametersProps) {
    super(scope, id);
    const names = props.parameters.map((p) => p.name);
    for (const name of names) {
      if (!/^\/[A-Za-z0-9_.\/-]+$/.test(name))
        throw new Error(`TokenParameters ${id}: "${name}" must be an SSM parameter name starting with /`);
    }
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate)
      throw new Error(
        `TokenParameters ${id}: two tokens share the parameter ${duplicate}; give each token its own name`,
      );
    this.parameters = props.parameters.map(
      (p) =>
        new SsmParameter(this, p.id, {
          name: p.name,
          description: p.description,
          type: "SecureString",
          valueWo: TOKEN_PLACEHOLDER,
          valueWoVersion: 1,
        }),
    );
  }
}
