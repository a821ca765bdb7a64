import type { Statement } from "../policy";
import { serviceNames } from "../../model/names";
import { EVENT_RULE_ACTIONS } from "./run-role";
import { SERVICE_TAG_KEY } from "./service-tag";

/** What the fargate apply role's permissions are scoped to. */
export interface FargatePermissionsProps {
  readonly service: string;
  readonly region: string;
  /** Account id (may be a cdktf token). */
  readonly accountId: string;
  readonly hostedZoneId: string;
  /** The one record name the tier may change (its "fargate" alias record). */
  readonly domain: string;
}

/** EC2 networking the tier creates: VPC, subnets, internet gateway, route table, security groups. */
const EC2_CREATES = ["CreateVpc", "CreateSubnet", "CreateInternetGateway", "CreateRouteTable", "CreateSecurityGroup"];

/**
 * The fargate workspace's apply permissions, in parts (RunRole makes each a
 * managed policy): only the tier's own resources. ELBv2 and ECS by name
 * (`<service>-*`), EC2 by the service tag, Application Auto Scaling for ECS
 * services (and only the tier's, see below), one record in the one zone,
 * alarms named `<service>-fargate-*` (not core's `<service>-*` alarms, which
 * wake the scaler while the tier is off),
 * the scaler's per-minute rule with its invoke permission, and the ALB's
 * invoke permission on the service function (weighted switch). No IAM action
 * at all, and no task definition: core registers the task definition from a
 * released digest (its apply is confirmed by a human), and this role may only
 * create or update the service with a revision of that family. So a commit
 * under `deploy/fargate/`, which this role applies unattended, can add or
 * remove the tier and nothing more. Core's outputs come from HCP Terraform
 * remote state, which needs no AWS permission; the tier's log group is only
 * named (it belongs to the bootstrap stack), so no Logs permission either. A
 * `*` resource appears only for actions without resource-level permissions
 * (Describe/list calls), each with a comment. The plan role gets the read
 * actions of these (readOnlyPolicies).
 */
export function fargatePermissions(p: FargatePermissionsProps): Record<string, Statement[]> {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${p.region}:${p.accountId}:${resource}`;
  const ec2 = (...types: string[]) => types.map((t) => arn("ec2", `${t}/*`));
  const tagged = { StringEquals: { [`aws:ResourceTag/${SERVICE_TAG_KEY}`]: p.service } };
  const tagging = { StringEquals: { [`aws:RequestTag/${SERVICE_TAG_KEY}`]: p.service } };
  const ecsService = arn("ecs", `service/${p.service}/${p.service}`);
  // Only core's family: the ECS condition key ecs:task-definition names the revision a request would run.
  const family = arn("ecs", `task-definition/${serviceNames(p.service).taskFamily}:*`);
  const s = p.service;
  return {
    network: [
      // EC2 Describe* actions have no resource-level permissions; AWS requires "*". Besides the
      // provider's own reads, ELB checks some of them against the caller (ELB_CALLER_PERMISSIONS).
      {
        Sid: "Ec2Read",
        Effect: "Allow",
        Action: [
          "ec2:DescribeAccountAttributes",
          // ELB's CreateLoadBalancer checks it against the caller.
          "ec2:DescribeAddresses",
          "ec2:DescribeAvailabilityZones",
          // ELB's RegisterTargets checks it against the caller.
          "ec2:DescribeInstances",
          "ec2:DescribeInternetGateways",
          "ec2:DescribeNetworkAcls",
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeRouteTables",
          "ec2:DescribeSecurityGroupRules",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSubnets",
          "ec2:DescribeVpcAttribute",
          "ec2:DescribeVpcs",
        ],
        Resource: "*",
      },
      // A new VPC or gateway must carry the service tag from its first moment.
      { Sid: "Ec2CreateTagged", Effect: "Allow", Action: ["ec2:CreateVpc", "ec2:CreateInternetGateway"], Resource: ec2("vpc", "internet-gateway"), Condition: tagging },
      // Subnets, route tables and security groups: the new resource carries the tag ...
      {
        Sid: "Ec2CreateTaggedInVpc",
        Effect: "Allow",
        Action: ["ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup"],
        Resource: ec2("subnet", "route-table", "security-group"),
        Condition: tagging,
      },
      // ... and the VPC they go into is the tier's own.
      { Sid: "Ec2CreateInOwnVpc", Effect: "Allow", Action: ["ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup"], Resource: ec2("vpc"), Condition: tagged },
      // Tag-on-create needs ec2:CreateTags, allowed only as part of those creates.
      {
        Sid: "Ec2TagOnCreate",
        Effect: "Allow",
        Action: ["ec2:CreateTags"],
        Resource: ec2("vpc", "subnet", "internet-gateway", "route-table", "security-group"),
        Condition: { StringEquals: { ...tagging.StringEquals, "ec2:CreateAction": EC2_CREATES } },
      },
      {
        Sid: "Ec2ChangeOwn",
        Effect: "Allow",
        Action: [
          "ec2:AssociateRouteTable",
          "ec2:AttachInternetGateway",
          "ec2:AuthorizeSecurityGroupEgress",
          "ec2:AuthorizeSecurityGroupIngress",
          "ec2:CreateRoute",
          "ec2:CreateTags",
          "ec2:DeleteInternetGateway",
          "ec2:DeleteRoute",
          "ec2:DeleteRouteTable",
          "ec2:DeleteSecurityGroup",
          "ec2:DeleteSubnet",
          "ec2:DeleteTags",
          "ec2:DeleteVpc",
          "ec2:DetachInternetGateway",
          "ec2:DisassociateRouteTable",
          "ec2:ModifySubnetAttribute",
          "ec2:ModifyVpcAttribute",
          "ec2:ReplaceRoute",
          "ec2:RevokeSecurityGroupEgress",
          "ec2:RevokeSecurityGroupIngress",
          "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
          "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
        ],
        Resource: ec2("vpc", "subnet", "internet-gateway", "route-table", "security-group"),
        Condition: tagged,
      },
      // The VPC's default security group exists untagged (EC2 creates it with the VPC), and the
      // stack adopts it (aws_default_security_group) to strip its rules: tagging it is its first
      // call. So a security group that has no service tag at all may be given this one; after that
      // Ec2ChangeOwn applies. Residual risk, accepted: the role could adopt another untagged
      // group in the account this way; groups tagged for any service are out of reach.
      {
        Sid: "Ec2AdoptDefaultSecurityGroup",
        Effect: "Allow",
        Action: ["ec2:CreateTags"],
        Resource: ec2("security-group"),
        Condition: { ...tagging, Null: { [`aws:ResourceTag/${SERVICE_TAG_KEY}`]: "true" } },
      },
    ],
    "load-balancing": [
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
          arn("elasticloadbalancing", `loadbalancer/app/${s}-*/*`),
          arn("elasticloadbalancing", `targetgroup/${s}-*/*`),
          arn("elasticloadbalancing", `listener/app/${s}-*/*/*`),
        ],
      },
    ],
    containers: [
      {
        Sid: "EcsOwn",
        Effect: "Allow",
        Action: [
          "ecs:CreateCluster",
          "ecs:DeleteCluster",
          "ecs:DeleteService",
          "ecs:DescribeClusters",
          "ecs:DescribeServices",
          "ecs:ListTagsForResource",
          "ecs:TagResource",
          "ecs:UntagResource",
          "ecs:UpdateCluster",
          "ecs:UpdateClusterSettings",
        ],
        Resource: [arn("ecs", `cluster/${s}`), ecsService],
      },
      // The service runs only a revision of core's family. No iam:PassRole: with awsvpc ECS uses its
      // service-linked role and the service takes no `role` (CreateService, "role"); the task's roles
      // were passed by core's RegisterTaskDefinition.
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
      { Sid: "EcsCreateServiceOfFamily", Effect: "Allow", Action: ["ecs:CreateService"], Resource: ecsService, Condition: { ArnLike: { "ecs:task-definition": family } } },
      // IfExists: Terraform's drain before a delete, and Application Auto Scaling's check when the
      // scalable target is registered, update the service without naming a task definition.
      { Sid: "EcsUpdateServiceToFamily", Effect: "Allow", Action: ["ecs:UpdateService"], Resource: ecsService, Condition: { ArnLikeIfExists: { "ecs:task-definition": family } } },
      // Application Auto Scaling's Describe* actions have no resource-level permissions; AWS requires "*".
      {
        Sid: "AutoscalingRead",
        Effect: "Allow",
        Action: ["application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingActivities", "application-autoscaling:DescribeScalingPolicies"],
        Resource: "*",
      },
      // Scalable-target ARNs carry a random id, not the service's name, so the scope here is "ECS
      // service desired counts"; registering one also checks the caller's ecs:DescribeServices and
      // ecs:UpdateService on that service, which this role has only for the tier's.
      {
        Sid: "AutoscalingEcsService",
        Effect: "Allow",
        Action: [
          "application-autoscaling:DeleteScalingPolicy",
          "application-autoscaling:DeregisterScalableTarget",
          "application-autoscaling:PutScalingPolicy",
          "application-autoscaling:RegisterScalableTarget",
        ],
        Resource: arn("application-autoscaling", "scalable-target/*"),
        Condition: { StringEquals: { "application-autoscaling:service-namespace": "ecs", "application-autoscaling:scalable-dimension": "ecs:service:DesiredCount" } },
      },
      {
        Sid: "AutoscalingTags",
        Effect: "Allow",
        Action: ["application-autoscaling:ListTagsForResource", "application-autoscaling:TagResource", "application-autoscaling:UntagResource"],
        Resource: arn("application-autoscaling", "scalable-target/*"),
      },
      // Target tracking's own alarms, named by Application Auto Scaling after the service.
      {
        Sid: "TargetTrackingAlarms",
        Effect: "Allow",
        Action: ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm"],
        Resource: arn("cloudwatch", `alarm:TargetTracking-service/${s}/${s}-*`),
      },
    ],
    "dns-and-alarms": [
      // Only the tier's own record: the service's A records (the "fargate" alias) in the one zone.
      {
        Sid: "TierRecord",
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets"],
        Resource: `arn:aws:route53:::hostedzone/${p.hostedZoneId}`,
        Condition: {
          "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": [p.domain], "route53:ChangeResourceRecordSetsRecordTypes": ["A"] },
        },
      },
      // aws_route53_record reads the zone (GetHostedZone, for its name) in every create, read, update and delete.
      { Sid: "ZoneRead", Effect: "Allow", Action: ["route53:GetHostedZone", "route53:ListResourceRecordSets"], Resource: `arn:aws:route53:::hostedzone/${p.hostedZoneId}` },
      { Sid: "ChangeStatus", Effect: "Allow", Action: ["route53:GetChange"], Resource: "arn:aws:route53:::change/*" },
      {
        Sid: "TierAlarms",
        Effect: "Allow",
        Action: ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"],
        Resource: arn("cloudwatch", `alarm:${s}-fargate-*`),
      },
      // The rule that runs core's scaler every minute while the tier exists (stacks/fargate/scaler-minute.ts):
      // that one rule and its target, and the scaler's resource policy statement letting EventBridge invoke it.
      {
        Sid: "ScalerMinuteRule",
        Effect: "Allow",
        Action: [...EVENT_RULE_ACTIONS],
        Resource: arn("events", `rule/${s}-scaler-minute`),
      },
      {
        Sid: "ScalerMinuteInvoke",
        Effect: "Allow",
        Action: ["lambda:AddPermission"],
        Resource: arn("lambda", `function:${s}-scaler`),
        Condition: { StringEquals: { "lambda:Principal": "events.amazonaws.com" } },
      },
      // Weighted switch (stacks/fargate/lambda-target.ts): the ALB's Lambda target group may invoke the
      // service function core created; only an ELB principal, and the stack scopes it to that target group.
      {
        Sid: "AlbInvoke",
        Effect: "Allow",
        Action: ["lambda:AddPermission"],
        Resource: arn("lambda", `function:${s}-api`),
        Condition: { StringEquals: { "lambda:Principal": "elasticloadbalancing.amazonaws.com" } },
      },
      // Reading and removing those two statements.
      { Sid: "InvokeRead", Effect: "Allow", Action: ["lambda:GetPolicy", "lambda:RemovePermission"], Resource: [arn("lambda", `function:${s}-scaler`), arn("lambda", `function:${s}-api`)] },
    ],
  };
}
