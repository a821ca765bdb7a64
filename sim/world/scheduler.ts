/**
 * EventBridge Scheduler: the one-time schedules the scaler creates to re-arm
 * itself, answered through `CreateSchedule` with its real conflict error. A
 * schedule fires its target at its `at(...)` time and, with
 * ActionAfterCompletion DELETE, is gone afterwards.
 */
export interface DueInvocation {
  readonly name: string;
  readonly atMs: number;
  readonly input: unknown;
}

export class SchedulerEmulator {
  readonly meter = { calls: 0, created: 0, conflicts: 0, fired: 0 };
  private readonly schedules = new Map<string, DueInvocation & { group: string }>();

  constructor(private readonly o: { now: () => number; groups: readonly string[]; targetArn: string }) {}

  async send(command: { constructor: { name: string }; input: any }): Promise<unknown> {
    this.meter.calls++;
    if (command.constructor.name !== "CreateScheduleCommand") {
      throw Object.assign(new Error(`The Scheduler emulator does not serve ${command.constructor.name}`), {
        name: "ValidationException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
    }
    const i = command.input as {
      Name?: string;
      GroupName?: string;
      ScheduleExpression?: string;
      ScheduleExpressionTimezone?: string;
      Target?: { Arn?: string; Input?: string };
    };
    const group = i.GroupName ?? "default";
    if (!this.o.groups.includes(group))
      throw Object.assign(new Error(`Schedule group ${group} does not exist.`), {
        name: "ResourceNotFoundException",
        $fault: "client",
        $metadata: { httpStatusCode: 404 },
      });
    const m = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(i.ScheduleExpression ?? "");
    if (!m)
      throw Object.assign(new Error(`Invalid Schedule Expression ${i.ScheduleExpression}.`), {
        name: "ValidationException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
    if (i.Target?.Arn !== this.o.targetArn)
      throw Object.assign(new Error(`target ${i.Target?.Arn} is not the scaler`), {
        name: "ValidationException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
    const key = `${group}/${i.Name}`;
    if (this.schedules.has(key)) {
      this.meter.conflicts++;
      throw Object.assign(new Error(`Schedule ${i.Name} already exists.`), {
        name: "ConflictException",
        $fault: "client",
        $metadata: { httpStatusCode: 409 },
      });
    }
    // at() is local to ScheduleExpressionTimezone; the scaler uses UTC.
    const atMs = Date.parse(`${m[1]}Z`);
    this.schedules.set(key, {
      name: String(i.Name),
      group,
      atMs: Math.max(atMs, this.o.now()),
      input: JSON.parse(i.Target?.Input ?? "{}"),
    });
    this.meter.created++;
    return {
      $metadata: { httpStatusCode: 200 },
      ScheduleArn: `arn:aws:scheduler:us-east-1:123456789012:schedule/${key}`,
    };
  }

  /** Schedules due by `untilMs`, in time order; each fires once and is deleted (ActionAfterCompletion DELETE). */
  takeDue(untilMs: number): DueInvocation[] {
    const due = [...this.schedules.entries()]
      .filter(([, s]) => s.atMs <= untilMs)
      .sort(([, a], [, b]) => a.atMs - b.atMs);
    for (const [key] of due) this.schedules.delete(key);
    this.meter.fired += due.length;
    return due.map(([, s]) => ({ name: s.name, atMs: s.atMs, input: s.input }));
  }

  /** When the next schedule fires, if any. */
  nextAt(): number | undefined {
    let next: number | undefined;
    for (const s of this.schedules.values()) if (next === undefined || s.atMs < next) next = s.atMs;
    return next;
  }
}
