import { Token, type TerraformResource } from "cdktf";

/**
 * A reference to attribute `attr` of the single instance of a resource that
 * has `count` set (`aws_lb.alb[0].arn`). cdktf renders plain references
 * without the index, which Terraform rejects for counted resources. Only use
 * it from resources with the same count, so it is never evaluated when the
 * count is 0.
 */
export function only(resource: TerraformResource, attr: string): string {
  return Token.asString(`\${${resource.terraformResourceType}.${resource.friendlyUniqueId}[0].${attr}}`);
}
