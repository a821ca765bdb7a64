import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { only } from "../conditional";

export interface ScalerMinuteProps {
  /** The rule's name (`<service>-scaler-minute`); the fargate run role may manage this rule only. */
  readonly name: string;
  /** The core stack's scaler function (a cross-stack reference). */
  readonly scaler: LambdaFunction;
  /** Terraform count: 1 while the tier exists. */
  readonly count: number;
}

/**
 * Runs the scaler every minute while the Fargate tier changes (warming,
 * draining: the `count` the stack passes), when decisions need minute
 * resolution. Off and serving, core's hourly heartbeat, the wake, low-demand
 * and overload alarms and the scaler's own re-arms invoke it (about 730
 * invocations a month instead of 43,800 while nothing happens).
 */
export class ScalerMinute extends Construct {
  constructor(scope: Construct, id: string, props: ScalerMinuteProps) {
    super(scope, id);
    const rule = new CloudwatchEventRule(this, "rule", {
      name: props.name,
      description: "Runs the scaler every minute while the Fargate tier changes (warming, draining).",
      scheduleExpression: "rate(1 minute)",
      count: props.count,
    });
    new CloudwatchEventTarget(this, "target", { rule: only(rule, "name"), arn: props.scaler.arn, count: props.count });
    new LambdaPermission(this, "permission", {
      statementId: "AllowFargateTierMinute",
      action: "lambda:InvokeFunction",
      functionName: props.scaler.functionName,
      principal: "events.amazonaws.com",
      sourceArn: only(rule, "arn"),
      count: props.count,
    });
  }
}
