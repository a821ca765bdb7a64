import { loadDeploymentConfig } from "../../config/load";
import {
  functionLogGroupName,
  httpApiLogGroupName,
  roleArn,
  runRolePolicyName,
  serviceNames,
  tierLogGroupName,
  wakeAlarms,
} from "../../model/names";
import { scalerSettingsFrom } from "../../scaler/settings";
import { TERRAFORM_IDS } from "../helpers/scaler-ids";

describe("the name table (model/names.ts)", () => {
  const n = serviceNames("acme-shop");

  it("builds every name from the service, the prefixed ones from `<service>-`", () => {
    expect(n).toMatchObject({
      prefix: "acme-shop-",
      apiFunction: "acme-shop-api",
      scalerFunction: "acme-shop-scaler",
      httpApi: "acme-shop-api",
      httpApiLogGroup: "/aws/apigateway/acme-shop-api",
      table: "acme-shop-links",
      alertTopic: "acme-shop-alerts",
      scheduleGroup: "acme-shop-scaler",
      heartbeatRule: "acme-shop-scaler-heartbeat",
      dashboard: "acme-shop",
      taskFamily: "acme-shop",
      repository: "acme-shop",
      tierLogGroup: "/ecs/acme-shop",
      taskBoundary: "acme-shop-task-boundary",
      roles: {
        api: "acme-shop-api-role",
        scaler: "acme-shop-scaler-role",
        scheduler: "acme-shop-scheduler",
        task: "acme-shop-task",
        taskExecution: "acme-shop-task-execution",
      },
      tier: {
        alb: "acme-shop-alb",
        targetGroup: "acme-shop-tg",
        lambdaTargetGroup: "acme-shop-lambda-tg",
        tasksSecurityGroup: "acme-shop-tasks",
        cluster: "acme-shop",
        ecsService: "acme-shop",
        scalingPolicy: "acme-shop-requests-per-target",
        alarmPrefix: "acme-shop-fargate-",
        lowDemandAlarm: "acme-shop-fargate-low-demand",
        overloadAlarm: "acme-shop-fargate-overload",
        scalerMinuteRule: "acme-shop-scaler-minute",
      },
    });
    expect(n.runRole("fargate", "apply")).toBe("acme-shop-tfc-fargate-apply");
    expect(runRolePolicyName(n.runRole("core", "plan"), "api")).toBe("acme-shop-tfc-core-plan-api");
    expect(tierLogGroupName("acme-shop")).toBe(n.tierLogGroup);
    expect(functionLogGroupName(n.scalerFunction)).toBe("/aws/lambda/acme-shop-scaler");
    expect(httpApiLogGroupName(n.httpApi)).toBe(n.httpApiLogGroup);
    expect(roleArn("123456789012", n.roles.task)).toBe("arn:aws:iam::123456789012:role/acme-shop-task");
  });

  it("keeps the tier's alarms inside the tier's alarm prefix, and every alarm inside the service's", () => {
    for (const alarm of [n.tier.lowDemandAlarm, n.tier.overloadAlarm])
      expect(alarm.startsWith(n.tier.alarmPrefix)).toBe(true);
    for (const alarm of wakeAlarms(n)) expect(alarm.startsWith(n.prefix)).toBe(true);
  });

  it("gives the scaler's settings the same names the stacks create", () => {
    const config = loadDeploymentConfig(undefined, {});
    const settings = scalerSettingsFrom(
      { ...config, service: "acme-shop", fargate: { ...config.fargate, switch: "weighted" } },
      TERRAFORM_IDS,
    );
    expect(settings.targets).toMatchObject({
      albName: n.tier.alb,
      targetGroupName: n.tier.targetGroup,
      lambdaTargetGroupName: n.tier.lambdaTargetGroup,
    });
    expect(settings.wake).toMatchObject({ alarmNames: wakeAlarms(n), scheduleGroup: n.scheduleGroup });
  });
});
