/**
 * What the AWS world reports of each minute: what it cost, itemized, and what became of its
 * requests (served on either tier, overloaded, or failed by cause).
 */
import type { Bill } from "../bill";

/** What one minute cost and how it was served. */
export interface MinuteOutcome {
  /** What the minute cost: its bill's total (the minute is priced once, item by item). */
  readonly cost: number;
  /** The cost by item (Lambda requests, GB-seconds, ALB hours, ...), for the report's itemized bill. */
  readonly bill: Bill;
  /** Share of the minute's requests sent to the Fargate tier: fargateRequests / requests. */
  readonly fargateShare: number;
  /** Requests the Lambda function was invoked for: through API Gateway, or through the ALB's Lambda target group. */
  readonly lambdaRequests: number;
  /** Requests sent to the ECS tasks, plus those sent to an ALB that could not take them (no target, or destroyed). */
  readonly fargateRequests: number;
  /** Requests turned away: API Gateway 429s, Lambda throttles, no healthy target, a cached answer to a deleted ALB. */
  readonly failedRequests: number;
  /** Of failedRequests: requests whose client's cached answer pointed at an ALB that no longer exists. */
  readonly deadEndpointRequests: number;
  /**
   * Requests sent to API Gateway although Route 53 should have answered the ALB: the client resolved
   * while the "fargate" record was in sync and the ALB could serve it (weighted switch: it existed,
   * its Lambda target group is a path; DNS switch: its tasks had a healthy target), yet got the
   * "lambda" record. Counted only in minutes when the tier is serving with a healthy task; clients
   * that resolved before the record was in sync are not counted.
   */
  readonly misroutedToApiRequests: number;
  /**
   * Requests served within capacity: by the Lambda function (neither throttled nor answered 429),
   * and by healthy tasks at up to `requestsPerTaskPerSecond` each.
   */
  readonly served: Record<"lambda" | "fargate", number>;
  /** Requests the tasks answered beyond `requestsPerTaskPerSecond` per healthy task (late, never refused). */
  readonly overloadedRequests: number;
  /** failedRequests by cause. served.lambda + served.fargate + overloadedRequests + failedRequests = the requests. */
  readonly failed: FailedRequests;
  /**
   * What equal service charges for the minute's failed and overloaded requests: each at what serving
   * it on Lambda would have cost (equal-service.ts).
   */
  readonly unservedUsd: number;
  /** Demand above what the serving tier could carry this minute. */
  readonly short: boolean;
  readonly resources: boolean;
}

/** Requests turned away, by cause. */
export interface FailedRequests {
  /** Lambda's concurrency limit (through API Gateway or the ALB alike). */
  readonly throttled: number;
  /** API Gateway's stage rate limit: 429. */
  readonly rateLimited: number;
  /** The ALB had nowhere to send them (every weight 0, or no healthy task in the group its weight chose): 503. */
  readonly noTarget: number;
  /** The client's cached DNS answer pointed at an ALB that no longer exists: the connection fails. */
  readonly deadEndpoint: number;
}
