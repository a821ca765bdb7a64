import { SERVICE_LINKED_ROLES } from "../stacks/bootstrap/service-linked-roles";
import type { Emulator } from "./emulator";
import { accountCalls, type Accounting, type AccountedRole } from "./iam/account";
import { loadRolePolicies } from "./iam/policies";
import { IDENTITIES, identityOf } from "./identities";

/** The emulator's account (moto's default), as every ARN in the recording carries it. */
export const ACCOUNT_ID = "123456789012";

/**
 * What the IAM accounting needs besides the recording (which carries each
 * call's resource tags as they stood before it): the applied policies of
 * each accounted role, read once they exist.
 */
export class CallLedger {
  private readonly roles = new Map<string, AccountedRole>();
  /** Spans of calls (by seq, inclusive) accounted on their own: a hostile commit's calls are meant to be denied. */
  private readonly setAsideSpans: Array<{ from: number; to: number }> = [];

  constructor(
    private readonly emulator: Emulator,
    private readonly service: string,
    private readonly region: string,
  ) {}

  /** Reads the applied policies of every accounted role that exists now (run roles after bootstrap, the scaler's after core). */
  async loadRoles(): Promise<void> {
    for (const identity of Object.values(IDENTITIES)) {
      if (!("role" in identity)) continue;
      const name = identity.role(this.service);
      if (this.roles.has(name)) continue;
      const policies = await loadRolePolicies(name, {
        endpoint: this.emulator.url,
        region: this.region,
        ...IDENTITIES.harness,
      }).catch(() => undefined);
      if (policies) this.roles.set(name, { name, policies });
    }
  }

  /** The applied policies of an accounted role, as loaded. */
  policiesOf(roleName: string): AccountedRole["policies"] {
    const role = this.roles.get(roleName);
    if (!role) throw new Error(`no policies loaded for ${roleName}: loadRoles() must run while it exists`);
    return role.policies;
  }

  /** The seq the next recorded call will carry. */
  nextSeq(): number {
    return (this.emulator.calls().at(-1)?.seq ?? 0) + 1;
  }

  /** Accounts the calls from `from` to now on their own, and leaves them out of `account()`. */
  async setAside(from: number): Promise<Accounting> {
    const to = this.nextSeq() - 1;
    this.setAsideSpans.push({ from, to });
    return this.account({ from, to });
  }

  /** Every recorded call made by an accounted identity (outside the spans set aside, or within `only`), with its verdicts. */
  async account(only?: { from: number; to: number }): Promise<Accounting> {
    const missing = Object.values(IDENTITIES)
      .filter((i): i is Extract<typeof i, { role: unknown }> => "role" in i)
      .map((i) => i.role(this.service))
      .filter((n) => !this.roles.has(n));
    if (missing.length)
      throw new Error(
        `the accounting has no policies for ${missing.join(", ")}: loadRoles() must run while they exist`,
      );
    const all = this.emulator.calls();
    const calls = all.filter((c) =>
      only ? c.seq >= only.from && c.seq <= only.to : !this.setAsideSpans.some((r) => c.seq >= r.from && c.seq <= r.to),
    );
    // A role's boundary is set when it is created; later writes to the role are authorized with it.
    const boundaries = new Map(
      all
        .filter((c) => c.operation === "CreateRole" && c.status < 300)
        .map((c) => [String(c.params.RoleName), c.params.PermissionsBoundary as string | undefined]),
    );
    return accountCalls(
      calls,
      (key) => {
        const who = identityOf(key);
        const identity = who ? IDENTITIES[who] : undefined;
        return identity && "role" in identity ? this.roles.get(identity.role(this.service)) : undefined;
      },
      {
        account: ACCOUNT_ID,
        // Bootstrap creates the service-linked roles (create_service_linked_roles=true), so ELB, ECS,
        // Application Auto Scaling and API Gateway never create them on the caller's behalf in this run.
        serviceLinkedRoles: Object.values(SERVICE_LINKED_ROLES),
        lookups: { roleBoundary: (name) => boundaries.get(name) },
      },
    );
  }
}
