/**
 * CloudWatch alarms, as the synthesized core and fargate stacks define them, evaluated
 * every minute on what CloudWatch has published so far (so an alarm sees the
 * same lag the scaler does). An alarm that enters ALARM runs its actions: a
 * Lambda action invokes the scaler, an SNS action pages someone.
 */
import type { CloudWatchEmulator, MetricId } from "./cloudwatch";

const MINUTE = 60_000;
/** Extra periods an evaluation reaches back for late datapoints. */
const LOOK_BACK = 3;

type Comparison =
  "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";

export interface AlarmDefinition {
  readonly name: string;
  readonly metric: MetricId;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly treatMissingData: "notBreaching" | "breaching" | "ignore" | "missing";
  /** What the alarm's actions reach: the scaler function, an SNS topic, or nothing. */
  readonly action: "scaler" | "page" | "none";
  /** For an alarm on a resource that comes and goes (the fargate stack's ALB): its metric now, or undefined while it does not exist. */
  readonly current?: () => MetricId | undefined;
}

interface StackJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
}

/**
 * Reads the alarms of a synthesized stack (cdk.tf.json). Dimension values that
 * are Terraform references are resolved the way an apply would: a function's
 * `function_name` from its resource, the HTTP API's id from `apiId`.
 */
export function alarmsFromStack(
  json: StackJson,
  o: {
    apiId: string;
    scalerFunctionName: string;
    albDimension?: () => string | undefined;
    targetGroupDimension?: () => string | undefined;
  },
): AlarmDefinition[] {
  const functions = json.resource?.aws_lambda_function ?? {};
  const resolve = (value: string): string => {
    const ref = /^\$\{aws_lambda_function\.([^.]+)\.(function_name|arn)\}$/.exec(value);
    if (ref) return String(functions[ref[1]!]?.function_name ?? value);
    // The fargate stack reaches the core stack's scaler through a cross-stack output.
    if (
      /^\$\{data\.terraform_remote_state\.[^}]*outputs\.cross-stack-output-aws_lambda_functionscaler_function_[A-Za-z0-9]+arn\}$/.test(
        value,
      )
    )
      return o.scalerFunctionName;
    if (/^\$\{aws_apigatewayv2_api\.[^.]+\.id\}$/.test(value)) return o.apiId;
    return value;
  };
  return Object.values(json.resource?.aws_cloudwatch_metric_alarm ?? {}).map((a) => {
    const actions = ((a.alarm_actions as string[] | undefined) ?? []).map((x) =>
      x.startsWith("${aws_sns_topic.") ? "page" : resolve(x),
    );
    const dims = Object.fromEntries(
      Object.entries((a.dimensions as Record<string, string> | undefined) ?? {}).map(([k, v]) => [k, resolve(v)]),
    );
    const periods = Number(a.evaluation_periods);
    // An ALB's or target group's arn_suffix is known only while it exists; the alarm lives and dies with it (count = local.tier_enabled).
    const live: Array<[string, () => string | undefined]> = [];
    for (const [key, value] of Object.entries(dims)) {
      if (/^\$\{aws_lb\.[^.]+\.arn_suffix\}$/.test(value) && o.albDimension) live.push([key, o.albDimension]);
      if (/^\$\{aws_lb_target_group\.[^.]+\.arn_suffix\}$/.test(value) && o.targetGroupDimension)
        live.push([key, o.targetGroupDimension]);
    }
    const metric = { namespace: String(a.namespace), name: String(a.metric_name), dimensions: dims };
    const current =
      live.length > 0
        ? () => {
            const resolved: Record<string, string> = { ...dims };
            for (const [key, of] of live) {
              const value = of();
              if (value === undefined) return undefined;
              resolved[key] = value;
            }
            return { ...metric, dimensions: resolved };
          }
        : undefined;
    return {
      current,
      name: String(a.alarm_name),
      metric,
      evaluationPeriods: periods,
      datapointsToAlarm: Number(a.datapoints_to_alarm ?? periods),
      threshold: Number(a.threshold),
      comparison: a.comparison_operator as Comparison,
      treatMissingData: (a.treat_missing_data as AlarmDefinition["treatMissingData"] | undefined) ?? "missing",
      action: actions.includes(o.scalerFunctionName) ? "scaler" : actions.includes("page") ? "page" : "none",
    };
  });
}

const breaches = (c: Comparison, v: number, t: number): boolean =>
  c === "GreaterThanThreshold"
    ? v > t
    : c === "GreaterThanOrEqualToThreshold"
      ? v >= t
      : c === "LessThanThreshold"
        ? v < t
        : v <= t;

/** Evaluates alarms against the CloudWatch emulator's published datapoints. */
export class AlarmEmulator {
  readonly meter = { evaluations: 0, toAlarm: {} as Record<string, number> };
  private readonly state = new Map<string, "OK" | "ALARM">();

  constructor(
    readonly alarms: readonly AlarmDefinition[],
    private readonly cloudwatch: CloudWatchEmulator,
    private readonly now: () => number,
  ) {}

  /** Answers DescribeAlarms (by AlarmNames, optionally StateValue) with the alarms' current states, as the scaler's CloudWatch client sees them. */
  describe(input: { AlarmNames?: string[]; StateValue?: string }): unknown {
    const names = new Set(input.AlarmNames ?? this.alarms.map((a) => a.name));
    const found = this.alarms
      .filter((a) => names.has(a.name) && (!a.current || a.current() !== undefined))
      .map((a) => ({
        AlarmName: a.name,
        AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${a.name}`,
        StateValue: this.state.get(a.name) ?? "INSUFFICIENT_DATA",
      }))
      .filter((a) => !input.StateValue || a.StateValue === input.StateValue);
    return { $metadata: { httpStatusCode: 200 }, MetricAlarms: found, CompositeAlarms: [] };
  }

  /**
   * One evaluation of every alarm; returns the alarms that just entered ALARM.
   * As CloudWatch does, it looks further back than the evaluation periods (the
   * newest minutes are usually not published yet) and uses the newest N
   * datapoints it finds; only when fewer exist are the gaps treated as
   * `treatMissingData` says ("Configuring how CloudWatch alarms treat missing data").
   */
  evaluate(): AlarmDefinition[] {
    const now = this.now();
    const lastMinute = Math.floor(now / MINUTE) * MINUTE - MINUTE;
    const fired: AlarmDefinition[] = [];
    for (const a of this.alarms) {
      const metric = a.current ? a.current() : a.metric;
      if (!metric) {
        // Destroyed with its resource; a new one starts without a state.
        this.state.delete(a.name);
        continue;
      }
      this.meter.evaluations++;
      const found: number[] = [];
      for (let i = 0; i < a.evaluationPeriods + LOOK_BACK && found.length < a.evaluationPeriods; i++) {
        const v = this.cloudwatch.datapoint(metric, lastMinute - i * MINUTE, now);
        if (v !== undefined) found.push(v);
      }
      let breaching = found.filter((v) => breaches(a.comparison, v, a.threshold)).length;
      if (a.treatMissingData === "breaching") breaching += a.evaluationPeriods - found.length;
      const next = breaching >= a.datapointsToAlarm ? "ALARM" : "OK";
      if (next === "ALARM" && this.state.get(a.name) !== "ALARM") {
        fired.push(a);
        this.meter.toAlarm[a.name] = (this.meter.toAlarm[a.name] ?? 0) + 1;
      }
      this.state.set(a.name, next);
    }
    return fired;
  }
}
