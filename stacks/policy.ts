import { Fn } from "cdktf";

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

/**
 * The trust policy that lets one AWS service assume a role, and only on behalf
 * of resources in `sourceAccount` (a cdktf token such as the caller identity's
 * account id). Without the condition the service could be made to assume the
 * role for another account's resource (the cross-service confused deputy):
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 * `Fn.jsonencode`, not JSON.stringify: with a reference inside, cdktf 0.21's HCL
 * writer (`npm run synth:hcl`) prints a JSON.stringify string unescaped.
 */
export const assumeRolePolicy = (service: string, sourceAccount: string) =>
  Fn.jsonencode({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } },
      },
    ],
  });

/**
 * Denies every write to the one table item the scaler owns (its status, read by
 * `/stack-status`), so a compromised service cannot forge the scaler's report.
 * `ForAnyValue`, not `ForAllValues`: on a Deny, ForAllValues would let a
 * BatchWriteItem that mixes the status key with an ordinary key through (not
 * every key matches), while ForAnyValue denies a request that touches the status
 * key at all. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html
 */
export const denyWritesToItem = (tableArn: string, partitionKey: string): Statement => ({
  Sid: "NeverTheScalerStatus",
  Effect: "Deny",
  Action: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
  Resource: tableArn,
  Condition: { "ForAnyValue:StringEquals": { "dynamodb:LeadingKeys": [partitionKey] } },
});
