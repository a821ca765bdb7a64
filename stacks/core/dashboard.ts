import { Fn } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";

export interface DashboardProps {
  readonly name: string;
  readonly region: string;
  /** The tier's load balancer and tasks' target group, found by name: they come and go with the tier. */
  readonly albName: string;
  readonly targetGroupName: string;
  readonly apiId: string;
  readonly functionName: string;
  readonly scalerFunctionName: string;
  /** Demand (req/s) where both tiers cost the same: the policy's pivot. */
  readonly breakEvenRps: number;
}

/** One page for the on-call: demand on each tier against break-even, health, and the scaler. */
export class Dashboard extends Construct {
  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const widget = (title: string, metrics: unknown[], extra: Record<string, unknown> = {}) => ({
      type: "metric",
      width: 12,
      height: 6,
      properties: { title, region: props.region, view: "timeSeries", period: 60, metrics, ...extra },
    });
    const perMinute = (rps: number, label: string) => ({ label, value: rps * 60 });
    new CloudwatchDashboard(this, "dashboard", {
      dashboardName: props.name,
      // Fn.jsonencode, so the HCL exit path (synth:hcl) escapes the references too. cdktf 0.21's
      // jsonencode does not escape double quotes inside strings, so the SEARCH terms are unquoted.
      dashboardBody: Fn.jsonencode({
        widgets: [
          widget(
            "Demand (requests/min): Lambda tier and Fargate tier",
            [
              ["AWS/ApiGateway", "Count", "ApiId", props.apiId, { stat: "Sum", label: "API Gateway (Lambda tier)" }],
              [
                {
                  expression: `SUM(SEARCH('{AWS/ApplicationELB,LoadBalancer} MetricName=RequestCount ${props.albName}', 'Sum', 60))`,
                  label: "ALB (Fargate tier)",
                },
              ],
            ],
            { annotations: { horizontal: [perMinute(props.breakEvenRps, "break-even")] } },
          ),
          widget("Lambda concurrency and throttles", [
            ["AWS/Lambda", "ConcurrentExecutions", "FunctionName", props.functionName, { stat: "Maximum" }],
            ["AWS/Lambda", "Throttles", "FunctionName", props.functionName, { stat: "Sum" }],
          ]),
          widget("Fargate healthy hosts", [
            [
              {
                expression: `SUM(SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName=HealthyHostCount ${props.targetGroupName}', 'Minimum', 60))`,
                label: "healthy hosts",
              },
            ],
          ]),
          widget("Scaler", [["AWS/Lambda", "Errors", "FunctionName", props.scalerFunctionName, { stat: "Sum" }]]),
        ],
      }),
    });
  }
}
