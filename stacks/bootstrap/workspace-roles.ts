import { Construct } from "constructs";
import type { Statement } from "../policy";
import type { HcpTerraformOidc, WorkspaceIdentity } from "./hcp-terraform-oidc";
import { readOnlyPolicies } from "./read-actions";
import { RunRole, runRoleName, type RunStack } from "./run-role";

export interface WorkspaceRolesProps {
  readonly service: string;
  /** The stack the workspace runs. */
  readonly stack: RunStack;
  /** The identity provider the workspace's runs authenticate with. */
  readonly oidc: HcpTerraformOidc;
  readonly workspace: WorkspaceIdentity;
  /** What the stack's apply needs, by part (corePermissions, fargatePermissions). */
  readonly permissions: Readonly<Record<string, Statement[]>>;
}

/**
 * The two roles of one workspace: `<service>-tfc-<stack>-plan`, trusted for
 * `run_phase:plan` only, with the read actions of the apply role (it refreshes
 * every resource of the stack and changes none), and
 * `<service>-tfc-<stack>-apply`, trusted for `run_phase:apply` only. A pull
 * request's speculative plan, and every plan, gets read-only credentials.
 */
export class WorkspaceRoles extends Construct {
  public readonly plan: RunRole;
  public readonly apply: RunRole;

  constructor(scope: Construct, id: string, props: WorkspaceRolesProps) {
    super(scope, id);
    const what = `the ${props.service} ${props.stack} stack`;
    this.plan = new RunRole(this, "plan", {
      name: runRoleName(props.service, props.stack, "plan"),
      description: `HCP Terraform plans of ${props.workspace.workspace}: reads ${what}`,
      oidc: props.oidc,
      workspace: props.workspace,
      phase: "plan",
      policies: readOnlyPolicies(props.permissions),
    });
    this.apply = new RunRole(this, "apply", {
      name: runRoleName(props.service, props.stack, "apply"),
      description: `HCP Terraform applies of ${props.workspace.workspace}: ${what}`,
      oidc: props.oidc,
      workspace: props.workspace,
      phase: "apply",
      policies: props.permissions,
    });
  }
}
