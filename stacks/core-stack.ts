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
import { WakeSchedules } from "./core/wake-schedules";
import { defaultTags } from "./tags";
import { scalerSettingsFrom } from "../scaler/settings";
import { breakEvenRps, workloadFrom } from "../sim/cost-model";

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
 * and a dashboard only when configured. Idle, it bills about $0.22 a month
 * (`npm run synth` prints the bill, sim/idle-bill.ts). The image repository belongs to the bootstrap stack
 * (it must hold an image before this stack can create the function); this
 * stack reads it by name and runs the digest in `image_digest`.
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
  /** The schedule group and role the scaler re-arms itself with while a wake alarm stays in ALARM. */
  public readonly wakeSchedules: WakeSchedules;
  /** Prefix of alarms that may invoke the scaler. */
  public readonly alarmPrefix: string;

  constructor(scope: Construct, id: string, props: CoreStackProps) {
    super(scope, id);
    const c = props.config;
    new AwsProvider(this, "aws", { region: c.region, defaultTags: [{ tags: defaultTags(c.service, id) }] });
    configureBackend(this, c, c.terraformCloud.coreWorkspace, id);

    this.hostedZoneId = c.hostedZoneId;
    const account = new DataAwsCallerIdentity(this, "account");
    this.imageRepository = new DataAwsEcrRepository(this, "image-repository", { name: c.service });
    this.image = new ImageRelease(this, "image", { repositoryUrl: this.imageRepository.repositoryUrl });
    this.links = new LinksTable(this, "links", { name: `${c.service}-links` });
    this.certificate = new DnsValidatedCertificate(this, "certificate", { domain: c.domain, zoneId: this.hostedZoneId });
    this.service = new LambdaService(this, "lambda", {
      functionName: `${c.service}-api`,
      imageUri: this.image.uri,
      accountId: account.accountId,
      table: this.links.table,
      memoryMb: c.lambda.memoryMb,
      timeoutSeconds: c.lambda.timeoutSeconds,
      logRetentionDays: c.logRetentionDays,
      version: this.image.digest.stringValue,
      reservedConcurrency: c.lambda.reservedConcurrency,
      environment: c.app.environment,
    });
    this.api = new HttpApi(this, "http-api", {
      name: `${c.service}-api`,
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
    this.alerts = new Alerts(this, "alerts", { name: `${c.service}-alerts`, email: c.alertEmail });

    this.alarmPrefix = `${c.service}-`;
    const scalerName = `${c.service}-scaler`;
    // Built from the name, not referenced: the scaler's settings name the scheduler role, whose policy names the scaler.
    const scalerArn = `arn:aws:lambda:${c.region}:${account.accountId}:function:${scalerName}`;
    this.wakeSchedules = new WakeSchedules(this, "wake-schedules", { groupName: `${c.service}-scaler`, roleName: `${c.service}-scheduler`, scalerArn, accountId: account.accountId });
    this.scaler = new Scaler(this, "scaler", {
      functionName: scalerName,
      zipPath: props.scalerZipPath,
      settings: scalerSettingsFrom(c, {
        apiId: this.api.api.id,
        functionName: this.service.function.functionName,
        tableName: this.links.table.name,
        alertTopicArn: this.alerts.topic.arn,
        scalerArn,
        schedulerRoleArn: this.wakeSchedules.role.arn,
      }),
      table: this.links.table,
      region: c.region,
      accountId: account.accountId,
      reservedConcurrency: c.scalerReservedConcurrency,
      alarmPrefix: this.alarmPrefix,
      logRetentionDays: c.logRetentionDays,
    });
    new ScalerAlarms(this, "scaler-alarms", {
      service: c.service,
      scalerArn: this.scaler.function.arn,
      apiId: this.api.api.id,
      serviceFunctionName: this.service.function.functionName,
      // Below break-even Lambda is the cheaper tier and the policy cannot add Fargate, so the scaler sleeps.
      highDemandPerMinute: Math.round(breakEvenRps(workloadFrom(c)) * 60),
    });
    // $3 a month beyond the account's three free dashboards: only when asked for.
    if (c.dashboard) {
      new Dashboard(this, "dashboard", {
        name: c.service,
        region: c.region,
        service: c.service,
        apiId: this.api.api.id,
        functionName: this.service.function.functionName,
        scalerFunctionName: this.scaler.function.functionName,
        breakEvenRps: breakEvenRps(workloadFrom(c)),
      });
    }

    new TerraformOutput(this, "image_repository_url", { value: this.imageRepository.repositoryUrl });
    new TerraformOutput(this, "table_name", { value: this.links.table.name });
  }
}
