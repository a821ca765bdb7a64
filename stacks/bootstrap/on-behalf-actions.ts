/**
 * Actions Elastic Load Balancing checks against the caller, beside the ELB action itself, when
 * it calls EC2 and IAM for that caller: by API operation (ELBv2, the 2015-12-01 API), as AWS
 * documents them in "Elastic Load Balancing API permissions":
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-permissions.html
 * A run role that may call the operation needs these too, or the call fails with the EC2
 * action's AccessDenied (issue 20: CreateLoadBalancer without ec2:DescribeAddresses).
 */
export const ELB_CALLER_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  CreateLoadBalancer: [
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAddresses",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "iam:CreateServiceLinkedRole",
  ],
  CreateTargetGroup: ["ec2:DescribeInternetGateways", "ec2:DescribeVpcs"],
  RegisterTargets: ["ec2:DescribeInstances", "ec2:DescribeInternetGateways", "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
  SetIpAddressType: ["ec2:DescribeSubnets"],
  SetSubnets: ["ec2:DescribeSubnets"],
};

/**
 * Documented actions the fargate run role deliberately lacks, each with the reason. ELB calls
 * iam:CreateServiceLinkedRole only while its service-linked role is missing; the bootstrap stack
 * creates that role (stacks/bootstrap/service-linked-roles.ts) and `npm run doctor` checks it.
 */
export const ELB_CALLER_PERMISSIONS_WITHHELD: Readonly<Record<string, string>> = {
  "iam:CreateServiceLinkedRole":
    "the bootstrap stack creates AWSServiceRoleForElasticLoadBalancing before the first fargate apply, and npm run doctor checks it exists",
};
