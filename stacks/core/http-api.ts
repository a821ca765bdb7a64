import { Construct } from "constructs";
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2ApiMapping } from "@cdktf/provider-aws/lib/apigatewayv2-api-mapping";
import { Apigatewayv2DomainName } from "@cdktf/provider-aws/lib/apigatewayv2-domain-name";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { httpApiLogGroupName } from "../../model/names";

export interface HttpApiProps {
  readonly name: string;
  readonly function: LambdaFunction;
  /** Custom domain served by this API. */
  readonly domain: string;
  /** A validated certificate for `domain`. */
  readonly certificateArn: string;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly logRetentionDays: number;
}

/**
 * API Gateway HTTP API in front of the function: a Lambda proxy integration
 * (payload 2.0), a throttled default stage with JSON access logs, and a
 * regional custom domain. The execute-api endpoint is disabled so the custom
 * domain (and its Route 53 records) is the only way in.
 */
export class HttpApi extends Construct {
  public readonly api: Apigatewayv2Api;
  public readonly domainName: Apigatewayv2DomainName;
  /** The custom domain's regional target, for alias records. */
  public readonly target: { readonly dnsName: string; readonly zoneId: string };

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    if (props.throttleBurstLimit < props.throttleRateLimit) {
      throw new Error(
        `HttpApi ${id}: throttleBurstLimit (${props.throttleBurstLimit}) must be >= throttleRateLimit (${props.throttleRateLimit})`,
      );
    }
    this.api = new Apigatewayv2Api(this, "api", {
      name: props.name,
      protocolType: "HTTP",
      disableExecuteApiEndpoint: true,
    });
    const integration = new Apigatewayv2Integration(this, "integration", {
      apiId: this.api.id,
      integrationType: "AWS_PROXY",
      integrationUri: props.function.arn,
      payloadFormatVersion: "2.0",
      timeoutMilliseconds: 29_000,
    });
    new Apigatewayv2Route(this, "default-route", {
      apiId: this.api.id,
      routeKey: "$default",
      target: `integrations/${integration.id}`,
    });
    const accessLogs = new CloudwatchLogGroup(this, "access-logs", {
      name: httpApiLogGroupName(props.name),
      retentionInDays: props.logRetentionDays,
    });
    const stage = new Apigatewayv2Stage(this, "stage", {
      apiId: this.api.id,
      name: "$default",
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
      },
      accessLogSettings: {
        destinationArn: accessLogs.arn,
        format: JSON.stringify({
          requestId: "$context.requestId",
          ip: "$context.identity.sourceIp",
          method: "$context.httpMethod",
          path: "$context.path",
          status: "$context.status",
          latencyMs: "$context.responseLatency",
          integrationError: "$context.integrationErrorMessage",
        }),
      },
    });
    new LambdaPermission(this, "invoke", {
      statementId: "AllowHttpApi",
      action: "lambda:InvokeFunction",
      functionName: props.function.functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${this.api.executionArn}/*/*`,
    });
    this.domainName = new Apigatewayv2DomainName(this, "domain", {
      domainName: props.domain,
      domainNameConfiguration: {
        certificateArn: props.certificateArn,
        endpointType: "REGIONAL",
        securityPolicy: "TLS_1_2",
      },
    });
    this.target = {
      dnsName: this.domainName.domainNameConfiguration.targetDomainName,
      zoneId: this.domainName.domainNameConfiguration.hostedZoneId,
    };
    new Apigatewayv2ApiMapping(this, "mapping", {
      apiId: this.api.id,
      domainName: this.domainName.id,
      stage: stage.id,
    });
  }
}
