/**
 * IAM accounting: every recorded call, evaluated against the policies of the role that makes it in
 * production with @cloud-copilot/iam-simulate (resources and conditions included), one verdict per
 * IAM request. Test-only code (AGPL evaluator; see README.md).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  runSimulation,
  runUnsafeSimulation,
  type Simulation,
  type SingleResourceSimulationResult,
} from "@cloud-copilot/iam-simulate";
import { notRequired, onBehalfRequests } from "./on-behalf";
import type { NamedPolicy } from "./policies";
import {
  iamPrefix,
  requestsFor,
  type ContextValues,
  type IamRequest,
  type Lookups,
  type RecordedCall,
} from "./requests";

export type Decision = "allowed" | "denied" | "not-required";

/** The role an access key acts as, with its effective policies (loadRolePolicies, or built in a test). */
export interface AccountedRole {
  readonly name: string;
  readonly policies: { readonly identity: readonly NamedPolicy[]; readonly boundary?: NamedPolicy | undefined };
}

/** The statement nearest to a denied request: mentions the action, a similar one, or the service prefix. */
export interface Nearest {
  readonly sid: string;
  readonly policy: string;
  readonly actions: string[];
  readonly resources: string[];
  /** It names the action itself, so its Resource or Condition is what did not match. */
  readonly namesAction: boolean;
  readonly condition?: unknown;
}

export interface Verdict {
  readonly seq: number;
  readonly service: string;
  readonly operation: string;
  readonly role: string;
  readonly action: string;
  readonly resource: string;
  readonly decision: Decision;
  /** Sid of the statement that allowed it (`<policy>#<n>` without a Sid). */
  readonly statement?: string;
  /** Why a denial: an explicit deny's Sid or the permissions boundary; absent for "no statement allows". */
  readonly deniedBy?: string;
  readonly nearest?: Nearest;
  /** Source of an on-behalf or PassRole request; of a not-required call. */
  readonly via?: string;
}

export interface Unmapped {
  readonly seq: number;
  readonly service: string;
  readonly operation: string;
  readonly role: string;
  readonly reason: string;
}

export interface Accounting {
  readonly verdicts: Verdict[];
  readonly unmapped: Unmapped[];
  /** Calls by access keys that are no accounted role (e.g. the test's own setup key). */
  readonly unattributed: { seq: number; service: string; operation: string; accessKey: string }[];
  /** Per role, verdict counts by decision. */
  readonly summary: Record<string, Record<Decision, number>>;
}

export interface AccountOptions {
  readonly account: string;
  /** Service principals whose service-linked role exists before the run. Default: none (every on-behalf creation is checked). */
  readonly serviceLinkedRoles?: Iterable<string>;
  /** What the requests do not carry: resource tags, role paths, ids. */
  readonly lookups?: Omit<Lookups, "account">;
}

export const readCalls = (path: string): RecordedCall[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as RecordedCall);

interface RawStatement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: unknown;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const statementsOf = (p: NamedPolicy): RawStatement[] => list(p.policy.Statement as RawStatement | RawStatement[]);
const words = (action: string) =>
  (action.split(":")[1] ?? "").split(/(?=[A-Z])/).map((w) => w.toLowerCase().replace(/s$/, ""));

/** The Allow statement closest to `action`: naming it, then most words in common with one of its actions, then same service. */
export function nearestStatement(role: AccountedRole, action: string): Nearest | undefined {
  const prefix = action.split(":")[0]!.toLowerCase();
  const target = new Set(words(action));
  let best: { score: number; n: Nearest } | undefined;
  for (const policy of role.policies.identity) {
    statementsOf(policy).forEach((s, i) => {
      if (s.Effect !== "Allow") return;
      const actions = list(s.Action);
      const same = actions.filter((a) => a.split(":")[0]!.toLowerCase() === prefix);
      if (same.length === 0) return;
      const namesAction = actions.some((a) => a.toLowerCase() === action.toLowerCase());
      const common = Math.max(...same.map((a) => words(a).filter((w) => target.has(w)).length));
      const score = (namesAction ? 100 : 0) + common * 10 + 1;
      if (!best || score > best.score) {
        best = {
          score,
          n: {
            sid: s.Sid ?? `#${i + 1}`,
            policy: policy.name,
            actions,
            resources: list(s.Resource),
            namesAction,
            ...(s.Condition ? { condition: s.Condition } : {}),
          },
        };
      }
    });
  }
  return best?.n;
}

const sidOf = (a: { policyId: string; statement: { sid(): string | undefined; index(): number } }) =>
  a.statement.sid() ?? `${a.policyId}#${a.statement.index()}`;

interface Evaluation {
  readonly allowed: boolean;
  readonly statement?: string;
  readonly deniedBy?: string;
}

function simulation(
  role: AccountedRole,
  account: string,
  r: IamRequest,
  policies = role.policies.identity,
): Simulation {
  const principal = `arn:aws:sts::${account}:assumed-role/${role.name}/accounting`;
  const context: ContextValues = {
    "aws:PrincipalArn": `arn:aws:iam::${account}:role/${role.name}`,
    "aws:PrincipalAccount": account,
    ...r.context,
  };
  return {
    request: {
      principal,
      action: r.action,
      resource: { resource: r.resource, accountId: account },
      contextVariables: context,
    },
    identityPolicies: policies.map((p) => ({ name: p.name, policy: p.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(role.policies.boundary
      ? { permissionBoundaryPolicies: [{ name: role.policies.boundary.name, policy: role.policies.boundary.policy }] }
      : {}),
  };
}

/** Without iam-simulate's validation (an action iam-data lacks the resource type of): the decision, then the allowing statement one by one. */
function evaluateUnvalidated(role: AccountedRole, account: string, r: IamRequest): Evaluation {
  if (runUnsafeSimulation(simulation(role, account, r), {}) !== "Allowed") return { allowed: false };
  for (const policy of role.policies.identity) {
    const statements = statementsOf(policy);
    for (const [i, s] of statements.entries()) {
      if (s.Effect !== "Allow") continue;
      const alone = [{ name: policy.name, policy: { Version: "2012-10-17", Statement: [s] } }];
      if (runUnsafeSimulation(simulation(role, account, r, alone), {}) === "Allowed")
        return { allowed: true, statement: s.Sid ?? `${policy.name}#${i + 1}` };
    }
  }
  return { allowed: true };
}

async function evaluate(role: AccountedRole, account: string, r: IamRequest): Promise<Evaluation | string> {
  if (r.unvalidated) return evaluateUnvalidated(role, account, r);
  const result = await runSimulation(simulation(role, account, r), {});
  if (result.resultType === "error")
    return `iam-simulate rejected ${r.action} on ${r.resource}: ${JSON.stringify(result.errors)}`;
  const analyses: SingleResourceSimulationResult["result"][] =
    result.resultType === "single" ? [result.result] : result.results;
  const analysis = analyses[0]?.analysis;
  if (result.overallResult === "Allowed") {
    const allow = analysis?.identityAnalysis?.allowStatements[0];
    return { allowed: true, ...(allow ? { statement: sidOf(allow) } : {}) };
  }
  const deny = analysis?.identityAnalysis?.denyStatements[0];
  if (deny) return { allowed: false, deniedBy: `explicit deny "${sidOf(deny)}"` };
  if (analysis?.identityAnalysis?.result === "Allowed" && analysis.permissionBoundaryAnalysis?.result !== "Allowed")
    return { allowed: false, deniedBy: "permissions boundary" };
  return { allowed: false };
}

/** Every call's verdicts; calls of keys `roleFor` does not know are listed as unattributed. */
export async function accountCalls(
  calls: readonly RecordedCall[],
  roleFor: (accessKey: string) => AccountedRole | undefined,
  opts: AccountOptions,
): Promise<Accounting> {
  const lookups: Lookups = { ...opts.lookups, account: opts.account };
  const behalf = { account: opts.account, serviceLinkedRoles: new Set(opts.serviceLinkedRoles ?? []) };
  const out: Accounting = { verdicts: [], unmapped: [], unattributed: [], summary: {} };
  const memo = new Map<string, Promise<Evaluation | string>>();
  for (const call of calls) {
    const role = roleFor(call.accessKey);
    if (!role) {
      out.unattributed.push({
        seq: call.seq,
        service: call.service,
        operation: call.operation,
        accessKey: call.accessKey,
      });
      continue;
    }
    const base = { seq: call.seq, service: call.service, operation: call.operation, role: role.name };
    const exempt = notRequired(call);
    const mapping = exempt ? undefined : await requestsFor(call, lookups);
    if (mapping && "unmapped" in mapping) {
      out.unmapped.push({ ...base, reason: mapping.unmapped });
      continue;
    }
    const requests = exempt ? [] : [...mapping!.requests, ...onBehalfRequests(call, behalf)];
    const verdicts: Verdict[] = exempt
      ? [
          {
            ...base,
            action: `${iamPrefix(call.service)}:${call.operation}`,
            resource: "*",
            decision: "not-required",
            via: exempt.source,
          },
        ]
      : [];
    for (const r of requests) {
      const key = JSON.stringify([role.name, r.action, r.resource, r.context]);
      if (!memo.has(key)) memo.set(key, evaluate(role, opts.account, r));
      const e = await memo.get(key)!;
      if (typeof e === "string") {
        out.unmapped.push({ ...base, reason: e });
        continue;
      }
      const nearest = e.allowed ? undefined : nearestStatement(role, r.action);
      verdicts.push({
        ...base,
        action: r.action,
        resource: r.resource,
        decision: e.allowed ? "allowed" : "denied",
        ...(e.statement ? { statement: e.statement } : {}),
        ...(e.deniedBy ? { deniedBy: e.deniedBy } : {}),
        ...(nearest ? { nearest } : {}),
        ...(r.via ? { via: r.via } : {}),
      });
    }
    for (const v of verdicts) {
      const counts = (out.summary[role.name] ??= { allowed: 0, denied: 0, "not-required": 0 });
      counts[v.decision] += 1;
    }
    out.verdicts.push(...verdicts);
  }
  return out;
}

/** The failure message: one line per denied request and per call that could not be mapped; "" when there are none. */
export function formatDenials(a: Accounting): string {
  const denied = a.verdicts
    .filter((v) => v.decision === "denied")
    .map((v) => {
      const why = v.deniedBy ? ` (${v.deniedBy})` : "";
      const via = v.via ? `, ${v.via}` : "";
      const n = v.nearest;
      const hint = n
        ? `; nearest statement "${n.sid}" (${n.policy}) allows ${n.actions.join(",")} on ${n.resources.join(",")}${n.namesAction ? ` with${n.condition ? ` condition ${JSON.stringify(n.condition)}` : "out a condition"}: its Resource or Condition does not match` : ""}`
        : `; no statement of ${v.role} mentions ${v.action.split(":")[0]}:`;
      return `${v.role} denied ${v.action} on ${v.resource}${why} (call #${v.seq} ${v.service} ${v.operation}${via})${hint}`;
    });
  const unmapped = a.unmapped.map(
    (u) => `${u.role}: call #${u.seq} ${u.service} ${u.operation} could not be accounted: ${u.reason}`,
  );
  return [...denied, ...unmapped].join("\n");
}

/** Writes the accounting as JSON (summary first), creating the directory. */
export function writeReport(path: string, a: Accounting): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `${JSON.stringify({ summary: a.summary, unmapped: a.unmapped, unattributed: a.unattributed, verdicts: a.verdicts }, null, 2)}\n`,
  );
}
