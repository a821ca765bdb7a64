/**
 * Pure checks of one HCP Terraform workspace against what the runbook
 * (docs/deploying.md, "First deploy (runbook)") asks for, from the Workspaces API attributes
 * (`working-directory`, `trigger-patterns`, `trigger-prefixes`,
 * `file-triggers-enabled`, `auto-apply`, `vcs-repo`, `execution-mode`) and
 * the workspace variables. No I/O: terraform-cloud.ts reads, this judges.
 */
import { fail, pass, type CheckResult } from "./check";
import type { WorkspaceResource, WorkspaceVariable } from "../../scaler/adapters/terraform-cloud-workspaces";

/** What one workspace must look like. */
export interface WorkspaceExpectation {
  readonly name: string;
  /** Repository-relative working directory, e.g. `deploy/core`. */
  readonly directory: string;
  /** Files whose change must queue a run in this workspace. */
  readonly triggeredBy: readonly string[];
  /** Files whose change must not queue a run here (the toggle, for core: each scaler commit would wait for approval). */
  readonly notTriggeredBy: readonly string[];
  readonly autoApply: boolean;
  /** `git.repositoryUrl` and `git.branch`. */
  readonly repositoryUrl: string;
  readonly branch: string;
  /** Terraform variables the committed `*.auto.tfvars.json` files set; a workspace variable of that name overrides them. */
  readonly committedVariables: readonly string[];
  /** The bootstrap stack's roles for this workspace's plans and applies (runRoleName). */
  readonly planRole: string;
  readonly applyRole: string;
  /** The workspace in the HCP Terraform UI: https://<host>/app/<org>/workspaces/<name>. */
  readonly uiUrl: string;
}

const norm = (path: string) => path.replace(/^\/+|\/+$/g, "");
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** HCP Terraform trigger-pattern globs: repository-relative, `**` spans directories, `*` and `?` stay inside one. */
export function globMatches(pattern: string, path: string): boolean {
  const g = norm(pattern);
  let re = "";
  for (let i = 0; i < g.length; i++) {
    const ch = g[i]!;
    if (ch === "*" && g[i + 1] === "*") {
      i++;
      if (g[i + 1] === "/") {
        i++;
        re += "(?:.*/)?";
      } else re += ".*";
    } else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else re += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`).test(norm(path));
}

/**
 * Whether a push changing `path` queues a run: every push when file triggers
 * are off or there is no working directory; else a matching trigger pattern,
 * or (without patterns) the working directory or a trigger prefix holding it.
 */
export function triggersOn(attributes: Record<string, unknown>, path: string): boolean {
  if (attributes["file-triggers-enabled"] === false) return true;
  const patterns = strings(attributes["trigger-patterns"]);
  if (patterns.length > 0) return patterns.some((p) => globMatches(p, path));
  const dirs = [String(attributes["working-directory"] ?? ""), ...strings(attributes["trigger-prefixes"])].map(norm);
  if (dirs[0] === "") return true;
  return dirs.some((d) => d !== "" && norm(path).startsWith(`${d}/`));
}

/** "owner/repo" from an HTTPS clone URL, as VCS identifiers spell it. */
export const repositoryIdentifier = (url: string) => norm(new URL(url).pathname).replace(/\.git$/, "");

/** Working directory, run triggers, auto-apply, VCS connection and execution mode: one result each. */
export function checkWorkspaceSettings(ws: WorkspaceResource, e: WorkspaceExpectation): CheckResult[] {
  const a = ws.attributes;
  const vcsPage = `Settings → Version Control (${e.uiUrl}/settings/version-control)`;
  const generalPage = `Settings → General (${e.uiUrl}/settings/general)`;
  const results: CheckResult[] = [];

  const wd = norm(String(a["working-directory"] ?? ""));
  const wdName = `${e.name} working directory`;
  results.push(
    wd === e.directory
      ? pass(wdName, wd)
      : fail(
          wdName,
          `is "${wd || "(repository root)"}"; Terraform must run in ${e.directory}`,
          `${vcsPage} → Terraform Working Directory: ${e.directory}`,
        ),
  );

  const missed = e.triggeredBy.filter((f) => !triggersOn(a, f));
  const extra = e.notTriggeredBy.filter((f) => triggersOn(a, f));
  const trName = `${e.name} run triggers`;
  const triggerFix = `${vcsPage} → Automatic Run Triggering: Only trigger runs when files in specified paths change → Patterns: ${e.directory}/**`;
  const shown =
    a["file-triggers-enabled"] === false
      ? "every push (Always trigger runs)"
      : `patterns [${strings(a["trigger-patterns"]).join(", ")}], prefixes [${strings(a["trigger-prefixes"]).join(", ")}]`;
  if (missed.length > 0)
    results.push(fail(trName, `a push changing ${missed.join(" or ")} queues no run (${shown})`, triggerFix));
  else if (extra.length > 0)
    results.push(
      fail(
        trName,
        `a push changing ${extra.join(" or ")} queues a run here (${shown}), so each scaler commit would leave a core run waiting for approval`,
        triggerFix,
      ),
    );
  else results.push(pass(trName, `pushes to ${e.directory} queue runs (${shown})`));

  const apName = `${e.name} auto-apply`;
  const why = e.autoApply ? "the scaler's commits must apply unattended" : "humans review core changes";
  results.push(
    a["auto-apply"] === e.autoApply
      ? pass(apName, `${e.autoApply ? "on" : "off"} (${why})`)
      : fail(
          apName,
          `is ${a["auto-apply"] ? "on" : "off"}; it must be ${e.autoApply ? "on" : "off"}: ${why}`,
          `${generalPage} → Auto-apply: ${e.autoApply ? "turn on Auto-apply API, CLI, & VCS runs" : "turn off auto-apply (manual apply)"}`,
        ),
  );

  const vcsName = `${e.name} VCS connection`;
  const repo = a["vcs-repo"] as
    { identifier?: unknown; branch?: unknown; "repository-http-url"?: unknown } | null | undefined;
  const want = repositoryIdentifier(e.repositoryUrl);
  const connect = `${vcsPage} → Change source → Version control workflow → ${want}, VCS branch ${e.branch}`;
  if (!repo)
    results.push(
      fail(vcsName, `not connected to version control: pushes to ${e.repositoryUrl} never queue runs`, connect),
    );
  else {
    const identifier = String(repo.identifier ?? "");
    const httpUrl = typeof repo["repository-http-url"] === "string" ? repo["repository-http-url"] : "";
    const sameRepo =
      identifier.toLowerCase() === want.toLowerCase() ||
      (httpUrl !== "" && repositoryIdentifier(httpUrl).toLowerCase() === want.toLowerCase());
    const branch = String(repo.branch ?? "");
    if (!sameRepo)
      results.push(
        fail(
          vcsName,
          `watches ${identifier || "(no identifier)"}, but git.repositoryUrl is ${e.repositoryUrl}`,
          connect,
        ),
      );
    else if (branch !== e.branch)
      results.push(
        fail(
          vcsName,
          `tracks ${branch ? `branch ${branch}` : "the repository's default branch"}; git.branch is ${e.branch}`,
          `${vcsPage} → VCS branch: ${e.branch}`,
        ),
      );
    else results.push(pass(vcsName, `${identifier}, branch ${branch}`));
  }

  const modeName = `${e.name} execution mode`;
  const mode = String(a["execution-mode"] ?? "");
  results.push(
    mode === "remote"
      ? pass(modeName, "remote")
      : fail(
          modeName,
          `is "${mode}"; runs must execute remotely in HCP Terraform`,
          `${generalPage} → Execution Mode: Remote`,
        ),
  );
  return results;
}

/**
 * Dynamic AWS credentials as workspace environment variables, one role per run phase
 * (TFC_AWS_PLAN_ROLE_ARN, TFC_AWS_APPLY_ROLE_ARN), and no workspace variable shadowing a committed
 * tfvars value. A leftover TFC_AWS_RUN_ROLE_ARN fails: HCP Terraform falls back to it for a phase
 * whose own variable is missing, and it named the single role of earlier versions.
 */
export function checkWorkspaceVariables(vars: readonly WorkspaceVariable[], e: WorkspaceExpectation): CheckResult[] {
  const varsPage = `Variables (${e.uiUrl}/variables)`;
  const env = (key: string) => vars.find((v) => v.key === key && v.category === "env");
  const auth = env("TFC_AWS_PROVIDER_AUTH");
  const roles = [
    { key: "TFC_AWS_PLAN_ROLE_ARN", role: e.planRole, v: env("TFC_AWS_PLAN_ROLE_ARN") },
    { key: "TFC_AWS_APPLY_ROLE_ARN", role: e.applyRole, v: env("TFC_AWS_APPLY_ROLE_ARN") },
  ];
  const leftover = vars.find((v) => v.key === "TFC_AWS_RUN_ROLE_ARN");
  const problems = [
    ...(!auth
      ? ["TFC_AWS_PROVIDER_AUTH is missing"]
      : !auth.sensitive && auth.value?.trim().toLowerCase() !== "true"
        ? [`TFC_AWS_PROVIDER_AUTH is "${auth.value}", not "true"`]
        : []),
    ...roles.flatMap(({ key, role, v }) => {
      if (!v) return [`${key} is missing`];
      if (v.sensitive) return [];
      const name = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(v.value ?? "")?.[1];
      if (!name) return [`${key} "${v.value}" is not an IAM role ARN`];
      return name === role ? [] : [`${key} names the role ${name}, not ${role}`];
    }),
    ...(leftover ? ["TFC_AWS_RUN_ROLE_ARN is still set (the single run role of earlier versions)"] : []),
  ];
  const credName = `${e.name} dynamic credentials`;
  const shown = roles.map(({ key, v }) => `${key} ${v?.sensitive ? "(sensitive)" : v?.value}`).join(", ");
  const fix = [
    `${varsPage} → Add variable → Environment variable: TFC_AWS_PROVIDER_AUTH = true, TFC_AWS_PLAN_ROLE_ARN = <ARN of ${e.planRole}> and TFC_AWS_APPLY_ROLE_ARN = <ARN of ${e.applyRole}> (bootstrap outputs)`,
    ...(leftover ? ["delete TFC_AWS_RUN_ROLE_ARN"] : []),
  ].join("; ");
  const results = [
    problems.length === 0
      ? pass(credName, `TFC_AWS_PROVIDER_AUTH=true, ${shown}`)
      : fail(
          credName,
          `${problems.join("; ")} among the workspace's environment variables (variable sets are not read)`,
          fix,
        ),
  ];
  if (e.committedVariables.length > 0) {
    const shadowing = vars
      .filter((v) => v.category === "terraform" && e.committedVariables.includes(v.key))
      .map((v) => v.key);
    const name = `${e.name} workspace variables`;
    const listed =
      e.committedVariables.length === 1
        ? `${e.committedVariables[0]} is not set`
        : `none of ${e.committedVariables.join(", ")} is set`;
    results.push(
      shadowing.length === 0
        ? pass(name, `${listed} as a workspace variable`)
        : fail(
            name,
            `workspace variable ${shadowing.join(", ")} overrides the committed *.auto.tfvars.json, so commits to ${e.directory} would silently change nothing`,
            `${varsPage} → delete ${shadowing.join(", ")}`,
          ),
    );
  }
  return results;
}
