import { Construct } from "constructs";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { only } from "../conditional";

/** AWS's defaults for a Lambda target group's health check; the timeout must exceed the function's own. */
export const LAMBDA_HEALTH_CHECK = { interval: 35, timeout: 30 } as const;

export interface LambdaTargetProps {
  /** The target group's name (`<service>-lambda-tg`), the name the scaler looks up. */
  readonly targetGroupName: string;
  /** The service function API Gateway invokes (core stack), the same code the tasks run. */
  readonly function: LambdaFunction;
  /** The function's timeout in seconds: the health check's timeout must be longer. */
  readonly functionTimeoutSeconds: number;
  /** Path the health check GETs (`app.healthPath`); 200 means healthy. */
  readonly healthCheckPath: string;
  /** Terraform count: 1 while the tier exists. */
  readonly count: number;
}

/**
 * The ALB's Lambda target group: the service function behind the same
 * listener as the tasks, so the scaler can shift traffic by weight (canary,
 * spill-over, drain) without touching DNS. ELB may invoke the function only
 * for this target group (`source_arn`), and the target is registered after
 * that permission exists (registration fails without it).
 */
export class LambdaTarget extends Construct {
  public readonly targetGroup: LbTargetGroup;
  /** ARN of the single (counted) target group instance. */
  public readonly targetGroupArn: string;
  public readonly targetGroupArnSuffix: string;

  constructor(scope: Construct, id: string, props: LambdaTargetProps) {
    super(scope, id);
    if (props.functionTimeoutSeconds >= LAMBDA_HEALTH_CHECK.timeout) {
      throw new Error(
        `LambdaTarget ${id}: functionTimeoutSeconds must be below the health check timeout of ${LAMBDA_HEALTH_CHECK.timeout} s, got ${props.functionTimeoutSeconds}`,
      );
    }
    this.targetGroup = new LbTargetGroup(this, "targets", {
      name: props.targetGroupName,
      targetType: "lambda",
      // Repeated headers and query parameters (Set-Cookie) reach the app as arrays, as from API Gateway.
      lambdaMultiValueHeadersEnabled: true,
      // Off by default for Lambda targets. On, the ALB alias record's evaluate_target_health sees a
      // healthy target group while the tasks boot (a Lambda target with checks off is "unavailable").
      healthCheck: {
        enabled: true,
        path: props.healthCheckPath,
        matcher: "200",
        interval: LAMBDA_HEALTH_CHECK.interval,
        timeout: LAMBDA_HEALTH_CHECK.timeout,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      },
      count: props.count,
    });
    this.targetGroupArn = only(this.targetGroup, "arn");
    this.targetGroupArnSuffix = only(this.targetGroup, "arn_suffix");
    const permission = new LambdaPermission(this, "invoke", {
      statementId: "AllowInvokeFromTierAlb",
      action: "lambda:InvokeFunction",
      functionName: props.function.functionName,
      principal: "elasticloadbalancing.amazonaws.com",
      sourceArn: this.targetGroupArn,
      count: props.count,
    });
    new LbTargetGroupAttachment(this, "attachment", {
      targetGroupArn: this.targetGroupArn,
      targetId: props.function.arn,
      dependsOn: [permission],
      count: props.count,
    });
  }
}
