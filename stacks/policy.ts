/** An IAM policy statement with named actions; the security tests reject `*` actions. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** A policy document as JSON; resource ARNs may be cdktf tokens (cdktf resolves them inside JSON.stringify via Fn.jsonencode). */
export const policyDocument = (statements: Statement[]) => ({ Version: "2012-10-17", Statement: statements });

/** The trust policy that lets one AWS service assume a role. */
export const assumeRolePolicy = (service: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
