/**
 * AWS resources the stacks expect to exist before the first apply: the
 * service-linked roles of ECS, Elastic Load Balancing, Application Auto
 * Scaling and API Gateway, the public hosted zone of `domain`, and the two
 * token parameters.
 */
import { GetRoleCommand, type IAMClient } from "@aws-sdk/client-iam";
import { GetHostedZoneCommand, type Route53Client } from "@aws-sdk/client-route-53";
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { DeploymentConfig } from "../../config/schema";
import { TOKEN_PLACEHOLDER, unwrapToken } from "../../model/token";
import {
  SERVICE_LINKED_ROLES as BOOTSTRAP_SERVICE_LINKED_ROLES,
  TIER_SERVICE_LINKED_ROLES,
} from "../../stacks/bootstrap/service-linked-roles";
import { awsCallFailed, errorName, fail, pass, type CheckResult } from "./check";

/** The role name AWS gives each service principal's service-linked role. */
const ROLE_NAMES: Readonly<Record<string, string>> = {
  "ecs.amazonaws.com": "AWSServiceRoleForECS",
  "elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
  "ecs.application-autoscaling.amazonaws.com": "AWSServiceRoleForApplicationAutoScaling_ECSService",
  "ops.apigateway.amazonaws.com": "AWSServiceRoleForAPIGateway",
};

/** The service-linked roles the bootstrap stack creates (unless create_service_linked_roles=false), with the service principal and the stack that needs each. */
export const SERVICE_LINKED_ROLES: ReadonlyArray<{ role: string; service: string; neededBy: "core" | "fargate" }> =
  Object.values(BOOTSTRAP_SERVICE_LINKED_ROLES).map((service) => {
    const role = ROLE_NAMES[service];
    if (!role) throw new Error(`no service-linked role name known for ${service}; add it to ROLE_NAMES`);
    return {
      role,
      service,
      neededBy: (Object.values(TIER_SERVICE_LINKED_ROLES) as string[]).includes(service) ? "fargate" : "core",
    };
  });

/** One result per service-linked role: present, or the command that creates it. */
export async function checkServiceLinkedRoles(iam: IAMClient): Promise<CheckResult[]> {
  return Promise.all(
    SERVICE_LINKED_ROLES.map(async ({ role, service, neededBy }) => {
      const name = `service-linked role ${role}`;
      try {
        await iam.send(new GetRoleCommand({ RoleName: role }));
        return pass(name, "exists");
      } catch (err) {
        if (errorName(err) === "NoSuchEntityException")
          return fail(
            name,
            `${role} does not exist in this account; the ${neededBy} stack's first apply needs it`,
            `aws iam create-service-linked-role --aws-service-name ${service}`,
          );
        return awsCallFailed(name, "iam:GetRole", err);
      }
    }),
  );
}

const stripDot = (name: string) => name.replace(/\.$/, "").toLowerCase();

/** The hosted zone exists and is public, and `domain` is inside it: two results, or one when the zone cannot be read. */
export async function checkHostedZone(config: DeploymentConfig, route53: Route53Client): Promise<CheckResult[]> {
  const zoneCheck = "hosted zone";
  const domainCheck = "domain in hosted zone";
  const parent = config.domain.split(".").slice(1).join(".") || config.domain;
  const find = `aws route53 list-hosted-zones-by-name --dns-name ${parent}`;
  let zone;
  try {
    zone = (await route53.send(new GetHostedZoneCommand({ Id: config.hostedZoneId }))).HostedZone;
  } catch (err) {
    if (errorName(err) === "NoSuchHostedZone") {
      return [
        fail(
          zoneCheck,
          `hostedZoneId ${config.hostedZoneId} does not exist in this account; find the public zone of ${config.domain} and set hostedZoneId (or LAMBDAFLEX_HOSTED_ZONE_ID) to its id`,
          find,
        ),
      ];
    }
    return [awsCallFailed(zoneCheck, "route53:GetHostedZone", err)];
  }
  const zoneName = stripDot(zone?.Name ?? "");
  const results: CheckResult[] = [];
  if (zone?.Config?.PrivateZone) {
    results.push(
      fail(
        zoneCheck,
        `${config.hostedZoneId} (${zoneName}) is a private zone; the service's records must resolve publicly, so set hostedZoneId to the public zone`,
        find,
      ),
    );
  } else {
    results.push(pass(zoneCheck, `${config.hostedZoneId} is the public zone ${zoneName}`));
  }
  const domain = stripDot(config.domain);
  if (domain === zoneName || domain.endsWith(`.${zoneName}`)) {
    results.push(pass(domainCheck, `${domain} is inside ${zoneName}`));
  } else {
    results.push(
      fail(
        domainCheck,
        `domain ${domain} is not inside zone ${zoneName} (${config.hostedZoneId}); set domain to a name under ${zoneName}, or hostedZoneId to the zone of ${domain}`,
        find,
      ),
    );
  }
  return results;
}

/** The value is the token itself or JSON with a `token` field, unwrapped as the scaler does. */
const holdsPlaceholder = (value: string): boolean => unwrapToken(value) === TOKEN_PLACEHOLDER;

/**
 * A token parameter exists, is a SecureString, and holds more than the
 * bootstrap placeholder. It is read decrypted to see the placeholder; the
 * value is compared and dropped, never printed.
 */
export async function checkTokenParameter(
  name: string,
  field: string,
  region: string,
  ssm: SSMClient,
): Promise<CheckResult> {
  const check = `parameter ${name}`;
  const put = (overwrite: boolean) =>
    `read -rs TOKEN && aws ssm put-parameter --name ${name} --type SecureString --value "$TOKEN"${overwrite ? " --overwrite" : ""} --region ${region}`;
  let parameter;
  try {
    parameter = (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter;
  } catch (err) {
    if (errorName(err) === "ParameterNotFound")
      return fail(check, `${field} names ${name}, which does not exist in ${region}`, put(false));
    return awsCallFailed(check, "ssm:GetParameter", err);
  }
  if (parameter?.Type !== "SecureString") {
    // put-parameter cannot turn an existing String into a SecureString: delete and write it again.
    return fail(
      check,
      `${name} (${field}) is a ${parameter?.Type ?? "parameter without a type"}; tokens must be SecureString`,
      `aws ssm delete-parameter --name ${name} --region ${region} && ${put(false)}`,
    );
  }
  const value = parameter.Value ?? "";
  if (!value.trim()) return fail(check, `${name} (${field}) is empty`, put(true));
  if (holdsPlaceholder(value))
    return fail(
      check,
      `${name} (${field}) still holds the bootstrap placeholder "${TOKEN_PLACEHOLDER}", not a token`,
      put(true),
    );
  return pass(check, `SecureString, set (${field}; value not shown)`);
}
