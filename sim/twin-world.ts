/**
 * The twin's world, shared by every strategy that commits the toggle:
 * emulated AWS (world/build.ts), the deployment repository on the git host,
 * Terraform Cloud applying each pushed commit to that AWS, and the tokens in
 * the parameter store, on one clock and one seed. LambdaFlex (twin.ts) adds
 * the production scaler on top; the same-world optimum
 * (same-world-optimum.ts) commits through the same repository.
 */
import type { DeploymentConfig } from "../config/schema";
import type { PolicyConfig } from "../scaler/policy";
import { scalerSettingsFrom, type ScalerSettings } from "../scaler/settings";
import { formatToggle, type TierState } from "../model/toggle";
import { parseCommitSubject, type CommitSubject } from "../model/commit-subject";
import type { Workload } from "../model/cost-model";
import { DEFAULT_PRICES, type PriceTable } from "../model/prices";
import type { MinuteLedger } from "./simulator";
import { awsNames, buildAwsWorld, MINUTE, START, type AwsParts } from "./world/build";
import { DynamoDbEmulator } from "./world/dynamodb";
import { GitHostEmulator } from "./world/git-host";
import type { World } from "./world/params";
import { SsmEmulator } from "./world/ssm";
import { TerraformCloudEmulator } from "./world/terraform-cloud";
import { roleArn, serviceNames } from "../model/names";

const SIM_ORG = "lambdaflex-sim";

/** One commit of the toggle that landed in the repository, read back from git. */
export interface CommitRecord extends CommitSubject {
  readonly minute: number;
  readonly oid: string;
}

/** The toggle's commits as the repository holds them (the production message's subject: "lambdaflex: FROM -> TO: REASON"). */
export function commitsOf(git: GitHostEmulator): CommitRecord[] {
  return git.log().flatMap((c) => {
    const m = parseCommitSubject(c.subject);
    return m ? [{ minute: Math.floor((c.atMs - START) / MINUTE), oid: c.oid, ...m }] : [];
  });
}

/** The tier changes among the commits (a resize commits from and to the same state), as a strategy's result logs them. */
export function transitionLog(commits: readonly CommitRecord[]): {
  transitions: number;
  log: Array<{ minute: number; from: TierState; to: TierState; reason: string }>;
} {
  const log = commits
    .filter((c) => c.from !== c.to)
    .map(({ minute, from, to, reason }) => ({ minute, from, to, reason }));
  return { transitions: log.length, log };
}

/** The world's own figures for the run. */
export interface WorldReport {
  readonly albCreations: number;
  readonly albCreateMinutes: number[];
  readonly destroys: number;
  readonly strandedRequests: number;
  readonly failedRequests: number;
  /** Requests whose cached DNS answer pointed at a destroyed ALB (also in the strategy's requestsToDeadEndpoint). */
  readonly requestsToDeadEndpoint: number;
  /** Requests Route 53 sent to API Gateway while the tier served with healthy tasks and the fargate record could have answered its ALB (also in the strategy's requestsMisroutedToApi). */
  readonly requestsMisroutedToApi: number;
  readonly terraformRuns: ReadonlyArray<{
    id: string;
    commitSha: string;
    status: string;
    source: string;
    createdMinute: number;
    finishedMinute?: number;
  }>;
}

/** What builds the twin's world: the deployment, the world's parameters and the workload. */
export interface TwinWorldOptions {
  readonly config: DeploymentConfig;
  readonly world: World;
  readonly workload: Workload;
  readonly prices?: PriceTable;
  /** Overrides of the policy (the advisor's sweep). */
  readonly policy?: Partial<PolicyConfig>;
}

/**
 * The world every strategy that commits the toggle runs in: emulated AWS
 * (buildAwsWorld), the deployment repository on the git host, Terraform
 * Cloud applying each pushed commit to that AWS, and the tokens in the
 * parameter store, on one clock and one seed. LambdaFlex adds its scaler on
 * top; the same-world optimum commits through the same repository.
 */
export interface TwinWorld extends AwsParts {
  /** The deployment, with a Terraform Cloud organization. */
  readonly config: DeploymentConfig;
  readonly names: ReturnType<typeof awsNames>;
  /** ARNs only the stacks know: the alerts topic, the scaler function and its scheduler role. */
  readonly ids: ReturnType<typeof awsNames> & {
    readonly alertTopicArn: string;
    readonly scalerArn: string;
    readonly schedulerRoleArn: string;
  };
  /** The scaler's settings as the core stack passes them (policy overrides applied, the emulated repository's URL). */
  readonly settings: ScalerSettings;
  readonly scalerFunctionName: string;
  readonly parameters: SsmEmulator;
  readonly dynamo: DynamoDbEmulator;
  readonly tfc: TerraformCloudEmulator;
  readonly git: GitHostEmulator;
  readonly prices: PriceTable;
}

/** Builds the twin's world; call `git.dispose()` when done. */
export function buildTwinWorld(o: TwinWorldOptions): TwinWorld {
  const p = o.prices ?? DEFAULT_PRICES;
  const world = o.world;
  const config: DeploymentConfig = {
    ...o.config,
    terraformCloud: { ...o.config.terraformCloud, organization: o.config.terraformCloud.organization || SIM_ORG },
  };
  const names = awsNames(config);
  const table = serviceNames(config.service);
  const scalerFunctionName = table.scalerFunction;
  const ids = {
    ...names,
    alertTopicArn: `arn:aws:sns:us-east-1:123456789012:${table.alertTopic}`,
    scalerArn: `arn:aws:lambda:us-east-1:123456789012:function:${scalerFunctionName}`,
    schedulerRoleArn: roleArn("123456789012", table.roles.scheduler),
  };
  const base = scalerSettingsFrom(config, ids);
  const settings: ScalerSettings = {
    ...base,
    policy: { ...base.policy, ...o.policy },
    git: { ...base.git, repositoryUrl: "https://git.sim.invalid/deploy.git" },
  };
  const parts = buildAwsWorld({ config, world, workload: o.workload, prices: p });
  const { clock, rng, aws } = parts;
  const tokens = { git: "sim-git-token", tfc: "sim-tfc-token" };
  const parameters = new SsmEmulator({
    [settings.git.tokenParameterName]: tokens.git,
    [config.terraformCloud.tokenParameterName]: tokens.tfc,
  });
  const dynamo = new DynamoDbEmulator(names.tableName);
  const tfc = new TerraformCloudEmulator({
    organization: settings.terraformCloud!.organization,
    workspace: settings.terraformCloud!.workspace,
    token: tokens.tfc,
    params: world.terraformCloud,
    now: clock.now,
    schedule: clock.schedule,
    random: rng.tfc.random,
    infrastructure: aws,
  });
  const initial = formatToggle({
    fargate_tier: "off",
    fargate_tier_since: new Date(START - 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    fargate_min_tasks: config.fargate.minTasks,
    fargate_max_tasks: config.fargate.maxTasks,
    fargate_pinned: false,
    fargate_backoff_up: 0,
    fargate_backoff_down: 0,
  });
  const git = new GitHostEmulator({
    branch: settings.git.branch,
    files: { [settings.toggleFile]: initial, "README.md": "LambdaFlex deployment repository (simulated)\n" },
    token: tokens.git,
    watchDir: `${config.deployDir}/fargate/`,
    watchFile: settings.toggleFile,
    onPush: (sha, text) => tfc.onPush(sha, text),
  });
  return { ...parts, config, names, ids, settings, scalerFunctionName, parameters, dynamo, tfc, git, prices: p };
}

/** The world's own figures for a run, and the requests the ledger counted. */
export function worldReportOf(tw: TwinWorld, ledger: MinuteLedger): WorldReport {
  const minuteOf = (ms: number) => Math.floor((ms - START) / MINUTE);
  return {
    ...tw.aws.meter,
    failedRequests: ledger.failedRequests,
    requestsToDeadEndpoint: ledger.deadEndpointRequests,
    requestsMisroutedToApi: ledger.misroutedToApiRequests,
    terraformRuns: tw.tfc.runs().map((r) => ({
      id: r.id,
      commitSha: r.commitSha,
      status: r.status,
      source: r.source,
      createdMinute: minuteOf(r.createdAtMs),
      finishedMinute: r.finishedAtMs === undefined ? undefined : minuteOf(r.finishedAtMs),
    })),
  };
}
