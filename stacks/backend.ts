import { CloudBackend, LocalBackend, NamedCloudWorkspace, type TerraformStack } from "cdktf";
import type { DeploymentConfig } from "../config/schema";

/**
 * Local state by default, so synth, validate and the tests need no account.
 * Setting `terraformCloud.organization` puts each stack in its own Terraform
 * Cloud workspace on `terraformCloud.hostname`.
 */
export function configureBackend(
  stack: TerraformStack,
  config: DeploymentConfig,
  workspace: string,
  stateName: string,
): void {
  const { organization, hostname } = config.terraformCloud;
  if (organization) {
    // cdktf builds the consuming stack's terraform_remote_state from this backend's props, so the
    // hostname must be here too: without it the remote state reads app.terraform.io, where an EU
    // organization (app.eu.terraform.io) or a Terraform Enterprise host does not exist.
    new CloudBackend(stack, { hostname, organization, workspaces: new NamedCloudWorkspace(workspace) });
  } else {
    // Relative to the stack's own directory, and the same string works from the
    // sibling stack: cdktf reuses it for the cross-stack terraform_remote_state.
    new LocalBackend(stack, { path: `../${stateName}/terraform.${stateName}.tfstate` });
  }
}
