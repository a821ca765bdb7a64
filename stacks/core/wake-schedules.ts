import { Construct } from "constructs";
import { SchedulerScheduleGroup } from "@cdktf/provider-aws/lib/scheduler-schedule-group";

export interface WakeSchedulesProps {
  /** The schedule group the scaler creates its one-time schedules in (`<service>-scaler`). */
  readonly groupName: string;
}

/**
 * What lets the scaler re-arm itself while the tier is off: a CloudWatch alarm
 * invokes its Lambda action once, on the transition to ALARM, so while a wake
 * alarm stays in ALARM the scaler creates a one-time EventBridge Scheduler
 * schedule (deleted after it runs) in this group, which invokes it again
 * through the bootstrap stack's `<service>-scheduler` role
 * (stacks/bootstrap/scheduler-role.ts). Groups and idle schedules cost nothing.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-group.html
 */
export class WakeSchedules extends Construct {
  public readonly group: SchedulerScheduleGroup;
  public readonly groupName: string;

  constructor(scope: Construct, id: string, props: WakeSchedulesProps) {
    super(scope, id);
    if (!/^[0-9a-zA-Z-_.]{1,64}$/.test(props.groupName))
      throw new Error(`WakeSchedules ${id}: groupName must be 1-64 of [0-9a-zA-Z-_.], got "${props.groupName}"`);
    this.groupName = props.groupName;
    this.group = new SchedulerScheduleGroup(this, "group", { name: props.groupName });
  }
}
