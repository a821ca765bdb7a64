import { CloudBackend, LocalBackend, NamedCloudWorkspace, type TerraformStack } from "cdktf";
import type { DeploymentConfig } from "../config/schema";

/**
 * Local state by default, so synth, validate and the tests need no account.
 * Setting `terraformCloud.organization` puts each stack in its own Terraform
 * Cloud workspace.
 */
export function configureBackend(stack: TerraformStack, config: DeploymentConfig, workspace: string, stateName: string): void {
  const organization = config.terraformCloud.organization;
  if (organization) {
    new CloudBackend(stack, { organization, workspaces: new NamedCloudWorkspace(workspace) });
  } else {
    // Relative to the stack's own directory, and the same string works from the
    // sibling stack: cdktf reuses it for the cross-stack terraform_remote_state.
    new LocalBackend(stack, { path: `../${stateName}/terraform.${stateName}.tfstate` });
  }
}
