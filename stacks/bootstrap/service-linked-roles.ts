import { Construct } from "constructs";
import { Fn, TerraformVariable, Token } from "cdktf";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";

/** The services whose service-linked roles the Fargate tier needs, by construct id. */
export const TIER_SERVICE_LINKED_ROLES = {
  ecs: "ecs.amazonaws.com",
  "elastic-load-balancing": "elasticloadbalancing.amazonaws.com",
  "ecs-autoscaling": "ecs.application-autoscaling.amazonaws.com",
} as const;

/**
 * Every service-linked role the stacks need, by construct id: the tier's, and API Gateway's, which
 * it creates on an account's first custom domain (core's) and which the core run roles may not create.
 */
export const SERVICE_LINKED_ROLES = {
  ...TIER_SERVICE_LINKED_ROLES,
  "api-gateway": "ops.apigateway.amazonaws.com",
} as const;

export interface ServiceLinkedRolesProps {
  /** Services to create a role for. @default SERVICE_LINKED_ROLES */
  readonly services?: Readonly<Record<string, string>>;
}

/**
 * The service-linked roles ECS, Elastic Load Balancing, Application Auto
 * Scaling (ECS services) and API Gateway act with. The run roles cannot
 * create them (that would need iam:CreateServiceLinkedRole), so they must
 * exist before core's and fargate's first apply. An account holds each at most once and
 * creating one that exists fails, so they sit behind the variable
 * `create_service_linked_roles`: set it to false when `npm run doctor`
 * reports them present.
 */
export class ServiceLinkedRoles extends Construct {
  public readonly create: TerraformVariable;
  public readonly roles: IamServiceLinkedRole[];

  constructor(scope: Construct, id: string, props: ServiceLinkedRolesProps = {}) {
    super(scope, id);
    const services = props.services ?? SERVICE_LINKED_ROLES;
    for (const [key, service] of Object.entries(services)) {
      if (!/^[a-z0-9.-]+\.amazonaws\.com$/.test(service))
        throw new Error(
          `ServiceLinkedRoles ${id}: "${key}" must be a service principal such as ecs.amazonaws.com, got "${service}"`,
        );
    }
    this.create = new TerraformVariable(this, "create_service_linked_roles", {
      type: "bool",
      default: true,
      description:
        "Create the ECS, Elastic Load Balancing, Application Auto Scaling and API Gateway service-linked roles. Set false when `npm run doctor` reports they exist (creating an existing one fails).",
    });
    this.create.overrideLogicalId("create_service_linked_roles");
    const count = Token.asNumber(Fn.conditional(this.create.booleanValue, 1, 0));
    this.roles = Object.entries(services).map(
      ([key, service]) =>
        new IamServiceLinkedRole(this, key, {
          awsServiceName: service,
          description: `Used by ${service} for ${key in TIER_SERVICE_LINKED_ROLES ? "the Fargate tier" : "LambdaFlex"}`,
          count,
        }),
    );
  }
}
