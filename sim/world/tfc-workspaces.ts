/**
 * The organization's workspaces as HCP Terraform's read-only endpoints report them (api-docs
 * workspaces, workspace-variables): settings over HCP's defaults, variables (a sensitive one
 * listed without its value) and remote-state consumers. Only the run workspace has runs.
 */
import { hash, ident } from "./tfc-jsonapi";

/** Workspace settings by their Workspaces API attribute names; unset ones take HCP Terraform's defaults. */
export interface EmulatedWorkspaceSettings {
  /** Repository-relative directory Terraform runs in. @default "" (the repository root) */
  readonly "working-directory"?: string;
  /** Glob patterns of changed files that queue a run; mutually exclusive with trigger-prefixes. @default [] */
  readonly "trigger-patterns"?: readonly string[];
  /** Directories whose changes queue a run, besides the working directory. @default [] */
  readonly "trigger-prefixes"?: readonly string[];
  /** false: every push to the branch queues a run ("Always trigger runs"). @default true */
  readonly "file-triggers-enabled"?: boolean;
  /** @default true for the run workspace, false (HCP's default) for others */
  readonly "auto-apply"?: boolean;
  /** The VCS connection; null for a CLI- or API-driven workspace. @default { branch } (run workspace), else null */
  readonly "vcs-repo"?: { readonly identifier?: string; readonly branch: string } | null;
  /** @default "remote" */
  readonly "execution-mode"?: "remote" | "local" | "agent";
  /** Share state with every workspace of the organization. @default false */
  readonly "global-remote-state"?: boolean;
}

/** A workspace variable; a sensitive one is listed with a null value, as HCP Terraform lists it. */
export interface EmulatedVariable {
  readonly key: string;
  readonly value: string;
  readonly category: "terraform" | "env";
  readonly sensitive?: boolean;
  readonly hcl?: boolean;
}

/** A workspace as the read-only endpoints report it. */
export interface EmulatedWorkspace {
  readonly name: string;
  readonly attributes?: EmulatedWorkspaceSettings;
  readonly vars?: readonly EmulatedVariable[];
  /** Names of the workspaces this one shares its state with (the remote-state-consumers relationship). */
  readonly remoteStateConsumers?: readonly string[];
}

/** A workspace as the API holds it. */
export interface Workspace {
  readonly id: string;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  readonly vars: object[];
  readonly consumers: readonly string[];
}

// HCP Terraform's defaults for a new workspace (Workspaces API, "Create a Workspace").
const DEFAULT_SETTINGS = {
  "auto-apply": false,
  "queue-all-runs": false,
  locked: false,
  "execution-mode": "remote",
  "working-directory": "",
  "file-triggers-enabled": true,
  "trigger-prefixes": [],
  "trigger-patterns": [],
  "global-remote-state": false,
  "vcs-repo": null,
};

/** The id HCP would give a workspace of the organization (derived from the names, so it uses no draws). */
export const workspaceId = (organization: string, name: string): string => ident("ws", hash(`${organization}/${name}`));

export interface WorkspacesOptions {
  readonly organization: string;
  /** The workspace that runs (VCS-driven, auto-apply). */
  readonly workspace: string;
  readonly branch?: string;
  /** More workspaces, and settings for `workspace` itself (an entry with its name). */
  readonly workspaces?: readonly EmulatedWorkspace[];
}

/** The organization's workspaces: the run workspace and `o.workspaces`, merged by name over HCP's defaults. */
export class Workspaces {
  readonly byName = new Map<string, Workspace>();
  readonly byId = new Map<string, Workspace>();

  constructor(o: WorkspacesOptions) {
    const runWorkspace = { "auto-apply": true, "vcs-repo": { branch: o.branch ?? "main" } };
    const entries = new Map<string, EmulatedWorkspace>([
      [o.workspace, { name: o.workspace, attributes: runWorkspace }],
    ]);
    for (const w of o.workspaces ?? []) {
      const before = entries.get(w.name);
      entries.set(w.name, { ...before, ...w, attributes: { ...before?.attributes, ...w.attributes } });
    }
    let varIds = 0;
    for (const w of entries.values()) {
      const id = workspaceId(o.organization, w.name);
      const vars = (w.vars ?? []).map((v) => {
        const varId = ident("var", ++varIds);
        return {
          id: varId,
          type: "vars",
          attributes: {
            key: v.key,
            value: v.sensitive ? null : v.value,
            sensitive: v.sensitive ?? false,
            category: v.category,
            hcl: v.hcl ?? false,
            description: null,
          },
          relationships: {
            configurable: { data: { id, type: "workspaces" }, links: { related: `/api/v2/workspaces/${id}` } },
          },
          links: { self: `/api/v2/workspaces/${id}/vars/${varId}` },
        };
      });
      const attributes = { ...DEFAULT_SETTINGS, ...w.attributes, name: w.name };
      const ws: Workspace = { id, name: w.name, attributes, vars, consumers: w.remoteStateConsumers ?? [] };
      this.byName.set(w.name, ws);
      this.byId.set(id, ws);
    }
  }
}
