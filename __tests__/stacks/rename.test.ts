/**
 * A second deployment under another service name: the stacks must name every
 * resource, and scope every IAM statement, for that name. A name re-derived by
 * hand (or left at the default) otherwise shows up only as a run the role
 * denies, after a commit.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeploymentConfig } from "../../config/load";
import type { DeploymentConfig } from "../../config/schema";
import { serviceNames } from "../../model/names";
import { declaredRoles, runRoleActions, serviceOf, statementsOf } from "../../scripts/role-checks";
import { securityViolations } from "../../scripts/security-checks";
import { synthesize } from "../../scripts/synth";
import { readStack, removeDir } from "../helpers/terraform";

const DEFAULT = loadDeploymentConfig(undefined, {});
const RENAMED = "acme-shop";
// The names the configuration sets itself (workspaces, token parameters) follow the service too,
// so whatever still says "lambdaflex" was built from the default by a stack.
const config: DeploymentConfig = {
  ...DEFAULT,
  service: RENAMED,
  dashboard: true,
  terraformCloud: {
    ...DEFAULT.terraformCloud,
    coreWorkspace: `${RENAMED}-core`,
    fargateWorkspace: `${RENAMED}-fargate`,
    tokenParameterName: `/${RENAMED}/tfc-token`,
  },
  git: { ...DEFAULT.git, tokenParameterName: `/${RENAMED}/git-token` },
};
const out = mkdtempSync(join(tmpdir(), "lambdaflex-rename-"));
const stacks = Object.entries(synthesize(config, out)).map(([id, dir]) => [id, readStack(dir)] as const);
const bootstrap = stacks.find(([id]) => id === "bootstrap")![1];
afterAll(() => removeDir(out));

const names = serviceNames(RENAMED);
const old = DEFAULT.service;

/** Every `Resource` of every policy a stack declares: role policies, managed policies, repository policies. */
function policyResources(stack: Record<string, any>): string[] {
  const documents = ["aws_iam_policy", "aws_iam_role_policy", "aws_ecr_repository_policy"].flatMap((type) =>
    Object.values((stack.resource?.[type] ?? {}) as Record<string, any>).map((r) => r.policy),
  );
  return documents.flatMap(statementsOf).flatMap((s) => (s.Resource === undefined ? [] : [s.Resource].flat()));
}

/**
 * ARNs whose resource part names one of the service's resources (functions, rules, schedule groups,
 * tables, topics, alarms, dashboards, log groups, ECS, ELB, roles, policies, repositories). Not the
 * token parameters (configured, checked by name below), nor what has no name in its ARN.
 */
const NAMING_ARN = /^arn:aws:(lambda|events|scheduler|dynamodb|sns|cloudwatch|logs|ecs|elasticloadbalancing|iam|ecr):/;
const NAMELESS = /:(certificate|scalable-target)\/\*$|^arn:aws:iam::aws:/;

/** Every literal name attribute (`name`, `function_name`, `alarm_name`, `family`, ...) outside tags. */
function namesIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((v) => namesIn(v, found));
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "//" || key === "tags" || key === "tags_all") continue;
      if (typeof value === "string" && (/(^|_)name$/.test(key) || key === "family") && !value.startsWith("${"))
        found.push(value);
      else namesIn(value, found);
    }
  }
  return found;
}

describe(`the stacks synthesized for service "${RENAMED}"`, () => {
  it.each(stacks)("pass every security and role check (%s)", (_id, stack) => {
    expect(serviceOf(stack)).toBe(RENAMED);
    expect(securityViolations(stack)).toEqual([]);
  });

  it("declare the run roles and service roles under the renamed service's names", () => {
    const expected = [
      ...(["core", "fargate"] as const).flatMap((stack) =>
        (["plan", "apply"] as const).map((phase) => names.runRole(stack, phase)),
      ),
      ...Object.values(names.roles),
    ];
    expect(
      declaredRoles(bootstrap)
        .map((r) => r.name)
        .sort(),
    ).toEqual(expected.sort());
    expect(Object.keys(runRoleActions(bootstrap)).every((name) => name.startsWith(names.prefix))).toBe(true);
  });

  it("scope every IAM resource ARN that names a service resource to the renamed service, none to the default", () => {
    const arns = stacks
      .flatMap(([, stack]) => policyResources(stack))
      .filter((r) => NAMING_ARN.test(r) && !NAMELESS.test(r));
    expect(arns.length).toBeGreaterThan(40);
    expect(arns.filter((arn) => !arn.includes(RENAMED) || arn.includes(old))).toEqual([]);
  });

  it("name no resource after the default service", () => {
    const named = stacks.flatMap(([, stack]) => [...namesIn(stack.resource), ...namesIn(stack.data)]);
    expect(named.length).toBeGreaterThan(30);
    expect(named.filter((name) => name.includes(old))).toEqual([]);
  });
});
