/** What an IAM request mapping reads and produces: one authorization, the caller's lookups, a mapping. */
import type { RecordedCall } from "../emulator";

export type { RecordedCall };

export type ContextValues = Record<string, string | string[]>;

/** One authorization AWS performs for a call. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: ContextValues;
  /** Why this request exists beside the call's own action (an on-behalf or PassRole source); absent for the call's own action. */
  readonly via?: string;
  /** iam-data lacks this action's resource type (API Gateway V2 paths): evaluate without iam-simulate's input validation. */
  readonly unvalidated?: string;
}

/** What the caller knows that the request does not carry. */
export interface Lookups {
  readonly account: string;
  /** Tags on an existing resource (for aws:ResourceTag/...). */
  resourceTags?(arn: string): Record<string, string> | undefined;
  /** Path of an IAM role by name; "/" when absent. */
  rolePath?(roleName: string): string | undefined;
  /** A variable of an ARN the request does not carry, e.g. ("ecs", "TaskDefinitionRevisionNumber", params). */
  arnVariable?(service: string, variable: string, params: Record<string, unknown>): string | undefined;
  /** The partition key attribute name of a DynamoDB table (for dynamodb:LeadingKeys). */
  partitionKey?(tableName: string): string | undefined;
  /** The route table and subnet (or gateway) of an EC2 route table association id (rtbassoc-...). */
  ec2Association?(associationId: string): { readonly routeTable: string; readonly target?: string } | undefined;
  /** The permissions boundary ARN a role was created with (for iam:PermissionsBoundary on later role writes). */
  roleBoundary?(roleName: string): string | undefined;
}

export type Mapping = { readonly requests: IamRequest[] } | { readonly unmapped: string };
