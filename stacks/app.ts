import type { App } from "cdktf";
import { existsSync } from "node:fs";
import { SCALER_ZIP } from "../model/paths";
import type { DeploymentConfig } from "../config/schema";
import { BootstrapStack } from "./bootstrap-stack";
import { CoreStack } from "./core-stack";
import { FargateStack } from "./fargate-stack";

/** Stack ids, in the order they are first applied; also the directory names under the deploy directory. */
export const STACKS = { bootstrap: "bootstrap", core: "core", fargate: "fargate" } as const;

/** The stacks HCP Terraform workspaces run (bootstrap is applied once, locally, with local state). */
export const WORKSPACE_STACKS = [STACKS.core, STACKS.fargate] as const;

/** Adds the three stacks to an app, bootstrap first. Pure: the caller reads files and the environment. */
export function buildStacks(
  app: App,
  config: DeploymentConfig,
  scalerZipPath: string = SCALER_ZIP,
): { bootstrap: BootstrapStack; core: CoreStack; fargate: FargateStack } {
  if (!existsSync(scalerZipPath))
    throw new Error(`${scalerZipPath} is missing; run \`npm run build\` before synthesizing`);
  const bootstrap = new BootstrapStack(app, STACKS.bootstrap, { config });
  const core = new CoreStack(app, STACKS.core, { config, scalerZipPath });
  const fargate = new FargateStack(app, STACKS.fargate, { config, core });
  return { bootstrap, core, fargate };
}
