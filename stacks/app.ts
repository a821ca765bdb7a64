import type { App } from "cdktf";
import type { DeploymentConfig } from "../config/schema";
import { CoreStack } from "./core-stack";
import { FargateStack } from "./fargate-stack";

/** Stack ids; also the directory names under the deploy directory. */
export const STACKS = { core: "core", fargate: "fargate" } as const;

/** Adds both stacks to an app. Pure: the caller reads files and the environment. */
export function buildStacks(app: App, config: DeploymentConfig): { core: CoreStack; fargate: FargateStack } {
  const core = new CoreStack(app, STACKS.core, { config });
  const fargate = new FargateStack(app, STACKS.fargate, { config, core });
  return { core, fargate };
}
