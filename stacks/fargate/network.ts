import { Construct } from "constructs";
import { Fn, type ITerraformDependable } from "cdktf";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { only } from "../conditional";

export interface NetworkProps {
  readonly name: string;
  /** /16 for the VPC; the two subnets take its first two /24s. @default 10.42.0.0/16 */
  readonly cidr?: string;
  /** Terraform count: 1 while the tier exists. */
  readonly count: number;
}

/**
 * A VPC with two public subnets in two AZs, an internet gateway and a default
 * route. No NAT gateway (about $33/month each): tasks get public IPs, and their
 * security group admits only the ALB.
 */
export class Network extends Construct {
  public readonly vpcId: string;
  public readonly cidr: string;
  public readonly subnetIds: string[];
  /** The internet gateway and the subnets' route table associations: the subnets are public only once these exist. */
  public readonly publicRouting: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const cidr = props.cidr ?? "10.42.0.0/16";
    if (!/^\d+\.\d+\.0\.0\/16$/.test(cidr))
      throw new Error(`Network ${id}: cidr must be a /16 such as 10.42.0.0/16, got ${cidr}`);
    this.cidr = cidr;
    const zones = new DataAwsAvailabilityZones(this, "zones", { state: "available" });
    const vpc = new Vpc(this, "vpc", {
      cidrBlock: cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.name },
      count: props.count,
    });
    this.vpcId = only(vpc, "id");
    // The default security group admits its own members; strip it so nothing relies on it.
    new DefaultSecurityGroup(this, "default-sg", { vpcId: this.vpcId, count: props.count });
    const igw = new InternetGateway(this, "igw", { vpcId: this.vpcId, count: props.count });
    const routes = new RouteTable(this, "public", {
      vpcId: this.vpcId,
      route: [{ cidrBlock: "0.0.0.0/0", gatewayId: only(igw, "id") }],
      count: props.count,
    });
    const associations: RouteTableAssociation[] = [];
    this.subnetIds = [0, 1].map((i) => {
      const subnet = new Subnet(this, `public-${i}`, {
        vpcId: this.vpcId,
        cidrBlock: Fn.cidrsubnet(cidr, 8, i),
        availabilityZone: Fn.element(zones.names, i),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.name}-public-${i}` },
        count: props.count,
      });
      associations.push(
        new RouteTableAssociation(this, `public-${i}-routes`, {
          subnetId: only(subnet, "id"),
          routeTableId: only(routes, "id"),
          count: props.count,
        }),
      );
      return only(subnet, "id");
    });
    this.publicRouting = [igw, ...associations];
  }
}
