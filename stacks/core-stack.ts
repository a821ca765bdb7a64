import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsEcrRepository } from "@cdktf/provider-aws/lib/data-aws-ecr-repository";
import type { DeploymentConfig } from "../config/schema";
import { configureBackend } from "./backend";
import { WeightedAliasRecord } from "./alias-record";
import { Alerts } from "./core/alerts";
import { DnsValidatedCertificate } from "./core/certificate";
import { HttpApi } from "./core/http-api";
import { ImageRelease } from "./core/image-release";
import { LambdaService } from "./core/lambda-service";
import { LinksTable } from "./core/links-table";
import { Dashboard } from "./core/dashboard";
import { Scaler } from "./core/scaler";
import { ScalerAlarms } from "./core/scaler-alarms";
import { TierTaskDefinition } from "./core/tier-task-definition";
import { WakeSchedules } from "./core/wake-schedules";
import { roleArn, serviceNames } from "../model/names";
import { defaultTags } from "./tags";
import { scalerSettingsFrom } from "../scaler/settings";
import { breakEvenRps, workloadFrom } from "../model/cost-model";

export interface CoreStackProps {
  readonly config: DeploymentConfig;
  /** The scaler's deployment zip (dist/scaler.zip). */
  readonly scalerZipPath: string;
}

/**
 * The persistent stack: table, certificate, the Lambda tier behind API
 * Gateway, the weight-0 "lambda" record, alerts, and the scaler with its
 * hourly heartbeat, its two wake alarms and its re-arm schedule group (the
 * per-minute rule belongs to the fargate stack: it exists only with the tier),
 * the Fargate tier's task definition (fargate runs it), and a dashboard only
 * when configured. Idle, it bills about $0.22 a month (`npm run synth` prints
 * the bill, sim/idle-bill.ts). The image repository and every role belong to
 * the bootstrap stack: this stack reads the repository by name, runs the digest
 * in `image_digest`, and names the roles by ARN (so its runs read no IAM).
 */
export class CoreStack extends TerraformStack {
  /**
   * The configured hosted zone's id, a plain string rather than an `aws_route53_zone` data source:
   * provider 5.100's data source calls route53:ListHostedZones, which takes only Resource "*", so
   * the core run role would need an account-wide list permission for a read that returns the id we
   * already have (issue 20), and every plan would make one more read. `npm run doctor` checks that
   * the zone exists, is public and holds `domain` (checkHostedZone, scripts/doctor/resources.ts).
   */
  public readonly hostedZoneId: string;
  /** The image repository (bootstrap stack), read by name. */
  public readonly imageRepository: DataAwsEcrRepository;
  public readonly image: ImageRelease;
  public readonly links: LinksTable;
  public readonly certificate: DnsValidatedCertificate;
  public readonly service: LambdaService;
  public readonly api: HttpApi;
  public readonly alerts: Alerts;
  public readonly scaler: Scaler;
  /** The schedule group the scaler re-arms itself in while a wake alarm stays in ALARM. */
  public readonly wakeSchedules: WakeSchedules;
  /** The Fargate tier's task definition; the fargate stack's service runs it. */
  public readonly tierTask: TierTaskDefinition;
  /** Prefix of alarms that may invoke the scaler. */
  public readonly alarmPrefix: string;

  constructor(scope: Construct, id: string, props: CoreStackProps) {
    super(scope, id);
    const c = props.config;
    new AwsProvider(this, "aws", { region: c.region, defaultTags: [{ tags: defaultTags(c.service, id) }] });
    configureBackend(this, c, c.terraformCloud.coreWorkspace, id);

    this.hostedZoneId = c.hostedZoneId;
    const names = serviceNames(c.service);
    const account = new DataAwsCallerIdentity(this, "account");
    const role = (name: string) => roleArn(account.accountId, name);
    this.imageRepository = new DataAwsEcrRepository(this, "image-repository", { name: names.repository });
    this.image = new ImageRelease(this, "image", { repositoryUrl: this.imageRepository.repositoryUrl });
    this.links = new LinksTable(this, "links", { name: names.table });
    this.certificate = new DnsValidatedCertificate(this, "certificate", {
      domain: c.domain,
      zoneId: this.hostedZoneId,
    });
    this.service = new LambdaService(this, "lambda", {
      functionName: names.apiFunction,
      imageUri: this.image.uri,
      roleArn: role(names.roles.api),
      table: this.links.table,
      memoryMb: c.lambda.memoryMb,
      timeoutSeconds: c.lambda.timeoutSeconds,
      logRetentionDays: c.logRetentionDays,
      version: this.image.digest.stringValue,
      reservedConcurrency: c.lambda.reservedConcurrency,
      environment: c.app.environment,
    });
    this.api = new HttpApi(this, "http-api", {
      name: names.httpApi,
      function: this.service.function,
      domain: c.domain,
      certificateArn: this.certificate.certificateArn,
      throttleRateLimit: c.api.throttleRateLimit,
      throttleBurstLimit: c.api.throttleBurstLimit,
      logRetentionDays: c.logRetentionDays,
    });
    new WeightedAliasRecord(this, "lambda-record", {
      zoneId: this.hostedZoneId,
      domain: c.domain,
      setIdentifier: "lambda",
      weight: 0,
      targetDnsName: this.api.target.dnsName,
      targetZoneId: this.api.target.zoneId,
      evaluateTargetHealth: false,
    });
    this.alerts = new Alerts(this, "alerts", { name: names.alertTopic, email: c.alertEmail });

    this.alarmPrefix = names.prefix;
    // Built from the name, not referenced: the scaler's settings hold its own ARN (the re-arm schedules' target).
    const scalerArn = `arn:aws:lambda:${c.region}:${account.accountId}:function:${names.scalerFunction}`;
    this.wakeSchedules = new WakeSchedules(this, "wake-schedules", { groupName: names.scheduleGroup });
    this.scaler = new Scaler(this, "scaler", {
      functionName: names.scalerFunction,
      heartbeatRuleName: names.heartbeatRule,
      zipPath: props.scalerZipPath,
      settings: scalerSettingsFrom(c, {
        apiId: this.api.api.id,
        functionName: this.service.function.functionName,
        tableName: this.links.table.name,
        alertTopicArn: this.alerts.topic.arn,
        scalerArn,
        schedulerRoleArn: role(names.roles.scheduler),
      }),
      roleArn: role(names.roles.scaler),
      region: c.region,
      accountId: account.accountId,
      reservedConcurrency: c.scalerReservedConcurrency,
      alarmPrefix: this.alarmPrefix,
      logRetentionDays: c.logRetentionDays,
    });
    new ScalerAlarms(this, "scaler-alarms", {
      demandAlarmName: names.wakeDemandAlarm,
      throttlesAlarmName: names.wakeThrottlesAlarm,
      scalerArn: this.scaler.function.arn,
      apiId: this.api.api.id,
      serviceFunctionName: this.service.function.functionName,
      // Below break-even Lambda is the cheaper tier and the policy cannot add Fargate, so the scaler sleeps.
      highDemandPerMinute: Math.round(breakEvenRps(workloadFrom(c)) * 60),
    });
    // $3 a month beyond the account's three free dashboards: only when asked for.
    if (c.dashboard) {
      new Dashboard(this, "dashboard", {
        name: names.dashboard,
        region: c.region,
        albName: names.tier.alb,
        targetGroupName: names.tier.targetGroup,
        apiId: this.api.api.id,
        functionName: this.service.function.functionName,
        scalerFunctionName: this.scaler.function.functionName,
        breakEvenRps: breakEvenRps(workloadFrom(c)),
      });
    }

    this.tierTask = new TierTaskDefinition(this, "tier-task", {
      family: names.taskFamily,
      region: c.region,
      imageUri: this.image.uri,
      version: this.image.digest.stringValue,
      tableName: this.links.table.name,
      cpu: c.fargate.cpu,
      memoryMb: c.fargate.memoryMb,
      containerPort: c.fargate.containerPort,
      logGroupName: names.tierLogGroup,
      taskRoleArn: role(names.roles.task),
      executionRoleArn: role(names.roles.taskExecution),
      environment: c.app.environment,
    });

    new TerraformOutput(this, "image_repository_url", { value: this.imageRepository.repositoryUrl });
    new TerraformOutput(this, "task_definition_arn", {
      value: this.tierTask.definition.arn,
      description: "The Fargate tier's task definition revision (the fargate stack runs it)",
    });
    new TerraformOutput(this, "table_name", { value: this.links.table.name });
  }
}
