import { Construct } from "constructs";
import type { ServiceNames } from "../../model/names";
import { ServiceRole } from "./service-role";

export interface SchedulerRoleProps {
  readonly names: ServiceNames;
  readonly region: string;
  /** Account id (a cdktf token): trust and the scaler's ARN. */
  readonly accountId: string;
}

/**
 * The role EventBridge Scheduler assumes to invoke the scaler
 * (`<service>-scheduler`): the scaler's one-time re-arm schedules run as it
 * while a wake alarm stays in ALARM (stacks/core/wake-schedules.ts). It may
 * invoke the scaler and nothing else; the scaler passes it to
 * scheduler.amazonaws.com only.
 */
export class SchedulerRole extends Construct {
  public readonly role: ServiceRole;

  constructor(scope: Construct, id: string, props: SchedulerRoleProps) {
    super(scope, id);
    const scalerArn = `arn:aws:lambda:${props.region}:${props.accountId}:function:${props.names.scalerFunction}`;
    this.role = new ServiceRole(this, "role", {
      name: props.names.roles.scheduler,
      assumedBy: "scheduler.amazonaws.com",
      accountId: props.accountId,
      policyName: "invoke-scaler",
      statements: [{ Sid: "InvokeScaler", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: scalerArn }],
    });
  }
}
