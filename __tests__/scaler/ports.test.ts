import { ElasticLoadBalancingV2Client, ModifyListenerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { loadDeploymentConfig } from "../../config/load";
import { awsDeps, defaultPorts } from "../../scaler/handler";
import type { Fetch } from "../../scaler/adapters/terraform-cloud";
import { scalerSettingsFrom } from "../../scaler/settings";
import { silentLogger } from "../../model/log";
import { TERRAFORM_IDS } from "../helpers/scaler-ids";

const settings = scalerSettingsFrom(
  loadDeploymentConfig(undefined, { LAMBDAFLEX_TFC_ORGANIZATION: "acme" }),
  TERRAFORM_IDS,
);
const LISTENER = {
  listenerArn: "arn:listener/app/x/1/2",
  lambdaTargetGroupArn: "arn:targetgroup/x-lambda-tg/3",
  ecsTargetGroupArn: "arn:targetgroup/x-tg/4",
  fargateWeight: 0,
};

/** A Terraform Cloud that knows one workspace, has no runs, and creates run-2 when asked. */
const tfc = () => {
  const posted: Array<{ url: string; body: any }> = [];
  const fetch: Fetch = async (url, init) => {
    if (init.method === "POST") posted.push({ url, body: JSON.parse(init.body!) });
    const doc =
      init.method === "POST"
        ? { data: { id: "run-2" } }
        : url.includes("/runs")
          ? { data: [], included: [] }
          : { data: { id: "ws-fargate" } };
    return { ok: true, status: 200, json: async () => doc };
  };
  return { fetch, posted };
};

describe("the scaler's ports take what they act on as values (no port needs another called first)", () => {
  const sm = mockClient(SSMClient);
  const elb = mockClient(ElasticLoadBalancingV2Client);
  beforeEach(() => {
    sm.reset();
    elb.reset();
    sm.on(GetParameterCommand).resolves({ Parameter: { Name: "/x", Type: "SecureString", Value: "tok" } });
    elb.on(ModifyListenerCommand).resolves({});
  });
  afterAll(() => (sm.restore(), elb.restore()));

  it("queues a run on the workspace it is given, in a container that never read the runs", async () => {
    const t = tfc();
    const deps = awsDeps(settings, silentLogger, {
      ...defaultPorts(),
      fetch: t.fetch,
      terraformCloudUrl: "https://tfc.test",
    });
    expect(await deps.queueRun!("ws-fargate", "lambdaflex: retry: run-1 errored")).toBe("run-2");
    expect(t.posted.map((p) => p.body.data.relationships.workspace.data.id)).toEqual(["ws-fargate"]);
  });

  it("reads the runs with the id of the workspace they belong to", async () => {
    const deps = awsDeps(settings, silentLogger, {
      ...defaultPorts(),
      fetch: tfc().fetch,
      terraformCloudUrl: "https://tfc.test",
    });
    expect(await deps.runs!("abc")).toEqual({ forHead: undefined, failedAttempts: 0, workspaceId: "ws-fargate" });
  });

  it("sets the weights on the listener it is given, in a container that never read the metrics", async () => {
    const deps = awsDeps(settings, silentLogger, defaultPorts());
    await deps.setWeight!(LISTENER, 40);
    const input = elb.commandCalls(ModifyListenerCommand)[0]!.args[0].input;
    expect(input.ListenerArn).toBe(LISTENER.listenerArn);
    expect(input.DefaultActions![0]!.ForwardConfig!.TargetGroups).toEqual([
      { TargetGroupArn: LISTENER.lambdaTargetGroupArn, Weight: 60 },
      { TargetGroupArn: LISTENER.ecsTargetGroupArn, Weight: 40 },
    ]);
  });
});
