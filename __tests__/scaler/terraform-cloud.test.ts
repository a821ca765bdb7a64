import http from "node:http";
import type { AddressInfo } from "node:net";
import { latestRun, TerraformCloudError } from "../../scaler/adapters/terraform-cloud";

/** A loopback stand-in for the Terraform Cloud API answering with the documented JSON:API shapes. */
function fakeTfc(runStatus: string | undefined, token = "tfc-token") {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end('{"errors":[{"status":"401","title":"unauthorized"}]}');
    res.setHeader("content-type", "application/vnd.api+json");
    if (req.url === "/api/v2/organizations/acme/workspaces/lambdaflex-fargate") {
      return void res.end(
        JSON.stringify({
          data: {
            id: "ws-SihZTyXKfNXUWuUa",
            type: "workspaces",
            attributes: { name: "lambdaflex-fargate", "auto-apply": true, "working-directory": "deploy/fargate" },
            relationships: { "latest-run": { data: runStatus ? { id: "run-CZcmD7eagjhyX0vN", type: "runs" } : null } },
          },
        }),
      );
    }
    if (req.url === "/api/v2/runs/run-CZcmD7eagjhyX0vN?include=configuration_version.ingress_attributes") {
      return void res.end(
        JSON.stringify({
          data: { id: "run-CZcmD7eagjhyX0vN", type: "runs", attributes: { status: runStatus, "created-at": "2026-11-22T10:00:00.000Z", message: "lambdaflex: off -> warming" } },
          included: [
            { id: "cv-ntv3HbhJqvFzamy7", type: "configuration-versions", attributes: { source: "github" } },
            { id: "ia-i4MrTxmQXYxH2nYD", type: "ingress-attributes", attributes: { "commit-sha": "1e1b1b2ea2c6c0c1d1a1f1e1b1b2ea2c6c0c1d1a", branch: "main" } },
          ],
        }),
      );
    }
    res.writeHead(404).end('{"errors":[{"status":"404","title":"not found"}]}');
  });
  return {
    seen,
    start: () => new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("Terraform Cloud run status adapter", () => {
  it.each([
    ["errored", true],
    ["policy_soft_failed", true],
    ["applied", false],
    ["applying", false],
  ])("reads a %s latest run with its commit", async (status, failed) => {
    const api = fakeTfc(status);
    const baseUrl = await api.start();
    try {
      const run = await latestRun({ baseUrl, organization: "acme", workspace: "lambdaflex-fargate", token: "tfc-token" });
      expect(run).toEqual({ id: "run-CZcmD7eagjhyX0vN", status, failed, commitSha: "1e1b1b2ea2c6c0c1d1a1f1e1b1b2ea2c6c0c1d1a", createdAt: "2026-11-22T10:00:00.000Z" });
      expect(api.seen).toHaveLength(2);
    } finally {
      await api.stop();
    }
  });

  it("reports no run for a workspace that never ran, and clear errors for a bad token or workspace", async () => {
    const api = fakeTfc(undefined);
    const baseUrl = await api.start();
    try {
      expect(await latestRun({ baseUrl, organization: "acme", workspace: "lambdaflex-fargate", token: "tfc-token" })).toBeUndefined();
      await expect(latestRun({ baseUrl, organization: "acme", workspace: "lambdaflex-fargate", token: "wrong" })).rejects.toThrow(/rejected the API token \(HTTP 401\)/);
      await expect(latestRun({ baseUrl, organization: "acme", workspace: "nope", token: "tfc-token" })).rejects.toThrow(TerraformCloudError);
      await expect(latestRun({ baseUrl, organization: "acme", workspace: "nope", token: "tfc-token" })).rejects.toThrow(/no workspace acme\/nope/);
    } finally {
      await api.stop();
    }
  });
});
