import { TIER_SERVICE_LINKED_ROLES } from "../stacks/bootstrap/service-linked-roles";
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
      const policies = await loadRolePolicies(name, { endpoint: this.emulator.url, region: this.region, ...IDENTITIES.harness }).catch(() => undefined);
      if (policies) this.roles.set(name, { name, policies });
    }
  }

  /** Every recorded call made by an accounted identity, with its verdicts. */
  async account(): Promise<Accounting> {
    const missing = Object.values(IDENTITIES)
      .filter((i): i is Extract<typeof i, { role: unknown }> => "role" in i)
      .map((i) => i.role(this.service))
      .filter((n) => !this.roles.has(n));
    if (missing.length) throw new Error(`the accounting has no policies for ${missing.join(", ")}: loadRoles() must run while they exist`);
    const calls = this.emulator.calls();
    // A role's boundary is set when it is created; later writes to the role are authorized with it.
    const boundaries = new Map(calls.filter((c) => c.operation === "CreateRole" && c.status < 300).map((c) => [String(c.params.RoleName), c.params.PermissionsBoundary as string | undefined]));
    return accountCalls(
      calls,
      (key) => {
        const who = identityOf(key);
        const identity = who ? IDENTITIES[who] : undefined;
        return identity && "role" in identity ? this.roles.get(identity.role(this.service)) : undefined;
      },
      {
        account: ACCOUNT_ID,
        // Bootstrap creates the tier's service-linked roles (create_service_linked_roles=true), so ELB, ECS and
        // Application Auto Scaling never create them on the caller's behalf in this run.
        serviceLinkedRoles: Object.values(TIER_SERVICE_LINKED_ROLES),
        lookups: { roleBoundary: (name) => boundaries.get(name) },
      },
    );
  }
}
