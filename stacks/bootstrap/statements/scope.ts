import { serviceNames, type ServiceNames } from "../../../model/names";

/** What a run role's statements are scoped to: the service's names, its region and account, its zone and domain. */
export interface PermissionScopeProps {
  readonly service: string;
  readonly region: string;
  /** Account id (may be a cdktf token). */
  readonly accountId: string;
  readonly hostedZoneId: string;
  /** The service's domain: its records (and core's certificate and API Gateway domain name). */
  readonly domain: string;
}

/** The props, with the name table and the ARN builders every statement helper uses. */
export interface PermissionScope extends PermissionScopeProps {
  readonly names: ServiceNames;
  /** A regional ARN in the account: `arn:aws:<service>:<region>:<account>:<resource>`. */
  arn(service: string, resource: string): string;
  /** The one hosted zone's ARN. */
  readonly zone: string;
}

export function permissionScope(p: PermissionScopeProps): PermissionScope {
  return {
    ...p,
    names: serviceNames(p.service),
    arn: (service, resource) => `arn:aws:${service}:${p.region}:${p.accountId}:${resource}`,
    zone: `arn:aws:route53:::hostedzone/${p.hostedZoneId}`,
  };
}
