import type { Statement } from "../../policy";
import type { PermissionScope } from "./scope";

/** Fargate: the tier's ALB, listeners and target groups, by name (`<service>-*`). */
export const elbStatements = ({ arn, names }: PermissionScope): Statement[] => [
  // ELBv2 Describe* actions have no resource types; AWS requires "*".
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
  {
    Sid: "ElbRead",
    Effect: "Allow",
    Action: [
      "elasticloadbalancing:DescribeCapacityReservation",
      "elasticloadbalancing:DescribeListenerAttributes",
      "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeLoadBalancerAttributes",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeTags",
      "elasticloadbalancing:DescribeTargetGroupAttributes",
      "elasticloadbalancing:DescribeTargetGroups",
      // Reads the Lambda target's registration (aws_lb_target_group_attachment).
      "elasticloadbalancing:DescribeTargetHealth",
    ],
    Resource: "*",
  },
  {
    Sid: "ElbOwn",
    Effect: "Allow",
    Action: [
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:CreateLoadBalancer",
      "elasticloadbalancing:CreateTargetGroup",
      "elasticloadbalancing:DeleteListener",
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:DeleteTargetGroup",
      "elasticloadbalancing:DeregisterTargets",
      "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:ModifyListenerAttributes",
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:ModifyTargetGroup",
      "elasticloadbalancing:ModifyTargetGroupAttributes",
      // The service Lambda as the target of <service>-lambda-tg (weighted switch).
      "elasticloadbalancing:RegisterTargets",
      "elasticloadbalancing:RemoveTags",
      "elasticloadbalancing:SetSecurityGroups",
      "elasticloadbalancing:SetSubnets",
    ],
    Resource: [
      arn("elasticloadbalancing", `loadbalancer/app/${names.prefix}*/*`),
      arn("elasticloadbalancing", `targetgroup/${names.prefix}*/*`),
      arn("elasticloadbalancing", `listener/app/${names.prefix}*/*/*`),
    ],
  },
];
