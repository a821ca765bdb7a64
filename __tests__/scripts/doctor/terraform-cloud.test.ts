import {
  changed,
  credentials,
  mockAws,
  readyWorkspaces,
  roleArn,
  runDoctor,
  startTerraformCloud,
  type DoctorWorkspace,
} from "./ready-world";
import { globMatches } from "../../../scripts/doctor/workspace-settings";

const aws = mockAws();
beforeEach(() => aws.ready());

const UI = "https://app.terraform.io/app/acme/workspaces";
const VCS = (ws: string) => `Settings → Version Control (${UI}/${ws}/settings/version-control)`;
const GENERAL = (ws: string) => `Settings → General (${UI}/${ws}/settings/general)`;

/** The doctor's failures against an organization holding these workspaces. */
async function failuresWith(workspaces: DoctorWorkspace[]) {
  const server = await startTerraformCloud(workspaces);
  try {
    const { code, failed } = await runDoctor({ url: server.url });
    return { code, failed };
  } finally {
    await server.close();
  }
}

const credentialsWithout = (stack: "core" | "fargate", key: string) => credentials(stack).filter((v) => v.key !== key);
const CREDENTIALS_FIX = (ws: string, stack: string) =>
  `Variables (${UI}/${ws}/variables) → Add variable → Environment variable: TFC_AWS_PROVIDER_AUTH = true, TFC_AWS_PLAN_ROLE_ARN = <ARN of lambdaflex-tfc-${stack}-plan> and TFC_AWS_APPLY_ROLE_ARN = <ARN of lambdaflex-tfc-${stack}-apply> (bootstrap outputs)`;

describe("doctor: HCP Terraform workspaces", () => {
  it.each<[string, DoctorWorkspace[], string, { detail: string; fix: string }]>([
    [
      "a wrong working directory",
      changed("lambdaflex-core", { attributes: { "working-directory": "deploy" } }),
      "lambdaflex-core working directory",
      {
        detail: 'is "deploy"; Terraform must run in deploy/core',
        fix: `${VCS("lambdaflex-core")} → Terraform Working Directory: deploy/core`,
      },
    ],
    [
      "a trigger pattern that misses the toggle file",
      changed("lambdaflex-fargate", { attributes: { "trigger-patterns": ["deploy/fargate/*.tf.json"] } }),
      "lambdaflex-fargate run triggers",
      {
        detail:
          "a push changing deploy/fargate/fargate.auto.tfvars.json queues no run (patterns [deploy/fargate/*.tf.json], prefixes [])",
        fix: `${VCS("lambdaflex-fargate")} → Automatic Run Triggering: Only trigger runs when files in specified paths change → Patterns: deploy/fargate/**`,
      },
    ],
    [
      "core triggering on every push",
      changed("lambdaflex-core", { attributes: { "file-triggers-enabled": false } }),
      "lambdaflex-core run triggers",
      {
        detail:
          "a push changing deploy/fargate/fargate.auto.tfvars.json queues a run here (every push (Always trigger runs)), so each scaler commit would leave a core run waiting for approval",
        fix: `${VCS("lambdaflex-core")} → Automatic Run Triggering: Only trigger runs when files in specified paths change → Patterns: deploy/core/**`,
      },
    ],
    [
      "auto-apply on for core",
      changed("lambdaflex-core", { attributes: { "auto-apply": true } }),
      "lambdaflex-core auto-apply",
      {
        detail: "is on; it must be off: humans review core changes",
        fix: `${GENERAL("lambdaflex-core")} → Auto-apply: turn off auto-apply (manual apply)`,
      },
    ],
    [
      "auto-apply off for fargate",
      changed("lambdaflex-fargate", { attributes: { "auto-apply": false } }),
      "lambdaflex-fargate auto-apply",
      {
        detail: "is off; it must be on: the scaler's commits must apply unattended",
        fix: `${GENERAL("lambdaflex-fargate")} → Auto-apply: turn on Auto-apply API, CLI, & VCS runs`,
      },
    ],
    [
      "no VCS connection",
      changed("lambdaflex-fargate", { attributes: { "vcs-repo": null } }),
      "lambdaflex-fargate VCS connection",
      {
        detail:
          "not connected to version control: pushes to https://github.com/example/lambdaflex-deploy.git never queue runs",
        fix: `${VCS("lambdaflex-fargate")} → Change source → Version control workflow → example/lambdaflex-deploy, VCS branch main`,
      },
    ],
    [
      "another repository",
      changed("lambdaflex-core", { attributes: { "vcs-repo": { identifier: "example/infra", branch: "main" } } }),
      "lambdaflex-core VCS connection",
      {
        detail: "watches example/infra, but git.repositoryUrl is https://github.com/example/lambdaflex-deploy.git",
        fix: `${VCS("lambdaflex-core")} → Change source → Version control workflow → example/lambdaflex-deploy, VCS branch main`,
      },
    ],
    [
      "another branch",
      changed("lambdaflex-fargate", {
        attributes: { "vcs-repo": { identifier: "example/lambdaflex-deploy", branch: "develop" } },
      }),
      "lambdaflex-fargate VCS connection",
      { detail: "tracks branch develop; git.branch is main", fix: `${VCS("lambdaflex-fargate")} → VCS branch: main` },
    ],
    [
      "local execution",
      changed("lambdaflex-fargate", { attributes: { "execution-mode": "local" } }),
      "lambdaflex-fargate execution mode",
      {
        detail: 'is "local"; runs must execute remotely in HCP Terraform',
        fix: `${GENERAL("lambdaflex-fargate")} → Execution Mode: Remote`,
      },
    ],
    [
      "no remote state sharing",
      changed("lambdaflex-core", { remoteStateConsumers: [] }),
      "remote state sharing",
      {
        detail:
          "lambdaflex-core does not share its state with lambdaflex-fargate, whose terraform_remote_state reads core's outputs",
        fix: `Settings → General → Remote state sharing (${UI}/lambdaflex-core/settings/general) → Share with specific workspaces: lambdaflex-fargate`,
      },
    ],
    [
      "a fargate_tier workspace variable",
      changed("lambdaflex-fargate", {
        vars: [...credentials("fargate"), { key: "fargate_tier", value: "serving", category: "terraform" }],
      }),
      "lambdaflex-fargate workspace variables",
      {
        detail:
          "workspace variable fargate_tier overrides the committed *.auto.tfvars.json, so commits to deploy/fargate would silently change nothing",
        fix: `Variables (${UI}/lambdaflex-fargate/variables) → delete fargate_tier`,
      },
    ],
    [
      "an image_digest workspace variable on core",
      changed("lambdaflex-core", {
        vars: [...credentials("core"), { key: "image_digest", value: "sha256:0", category: "terraform" }],
      }),
      "lambdaflex-core workspace variables",
      {
        detail:
          "workspace variable image_digest overrides the committed *.auto.tfvars.json, so commits to deploy/core would silently change nothing",
        fix: `Variables (${UI}/lambdaflex-core/variables) → delete image_digest`,
      },
    ],
    [
      "a missing apply role",
      changed("lambdaflex-core", { vars: credentialsWithout("core", "TFC_AWS_APPLY_ROLE_ARN") }),
      "lambdaflex-core dynamic credentials",
      {
        detail:
          "TFC_AWS_APPLY_ROLE_ARN is missing among the workspace's environment variables (variable sets are not read)",
        fix: CREDENTIALS_FIX("lambdaflex-core", "core"),
      },
    ],
    [
      "the apply role set as the plan role",
      changed("lambdaflex-fargate", {
        vars: [
          ...credentialsWithout("fargate", "TFC_AWS_PLAN_ROLE_ARN"),
          { key: "TFC_AWS_PLAN_ROLE_ARN", value: roleArn("fargate", "apply"), category: "env" as const },
        ],
      }),
      "lambdaflex-fargate dynamic credentials",
      {
        detail:
          "TFC_AWS_PLAN_ROLE_ARN names the role lambdaflex-tfc-fargate-apply, not lambdaflex-tfc-fargate-plan among the workspace's environment variables (variable sets are not read)",
        fix: CREDENTIALS_FIX("lambdaflex-fargate", "fargate"),
      },
    ],
    [
      "the other workspace's role",
      changed("lambdaflex-core", {
        vars: [
          ...credentialsWithout("core", "TFC_AWS_APPLY_ROLE_ARN"),
          { key: "TFC_AWS_APPLY_ROLE_ARN", value: roleArn("fargate", "apply"), category: "env" as const },
        ],
      }),
      "lambdaflex-core dynamic credentials",
      {
        detail:
          "TFC_AWS_APPLY_ROLE_ARN names the role lambdaflex-tfc-fargate-apply, not lambdaflex-tfc-core-apply among the workspace's environment variables (variable sets are not read)",
        fix: CREDENTIALS_FIX("lambdaflex-core", "core"),
      },
    ],
    [
      "a leftover single run role",
      changed("lambdaflex-fargate", {
        vars: [
          ...credentials("fargate"),
          {
            key: "TFC_AWS_RUN_ROLE_ARN",
            value: "arn:aws:iam::123456789012:role/lambdaflex-tfc-fargate",
            category: "env" as const,
          },
        ],
      }),
      "lambdaflex-fargate dynamic credentials",
      {
        detail:
          "TFC_AWS_RUN_ROLE_ARN is still set (the single run role of earlier versions) among the workspace's environment variables (variable sets are not read)",
        fix: `${CREDENTIALS_FIX("lambdaflex-fargate", "fargate")}; delete TFC_AWS_RUN_ROLE_ARN`,
      },
    ],
    [
      "provider auth as a Terraform variable instead of an environment variable",
      changed("lambdaflex-fargate", {
        vars: [
          ...credentialsWithout("fargate", "TFC_AWS_PROVIDER_AUTH"),
          { key: "TFC_AWS_PROVIDER_AUTH", value: "true", category: "terraform" },
        ],
      }),
      "lambdaflex-fargate dynamic credentials",
      {
        detail:
          "TFC_AWS_PROVIDER_AUTH is missing among the workspace's environment variables (variable sets are not read)",
        fix: CREDENTIALS_FIX("lambdaflex-fargate", "fargate"),
      },
    ],
    [
      "no run trigger on core",
      changed("lambdaflex-fargate", { runTriggerSources: [] }),
      "run trigger",
      {
        detail:
          "an apply in lambdaflex-core queues no run in lambdaflex-fargate, so after a release a running tier keeps the old task definition until the next toggle commit",
        fix: `Settings → Run Triggers (${UI}/lambdaflex-fargate/settings/run-triggers) → Source workspace: lambdaflex-core → Add workspace`,
      },
    ],
    [
      "a run trigger on another workspace",
      [...changed("lambdaflex-fargate", { runTriggerSources: ["network"] }), { name: "network" }],
      "run trigger",
      {
        detail:
          "an apply in lambdaflex-core queues no run in lambdaflex-fargate (its sources: network), so after a release a running tier keeps the old task definition until the next toggle commit",
        fix: `Settings → Run Triggers (${UI}/lambdaflex-fargate/settings/run-triggers) → Source workspace: lambdaflex-core → Add workspace`,
      },
    ],
    [
      "core not triggered by a release",
      changed("lambdaflex-core", { attributes: { "trigger-patterns": ["deploy/core/cdk.tf.json"] } }),
      "lambdaflex-core run triggers",
      {
        detail:
          "a push changing deploy/core/image.auto.tfvars.json queues no run (patterns [deploy/core/cdk.tf.json], prefixes [])",
        fix: `${VCS("lambdaflex-core")} → Automatic Run Triggering: Only trigger runs when files in specified paths change → Patterns: deploy/core/**`,
      },
    ],
  ])("reports %s by name with its fix, and nothing else", async (_what, workspaces, name, expected) => {
    const { code, failed } = await failuresWith(workspaces);
    expect(code).toBe(1);
    expect(failed).toEqual({ [name]: expected });
  });

  it("accepts state shared with the whole organization, trigger prefixes, and sensitive role ARNs", async () => {
    const sensitive = (stack: "core" | "fargate") =>
      credentials(stack).map((v) =>
        v.key === "TFC_AWS_PROVIDER_AUTH" ? v : { ...v, value: "hidden", sensitive: true },
      );
    const workspaces = changed("lambdaflex-core", {
      remoteStateConsumers: [],
      attributes: { "global-remote-state": true, "trigger-patterns": [], "trigger-prefixes": [] },
    }).map((w) => (w.name === "lambdaflex-fargate" ? { ...w, vars: sensitive("fargate") } : w));
    const server = await startTerraformCloud(workspaces);
    const { code, out } = await runDoctor({ url: server.url });
    await server.close();
    expect(code).toBe(0);
    expect(out).toContain(
      "ok  remote state sharing: lambdaflex-core shares its state with every workspace of the organization",
    );
    expect(out).toContain(
      "ok  lambdaflex-core run triggers: pushes to deploy/core queue runs (patterns [], prefixes [])",
    );
    expect(out).toContain(
      "ok  lambdaflex-fargate dynamic credentials: TFC_AWS_PROVIDER_AUTH=true, TFC_AWS_PLAN_ROLE_ARN (sensitive), TFC_AWS_APPLY_ROLE_ARN (sensitive)",
    );
    expect(out).toContain("ok  run trigger: an apply in lambdaflex-core queues a run in lambdaflex-fargate");
  });

  it("reports every problem of a workspace set up with HCP Terraform's defaults at once", async () => {
    const { failed } = await failuresWith([
      ...readyWorkspaces().filter((w) => w.name !== "lambdaflex-fargate"),
      { name: "lambdaflex-fargate", attributes: { "auto-apply": false, "vcs-repo": null } },
    ]);
    expect(Object.keys(failed)).toEqual([
      "lambdaflex-fargate working directory",
      "lambdaflex-fargate auto-apply",
      "lambdaflex-fargate VCS connection",
      "lambdaflex-fargate dynamic credentials",
      "run trigger",
    ]);
    expect(failed["lambdaflex-fargate working directory"]!.detail).toBe(
      'is "(repository root)"; Terraform must run in deploy/fargate',
    );
  });
});

describe("globMatches (HCP Terraform trigger patterns)", () => {
  it.each([
    ["deploy/core/**", "deploy/core/cdk.tf.json", true],
    ["/deploy/core/**/*", "deploy/core/cdk.tf.json", true],
    ["deploy/**/*.json", "deploy/fargate/fargate.auto.tfvars.json", true],
    ["deploy/core/*", "deploy/core/modules/main.tf", false],
    ["deploy/core/**", "deploy/fargate/fargate.auto.tfvars.json", false],
    ["deploy/fargate/*.tf.json", "deploy/fargate/fargate.auto.tfvars.json", false],
  ])("%s matches %s: %s", (pattern, path, expected) => {
    expect(globMatches(pattern, path)).toBe(expected);
  });
});
