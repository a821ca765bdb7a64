/**
 * The security checks on who may change what (issue 22), on one synthesized
 * stack: the run roles HCP Terraform's runs assume (found by their OIDC
 * trust), the roles the service runs with, the image repository. Part of
 * SECURITY_CHECKS (scripts/security-checks.ts), so `npm run synth:check` and
 * `npm test` fail when a change widens any of them again.
 */
import { serviceNames, type ServiceNames } from "../model/names";
import { isReadAction } from "../stacks/bootstrap/read-actions";
import { SERVICE_TAG_KEY } from "../stacks/bootstrap/service-tag";
import { decodeJsonencode } from "./jsonencode";
import type { Violation } from "./security-checks";

type Json = Record<string, any>;

/** A policy statement as IAM reads it: Action and Resource may be one string or several. */
interface PolicyStatement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: string | Record<string, string | string[]>;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** A role as the synthesized stack declares it, with the statements of every policy it carries. */
export interface DeclaredRole {
  /** `aws_iam_role.<key>`. */
  readonly address: string;
  readonly name: string;
  readonly trust: PolicyStatement[];
  readonly statements: PolicyStatement[];
  readonly boundary?: string;
  /** The phase a run role is trusted for, from its name (`...-plan`, `...-apply`); undefined for a service role. */
  readonly phase?: "plan" | "apply";
  /** Whether HCP Terraform's runs assume it (a Federated principal). */
  readonly runRole: boolean;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const resources = (stack: Json, type: string): Array<[string, Json]> => Object.entries(stack.resource?.[type] ?? {});

/** The statements of a policy written as `${jsonencode(...)}` (cdktf) or as plain JSON. */
export function statementsOf(policy: unknown): PolicyStatement[] {
  const text = String(policy ?? "");
  const statement = (text.startsWith("${jsonencode(") ? decodeJsonencode(text) : JSON.parse(text)).Statement;
  return Array.isArray(statement) ? statement : statement ? [statement] : [];
}

/** The `aws_iam_role` key a `${aws_iam_role.<key>.id|name|arn}` reference points to. */
const roleKey = (ref: unknown) => /^\$\{aws_iam_role\.([^.[\]}]+)\.(?:id|name|arn)\}$/.exec(String(ref ?? ""))?.[1];

/** Every role of the stack, with its inline policies and attached managed policies of the same stack. */
export function declaredRoles(stack: Json): DeclaredRole[] {
  const roles = resources(stack, "aws_iam_role");
  const byName = new Map(roles.map(([key, r]) => [String(r.name), key]));
  const keyOf = (ref: unknown) => roleKey(ref) ?? byName.get(String(ref));
  const policies = Object.fromEntries(resources(stack, "aws_iam_policy"));
  return roles.map(([key, r]) => {
    const inline = resources(stack, "aws_iam_role_policy")
      .filter(([, p]) => keyOf(p.role) === key)
      .flatMap(([, p]) => statementsOf(p.policy));
    const attached = resources(stack, "aws_iam_role_policy_attachment")
      .filter(([, a]) => keyOf(a.role) === key)
      .flatMap(([, a]) => {
        const policy = policies[/^\$\{aws_iam_policy\.([^.[\]}]+)\.arn\}$/.exec(String(a.policy_arn))?.[1] ?? ""];
        return policy ? statementsOf(policy.policy) : [];
      });
    const trust = statementsOf(r.assume_role_policy);
    const runRole = trust.some((t) => typeof t.Principal === "object" && "Federated" in t.Principal);
    const name = String(r.name);
    const phase = /-plan$/.test(name) ? "plan" : /-apply$/.test(name) ? "apply" : undefined;
    return {
      address: `aws_iam_role.${key}`,
      name,
      trust,
      statements: [...inline, ...attached],
      boundary: r.permissions_boundary,
      phase,
      runRole,
    };
  });
}

/** The service a stack is for: the service tag its provider puts on every resource (stacks/tags.ts). */
export const serviceOf = (stack: Json): string | undefined =>
  stack.provider?.aws?.[0]?.default_tags?.[0]?.tags?.[SERVICE_TAG_KEY];

/**
 * The name table a role is checked against: the stack's service's, so a role named for another
 * service is not taken for one of this service's; an untagged stack's from the role's own name.
 */
const namesFor = (stack: Json, roleName: string): ServiceNames =>
  serviceNames(serviceOf(stack) ?? /^(.*)-tfc-/.exec(roleName)?.[1] ?? "");

/** Every action each run role is allowed, by role name (Deny statements left out): what a reviewer reads first. */
export function runRoleActions(stack: Json): Record<string, string[]> {
  return Object.fromEntries(
    declaredRoles(stack)
      .filter((r) => r.runRole)
      .map((r) => [
        r.name,
        [...new Set(r.statements.filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Action)))].sort(),
      ]),
  );
}

/**
 * (a) Every run role trusts one phase of one workspace's runs, matched exactly: the `sub` claim
 * compared with StringEquals, ending in `run_phase:plan` for a `...-plan` role and `run_phase:apply`
 * for an `...-apply` role; never `run_phase:*`, never a pattern.
 */
export function runRolesTrustOnePhase(stack: Json): Violation[] {
  const found: Violation[] = [];
  for (const role of declaredRoles(stack).filter((r) => r.runRole)) {
    const bad = (problem: string) =>
      found.push({ check: "run-role-trust", resource: role.address, problem: `${role.name}: ${problem}` });
    if (!role.phase) bad("a run role's name must end in -plan or -apply, the one run phase it is trusted for");
    for (const t of role.trust) {
      const subjects = Object.entries(t.Condition ?? {}).flatMap(([op, keys]) =>
        Object.entries(keys)
          .filter(([k]) => k.endsWith(":sub"))
          .map(([, v]) => ({ op, values: list(v) })),
      );
      if (subjects.length === 0) bad("trusts every run of every workspace (no sub condition)");
      for (const { op, values } of subjects) {
        if (op !== "StringEquals")
          bad(`matches the sub claim with ${op}; only StringEquals matches one workspace and one phase`);
        for (const v of values) {
          const phase = /:run_phase:([^:]*)$/.exec(v)?.[1];
          if (/[*?]/.test(v)) bad(`trusts the subject pattern "${v}"`);
          else if (phase !== role.phase) bad(`trusts "${v}", not run_phase:${role.phase ?? "plan or apply"}`);
        }
      }
    }
  }
  return found;
}

/** The role name an ARN names, when it is a plain role ARN without a wildcard. */
const roleNameIn = (arn: string) => /^arn:aws[\w-]*:iam::[^:*?]*:role\/([^*?]+)$/.exec(arn)?.[1];

/**
 * (b) An apply role's only `iam:` action is iam:PassRole, on named roles this stack makes for the
 * service (never a wildcard, never a run role), each statement limited by iam:PassedToService.
 */
export function applyRolesOnlyPassServiceRoles(stack: Json): Violation[] {
  const found: Violation[] = [];
  const roles = declaredRoles(stack);
  const serviceRoles = new Set(roles.filter((r) => !r.runRole).map((r) => r.name));
  for (const role of roles.filter((r) => r.runRole && r.phase !== "plan")) {
    const bad = (problem: string) =>
      found.push({ check: "apply-role-iam", resource: role.address, problem: `${role.name}: ${problem}` });
    for (const s of role.statements.filter((s) => s.Effect === "Allow")) {
      if (s.NotAction !== undefined)
        bad(`allows NotAction [${list(s.NotAction).join(", ")}], which grants every other action`);
      const iam = list(s.Action).filter((a) => a.toLowerCase().startsWith("iam:"));
      for (const a of iam.filter((a) => a !== "iam:PassRole"))
        bad(`allows ${a}; the only IAM action a run may take is iam:PassRole`);
      if (!iam.includes("iam:PassRole")) continue;
      for (const arn of list(s.Resource)) {
        const name = roleNameIn(arn);
        if (!name) bad(`passes ${arn}, not one named role`);
        else if (!serviceRoles.has(name)) bad(`passes ${name}, which is not a role this stack makes for the service`);
      }
      const to = s.Condition?.StringEquals?.["iam:PassedToService"];
      if (to === undefined || list(to).some((v) => /[*?]/.test(v)))
        bad(`passes roles without naming the service (StringEquals iam:PassedToService)`);
    }
  }
  return found;
}

/** (c) A plan role has no write action: every action it is allowed only reads (isReadAction). */
export function planRolesOnlyRead(stack: Json): Violation[] {
  return declaredRoles(stack)
    .filter((r) => r.runRole && r.phase === "plan")
    .flatMap((role) =>
      role.statements
        .filter((s) => s.Effect === "Allow")
        .flatMap((s) => [
          ...list(s.Action).filter((a) => !isReadAction(a)),
          ...list(s.NotAction).map((a) => `NotAction ${a}`),
        ])
        .map((a) => ({
          check: "plan-role-read-only",
          resource: role.address,
          problem: `${role.name}: plan role allows the write action ${a}`,
        })),
    );
}

/**
 * (d) Only core's apply registers or deregisters task definitions; fargate's apply role may create
 * the service only with (ArnLike), and update it only to (ArnLikeIfExists: a drain names none), a
 * revision of the service's family: `ecs:task-definition` = `arn:aws:ecs:<region>:<account>:task-definition/<service>:*`.
 */
export function fargateRunsOnlyCoreFamily(stack: Json): Violation[] {
  const found: Violation[] = [];
  for (const role of declaredRoles(stack).filter((r) => r.runRole)) {
    const names = namesFor(stack, role.name);
    if (role.name === names.runRole("core", "apply")) continue;
    const bad = (problem: string) =>
      found.push({ check: "fargate-runs-core-family", resource: role.address, problem: `${role.name}: ${problem}` });
    const taskFamily = names.taskFamily;
    const family = new RegExp(
      `^arn:aws[\\w-]*:ecs:[^:*]+:[^:*]+:task-definition/${taskFamily.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\*$`,
    );
    for (const s of role.statements.filter((s) => s.Effect === "Allow")) {
      for (const a of list(s.Action).filter((a) => /^ecs:(Register|Deregister)TaskDefinition$/.test(a)))
        bad(`allows ${a}; only core's apply registers the tier's task definition`);
      for (const [action, operators] of [
        ["ecs:CreateService", ["ArnLike"]],
        ["ecs:UpdateService", ["ArnLike", "ArnLikeIfExists"]],
      ] as const) {
        if (!list(s.Action).includes(action)) continue;
        const values = operators.flatMap((op) => list(s.Condition?.[op]?.["ecs:task-definition"]));
        if (values.length === 0 || !values.every((v) => family.test(v))) {
          bad(
            `allows ${action} without ${operators.join(" or ")} ecs:task-definition = task-definition/${taskFamily}:* (got ${values.join(", ") || "no condition"})`,
          );
        }
      }
    }
  }
  return found;
}

/** The stack id a stack's provider tags name (stacks/tags.ts: `Stack`). */
const stackIdOf = (stack: Json): string | undefined => stack.provider?.aws?.[0]?.default_tags?.[0]?.tags?.Stack;

/** (e) Only the bootstrap stack, applied by an administrator, declares IAM: core and fargate (and any other stack) none. */
export function workspaceStacksDeclareNoIam(stack: Json): Violation[] {
  if (stackIdOf(stack) === "bootstrap") return [];
  return Object.entries((stack.resource ?? {}) as Json)
    .filter(([type]) => type.startsWith("aws_iam_"))
    .flatMap(([type, byName]) =>
      Object.keys(byName as Json).map((name) => ({
        check: "no-iam-in-workspaces",
        resource: `${type}.${name}`,
        problem: `the ${stackIdOf(stack) ?? "(untagged)"} stack declares IAM; roles and policies belong to the bootstrap stack`,
      })),
    );
}

/** (f) Every role ECS tasks may assume carries the task permissions boundary (`<service>-task-boundary`). */
export function taskRolesBounded(stack: Json): Violation[] {
  const service = serviceOf(stack);
  // The stack's own boundary by name; an untagged stack's any `*-task-boundary`.
  const isBoundary = (name: string) =>
    service === undefined ? /^[^*?]+-task-boundary$/.test(name) : name === serviceNames(service).taskBoundary;
  const boundaries = new Set(
    resources(stack, "aws_iam_policy")
      .filter(([, p]) => isBoundary(String(p.name)))
      .map(([key]) => `\${aws_iam_policy.${key}.arn}`),
  );
  return declaredRoles(stack)
    .filter((r) =>
      r.trust.some(
        (t) => typeof t.Principal === "object" && list(t.Principal.Service).includes("ecs-tasks.amazonaws.com"),
      ),
    )
    .filter(
      (r) => !r.boundary || !(boundaries.has(r.boundary) || isBoundary(/:policy\/(.+)$/.exec(r.boundary)?.[1] ?? "")),
    )
    .map((r) => ({
      check: "task-roles-bounded",
      resource: r.address,
      problem: `${r.name}: ECS tasks assume it without the task permissions boundary (${r.boundary ?? "none"})`,
    }));
}

/** What pulling an image takes; everything else in ECR writes, lists or administers. */
const ECR_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/**
 * Images only from releases: the repository's tags are immutable, its policy grants only pulls and
 * only to a service principal; no run role may write to ECR (push, delete, retag); the roles ECS
 * tasks assume pull only from named repositories.
 */
export function imagesOnlyFromReleases(stack: Json): Violation[] {
  const found: Violation[] = [];
  for (const [name, r] of resources(stack, "aws_ecr_repository")) {
    if (r.image_tag_mutability !== "IMMUTABLE")
      found.push({
        check: "images-from-releases",
        resource: `aws_ecr_repository.${name}`,
        problem: `tags are ${r.image_tag_mutability ?? "MUTABLE (the default)"}: a release tag could be moved to other bytes`,
      });
  }
  for (const [name, r] of resources(stack, "aws_ecr_repository_policy")) {
    for (const s of statementsOf(r.policy).filter((s) => s.Effect === "Allow")) {
      const principal = s.Principal;
      const services = typeof principal === "object" ? list(principal.Service) : [];
      const others = typeof principal === "object" ? Object.keys(principal).filter((k) => k !== "Service") : ["*"];
      for (const a of list(s.Action).filter((a) => !ECR_PULL.includes(a)))
        found.push({
          check: "images-from-releases",
          resource: `aws_ecr_repository_policy.${name}`,
          problem: `grants ${a}; the repository policy grants pulls only`,
        });
      if (services.length === 0 || others.length > 0)
        found.push({
          check: "images-from-releases",
          resource: `aws_ecr_repository_policy.${name}`,
          problem: `grants to ${JSON.stringify(principal)}; only a service principal (Lambda) pulls through the repository policy`,
        });
    }
  }
  for (const role of declaredRoles(stack)) {
    for (const s of role.statements.filter((s) => s.Effect === "Allow")) {
      const ecr = list(s.Action).filter((a) => a.startsWith("ecr:"));
      if (role.runRole) {
        for (const a of ecr.filter((a) => !isReadAction(a)))
          found.push({
            check: "images-from-releases",
            resource: role.address,
            problem: `${role.name}: run role allows ${a}; only \`npm run release\` pushes`,
          });
      } else if (ecr.some((a) => ECR_PULL.includes(a)) && list(s.Resource).some((r) => r.includes("*"))) {
        found.push({
          check: "images-from-releases",
          resource: role.address,
          problem: `${role.name}: pulls from ${list(s.Resource).join(", ")}; only from the one repository`,
        });
      }
    }
  }
  return found;
}

export const ROLE_CHECKS = {
  runRolesTrustOnePhase,
  applyRolesOnlyPassServiceRoles,
  planRolesOnlyRead,
  fargateRunsOnlyCoreFamily,
  workspaceStacksDeclareNoIam,
  taskRolesBounded,
  imagesOnlyFromReleases,
};
