/**
 * The Lambda runtime around the production scaler: one invocation per
 * EventBridge schedule event, the handler's own wiring (`awsDeps`) and body
 * (`handleWith`) on emulated ports. Each call through a port takes a drawn
 * latency; an invocation whose calls run past the function's timeout is cut
 * off where it stands (later calls never happen, as when Lambda kills the
 * runtime) and the next invocation starts cold. Everything billable is
 * metered here from the calls the production code made.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Route53Client } from "@aws-sdk/client-route-53";
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { HttpClient } from "isomorphic-git";
import type { Fetch } from "../../scaler/adapters/terraform-cloud";
import { awsDeps, classifyEvent, handleWith } from "../../scaler/handler";
import type { ReconcileDeps } from "../../scaler/reconcile";
import type { ScalerSettings } from "../../scaler/settings";
import { jsonLogger } from "../../model/log";
import type { AlarmDefinition } from "./alarms";
import type { Rng } from "./clock";
import type { CloudWatchEmulator } from "./cloudwatch";
import type { World } from "./params";

interface Sender {
  send(command: unknown): Promise<unknown>;
}

/** The emulated services, each behind the interface production uses. */
export interface EmulatedPorts {
  readonly cloudwatch: Sender;
  readonly elb: Sender;
  readonly route53: Sender;
  readonly parameters: Sender;
  readonly dynamo: Sender;
  readonly fetch: Fetch;
  readonly gitHttp: HttpClient;
  readonly scheduler: Sender;
  readonly sns: Sender;
}

/** An EventBridge schedule event, as the core stack's rule sends it. */
const scheduledEvent = (at: Date, rule: string) => ({
  version: "0",
  id: "sim",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "123456789012",
  time: at.toISOString(),
  region: "us-east-1",
  resources: [`arn:aws:events:us-east-1:123456789012:rule/${rule}`],
  detail: {},
});

/** The event a CloudWatch alarm's Lambda action sends (AWS Lambda developer guide, "Using Lambda with CloudWatch alarms"). */
const alarmEvent = (a: AlarmDefinition, at: Date) => ({
  source: "aws.cloudwatch",
  alarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${a.name}`,
  accountId: "123456789012",
  time: at.toISOString(),
  region: "us-east-1",
  alarmData: {
    alarmName: a.name,
    state: { value: "ALARM", reason: "Threshold Crossed", timestamp: at.toISOString() },
    previousState: { value: "OK", reason: "Threshold Crossed", timestamp: at.toISOString() },
    configuration: {
      metrics: [
        {
          id: "m1",
          metricStat: {
            metric: { namespace: a.metric.namespace, name: a.metric.name, dimensions: a.metric.dimensions },
            period: 60,
            stat: "Sum",
          },
          returnData: true,
        },
      ],
    },
  },
});

/** Cold start of the scaler's runtime (init of the bundle and SDK clients). */
const INIT_MS = 400;
/** The handler's own compute per invocation (parsing, deciding, logging). */
const HANDLER_MS = 30;

export class ScalerHost {
  readonly meter = {
    invocations: 0,
    coldStarts: 0,
    billedMs: 0,
    timeouts: 0,
    errors: 0,
    retries: 0,
    logBytes: 0,
    /** Alert episodes: an alert kind raised by an invocation that the one before did not raise. */
    alerts: 0,
    alertKinds: {} as Record<string, number>,
    /** Invocations by what triggered them. */
    byTrigger: {} as Record<string, number>,
  };
  private deps: ReconcileDeps | undefined;
  private call: { elapsedMs: number; dead: boolean; kill: () => void } | undefined;
  private previousAlerts = new Set<string>();
  private retryQueue: Array<{ atMs: number; attempt: number; event: unknown }> = [];
  private readonly logger = jsonLogger((line) => {
    this.meter.logBytes += line.length + 1;
    if (line.includes('"msg":"decision"')) this.noteDecision(JSON.parse(line) as { alerts?: Array<{ kind: string }> });
  });
  private readonly perMinute = { minute: -1, errors: 0 };
  private readonly ports: Parameters<typeof awsDeps>[2];

  constructor(
    private readonly o: {
      settings: ScalerSettings;
      world: World;
      rng: Rng;
      now: () => number;
      emulators: EmulatedPorts;
      workRoot: string;
      /** Where Lambda publishes the scaler's Errors metric, for any alarm that watches it. */
      cloudwatch: CloudWatchEmulator;
      scalerFunctionName: string;
      /** The asynchronous invocation's on-failure destination. */
      onFailure?: (record: Record<string, unknown>) => void;
    },
  ) {
    const e = o.emulators;
    const aws = <T>(s: Sender): T =>
      ({
        send: (cmd: unknown) => this.through(this.o.world.scaler.apiLatencyMs, true, () => s.send(cmd)),
      }) as unknown as T;
    this.ports = {
      cloudwatch: aws<CloudWatchClient>(e.cloudwatch),
      elb: aws<ElasticLoadBalancingV2Client>(e.elb),
      route53: aws<Route53Client>(e.route53),
      parameters: aws<SSMClient>(e.parameters),
      dynamo: aws<DynamoDBClient>(e.dynamo),
      fetch: (url, init) => this.through(this.o.world.scaler.apiLatencyMs, false, () => e.fetch(url, init)),
      gitHttp: {
        request: (req) => this.through(this.o.world.scaler.gitLatencyMs, false, () => e.gitHttp.request(req)),
      },
      scheduler: aws<SchedulerClient>(e.scheduler),
      sns: aws<SNSClient>(e.sns),
      now: () => new Date(this.o.now()),
      workRoot: o.workRoot,
      terraformCloudUrl: "https://app.terraform.io",
    };
  }

  /** A port call: it takes its latency; past the deadline it never returns (the runtime was killed). */
  private through<T>(latencyMs: readonly [number, number], isAws: boolean, f: () => Promise<T>): Promise<T> {
    const c = this.call;
    if (!c || c.dead) return new Promise<T>(() => undefined);
    c.elapsedMs += this.o.rng.between(latencyMs);
    if (c.elapsedMs > this.o.world.scaler.timeoutSeconds * 1000) {
      c.dead = true;
      c.kill();
      return new Promise<T>(() => undefined);
    }
    if (isAws && this.o.rng.chance(this.o.world.aws.apiErrorRate)) {
      return Promise.reject(
        Object.assign(new Error("Rate exceeded"), {
          name: "ThrottlingException",
          $fault: "client",
          $metadata: { httpStatusCode: 400 },
        }),
      );
    }
    return f();
  }

  private noteDecision(d: { alerts?: Array<{ kind: string }> }): void {
    const kinds = new Set((d.alerts ?? []).map((a) => a.kind));
    for (const k of kinds) {
      if (!this.previousAlerts.has(k)) {
        this.meter.alerts++;
        this.meter.alertKinds[k] = (this.meter.alertKinds[k] ?? 0) + 1;
      }
    }
    this.previousAlerts = kinds;
  }

  /** Lambda's own Errors metric for the scaler (a count per minute). */
  private publishError(): void {
    const minuteMs = Math.floor(this.o.now() / 60_000) * 60_000;
    const m = this.perMinute;
    if (m.minute !== minuteMs) Object.assign(m, { minute: minuteMs, errors: 0 });
    this.o.cloudwatch.count(
      { namespace: "AWS/Lambda", name: "Errors", dimensions: { FunctionName: this.o.scalerFunctionName } },
      minuteMs,
      ++m.errors,
    );
  }

  /** Invokes the scaler for an EventBridge rule's event (the core stack's heartbeat or the fargate stack's per-minute rule), after any retry Lambda has due. */
  async scheduled(rule: string): Promise<void> {
    const now = this.o.now();
    const due = this.retryQueue.filter((r) => r.atMs <= now);
    this.retryQueue = this.retryQueue.filter((r) => r.atMs > now);
    for (const r of due) {
      this.meter.retries++;
      await this.invoke(r.attempt, r.event);
    }
    await this.invoke(0, scheduledEvent(new Date(now), rule));
  }

  /** Invokes the scaler with a one-time schedule's target input (the scaler re-arming itself). */
  async rearm(input: unknown): Promise<void> {
    await this.invoke(0, input);
  }

  /** Invokes the scaler through an alarm's Lambda action. */
  async alarm(a: AlarmDefinition): Promise<void> {
    await this.invoke(0, alarmEvent(a, new Date(this.o.now())));
  }

  private async invoke(attempt: number, event: unknown): Promise<void> {
    this.meter.invocations++;
    const trigger = classifyEvent(event);
    this.meter.byTrigger[trigger.kind] = (this.meter.byTrigger[trigger.kind] ?? 0) + 1;
    const cold = !this.deps;
    if (cold) this.meter.coldStarts++;
    let kill!: () => void;
    const killed = new Promise<"timeout">((resolve) => (kill = () => resolve("timeout")));
    const call = { elapsedMs: HANDLER_MS + (cold ? INIT_MS : 0), dead: false, kill };
    this.call = call;
    this.deps ??= awsDeps(this.o.settings, this.logger, this.ports);
    const at = new Date(this.o.now());
    const outcome = await Promise.race([
      handleWith(this.deps, trigger, this.logger).then(
        (r) => ({ ok: true as const, r }),
        (err: Error) => ({ ok: false as const, err }),
      ),
      killed,
    ]);
    this.call = undefined;
    const timeoutMs = this.o.world.scaler.timeoutSeconds * 1000;
    this.meter.billedMs += Math.min(timeoutMs, Math.ceil(call.elapsedMs));
    // What the invocation committed is read from the repository: a push can land even when the invocation then times out.
    if (outcome === "timeout" || !outcome.ok) {
      if (outcome === "timeout") {
        this.meter.timeouts++;
        this.logger("error", `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`);
      } else {
        this.meter.errors++;
        this.logger("error", "invocation failed", { error: outcome.err.message });
      }
      this.publishError();
      // The stack's on-failure destination: Lambda sends the failed invocation's record to the alerts topic.
      this.o.onFailure?.({
        requestPayload: event,
        responseContext: { functionError: "Unhandled" },
        condition: "RetriesExhausted",
      });
      // Lambda starts a fresh runtime after a crash or timeout: module state is gone.
      this.deps = undefined;
      // Asynchronous invocations are retried after 1, then 2 minutes, up to the configured attempts.
      if (attempt < this.o.world.scaler.retryAttempts)
        this.retryQueue.push({ atMs: at.getTime() + (attempt + 1) * 60_000, attempt: attempt + 1, event });
    }
  }
}
