import "cdktf/lib/testing/adapters/jest"; // the matchers' types
import { Testing } from "cdktf";
import { loadDeploymentConfig } from "../../config/load";
import { SCALER_STATUS_KEY } from "../../model/status-item";
import { serviceNames, wakeAlarms } from "../../model/names";
import { buildStacks } from "../../stacks/app";
import { ServiceRole } from "../../stacks/bootstrap/service-role";
import type { DeploymentConfig } from "../../config/schema";
import { decodeJsonencode } from "../helpers/terraform";

// The roles the service runs with, made once by the bootstrap stack (stacks/bootstrap/*-role.ts,
// task-roles.ts), with the permissions core's and fargate's resources had when they made them.
Testing.setupJest();

const config = loadDeploymentConfig(undefined, {});
const synthBootstrap = (c: DeploymentConfig = config) =>
  JSON.parse(Testing.synth(buildStacks(Testing.app(), c).bootstrap)) as Record<string, any>;
const json = synthBootstrap();

const ACCOUNT = "${data.aws_caller_identity.account.account_id}";
const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:${ACCOUNT}:${resource}`;
const roles = (j: Record<string, any>) => Object.entries(j.resource.aws_iam_role as Record<string, any>);
const role = (j: Record<string, any>, name: string) => {
  const found = roles(j).find(([, r]) => r.name === name);
  if (!found) throw new Error(`no role ${name}`);
  return { key: found[0], ...found[1] };
};
/** The statements of the one inline policy a role has. */
const policyOf = (j: Record<string, any>, name: string) => {
  const { key } = role(j, name);
  const policies = (Object.values(j.resource.aws_iam_role_policy) as any[]).filter(
    (p) => p.role === `\${aws_iam_role.${key}.id}`,
  );
  expect(policies).toHaveLength(1);
  return { name: policies[0].name as string, statements: decodeJsonencode(policies[0].policy).Statement as any[] };
};
const sid = (statements: any[], id: string) => statements.find((s) => s.Sid === id);
const actionsOf = (statements: any[]) => statements.flatMap((s) => s.Action as string[]).sort();
const TABLE = arn("dynamodb", "table/lambdaflex-links");
const DENY_STATUS = {
  Sid: "NeverTheScalerStatus",
  Effect: "Deny",
  Action: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
  Resource: TABLE,
  // ForAnyValue: a batch that touches the status key at all is denied (ForAllValues would let a mixed batch through).
  Condition: { "ForAnyValue:StringEquals": { "dynamodb:LeadingKeys": [SCALER_STATUS_KEY] } },
};

describe("the service's roles (bootstrap stack)", () => {
  it("lets each AWS service assume only its own roles, and only on behalf of this account", () => {
    const trusted = Object.fromEntries(
      roles(json)
        .filter(([, r]) => !r.name.includes("-tfc-"))
        .map(([, r]) => [r.name, decodeJsonencode(r.assume_role_policy).Statement]),
    );
    const by = (service: string) => [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      },
    ];
    expect(trusted).toEqual({
      "lambdaflex-api-role": by("lambda.amazonaws.com"),
      "lambdaflex-scaler-role": by("lambda.amazonaws.com"),
      "lambdaflex-scheduler": by("scheduler.amazonaws.com"),
      "lambdaflex-task": by("ecs-tasks.amazonaws.com"),
      "lambdaflex-task-execution": by("ecs-tasks.amazonaws.com"),
    });
  });

  it("limits the service function's role to its log group and the table, minus every write to the scaler's status item", () => {
    expect(policyOf(json, "lambdaflex-api-role")).toEqual({
      name: "service",
      statements: [
        {
          Sid: "Logs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: arn("logs", "log-group:/aws/lambda/lambdaflex-api:*"),
        },
        {
          Sid: "Links",
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
          Resource: TABLE,
        },
        DENY_STATUS,
      ],
    });
  });

  it("limits the task role to the table, minus the scaler's status item, and the execution role to pulling from the one repository and writing the tier's logs", () => {
    expect(policyOf(json, "lambdaflex-task")).toEqual({
      name: "links-table",
      statements: [
        {
          Sid: "Links",
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
          Resource: TABLE,
        },
        DENY_STATUS,
      ],
    });
    const execution = policyOf(json, "lambdaflex-task-execution");
    expect(execution.name).toBe("pull-and-log");
    expect(execution.statements).toEqual([
      // GetAuthorizationToken has no resource-level permissions.
      { Sid: "EcrAuth", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
      {
        Sid: "EcrPull",
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: expect.stringMatching(/^\$\{aws_ecr_repository\.images_repository_\w+\.arn\}$/),
      },
      {
        Sid: "Logs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.tier-logs\.arn\}:\*$/),
      },
    ]);
  });

  it("gives the task and execution roles the tasks' permissions boundary", () => {
    for (const name of ["lambdaflex-task", "lambdaflex-task-execution"])
      expect(role(json, name).permissions_boundary).toMatch(/^\$\{aws_iam_policy\.task-boundary_policy_\w+\.arn\}$/);
    for (const name of ["lambdaflex-api-role", "lambdaflex-scaler-role", "lambdaflex-scheduler"])
      expect(role(json, name).permissions_boundary).toBeUndefined();
  });

  it("lets the scheduler role invoke the scaler and nothing else", () => {
    expect(policyOf(json, "lambdaflex-scheduler")).toEqual({
      name: "invoke-scaler",
      statements: [
        {
          Sid: "InvokeScaler",
          Effect: "Allow",
          Action: ["lambda:InvokeFunction"],
          Resource: arn("lambda", "function:lambdaflex-scaler"),
        },
      ],
    });
  });

  it("refuses a role without a permission or with a wildcard action", () => {
    const stack = buildStacks(Testing.app(), config).bootstrap;
    expect(
      () =>
        new ServiceRole(stack, "empty", {
          name: "x",
          assumedBy: "lambda.amazonaws.com",
          accountId: "1",
          policyName: "p",
          statements: [],
        }),
    ).toThrow(/give at least one statement; x would have no permission/);
    expect(
      () =>
        new ServiceRole(stack, "wild", {
          name: "x",
          assumedBy: "lambda.amazonaws.com",
          accountId: "1",
          policyName: "p",
          statements: [{ Effect: "Allow", Action: ["s3:*"], Resource: "*" }],
        }),
    ).toThrow(/wildcard action "s3:\*"/);
  });
});

describe("the scaler's role (bootstrap stack)", () => {
  const { statements, name } = policyOf(json, "lambdaflex-scaler-role");

  it("gives the scaler only what it uses", () => {
    expect(name).toBe("scaler");
    expect(actionsOf(statements)).toEqual([
      "cloudwatch:DescribeAlarms",
      "cloudwatch:GetMetricData",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
      "elasticloadbalancing:ModifyListener",
      "iam:PassRole",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "route53:ListResourceRecordSets",
      "scheduler:CreateSchedule",
      "sns:Publish",
      "ssm:GetParameter",
    ]);
    expect(sid(statements, "Logs").Resource).toBe(arn("logs", "log-group:/aws/lambda/lambdaflex-scaler:*"));
    expect(sid(statements, "Records").Resource).toBe("arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ");
  });

  it("reads and writes only its status item", () => {
    expect(sid(statements, "StatusItemOnly")).toEqual({
      Sid: "StatusItemOnly",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
      Resource: TABLE,
      Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [SCALER_STATUS_KEY] } },
    });
  });

  it("reads the state of the two wake alarms only, by their ARNs", () => {
    expect(sid(statements, "WakeAlarms")).toMatchObject({
      Action: ["cloudwatch:DescribeAlarms"],
      Resource: wakeAlarms(serviceNames("lambdaflex")).map((n) => arn("cloudwatch", `alarm:${n}`)),
    });
  });

  it("re-arms itself only with schedules in its own group, passing only the scheduler role, and only to EventBridge Scheduler", () => {
    expect(sid(statements, "ReArm")).toMatchObject({
      Action: ["scheduler:CreateSchedule"],
      Resource: arn("scheduler", "schedule/lambdaflex-scaler/*"),
    });
    expect(sid(statements, "PassSchedulerRole")).toEqual({
      Sid: "PassSchedulerRole",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: `arn:aws:iam::${ACCOUNT}:role/lambdaflex-scheduler`,
      Condition: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
    });
  });

  it("publishes its own alerts to the alert topic, and nowhere else", () => {
    expect(sid(statements, "Alerts")).toMatchObject({
      Action: ["sns:Publish"],
      Resource: arn("sns", "lambdaflex-alerts"),
    });
  });

  it("reads the token parameters by their exact ARNs, the Terraform Cloud one only when Terraform Cloud is configured", () => {
    const parameter = (n: string) => arn("ssm", `parameter${n}`);
    // No kms:Decrypt: the SecureStrings are under the AWS-managed aws/ssm key, which SSM decrypts for any reader of the parameter.
    expect(sid(statements, "Tokens")).toMatchObject({
      Action: ["ssm:GetParameter"],
      Resource: [parameter("/lambdaflex/git-token")],
    });
    const cloud = policyOf(
      synthBootstrap({ ...config, terraformCloud: { ...config.terraformCloud, organization: "acme" } }),
      "lambdaflex-scaler-role",
    ).statements;
    expect(sid(cloud, "Tokens").Resource).toEqual([
      parameter("/lambdaflex/git-token"),
      parameter("/lambdaflex/tfc-token"),
    ]);
    expect(actionsOf(cloud).filter((a) => a.startsWith("kms:"))).toEqual([]);
  });

  it("looks up the ALB, its listeners, target groups and target health with four describe actions on * (ELBv2 Describe* have no resource types)", () => {
    expect(sid(statements, "LoadBalancers")).toMatchObject({
      Action: [
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeListeners",
      ],
      Resource: "*",
    });
  });

  it("sets listener weights only on its own ALB's listeners (weighted switch), and has no listener action with the dns switch", () => {
    expect(sid(statements, "ListenerWeights")).toEqual({
      Sid: "ListenerWeights",
      Effect: "Allow",
      Action: ["elasticloadbalancing:ModifyListener"],
      Resource: arn("elasticloadbalancing", "listener/app/lambdaflex-alb/*"),
    });
    const dns = policyOf(
      synthBootstrap({ ...config, fargate: { ...config.fargate, switch: "dns" } }),
      "lambdaflex-scaler-role",
    ).statements;
    expect(actionsOf(dns).filter((a) => a.includes("Listener"))).toEqual([]);
    expect(sid(dns, "ListenerWeights")).toBeUndefined();
  });
});
