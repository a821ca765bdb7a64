/**
 * Equal service: the yardstick the verdict compares strategies on.
 *
 * A strategy that turned requests away (Lambda throttles, API Gateway 429s,
 * the ALB's 503s, clients sent to a destroyed ALB) or answered them from
 * overloaded tasks did not buy the service of one that served them, so its
 * bill alone says nothing about which is cheaper. Each such request is
 * charged what serving it on Lambda would have cost: one invocation, its
 * GB-seconds and its platform log records, reached through the ALB's Lambda
 * target group (no API Gateway request). The ALB's capacity units for it are
 * left out: they are billed for a request the ALB overloaded a task with, and
 * a request turned away at API Gateway would add them. That is what the weighted switch's spill-over pays for a request
 * the healthy tasks cannot carry, so it is a price a user can actually buy,
 * and dropping or overloading a request never makes a strategy cheaper.
 * Beyond Lambda's own concurrency limit it is a floor (those requests needed
 * a quota raise or more tasks, which cost more).
 *
 * Why not cost per request served within capacity: the requests a strategy
 * fails to serve are its peaks, the most expensive ones to serve, so dividing
 * by what it did serve flatters it, and a strategy that serves 60% of demand
 * at 55% of the cost would look cheaper per request.
 */
import { lambdaMinuteCost, type Workload } from "../model/cost-model";
import type { PriceTable } from "../model/prices";

/** What serving one request on Lambda through the ALB costs: the charge at equal service for each request failed or overloaded (USD). */
export function unservedRequestUsd(w: Workload, p: PriceTable): number {
  // As the world bills a request the ALB forwards to Lambda: no API Gateway request (viaApi 0), nor its access-log line.
  return lambdaMinuteCost(1, 0, w, p, 0);
}

/** The rule in one sentence, for the report and simulation.json. */
export const EQUAL_SERVICE_RULE =
  "cost at equal service = the bill plus, for every request failed (throttled, 429, 503, dead endpoint) or answered by an overloaded task, what serving it on Lambda through the ALB would have cost";
