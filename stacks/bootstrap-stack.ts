import { Construct } from "constructs";
import { LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import type { DeploymentConfig } from "../config/schema";
import { corePermissions } from "./bootstrap/core-permissions";
import { fargatePermissions } from "./bootstrap/fargate-permissions";
import { HcpTerraformOidc } from "./bootstrap/hcp-terraform-oidc";
import { ImageRepository } from "./bootstrap/image-repository";
import { RunRole } from "./bootstrap/run-role";
import { ServiceLinkedRoles } from "./bootstrap/service-linked-roles";
import { TaskBoundary } from "./bootstrap/task-boundary";
import { TokenParameters } from "./bootstrap/token-parameters";
import { tierLogGroupName } from "./fargate/fargate-service";
import { defaultTags } from "./tags";

export interface BootstrapStackProps {
  readonly config: DeploymentConfig;
}

/** Names of the run roles: `<service>-tfc-core` and `<service>-tfc-fargate`. */
export const runRoleName = (service: string, stack: "core" | "fargate"): string => `${service}-tfc-${stack}`;

/**
 * What must exist before the HCP Terraform workspaces can run, applied once
 * by an administrator with local state (never the cloud backend: the
 * workspaces' credentials come from here): the OIDC provider and one run
 * role per workspace, the image repository, the service-linked roles, the
 * Fargate tier's log group (kept across tiers), and the token parameters.
 * Nothing here is a cross-stack reference: core and fargate find what they
 * need by name, so they never read this stack's local state.
 */
export class BootstrapStack extends TerraformStack {
  public readonly oidc: HcpTerraformOidc;
  public readonly images: ImageRepository;
  public readonly coreRunRole: RunRole;
  public readonly fargateRunRole: RunRole;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const c = props.config;
    const tfc = c.terraformCloud;
    if (tfc.coreWorkspace === tfc.fargateWorkspace) {
      throw new Error(`BootstrapStack ${id}: terraformCloud.coreWorkspace and fargateWorkspace are both "${tfc.coreWorkspace}"; each stack needs its own workspace (and run role)`);
    }
    new AwsProvider(this, "aws", { region: c.region, defaultTags: [{ tags: defaultTags(c.service, id) }] });
    // The default name is git-ignored (terraform.tfstate*), so `git add -A` never commits this state.
    new LocalBackend(this, { path: "terraform.tfstate" });
    // No terraform.required_version (>= 1.11 for the write-only value_wo): cdktf 0.21's HCL writer
    // garbles that override, and Terraform before 1.11 rejects value_wo by itself anyway.

    const organization = new TerraformVariable(this, "tfc_organization", {
      type: "string",
      description: "HCP Terraform organization whose workspace runs may assume the run roles (terraformCloud.organization).",
      ...(tfc.organization ? { default: tfc.organization } : {}),
      validation: [
        {
          condition: "${can(regex(\"^[A-Za-z0-9_-]+$\", var.tfc_organization))}",
          errorMessage: "tfc_organization must be an HCP Terraform organization name; set terraformCloud.organization in lambdaflex.config.json and run npm run synth.",
        },
      ],
    });
    organization.overrideLogicalId("tfc_organization");
    const account = new DataAwsCallerIdentity(this, "account");
    const accountId = account.accountId;

    this.images = new ImageRepository(this, "images", { name: c.service, region: c.region, accountId, functionNamePrefix: `${c.service}-` });
    new CloudwatchLogGroup(this, "tier-logs", { name: tierLogGroupName(c.service), retentionInDays: c.logRetentionDays });
    const boundary = new TaskBoundary(this, "task-boundary", {
      service: c.service,
      region: c.region,
      accountId,
      repositoryArn: this.images.repository.arn,
      logGroupName: tierLogGroupName(c.service),
    });
    new ServiceLinkedRoles(this, "service-linked-roles");
    new TokenParameters(this, "tokens", {
      parameters: [
        { id: "git-token", name: c.git.tokenParameterName, description: `Token the ${c.service} scaler pushes toggle commits with (git.tokenParameterName)` },
        { id: "tfc-token", name: tfc.tokenParameterName, description: `HCP Terraform team token the ${c.service} scaler reads fargate runs with (terraformCloud.tokenParameterName)` },
      ],
    });

    this.oidc = new HcpTerraformOidc(this, "hcp-terraform", { hostname: tfc.hostname });
    const workspace = (name: string) => ({ organization: organization.stringValue, project: tfc.project, workspace: name });
    this.coreRunRole = new RunRole(this, "core-run-role", {
      name: runRoleName(c.service, "core"),
      description: `HCP Terraform runs of ${tfc.coreWorkspace}: the ${c.service} core stack`,
      oidc: this.oidc,
      workspace: workspace(tfc.coreWorkspace),
      policies: corePermissions({
        service: c.service,
        region: c.region,
        accountId,
        hostedZoneId: c.hostedZoneId,
        domain: c.domain,
        repositoryArn: this.images.repository.arn,
        protectedRolePatterns: [`${c.service}-tfc-*`, `${c.service}-task*`],
      }),
    });
    this.fargateRunRole = new RunRole(this, "fargate-run-role", {
      name: runRoleName(c.service, "fargate"),
      description: `HCP Terraform runs of ${tfc.fargateWorkspace}: the ${c.service} Fargate tier only`,
      oidc: this.oidc,
      workspace: workspace(tfc.fargateWorkspace),
      policies: fargatePermissions({
        service: c.service,
        region: c.region,
        accountId,
        hostedZoneId: c.hostedZoneId,
        domain: c.domain,
        taskBoundaryArn: boundary.policy.arn,
      }),
    });

    new TerraformOutput(this, "core_run_role_arn", { value: this.coreRunRole.role.arn, description: `TFC_AWS_RUN_ROLE_ARN of ${tfc.coreWorkspace}` });
    new TerraformOutput(this, "fargate_run_role_arn", { value: this.fargateRunRole.role.arn, description: `TFC_AWS_RUN_ROLE_ARN of ${tfc.fargateWorkspace}` });
    new TerraformOutput(this, "oidc_provider_arn", { value: this.oidc.provider.arn });
    new TerraformOutput(this, "image_repository_url", { value: this.images.repository.repositoryUrl, description: "npm run release -- --repository <this>" });
    new TerraformOutput(this, "task_boundary_arn", { value: boundary.policy.arn, description: "Permissions boundary the fargate stack's task roles must carry" });
  }
}
