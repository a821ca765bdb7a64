import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { Route53Client, CreateHostedZoneCommand } from "@aws-sdk/client-route-53";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { DEFAULT_CONFIG_FILE, loadDeploymentConfig } from "../config/load";
import type { DeploymentConfig } from "../config/schema";
import { formatImageRelease, imageReleasePaths } from "../model/release-file";
import { publish, synthesize } from "../scripts/synth";
import { IDENTITIES, type IdentityName } from "./identities";
import { writeCliConfig, writeOverride, type CloudTarget } from "./terraform-run";

/**
 * A user's account and deployment repository, set up as the README's
 * first-deploy runbook says, against the emulator: what exists before
 * LambdaFlex (the hosted zone), the synthesized layout with the user's
 * configuration, the tokens an administrator writes, and a first release.
 */
export interface Deployment {
  readonly config: DeploymentConfig;
  /** The deployment repository's work tree (deploy/ as synth and release leave it). */
  readonly repo: string;
  /** cdktf's own output directory (manifest.json, stacks/<id>), for `cdktf deploy --skip-synth`. */
  readonly synthOut: string;
  readonly target: CloudTarget;
  readonly zoneId: string;
  /** Stack directory inside the repository work tree. */
  stackDir(stack: "bootstrap" | "core" | "fargate"): string;
  /** Every file of the work tree, for seeding the git server. */
  files(): Record<string, string>;
}

/** The HCP Terraform workspace each stack runs in (bootstrap's state is the administrator's local file). */
export const workspaceOf = (config: DeploymentConfig, stack: "bootstrap" | "core" | "fargate"): string =>
  stack === "bootstrap"
    ? "bootstrap"
    : stack === "core"
      ? config.terraformCloud.coreWorkspace
      : config.terraformCloud.fargateWorkspace;

/** An SDK client's options for signing as `who` against the emulator. */
export const clientOptions = (who: IdentityName, endpoint: string, region: string) => ({
  endpoint,
  region,
  credentials: { accessKeyId: IDENTITIES[who].accessKeyId, secretAccessKey: IDENTITIES[who].secretAccessKey },
  maxAttempts: 2,
});

const listFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) =>
    statSync(join(dir, n)).isDirectory() ? listFiles(join(dir, n)).map((f) => join(n, f)) : [n],
  );

/** Runbook step 1 (and the zone that exists before it): configure, synthesize, publish the layout. */
export async function prepareDeployment(opts: {
  endpoint: string;
  pluginDir: string;
  gitUrl: string;
  organization: string;
  service?: string;
  root?: string;
}): Promise<Deployment> {
  const root = opts.root ?? mkdtempSync(join(tmpdir(), "lambdaflex-cloud-"));
  // The user's configuration: the committed defaults, with their own service name if given.
  const configFile = join(root, "lambdaflex.config.json");
  const defaults = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, "utf8")) as Record<string, unknown>;
  writeFileSync(
    configFile,
    JSON.stringify({ ...defaults, ...(opts.service ? { service: opts.service } : {}) }, null, 2),
  );
  const region = "us-east-1";
  const route53 = new Route53Client(clientOptions("harness", opts.endpoint, region));
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: "example.com", CallerReference: `cloud-test-${Date.now()}` }),
  );
  const zoneId = zone.HostedZone!.Id!.replace(/^\/hostedzone\//, "");
  const config = loadDeploymentConfig(configFile, {
    LAMBDAFLEX_DOMAIN: "app.example.com",
    LAMBDAFLEX_HOSTED_ZONE_ID: zoneId,
    LAMBDAFLEX_TFC_ORGANIZATION: opts.organization,
    LAMBDAFLEX_GIT_REPOSITORY_URL: opts.gitUrl,
  });
  const repo = join(root, "repo");
  const synthOut = join(root, "cdktf.out");
  mkdirSync(repo, { recursive: true });
  publish(config, synthesize(config, synthOut), repo);
  const stateDir = join(root, "state");
  mkdirSync(stateDir, { recursive: true });
  const target: CloudTarget = {
    endpoint: opts.endpoint,
    region,
    stateDir,
    pluginDir: opts.pluginDir,
    cliConfig: writeCliConfig(root, opts.pluginDir),
  };
  const stackDir = (stack: "bootstrap" | "core" | "fargate") => join(repo, config.deployDir, stack);
  for (const stack of ["bootstrap", "core", "fargate"] as const) {
    writeOverride(stackDir(stack), target, workspaceOf(config, stack));
    writeOverride(join(synthOut, "stacks", stack), target, workspaceOf(config, stack));
  }
  return {
    config,
    repo,
    synthOut,
    target,
    zoneId,
    stackDir,
    files: () =>
      Object.fromEntries(
        listFiles(repo)
          .filter((f) => !f.includes(".terraform") && !f.endsWith("_override.tf.json"))
          .map((f) => [f, readFileSync(join(repo, f), "latin1")]),
      ),
  };
}

/** Runbook step 2, after bootstrap: the administrator writes the two tokens into their SecureString parameters. */
export async function writeTokens(d: Deployment, tokens: { git: string; terraformCloud: string }): Promise<void> {
  const ssm = new SSMClient(clientOptions("admin", d.target.endpoint, d.target.region));
  await ssm.send(
    new PutParameterCommand({
      Name: d.config.git.tokenParameterName,
      Type: "SecureString",
      Overwrite: true,
      Value: tokens.git,
    }),
  );
  await ssm.send(
    new PutParameterCommand({
      Name: d.config.terraformCloud.tokenParameterName,
      Type: "SecureString",
      Overwrite: true,
      Value: tokens.terraformCloud,
    }),
  );
}

/**
 * Runbook step 3: a release. `npm run release` pushes with Docker, which is
 * not here; the same registry write (PutImage of an arm64 manifest under an
 * immutable release tag) is made directly, and the digest is recorded for
 * both tiers exactly as the release script writes it.
 */
export async function releaseImage(d: Deployment): Promise<string> {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: {
      mediaType: "application/vnd.docker.container.image.v1+json",
      size: 2,
      digest: `sha256:${createHash("sha256").update("{}").digest("hex")}`,
    },
    layers: [],
  });
  const tag = "release-cloud-test";
  const ecr = new ECRClient(clientOptions("admin", d.target.endpoint, d.target.region));
  const put = await ecr.send(
    new PutImageCommand({ repositoryName: d.config.service, imageManifest: manifest, imageTag: tag }),
  );
  const digest = put.image?.imageId?.imageDigest ?? `sha256:${createHash("sha256").update(manifest).digest("hex")}`;
  const release = formatImageRelease({
    image_digest: digest,
    image_tag: tag,
    released_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  });
  for (const path of Object.values(imageReleasePaths(d.config.deployDir))) writeFileSync(join(d.repo, path), release);
  // cdktf deploy reads its own output directory: the same release file goes there.
  cpSync(
    join(d.repo, imageReleasePaths(d.config.deployDir).core),
    join(d.synthOut, "stacks", "core", "image.auto.tfvars.json"),
  );
  return digest;
}
