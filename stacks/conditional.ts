import { ref, TerraformStack, Token, type TerraformResource } from "cdktf";

/**
 * A reference to attribute `attr` of the single instance of a resource that
 * has `count` set (`aws_lb.alb[0].arn`). cdktf renders plain attribute
 * references without the index, which Terraform rejects for counted
 * resources. Built with `ref` so cdktf still treats it as a reference (a raw
 * "${...}" string would be escaped to a literal inside jsonencode). Use it
 * only from resources with the same count, so it is never evaluated at 0.
 */
export function only(resource: TerraformResource, attr: string): string {
  return Token.asString(
    ref(`${resource.terraformResourceType}.${resource.friendlyUniqueId}[0].${attr}`, TerraformStack.of(resource)),
  );
}
