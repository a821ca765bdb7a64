import { Construct } from "constructs";
import { Fn } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { assumeRolePolicy, policyDocument, type Statement } from "../policy";

export interface ServiceRoleProps {
  /** Role name (serviceNames(service).roles). */
  readonly name: string;
  /** The one AWS service that may assume it, such as lambda.amazonaws.com. */
  readonly assumedBy: string;
  /** The account (caller identity): the trust policy's aws:SourceAccount. */
  readonly accountId: string;
  /** Name of the role's one inline policy. */
  readonly policyName: string;
  /** The inline policy; each statement names its actions. */
  readonly statements: Statement[];
  /** ARN of a permissions boundary. @default none */
  readonly permissionsBoundary?: string;
}

/**
 * A role one AWS service assumes for the service (a function's, the tasks',
 * the scheduler's), with one inline policy. Only the bootstrap stack makes
 * them, applied by an administrator: no run role that a commit's apply
 * assumes may create, edit or trust a role, so a change to one of these
 * policies needs a bootstrap apply.
 */
export class ServiceRole extends Construct {
  public readonly role: IamRole;
  public readonly policy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    if (!/^[a-z0-9.-]+\.amazonaws\.com$/.test(props.assumedBy))
      throw new Error(
        `ServiceRole ${id}: assumedBy must be a service principal such as lambda.amazonaws.com, got "${props.assumedBy}"`,
      );
    if (props.statements.length === 0)
      throw new Error(`ServiceRole ${id}: give at least one statement; ${props.name} would have no permission`);
    const wildcard = props.statements.flatMap((s) => s.Action).find((a) => a.includes("*"));
    if (wildcard) throw new Error(`ServiceRole ${id}: the wildcard action "${wildcard}"; name each action`);
    this.role = new IamRole(this, "role", {
      name: props.name,
      assumeRolePolicy: assumeRolePolicy(props.assumedBy, props.accountId),
      ...(props.permissionsBoundary ? { permissionsBoundary: props.permissionsBoundary } : {}),
    });
    this.policy = new IamRolePolicy(this, "policy", {
      role: this.role.id,
      name: props.policyName,
      policy: Fn.jsonencode(policyDocument(props.statements)),
    });
  }
}
