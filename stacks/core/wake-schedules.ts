import { Construct } from "constructs";
import { Fn } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SchedulerScheduleGroup } from "@cdktf/provider-aws/lib/scheduler-schedule-group";
import { assumeRolePolicy, policyDocument } from "../policy";

export interface WakeSchedulesProps {
  /** The schedule group the scaler creates its one-time schedules in (`<service>-scaler`). */
  readonly groupName: string;
  /** The role EventBridge Scheduler assumes to invoke the scaler (`<service>-scheduler`). */
  readonly roleName: string;
  /**
   * The scaler function's ARN, built from its name (`arn:aws:lambda:<region>:<account>:function:<name>`)
   * rather than referenced: the scaler's settings name this role, so a reference back would be a cycle.
   */
  readonly scalerArn: string;
  /** The account (caller identity): the trust policy's aws:SourceAccount. */
  readonly accountId: string;
}

/**
 * What lets the scaler re-arm itself while the tier is off: a CloudWatch alarm
 * invokes its Lambda action once, on the transition to ALARM, so while a wake
 * alarm stays in ALARM the scaler creates a one-time EventBridge Scheduler
 * schedule (deleted after it runs) in this group, which invokes it again
 * through this role. Groups, the role and idle schedules cost nothing.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-group.html
 */
export class WakeSchedules extends Construct {
  public readonly group: SchedulerScheduleGroup;
  /** The role the scaler passes to CreateSchedule (it may invoke the scaler, nothing else). */
  public readonly role: IamRole;
  public readonly groupName: string;

  constructor(scope: Construct, id: string, props: WakeSchedulesProps) {
    super(scope, id);
    if (!/^[0-9a-zA-Z-_.]{1,64}$/.test(props.groupName)) throw new Error(`WakeSchedules ${id}: groupName must be 1-64 of [0-9a-zA-Z-_.], got "${props.groupName}"`);
    if (!/:function:[^:]+$/.test(props.scalerArn)) throw new Error(`WakeSchedules ${id}: scalerArn must be an unqualified function ARN, got "${props.scalerArn}"`);
    this.groupName = props.groupName;
    this.group = new SchedulerScheduleGroup(this, "group", { name: props.groupName });
    this.role = new IamRole(this, "role", { name: props.roleName, assumeRolePolicy: assumeRolePolicy("scheduler.amazonaws.com", props.accountId) });
    new IamRolePolicy(this, "policy", {
      role: this.role.id,
      name: "invoke-scaler",
      policy: Fn.jsonencode(policyDocument([{ Sid: "InvokeScaler", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: props.scalerArn }])),
    });
  }
}
