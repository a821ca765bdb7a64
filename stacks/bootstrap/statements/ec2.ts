import type { Statement } from "../../policy";
import { SERVICE_TAG_KEY } from "../service-tag";
import type { PermissionScope } from "./scope";

/** EC2 networking the tier creates: VPC, subnets, internet gateway, route table, security groups. */
const EC2_CREATES = ["CreateVpc", "CreateSubnet", "CreateInternetGateway", "CreateRouteTable", "CreateSecurityGroup"];

/**
 * Fargate: the tier's network. EC2 IDs are random, so everything is held to resources carrying the
 * service tag, which a new resource must carry from its first moment.
 */
export function ec2Statements({ arn, service }: PermissionScope): Statement[] {
  const ec2 = (...types: string[]) => types.map((t) => arn("ec2", `${t}/*`));
  const tagged = { StringEquals: { [`aws:ResourceTag/${SERVICE_TAG_KEY}`]: service } };
  const tagging = { StringEquals: { [`aws:RequestTag/${SERVICE_TAG_KEY}`]: service } };
  return [
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
    {
      Sid: "Ec2CreateTagged",
      Effect: "Allow",
      Action: ["ec2:CreateVpc", "ec2:CreateInternetGateway"],
      Resource: ec2("vpc", "internet-gateway"),
      Condition: tagging,
    },
    // Subnets, route tables and security groups: the new resource carries the tag ...
    {
      Sid: "Ec2CreateTaggedInVpc",
      Effect: "Allow",
      Action: ["ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup"],
      Resource: ec2("subnet", "route-table", "security-group"),
      Condition: tagging,
    },
    // ... and the VPC they go into is the tier's own.
    {
      Sid: "Ec2CreateInOwnVpc",
      Effect: "Allow",
      Action: ["ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup"],
      Resource: ec2("vpc"),
      Condition: tagged,
    },
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
  ];
}
