/**
 * The HTTP side of the HCP Terraform stand-in (cloud-test/tfc-standin.ts): its
 * workspaces and runs as the stand-in keeps them, the routes it answers, and the
 * JSON:API documents it answers with. The run queue and the git poll stay in
 * tfc-standin.ts; a route that queues a run calls back into it (`ApiHost.queueRun`).
 */
import { randomBytes } from "node:crypto";
import http from "node:http";

export interface ConfigVersion {
  readonly id: string;
  readonly iaId: string;
  readonly sha: string;
}
export interface Run {
  id: string;
  cv: ConfigVersion;
  source: "vcs" | "api";
  message: string;
  createdAt: Date;
  status: string;
  history: string[];
  timestamps: Record<string, string>;
  log: string;
  hasChanges: boolean;
}
export interface Workspace {
  id: string;
  name: string;
  dir: string;
  runs: Run[];
  cvs: Map<string, ConfigVersion>;
  queue: Promise<void>;
}
export interface Answer {
  status: number;
  body: unknown;
}

/** What the routes read of the stand-in, and the one thing they ask of it. */
export interface ApiHost {
  readonly organization: string;
  readonly token: string; // the only bearer token the API accepts
  readonly branch: string;
  readonly byName: ReadonlyMap<string, Workspace>;
  readonly byId: ReadonlyMap<string, Workspace>;
  /** Queues a run on the branch head now. */
  readonly queueRun: (ws: Workspace, message: string) => Promise<Run>;
}

/** HCP-looking ids: prefix plus 16 characters. */
export const ident = (prefix: string) => `${prefix}-${randomBytes(12).toString("base64url").replace(/[-_]/g, "0")}`;
/** Status timestamps are to the second with an explicit offset ("2021-05-24T07:38:04+00:00"). */
export const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "+00:00");
export const error = (status: number, title: string, detail?: string): Answer => ({
  status,
  body: { errors: [{ status: String(status), title, ...(detail ? { detail } : {}) }] },
});

/** An HTTP server answering the API for `host` (not yet listening). */
export function apiServer(host: ApiHost): http.Server {
  return http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on(
      "end",
      () =>
        void handle(host, req, body)
          .catch((e: unknown) => error(500, "internal error", String(e)))
          .then((a) =>
            res.writeHead(a.status, { "Content-Type": "application/vnd.api+json" }).end(JSON.stringify(a.body)),
          ),
    );
  });
}

async function handle(host: ApiHost, req: http.IncomingMessage, body: string): Promise<Answer> {
  if (req.headers.authorization !== `Bearer ${host.token}`) return error(401, "unauthorized");
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const [api, v2, a, b, c, d, ...rest] = url.pathname.split("/").slice(1).map(decodeURIComponent);
  if (api !== "api" || v2 !== "v2" || rest.length) return error(404, "not found");
  const method = req.method ?? "GET";
  // HCP Terraform answers 404 both for what does not exist and for what the token may not see.
  if (method === "GET" && a === "organizations" && b === host.organization && c === "workspaces" && d) {
    const ws = host.byName.get(d);
    return ws ? { status: 200, body: { data: workspaceDoc(host, ws) } } : error(404, "not found");
  }
  if (method === "GET" && a === "workspaces" && b && c === "runs" && !d) {
    const ws = host.byId.get(b);
    return ws ? { status: 200, body: listRuns(host, ws, url.searchParams) } : error(404, "not found");
  }
  if (method === "POST" && a === "runs" && !b) return createRun(host, body);
  return error(404, "not found");
}

function listRuns(host: ApiHost, ws: Workspace, q: URLSearchParams): object {
  // Newest first, one page of page[size] (default 20); page[number] is not supported.
  const size = Math.min(100, Math.max(1, Number(q.get("page[size]")) || 20));
  const runs = ws.runs.slice().reverse().slice(0, size);
  const include = (q.get("include") ?? "").split(",");
  const withIngress = include.includes("configuration_version.ingress_attributes");
  const withCv = withIngress || include.includes("configuration_version");
  const included = withCv
    ? [...new Set(runs.map((r) => r.cv))].flatMap((cv) => cvDocs(host, cv).slice(0, withIngress ? 2 : 1))
    : [];
  const pagination = {
    "current-page": 1,
    "page-size": size,
    "prev-page": null,
    "next-page": ws.runs.length > size ? 2 : null,
    "total-pages": Math.max(1, Math.ceil(ws.runs.length / size)),
    "total-count": ws.runs.length,
  };
  return {
    data: runs.map((r) => runDoc(ws, r)),
    ...(included.length ? { included } : {}),
    meta: { pagination },
  };
}

/** POST /runs queues a run on the branch head now (a configuration-version relationship is not supported). */
async function createRun(host: ApiHost, body: string): Promise<Answer> {
  let doc: any;
  try {
    doc = JSON.parse(body);
  } catch {
    return error(400, "bad request", "the body is not JSON");
  }
  if (doc?.data?.type !== "runs") return error(422, "invalid attribute", 'data.type must be "runs"');
  const ws = host.byId.get(String(doc.data.relationships?.workspace?.data?.id));
  if (!ws) return error(404, "not found");
  const message =
    typeof doc.data.attributes?.message === "string"
      ? doc.data.attributes.message
      : "Queued manually via the Terraform API";
  return { status: 201, body: { data: runDoc(ws, await host.queueRun(ws, message)) } };
}

function workspaceDoc(host: ApiHost, ws: Workspace): object {
  const latest = ws.runs[ws.runs.length - 1];
  return {
    id: ws.id,
    type: "workspaces",
    attributes: {
      name: ws.name,
      "working-directory": ws.dir,
      "auto-apply": true,
      "file-triggers-enabled": true,
      "execution-mode": "remote",
      "vcs-repo": { branch: host.branch },
    },
    relationships: {
      organization: { data: { id: host.organization, type: "organizations" } },
      "latest-run": { data: latest ? { id: latest.id, type: "runs" } : null },
    },
    links: { self: `/api/v2/organizations/${host.organization}/workspaces/${ws.name}` },
  };
}

function runDoc(ws: Workspace, r: Run): object {
  return {
    id: r.id,
    type: "runs",
    attributes: {
      status: r.status,
      "status-timestamps": { ...r.timestamps },
      "created-at": r.createdAt.toISOString(),
      message: r.message,
      source: r.source === "vcs" ? "tfe-configuration-version" : "tfe-api",
      "has-changes": r.hasChanges,
      "auto-apply": true,
      "is-destroy": false,
      "plan-only": false,
    },
    relationships: {
      workspace: { data: { id: ws.id, type: "workspaces" } },
      "configuration-version": { data: { id: r.cv.id, type: "configuration-versions" } },
    },
    links: { self: `/api/v2/runs/${r.id}` },
  };
}

/** The configuration version and its ingress attributes, as `included` resources. */
function cvDocs(host: ApiHost, cv: ConfigVersion): [object, object] {
  const configurationVersion = {
    id: cv.id,
    type: "configuration-versions",
    attributes: { source: "github", status: "uploaded", speculative: false, "status-timestamps": {} },
    relationships: {
      "ingress-attributes": {
        data: { id: cv.iaId, type: "ingress-attributes" },
        links: { related: `/api/v2/configuration-versions/${cv.id}/ingress-attributes` },
      },
    },
    links: { self: `/api/v2/configuration-versions/${cv.id}` },
  };
  const ingress = {
    id: cv.iaId,
    type: "ingress-attributes",
    attributes: { "commit-sha": cv.sha, branch: host.branch, "is-pull-request": false, "on-default-branch": true },
    links: { self: `/api/v2/ingress-attributes/${cv.iaId}` },
  };
  return [configurationVersion, ingress];
}
