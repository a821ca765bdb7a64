/**
 * What an emulator cannot show: authorizations AWS performs against the caller while serving a
 * call (a service calling another service for the caller), and calls that need no permission or
 * whose denial the caller tolerates. Each entry names its source. Test-only code.
 */
import type { IamRequest, RecordedCall } from "./requests";

export interface OnBehalfContext {
  readonly account: string;
  /** Service principals whose service-linked role exists before the run (the bootstrap stack creates the tier's). */
  readonly serviceLinkedRoles: ReadonlySet<string>;
}

export interface OnBehalf {
  /** SigV4 signing name and operation of the recorded call. */
  readonly service: string;
  readonly operation: string;
  readonly source: string;
  /** The extra IAM requests, or none when the entry does not apply to this call. */
  readonly requests: (call: RecordedCall, c: OnBehalfContext) => IamRequest[];
}

const ELB_TABLE = "https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-permissions.html";

/**
 * Service-linked role names, by service principal, and where each service documents creating its
 * role for the caller (iam:CreateServiceLinkedRole with iam:AWSServiceName) when it is missing.
 */
export const SERVICE_LINKED_ROLES: Record<string, { readonly name: string; readonly source: string }> = {
  "elasticloadbalancing.amazonaws.com": { name: "AWSServiceRoleForElasticLoadBalancing", source: ELB_TABLE },
  "ecs.amazonaws.com": {
    name: "AWSServiceRoleForECS",
    source:
      "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html (ECS attempts to create its service-linked role on CreateCluster)",
  },
  "ecs.application-autoscaling.amazonaws.com": {
    name: "AWSServiceRoleForApplicationAutoScaling_ECSService",
    source:
      "https://docs.aws.amazon.com/autoscaling/application/userguide/services-that-can-integrate-ecs.html (created when an ECS service is registered as a scalable target)",
  },
  "ops.apigateway.amazonaws.com": {
    name: "AWSServiceRoleForAPIGateway",
    source:
      "https://docs.aws.amazon.com/apigateway/latest/developerguide/using-service-linked-roles.html (created with the first custom domain name)",
  },
};

/** iam:CreateServiceLinkedRole for `principal`, only while that role is missing. */
function serviceLinkedRole(principal: string, c: OnBehalfContext): IamRequest[] {
  if (c.serviceLinkedRoles.has(principal)) return [];
  const slr = SERVICE_LINKED_ROLES[principal]!;
  return [
    {
      action: "iam:CreateServiceLinkedRole",
      resource: `arn:aws:iam::${c.account}:role/aws-service-role/${principal}/${slr.name}`,
      context: { "iam:AWSServiceName": principal },
      via: `${principal} creates its service-linked role for the caller while it is missing: ${slr.source}`,
    },
  ];
}

/** Actions that have no resource types (EC2 Describe*, CloudWatch Logs log delivery): resource "*". */
const anyResource = (actions: readonly string[], via: string): IamRequest[] =>
  actions.map((action) => ({ action, resource: "*", context: {}, via }));

/** The 2015-12-01 (v2) rows of the ELB API permission table, as the table says. */
const ELB_ROWS: Record<string, readonly string[]> = {
  CreateLoadBalancer: [
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAddresses",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
  ],
  CreateTargetGroup: ["ec2:DescribeInternetGateways", "ec2:DescribeVpcs"],
  RegisterTargets: ["ec2:DescribeInstances", "ec2:DescribeInternetGateways", "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
  SetIpAddressType: ["ec2:DescribeSubnets"],
  SetSubnets: ["ec2:DescribeSubnets"],
};

/**
 * HTTP API access logs: CloudWatch Logs log delivery, authorized against the caller. The page also
 * lists logs:CreateLogGroup and the read actions for viewing logs (DescribeLogStreams, GetLogEvents,
 * FilterLogEvents); a stage that names an existing group (DestinationArn) creates and reads none.
 */
const HTTP_API_LOGGING = "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html";
const LOG_DELIVERY = [
  "logs:CreateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:DescribeResourcePolicies",
  "logs:GetLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:UpdateLogDelivery",
];

export const ON_BEHALF: readonly OnBehalf[] = [
  ...Object.entries(ELB_ROWS).map(([operation, actions]): OnBehalf => ({
    service: "elasticloadbalancing",
    operation,
    source: ELB_TABLE,
    requests: (_call, c) => [
      ...anyResource(actions, `Elastic Load Balancing ${operation}: ${ELB_TABLE}`),
      ...(operation === "CreateLoadBalancer" ? serviceLinkedRole("elasticloadbalancing.amazonaws.com", c) : []),
    ],
  })),
  {
    service: "ecs",
    operation: "CreateCluster",
    source: SERVICE_LINKED_ROLES["ecs.amazonaws.com"]!.source,
    requests: (_call, c) => serviceLinkedRole("ecs.amazonaws.com", c),
  },
  {
    service: "application-autoscaling",
    operation: "RegisterScalableTarget",
    source: `${SERVICE_LINKED_ROLES["ecs.application-autoscaling.amazonaws.com"]!.source}; https://docs.aws.amazon.com/AmazonECS/latest/developerguide/auto-scaling-IAM.html (ecs:DescribeServices, ecs:UpdateService)`,
    requests: (call, c) => {
      const id = String(call.params.ResourceId ?? "");
      if (call.params.ServiceNamespace !== "ecs" || !id.startsWith("service/")) return [];
      const service = `arn:aws:ecs:${call.region}:${c.account}:${id}`;
      const via = "Application Auto Scaling reads and updates the ECS service as the caller (auto-scaling-IAM.html)";
      return [
        { action: "ecs:DescribeServices", resource: service, context: {}, via },
        { action: "ecs:UpdateService", resource: service, context: {}, via },
        ...serviceLinkedRole("ecs.application-autoscaling.amazonaws.com", c),
      ];
    },
  },
  {
    service: "apigateway",
    operation: "CreateDomainName",
    source: SERVICE_LINKED_ROLES["ops.apigateway.amazonaws.com"]!.source,
    requests: (_call, c) => serviceLinkedRole("ops.apigateway.amazonaws.com", c),
  },
  ...["CreateStage", "UpdateStage"].map((operation): OnBehalf => ({
    service: "apigateway",
    operation,
    source: HTTP_API_LOGGING,
    requests: (call) =>
      call.params.AccessLogSettings ? anyResource(LOG_DELIVERY, `HTTP API access logging: ${HTTP_API_LOGGING}`) : [],
  })),
];

/** The on-behalf requests of one recorded call. */
export function onBehalfRequests(call: RecordedCall, c: OnBehalfContext): IamRequest[] {
  return ON_BEHALF.filter((e) => e.service === call.service && e.operation === call.operation).flatMap((e) =>
    e.requests(call, c),
  );
}

export interface NotRequired {
  readonly service: string;
  readonly operation: string;
  readonly source: string;
  /** Only calls of this shape (e.g. GetUser without a UserName: the caller's own user). */
  readonly applies: (call: RecordedCall) => boolean;
}

/** Calls reported "not-required": no permission is needed, or the caller tolerates the denial. */
export const NOT_REQUIRED: readonly NotRequired[] = [
  {
    service: "sts",
    operation: "GetCallerIdentity",
    source:
      "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html (no permissions are required; works even under an explicit deny)",
    applies: () => true,
  },
  {
    service: "iam",
    operation: "GetUser",
    source:
      "hashicorp/aws-sdk-go-base, getAccountIDAndPartition -> getAccountIDAndPartitionFromIAMGetUser (awsauth.go): the Terraform AWS provider's account-id probe ignores AccessDenied, InvalidClientTokenId and ValidationError and falls back to sts:GetCallerIdentity",
    applies: (call) => call.params.UserName === undefined,
  },
];

export const notRequired = (call: RecordedCall): NotRequired | undefined =>
  NOT_REQUIRED.find((n) => n.service === call.service && n.operation === call.operation && n.applies(call));
