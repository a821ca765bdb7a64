/**
 * What ELBv2 answers with, as the SDK raises and returns it: errors from an awsQuery response
 * (modelled or not), and target groups as the fargate stack creates them.
 */
import { ElasticLoadBalancingV2ServiceException, type TargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";

type ErrorOptions = { message: string; Message: string; $metadata: { httpStatusCode: number; requestId: string } };

/** Builds an error of one class. */
export type Make = (o: ErrorOptions) => Error;

/** An error the SDK models, as its class. */
export const modelled =
  (C: new (o: ErrorOptions) => Error): Make =>
  (o) =>
    new C(o);

/** An error the SDK does not model arrives as the service's base exception, named by its wire code. */
export const unmodelled =
  (name: string): Make =>
  (o) =>
    new ElasticLoadBalancingV2ServiceException({ name, $fault: "client", message: o.message, $metadata: o.$metadata });

/** An error as the SDK raises it from an awsQuery response: the modelled class, wire Code, Type Sender, HTTP 400. */
export function elbError(make: Make, code: string, message: string, requestId: string): Error {
  const err = make({ message, Message: message, $metadata: { httpStatusCode: 400, requestId } });
  return Object.assign(err, { Code: code, Type: "Sender", Error: { Type: "Sender", Code: code, Message: message } });
}

/**
 * A target group as the fargate stack creates it: `ip` for the ECS tasks, `lambda` for the service
 * function behind the ALB (no port; health checks on).
 */
export function targetGroupShape(name: string, arn: string, targetType: "ip" | "lambda"): TargetGroup {
  if (targetType === "lambda") {
    return {
      TargetGroupArn: arn,
      TargetGroupName: name,
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: 35,
      HealthCheckTimeoutSeconds: 30,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      HealthCheckPath: "/",
      Matcher: { HttpCode: "200" },
      LoadBalancerArns: [],
      TargetType: "lambda",
    };
  }
  return {
    TargetGroupArn: arn,
    TargetGroupName: name,
    Protocol: "HTTP",
    Port: 80,
    HealthCheckProtocol: "HTTP",
    HealthCheckPort: "traffic-port",
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    HealthCheckPath: "/",
    Matcher: { HttpCode: "200" },
    LoadBalancerArns: [],
    TargetType: "ip",
    ProtocolVersion: "HTTP1",
    IpAddressType: "ipv4",
  };
}
