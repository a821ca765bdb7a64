import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { taskBoundaryName } from "../stacks/bootstrap/task-boundary";
import { ACCOUNT_ID } from "./accounting";
import { clientOptions, workspaceOf, type Deployment } from "./deployment";
import { RUN_IDENTITIES } from "./identities";
import { apply, terraform, writeOverride, type TfOutcome } from "./terraform-run";
import { serviceNames } from "../model/names";

/**
 * What a leaked git token (or a merged pull request) could push to the
 * fargate workspace, which applies unattended: the committed
 * `deploy/fargate/cdk.tf.json` plus resources that would widen the tier into
 * the account. Each is one thing a commit must not be able to do:
 * - `backdoor`: a new role, assumable from another account;
 * - `task_trust`: the tier's task role (bootstrap's), imported and given a
 *   trust policy naming another account;
 * - `widen`: an inline policy on the task role granting every table action;
 * - `foreign`: a task definition of the service's own family running an image
 *   from a public registry with the task role.
 */
export const HOSTILE_OPERATIONS = [
  "iam:CreateRole",
  "iam:UpdateAssumeRolePolicy",
  "iam:PutRolePolicy",
  "ecs:RegisterTaskDefinition",
] as const;

const FOREIGN_ACCOUNT = "999999999999";
const FOREIGN_IMAGE = "docker.io/library/alpine:3.20";

export function hostileConfiguration(stack: Record<string, any>, service: string): Record<string, any> {
  const role = (name: string) => `arn:aws:iam::${ACCOUNT_ID}:role/${name}`;
  const trustForeign = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:root` }, Action: "sts:AssumeRole" },
    ],
  });
  const resource = { ...(stack.resource ?? {}) };
  resource.aws_iam_role = {
    ...(resource.aws_iam_role ?? {}),
    backdoor: { name: `${service}-task-backdoor`, assume_role_policy: trustForeign },
    task_trust: {
      name: serviceNames(service).roles.task,
      assume_role_policy: trustForeign,
      permissions_boundary: `arn:aws:iam::${ACCOUNT_ID}:policy/${taskBoundaryName(service)}`,
    },
  };
  resource.aws_iam_role_policy = {
    ...(resource.aws_iam_role_policy ?? {}),
    widen: {
      role: serviceNames(service).roles.task,
      name: "widen",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "dynamodb:*", Resource: "*" }],
      }),
    },
  };
  resource.aws_ecs_task_definition = {
    ...(resource.aws_ecs_task_definition ?? {}),
    foreign: {
      family: service,
      requires_compatibilities: ["FARGATE"],
      network_mode: "awsvpc",
      cpu: "256",
      memory: "512",
      task_role_arn: role(serviceNames(service).roles.task),
      execution_role_arn: role(serviceNames(service).roles.taskExecution),
      container_definitions: JSON.stringify([{ name: "app", image: FOREIGN_IMAGE, essential: true }]),
    },
  };
  return {
    ...stack,
    resource,
    import: [...(stack.import ?? []), { to: "aws_iam_role.task_trust", id: serviceNames(service).roles.task }],
  };
}

export interface HostileRun {
  /** The plan and apply of the hostile configuration (their outcome; the emulator enforces no IAM, so it may well succeed there). */
  readonly outcome: TfOutcome;
  /** Undoes in the emulator what IAM would have refused, as an administrator, so the rest of the cycle runs on the real stacks. */
  cleanUp(): Promise<void>;
}

/**
 * Runs the hostile commit as the fargate workspace would (its plan role, then
 * its apply role) on a copy of the workspace's directory and state.
 */
export async function runHostileCommit(d: Deployment): Promise<HostileRun> {
  const service = d.config.service;
  const source = d.stackDir("fargate");
  const dir = join(d.target.stateDir, "..", "hostile", "fargate");
  mkdirSync(dir, { recursive: true });
  cpSync(source, dir, {
    recursive: true,
    filter: (p) => !p.includes(`${join(source, ".terraform")}`) && !p.endsWith(".tfplan"),
  });
  const stack = JSON.parse(readFileSync(join(source, "cdk.tf.json"), "utf8")) as Record<string, any>;
  writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(hostileConfiguration(stack, service), null, 2));
  const workspace = `${workspaceOf(d.config, "fargate")}-hostile`;
  writeOverride(dir, d.target, workspace);
  const realState = join(d.target.stateDir, `${workspaceOf(d.config, "fargate")}.tfstate`);
  if (existsSync(realState)) copyFileSync(realState, join(d.target.stateDir, `${workspace}.tfstate`));

  const iam = new IAMClient(clientOptions("harness", d.target.endpoint, d.target.region));
  const trust = (await iam.send(new GetRoleCommand({ RoleName: serviceNames(service).roles.task }))).Role
    ?.AssumeRolePolicyDocument;
  if (!trust)
    throw new Error(
      `the task role ${serviceNames(service).roles.task} has no trust policy to restore; bootstrap must create it`,
    );
  const outcome = await apply(dir, RUN_IDENTITIES.fargate, d.target).catch((err: Error) => ({
    status: 1,
    output: err.message,
    seconds: 0,
  }));
  return {
    outcome,
    cleanUp: async () => {
      // The imported role is bootstrap's: out of this state before the destroy, its trust restored.
      await terraform(["state", "rm", "aws_iam_role.task_trust"], dir, "admin", d.target);
      const admin = new IAMClient(clientOptions("admin", d.target.endpoint, d.target.region));
      await admin.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: serviceNames(service).roles.task,
          PolicyDocument: decodeURIComponent(trust),
        }),
      );
      // The committed configuration again: applying it removes the rest of what the hostile one added.
      writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(stack, null, 2));
      await apply(dir, RUN_IDENTITIES.bootstrap, d.target);
    },
  };
}
