/** SNS: the operators' alert topic. Every message published is a page (an e-mail to the subscriber). */
export class SnsEmulator {
  readonly meter = { calls: 0 };
  readonly messages: Array<{ atMs: number; subject?: string; message: string }> = [];

  constructor(private readonly o: { topicArn: string; now: () => number }) {}

  async send(command: { constructor: { name: string }; input: any }): Promise<unknown> {
    this.meter.calls++;
    if (command.constructor.name !== "PublishCommand")
      throw Object.assign(new Error(`The SNS emulator does not serve ${command.constructor.name}`), {
        name: "InvalidParameterException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
    const i = command.input as { TopicArn?: string; Subject?: string; Message?: string };
    if (i.TopicArn !== this.o.topicArn)
      throw Object.assign(new Error("Topic does not exist"), {
        name: "NotFoundException",
        $fault: "client",
        $metadata: { httpStatusCode: 404 },
      });
    if (!i.Message)
      throw Object.assign(new Error("Invalid parameter: Empty message"), {
        name: "InvalidParameterException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
    if (i.Subject !== undefined && i.Subject.length > 100)
      throw Object.assign(new Error("Invalid parameter: Subject"), {
        name: "InvalidParameterException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
    this.messages.push({ atMs: this.o.now(), subject: i.Subject, message: i.Message });
    return {
      $metadata: { httpStatusCode: 200 },
      MessageId: `00000000-0000-4000-8000-${this.messages.length.toString(16).padStart(12, "0")}`,
    };
  }

  /** The on-failure destination of an asynchronous invocation: Lambda publishes the invocation record. */
  deliverFailure(record: Record<string, unknown>): void {
    this.messages.push({
      atMs: this.o.now(),
      subject: "Lambda async invocation failed",
      message: JSON.stringify(record),
    });
  }
}
