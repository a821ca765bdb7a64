import { Construct } from "constructs";
import { Fn } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { policyDocument, type Statement } from "../policy";
import { isReadAction } from "./read-actions";
import { runRolePolicyName, serviceNames, type RunPhase, type RunStack } from "../../model/names";
import type { HcpTerraformOidc, WorkspaceIdentity } from "./hcp-terraform-oidc";

export { runRolePolicyName, type RunStack } from "../../model/names";

/** What a run role needs to manage an EventBridge rule and its targets (both stacks own scheduled rules). */
export const EVENT_RULE_ACTIONS = [
  "events:DeleteRule",
  "events:DescribeRule",
  "events:ListTagsForResource",
  "events:ListTargetsByRule",
  "events:PutRule",
  "events:PutTargets",
  "events:RemoveTargets",
  "events:TagResource",
] as const;

/** A run role's name: `<service>-tfc-<stack>-<phase>`, such as lambdaflex-tfc-fargate-apply (the name table's). */
export const runRoleName = (service: string, stack: RunStack, phase: RunPhase): string =>
  serviceNames(service).runRole(stack, phase);

export interface RunRoleProps {
  /** Role name (runRoleName). */
  readonly name: string;
  readonly description: string;
  /** The identity provider the workspace's runs authenticate with. */
  readonly oidc: HcpTerraformOidc;
  /** The one workspace whose runs may assume the role. */
  readonly workspace: WorkspaceIdentity;
  /** The one phase of those runs that may assume it. */
  readonly phase: RunPhase;
  /** Policies by part name (each becomes `<name>-<part>`); every statement names its actions. */
  readonly policies: Readonly<Record<string, Statement[]>>;
}

/** IAM's default quota of managed policies attached to one role. */
export const MANAGED_POLICIES_PER_ROLE = 10;
/** The most characters (whitespace not counted) IAM accepts in one managed policy document. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/**
 * The role one phase of one HCP Terraform workspace's runs assumes
 * (TFC_AWS_PLAN_ROLE_ARN or TFC_AWS_APPLY_ROLE_ARN), trusted for that
 * workspace and phase only, with the permissions that phase needs.
 * The permissions are customer-managed policies, one per part, not inline
 * ones: IAM allows 10,240 characters of inline policy per role in all, which
 * the fargate role nearly filled, but 6,144 per managed policy and 10 of them
 * per role.
 */
export class RunRole extends Construct {
  public readonly role: IamRole;

  constructor(scope: Construct, id: string, props: RunRoleProps) {
    super(scope, id);
    for (const [field, value] of Object.entries({
      project: props.workspace.project,
      workspace: props.workspace.workspace,
    })) {
      // StringLike would read * and ? as wildcards, and : would shift the subject's fields.
      if (/[*?:]/.test(value))
        throw new Error(
          `RunRole ${id}: ${field} "${value}" must not contain *, ? or : (it is matched inside the OIDC subject)`,
        );
    }
    const names = Object.keys(props.policies);
    if (names.length === 0)
      throw new Error(`RunRole ${id}: give at least one policy; a run role without permissions cannot apply anything`);
    if (names.length > MANAGED_POLICIES_PER_ROLE)
      throw new Error(
        `RunRole ${id}: ${names.length} policies; IAM attaches at most ${MANAGED_POLICIES_PER_ROLE} managed policies to a role by default`,
      );
    for (const [name, statements] of Object.entries(props.policies)) {
      const wildcard = statements.flatMap((s) => s.Action).find((a) => a.includes("*"));
      if (wildcard)
        throw new Error(`RunRole ${id}: policy "${name}" uses the wildcard action "${wildcard}"; name each action`);
      const write =
        props.phase === "plan" ? statements.flatMap((s) => s.Action).find((a) => !isReadAction(a)) : undefined;
      if (write)
        throw new Error(
          `RunRole ${id}: policy "${name}" gives the plan role the write action "${write}"; a plan only reads (readOnlyPolicies)`,
        );
    }

    this.role = new IamRole(this, "role", {
      name: props.name,
      description: props.description,
      assumeRolePolicy: props.oidc.trustPolicy(props.workspace, props.phase),
    });
    for (const [part, statements] of Object.entries(props.policies)) {
      const policy = new IamPolicy(this, part, {
        name: runRolePolicyName(props.name, part),
        // Not from the workspace's name: changing a managed policy's description replaces the policy.
        description: `Permissions of the run role ${props.name}: ${part}`,
        policy: Fn.jsonencode(policyDocument(statements)),
      });
      new IamRolePolicyAttachment(this, `${part}-attachment`, { role: this.role.name, policyArn: policy.arn });
    }
  }
}
