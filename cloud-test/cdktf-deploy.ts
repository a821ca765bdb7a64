import { spawn } from "node:child_process";
import { join } from "node:path";
import { awsEnv, type IdentityName } from "./identities";
import type { CloudTarget } from "./terraform-run";

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
export function cdktfDeploy(stack: string, synthOut: string, who: IdentityName, t: CloudTarget): Promise<{ status: number; output: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, "node_modules", ".bin", "cdktf"), ["deploy", stack, "--skip-synth", "--output", synthOut, "--auto-approve", "--no-color", "--skip-provider-lock"], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...awsEnv(who, t.endpoint, t.region),
        CHECKPOINT_DISABLE: "1",
        TF_CLI_CONFIG_FILE: t.cliConfig,
        TF_IN_AUTOMATION: "1",
        CI: "1",
        FORCE_COLOR: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", (err) => reject(new Error(`cdktf could not run: ${err.message}`)));
    child.on("close", (code) => resolve({ status: code ?? -1, output, seconds: (Date.now() - started) / 1000 }));
  });
}
