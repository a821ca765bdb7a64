import type { App } from "cdktf";
import { existsSync } from "node:fs";
import { SCALER_ZIP } from "../scripts/paths";
import type { DeploymentConfig } from "../config/schema";
import { CoreStack } from "./core-stack";
import { FargateStack } from "./fargate-stack";

/** Stack ids; also the directory names under the deploy directory. */
export const STACKS = { core: "core", fargate: "fargate" } as const;

/** Adds both stacks to an app. Pure: the caller reads files and the environment. */
export function buildStacks(app: App, config: DeploymentConfig, scalerZipPath: string = SCALER_ZIP): { core: CoreStack; fargate: FargateStack } {
  if (!existsSync(scalerZipPath)) throw new Error(`${scalerZipPath} is missing; run \`npm run build\` before synthesizing`);
  const core = new CoreStack(app, STACKS.core, { config, scalerZipPath });
  const fargate = new FargateStack(app, STACKS.fargate, { config, core });
  return { core, fargate };
}
