/**
 * The JSON:API documents HCP Terraform answers with: a workspace, a run (cached on the run until
 * its status changes), a page of runs, and the configuration versions a request `include`s.
 */
import type { ConfigVersion, Run } from "./tfc-runs";
import type { Workspace } from "./tfc-workspaces";

/** A workspace's document, naming its latest and current runs (the run workspace alone has any). */
export function workspaceDoc(ws: Workspace, organization: string, latest?: Run, current?: Run): object {
  return {
    id: ws.id,
    type: "workspaces",
    attributes: { ...ws.attributes },
    relationships: {
      organization: { data: { id: organization, type: "organizations" } },
      "latest-run": { data: latest ? { id: latest.id, type: "runs" } : null },
      "current-run": { data: current ? { id: current.id, type: "runs" } : null },
      "remote-state-consumers": {
        links: { related: `/api/v2/workspaces/${ws.id}/relationships/remote-state-consumers` },
      },
    },
    links: { self: `/api/v2/organizations/${organization}/workspaces/${ws.name}` },
  };
}

/** A run's document in the workspace `workspaceId`, built once per status. */
export function runDoc(run: Run, workspaceId: string): object {
  return (run.doc ??= {
    id: run.id,
    type: "runs",
    attributes: {
      status: run.status,
      "status-timestamps": { ...run.timestamps },
      "created-at": new Date(run.createdAtMs).toISOString(),
      message: run.message,
      source: run.source === "vcs" ? "tfe-configuration-version" : "tfe-api",
      "has-changes": run.hasChanges,
      "auto-apply": true,
      "is-destroy": false,
      "plan-only": false,
    },
    relationships: {
      workspace: { data: { id: workspaceId, type: "workspaces" } },
      "configuration-version": { data: { id: run.cv.id, type: "configuration-versions" } },
    },
    links: { self: `/api/v2/runs/${run.id}` },
  });
}

/** `included` for `configuration_version` and `configuration_version.ingress_attributes`, each resource once. */
export function included(runs: readonly Run[], include: readonly string[]): { included?: object[] } {
  const withIngress = include.includes("configuration_version.ingress_attributes");
  if (!include.includes("configuration_version") && !withIngress) return {};
  const seen = new Set<ConfigVersion>();
  const out: object[] = [];
  for (const r of runs) {
    if (seen.has(r.cv)) continue;
    seen.add(r.cv);
    out.push(r.cv.doc);
    if (withIngress) out.push(r.cv.ingress);
  }
  return { included: out };
}

/** A page of `all` (oldest first) as the runs list answers it: newest first, `page[size]` (1-100, 20) per page. */
export function runsPage(
  all: readonly Run[],
  workspaceId: string,
  params: URLSearchParams | undefined,
  include: string[],
): object {
  const size = Math.min(100, Math.max(1, Number(params?.get("page[size]") ?? 20) || 20));
  const page = Math.max(1, Number(params?.get("page[number]") ?? 1) || 1);
  const end = all.length - (page - 1) * size;
  const runs: Run[] = [];
  for (let i = end - 1; i >= 0 && i >= end - size; i--) runs.push(all[i]!);
  const totalPages = Math.max(1, Math.ceil(all.length / size));
  const pagination = {
    "current-page": page,
    "page-size": size,
    "prev-page": page > 1 ? page - 1 : null,
    "next-page": page < totalPages ? page + 1 : null,
    "total-pages": totalPages,
    "total-count": all.length,
  };
  return { data: runs.map((r) => runDoc(r, workspaceId)), ...included(runs, include), meta: { pagination } };
}
