import type { Statement } from "../policy";

/**
 * Whether an IAM action only reads: its name starts with Describe, Get, List
 * or BatchGet, or it is API Gateway's GET (API Gateway's actions are HTTP
 * verbs). The plan roles hold only these (readOnlyPolicies), and
 * scripts/security-checks.ts fails a plan role holding anything else.
 */
export function isReadAction(action: string): boolean {
  if (action === "apigateway:GET") return true;
  return /^[\w-]+:(Describe|Get|List|BatchGet)/.test(action);
}

/**
 * A plan role's policies from its apply role's: every statement keeps its
 * resources and conditions and only its read actions, so a plan can refresh
 * every resource the apply role can manage and change none; a statement, and
 * a part, with no read action left is dropped.
 */
export function readOnlyPolicies(policies: Readonly<Record<string, Statement[]>>): Record<string, Statement[]> {
  const out: Record<string, Statement[]> = {};
  for (const [part, statements] of Object.entries(policies)) {
    const reads = statements.flatMap((s) => {
      const actions = s.Action.filter(isReadAction);
      return actions.length > 0 ? [{ ...s, Action: actions }] : [];
    });
    if (reads.length > 0) out[part] = reads;
  }
  return out;
}
