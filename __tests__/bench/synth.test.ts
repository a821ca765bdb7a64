import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resourceCounts } from "../../bench/synth";
import { removeDir } from "../helpers/terraform";

const dir = mkdtempSync(join(tmpdir(), "bench-synth-"));
afterAll(() => removeDir(dir));

const stack = (id: string, resource: object) => {
  mkdirSync(join(dir, id), { recursive: true });
  writeFileSync(join(dir, id, "cdk.tf.json"), JSON.stringify({ resource }));
  return join(dir, id);
};

describe("the synth benchmark's resource counts", () => {
  it("counts the bootstrap stack by its service-linked-role switch and the others by tier state, as npm run synth does", () => {
    const dirs = {
      bootstrap: stack("bootstrap", {
        aws_iam_role: { runner: {} },
        aws_iam_service_linked_role: {
          ecs: { count: "${var.create_service_linked_roles ? 1 : 0}" },
          elb: { count: "${var.create_service_linked_roles ? 1 : 0}" },
        },
      }),
      fargate: stack("fargate", {
        aws_lb: { alb: { count: "${local.tier_enabled}" } },
        aws_ecs_cluster: { cluster: {} },
      }),
    };
    expect(resourceCounts(dirs)).toEqual({
      bootstrap: { always: 1, serviceLinkedRoles: 2 },
      fargate: { off: 1, warming: 2, serving: 2, draining: 2 },
    });
  });
});
