import { Construct } from "constructs";
import type { DeploymentConfig } from "../../config/schema";
import { scalerSettingsFrom } from "../../scaler/settings";
import { functionLogGroupName, roleArn, type ServiceNames } from "../../model/names";
import { scalerStatements } from "./scaler-policy";
import { ServiceRole } from "./service-role";

export interface ScalerRoleProps {
  /** The validated configuration: the scaler's settings, and so its role, come from it. */
  readonly config: DeploymentConfig;
  readonly names: ServiceNames;
  /** Account id (a cdktf token): trust and ARNs. */
  readonly accountId: string;
}

/**
 * The scaler function's role (`<service>-scaler-role`), with only what the
 * scaler does (stacks/bootstrap/scaler-policy.ts). Its statements come from
 * the same `scalerSettingsFrom` the core stack configures the function with,
 * fed the ARNs that core's resources get from their names.
 */
export class ScalerRole extends Construct {
  public readonly role: ServiceRole;

  constructor(scope: Construct, id: string, props: ScalerRoleProps) {
    super(scope, id);
    const c = props.config;
    const n = props.names;
    const arn = (service: string, resource: string) => `arn:aws:${service}:${c.region}:${props.accountId}:${resource}`;
    const settings = scalerSettingsFrom(c, {
      apiId: "", // not part of the role (ScalerRoleSettings): the scaler reads API Gateway's metrics through GetMetricData
      functionName: n.apiFunction,
      tableName: n.table,
      alertTopicArn: arn("sns", n.alertTopic),
      scalerArn: arn("lambda", `function:${n.scalerFunction}`),
      schedulerRoleArn: roleArn(props.accountId, n.roles.scheduler),
    });
    this.role = new ServiceRole(this, "role", {
      name: n.roles.scaler,
      assumedBy: "lambda.amazonaws.com",
      accountId: props.accountId,
      policyName: "scaler",
      statements: scalerStatements({
        settings,
        region: c.region,
        accountId: props.accountId,
        logGroupArn: arn("logs", `log-group:${functionLogGroupName(n.scalerFunction)}`),
        tableArn: arn("dynamodb", `table/${n.table}`),
      }),
    });
  }
}
