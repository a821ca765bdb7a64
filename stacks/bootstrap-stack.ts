import { Construct } from "constructs";
import { LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import type { DeploymentConfig } from "../config/schema";
import { ApiRole } from "./bootstrap/api-role";
import { corePermissions } from "./bootstrap/core-permissions";
import { fargatePermissions } from "./bootstrap/fargate-permissions";
import { HcpTerraformOidc } from "./bootstrap/hcp-terraform-oidc";
import { ImageRepository } from "./bootstrap/image-repository";
import { ScalerRole } from "./bootstrap/scaler-role";
import { SchedulerRole } from "./bootstrap/scheduler-role";
import { ServiceLinkedRoles } from "./bootstrap/service-linked-roles";
import { TaskBoundary } from "./bootstrap/task-boundary";
import { TaskRoles } from "./bootstrap/task-roles";
import { TokenParameters } from "./bootstrap/token-parameters";
import { WorkspaceRoles } from "./bootstrap/workspace-roles";
import { serviceNames } from "../model/names";
import { defaultTags } from "./tags";

export { runRoleName } from "./bootstrap/run-role";

export interface BootstrapStackProps {
  readonly config: DeploymentConfig;
}

/**
 * What must exist before the HCP Terraform workspaces can run, applied once
 * (and again for a change to a role) by an administrator with local state,
 * never the cloud backend: the workspaces' credentials come from here. The
 * OIDC provider and a plan and an apply role per workspace; every role the
 * service runs with (the functions', the scheduler's, the tasks' under their
 * boundary), so no run of a workspace creates, edits or trusts a role; the
 * image repository, the service-linked roles, the Fargate tier's log group
 * (kept across tiers), and the token parameters. Nothing here is a
 * cross-stack reference: core and fargate name what they need, so they never
 * read this stack's local state.
 */
export class BootstrapStack extends TerraformStack {
  public readonly oidc: HcpTerraformOidc;
  public readonly images: ImageRepository;
  public readonly coreRoles: WorkspaceRoles;
  public readonly fargateRoles: WorkspaceRoles;
  public readonly taskRoles: TaskRoles;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const c = props.config;
    const tfc = c.terraformCloud;
    if (tfc.coreWorkspace === tfc.fargateWorkspace) {
      throw new Error(
        `BootstrapStack ${id}: terraformCloud.coreWorkspace and fargateWorkspace are both "${tfc.coreWorkspace}"; each stack needs its own workspace (and run roles)`,
      );
    }
    const names = serviceNames(c.service);
    new AwsProvider(this, "aws", { region: c.region, defaultTags: [{ tags: defaultTags(c.service, id) }] });
    // The default name is git-ignored (terraform.tfstate*), so `git add -A` never commits this state.
    new LocalBackend(this, { path: "terraform.tfstate" });
    // No terraform.required_version (>= 1.11 for the write-only value_wo): cdktf 0.21's HCL writer
    // garbles that override, and Terraform before 1.11 rejects value_wo by itself anyway.

    const organization = new TerraformVariable(this, "tfc_organization", {
      type: "string",
      description:
        "HCP Terraform organization whose workspace runs may assume the run roles (terraformCloud.organization).",
      ...(tfc.organization ? { default: tfc.organization } : {}),
      validation: [
        {
          condition: '${can(regex("^[A-Za-z0-9_-]+$", var.tfc_organization))}',
          errorMessage:
            "tfc_organization must be an HCP Terraform organization name; set terraformCloud.organization in lambdaflex.config.json and run npm run synth.",
        },
      ],
    });
    organization.overrideLogicalId("tfc_organization");
    const accountId = new DataAwsCallerIdentity(this, "account").accountId;

    this.images = new ImageRepository(this, "images", {
      name: names.repository,
      region: c.region,
      accountId,
      functionNamePrefix: names.prefix,
    });
    const tierLogs = new CloudwatchLogGroup(this, "tier-logs", {
      name: names.tierLogGroup,
      retentionInDays: c.logRetentionDays,
    });
    const boundary = new TaskBoundary(this, "task-boundary", {
      service: c.service,
      region: c.region,
      accountId,
      repositoryArn: this.images.repository.arn,
      logGroupName: names.tierLogGroup,
    });
    new ServiceLinkedRoles(this, "service-linked-roles");
    new TokenParameters(this, "tokens", {
      parameters: [
        {
          id: "git-token",
          name: c.git.tokenParameterName,
          description: `Token the ${c.service} scaler pushes toggle commits with (git.tokenParameterName)`,
        },
        {
          id: "tfc-token",
          name: tfc.tokenParameterName,
          description: `HCP Terraform team token the ${c.service} scaler reads fargate runs with (terraformCloud.tokenParameterName)`,
        },
      ],
    });

    // The roles the service runs with; core and fargate name them by ARN.
    new ApiRole(this, "api-role", { names, region: c.region, accountId });
    new ScalerRole(this, "scaler-role", { config: c, names, accountId });
    new SchedulerRole(this, "scheduler-role", { names, region: c.region, accountId });
    this.taskRoles = new TaskRoles(this, "task-roles", {
      names,
      region: c.region,
      accountId,
      repositoryArn: this.images.repository.arn,
      logGroupArn: tierLogs.arn,
      boundaryArn: boundary.policy.arn,
    });

    this.oidc = new HcpTerraformOidc(this, "hcp-terraform", { hostname: tfc.hostname });
    const workspace = (name: string) => ({
      organization: organization.stringValue,
      project: tfc.project,
      workspace: name,
    });
    const scoped = { service: c.service, region: c.region, accountId, hostedZoneId: c.hostedZoneId, domain: c.domain };
    this.coreRoles = new WorkspaceRoles(this, "core-roles", {
      service: c.service,
      stack: "core",
      oidc: this.oidc,
      workspace: workspace(tfc.coreWorkspace),
      permissions: corePermissions({ ...scoped, repositoryArn: this.images.repository.arn }),
    });
    this.fargateRoles = new WorkspaceRoles(this, "fargate-roles", {
      service: c.service,
      stack: "fargate",
      oidc: this.oidc,
      workspace: workspace(tfc.fargateWorkspace),
      permissions: fargatePermissions(scoped),
    });

    // HCP Terraform's phase-specific variables; TFC_AWS_RUN_ROLE_ARN (one role for both phases) is not used.
    for (const [stack, roles, ws] of [
      ["core", this.coreRoles, tfc.coreWorkspace],
      ["fargate", this.fargateRoles, tfc.fargateWorkspace],
    ] as const) {
      new TerraformOutput(this, `${stack}_plan_role_arn`, {
        value: roles.plan.role.arn,
        description: `TFC_AWS_PLAN_ROLE_ARN of ${ws}`,
      });
      new TerraformOutput(this, `${stack}_apply_role_arn`, {
        value: roles.apply.role.arn,
        description: `TFC_AWS_APPLY_ROLE_ARN of ${ws}`,
      });
    }
    new TerraformOutput(this, "oidc_provider_arn", { value: this.oidc.provider.arn });
    new TerraformOutput(this, "image_repository_url", {
      value: this.images.repository.repositoryUrl,
      description: "npm run release -- --repository <this>",
    });
    new TerraformOutput(this, "task_boundary_arn", {
      value: boundary.policy.arn,
      description: "Permissions boundary the tier's task and execution roles carry",
    });
  }
}
