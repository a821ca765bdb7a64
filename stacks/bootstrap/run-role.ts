import { Construct } from "constructs";
import { Fn } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { policyDocument, type Statement } from "../policy";
import type { HcpTerraformOidc, WorkspaceIdentity } from "./hcp-terraform-oidc";

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

export interface RunRoleProps {
  /** Role name (`<service>-tfc-<stack>`). */
  readonly name: string;
  readonly description: string;
  /** The identity provider the workspace's runs authenticate with. */
  readonly oidc: HcpTerraformOidc;
  /** The one workspace whose runs may assume the role. */
  readonly workspace: WorkspaceIdentity;
  /** Inline policies by name; every statement names its actions. */
  readonly policies: Readonly<Record<string, Statement[]>>;
}

/**
 * The role one HCP Terraform workspace's runs assume (TFC_AWS_RUN_ROLE_ARN),
 * trusted for that workspace only, with the permissions its stack needs.
 */
export class RunRole extends Construct {
  public readonly role: IamRole;

  constructor(scope: Construct, id: string, props: RunRoleProps) {
    super(scope, id);
    for (const [field, value] of Object.entries({ project: props.workspace.project, workspace: props.workspace.workspace })) {
      // StringLike would read * and ? as wildcards, and : would shift the subject's fields.
      if (/[*?:]/.test(value)) throw new Error(`RunRole ${id}: ${field} "${value}" must not contain *, ? or : (it is matched inside the OIDC subject)`);
    }
    const names = Object.keys(props.policies);
    if (names.length === 0) throw new Error(`RunRole ${id}: give at least one policy; a run role without permissions cannot apply anything`);
    for (const [name, statements] of Object.entries(props.policies)) {
      const wildcard = statements.flatMap((s) => s.Action).find((a) => a.includes("*"));
      if (wildcard) throw new Error(`RunRole ${id}: policy "${name}" uses the wildcard action "${wildcard}"; name each action`);
    }

    this.role = new IamRole(this, "role", {
      name: props.name,
      description: props.description,
      assumeRolePolicy: props.oidc.trustPolicy(props.workspace),
    });
    for (const [name, statements] of Object.entries(props.policies)) {
      new IamRolePolicy(this, name, { role: this.role.id, name, policy: Fn.jsonencode(policyDocument(statements)) });
    }
  }
}
