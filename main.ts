/**
 * The cdktf app: `cdktf synth|deploy` and `npm run synth` run this file.
 * It is the only place that reads the configuration file and the environment.
 *   LAMBDAFLEX_CONFIG  path of the configuration (default: lambdaflex.config.json)
 *   LAMBDAFLEX_*       named overrides, see config/load.ts
 */
import { App } from "cdktf";
import { loadDeploymentConfig, DEFAULT_CONFIG_FILE } from "./config/load";
import { buildStacks } from "./stacks/app";

function main(): void {
  const config = loadDeploymentConfig(process.env.LAMBDAFLEX_CONFIG || DEFAULT_CONFIG_FILE, process.env);
  const app = new App();
  buildStacks(app, config);
  app.synth();
}

try {
  main();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
