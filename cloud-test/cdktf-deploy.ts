import { join } from "node:path";
import type { IdentityName } from "./identities";
import { cloudEnv, runCollected, type CloudTarget, type TfOutcome } from "./terraform-run";

const ROOT = join(__dirname, "..");

/**
 * `npx cdktf deploy <stack>`, the README's local path, on an output directory
 * synthesized beforehand (`--skip-synth`: the same files the workspaces run,
 * with the emulator override beside them). The CLI installs the provider
 * from the local mirror through the Terraform CLI configuration. With a
 * cloud block in the stack, the CLI would also run `terraform providers lock`
 * for linux_amd64 against the registry, which this offline machine cannot
 * reach: `--skip-provider-lock` (a user with internet access needs no flag).
 */
export function cdktfDeploy(stack: string, synthOut: string, who: IdentityName, t: CloudTarget): Promise<TfOutcome> {
  const args = [
    "deploy",
    stack,
    "--skip-synth",
    "--output",
    synthOut,
    "--auto-approve",
    "--no-color",
    "--skip-provider-lock",
  ];
  return runCollected(join(ROOT, "node_modules", ".bin", "cdktf"), args, ROOT, {
    ...cloudEnv(who, t),
    CI: "1",
    FORCE_COLOR: "0",
  });
}
