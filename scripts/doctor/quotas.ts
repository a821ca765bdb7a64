/**
 * Account quotas a first deploy needs: Lambda concurrency (the service and
 * the scaler reserve from it, and Lambda keeps 100 unreserved) and the
 * Fargate On-Demand vCPU quota (the tier at `fargate.maxTasks`).
 */
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  type ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";
import type { DeploymentConfig } from "../../config/schema";
import { serviceNames } from "../../model/names";
import { awsCallFailed, errorName, fail, pass, type CheckResult } from "./check";

/** Lambda keeps this much of the account's concurrency unreserved; a reservation that would cut into it is refused. */
export const LAMBDA_UNRESERVED_MINIMUM = 100;
/** Service Quotas code of "Concurrent executions" (Lambda). */
export const LAMBDA_CONCURRENCY_QUOTA = "L-B99A9384";
/** Service Quotas code of "Fargate On-Demand vCPU resource count". */
export const FARGATE_VCPU_QUOTA = "L-3032A538";

const LAMBDA_CHECK = "Lambda concurrency quota";
const FARGATE_CHECK = "Fargate On-Demand vCPU quota";

/** The Service Quotas request that raises a quota to `value`. */
export const quotaRequest = (service: string, code: string, value: number, region: string) =>
  `aws service-quotas request-service-quota-increase --service-code ${service} --quota-code ${code} --desired-value ${value} --region ${region}`;

/** What the functions of this deployment hold already (0 on a first deploy, when they do not exist). */
async function alreadyReserved(lambda: LambdaClient, names: readonly string[]): Promise<number> {
  let held = 0;
  for (const name of names) {
    try {
      held +=
        (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions ??
        0;
    } catch (err) {
      if (errorName(err) !== "ResourceNotFoundException") throw err;
    }
  }
  return held;
}

/**
 * The account's Lambda concurrency must hold the reservations the
 * configuration asks for (`lambda.reservedConcurrency`,
 * `scalerReservedConcurrency`) plus the 100 Lambda keeps unreserved. A new
 * account's quota of 10 fails here: reserving anything is refused there and
 * the service throttles at 10 concurrent requests.
 */
export async function checkLambdaConcurrency(config: DeploymentConfig, lambda: LambdaClient): Promise<CheckResult> {
  const reservations: Array<[string, number | undefined]> = [
    ["lambda.reservedConcurrency", config.lambda.reservedConcurrency],
    ["scalerReservedConcurrency", config.scalerReservedConcurrency],
  ];
  const set = reservations.filter((r): r is [string, number] => r[1] !== undefined);
  const reserve = set.reduce((sum, [, n]) => sum + n, 0);
  const need = reserve + LAMBDA_UNRESERVED_MINIMUM;
  const why = [
    ...set.map(([field, n]) => `${field} ${n}`),
    `${LAMBDA_UNRESERVED_MINIMUM} Lambda keeps unreserved`,
  ].join(" + ");
  let limit;
  try {
    limit = (await lambda.send(new GetAccountSettingsCommand({}))).AccountLimit;
  } catch (err) {
    return awsCallFailed(LAMBDA_CHECK, "lambda:GetAccountSettings", err);
  }
  const quota = limit?.ConcurrentExecutions ?? 0;
  const unreserved = limit?.UnreservedConcurrentExecutions ?? quota;
  const request = quotaRequest("lambda", LAMBDA_CONCURRENCY_QUOTA, Math.max(1000, need), config.region);
  if (quota < need) {
    const newAccount = quota === 10 ? " (10 is a new account's default)" : "";
    return fail(
      LAMBDA_CHECK,
      `the account's concurrency quota in ${config.region} is ${quota}${newAccount}; this configuration needs ${need} (${why})`,
      request,
    );
  }
  if (reserve > 0) {
    // Reservations of this deployment's own functions (a redeploy) are already out of `unreserved`.
    const names = serviceNames(config.service);
    const held = await alreadyReserved(lambda, [names.apiFunction, names.scalerFunction]);
    const left = unreserved + held - reserve;
    if (left < LAMBDA_UNRESERVED_MINIMUM) {
      return fail(
        LAMBDA_CHECK,
        `quota ${quota}, but other functions reserve ${quota - unreserved - held}: reserving ${reserve} would leave ${left} unreserved, below Lambda's minimum of ${LAMBDA_UNRESERVED_MINIMUM}`,
        request,
      );
    }
  }
  return pass(LAMBDA_CHECK, `quota ${quota}, ${unreserved} unreserved; needs ${need} (${why})`);
}

/** The quota's applied value, or AWS's default where none was ever applied. */
async function quotaValue(
  quotas: ServiceQuotasClient,
  ServiceCode: string,
  QuotaCode: string,
): Promise<number | undefined> {
  try {
    return (await quotas.send(new GetServiceQuotaCommand({ ServiceCode, QuotaCode }))).Quota?.Value;
  } catch (err) {
    if (errorName(err) !== "NoSuchResourceException") throw err;
    return (await quotas.send(new GetAWSDefaultServiceQuotaCommand({ ServiceCode, QuotaCode }))).Quota?.Value;
  }
}

/** The Fargate tier at `fargate.maxTasks` tasks of `fargate.cpu` units needs maxTasks × cpu / 1024 vCPU of On-Demand quota. */
export async function checkFargateVcpu(config: DeploymentConfig, quotas: ServiceQuotasClient): Promise<CheckResult> {
  const { maxTasks, cpu } = config.fargate;
  const need = (maxTasks * cpu) / 1024;
  let value;
  try {
    value = await quotaValue(quotas, "fargate", FARGATE_VCPU_QUOTA);
  } catch (err) {
    return awsCallFailed(FARGATE_CHECK, "servicequotas:GetServiceQuota", err);
  }
  if (value === undefined)
    return fail(
      FARGATE_CHECK,
      `Service Quotas returned no value for fargate ${FARGATE_VCPU_QUOTA} in ${config.region}`,
      `aws service-quotas get-service-quota --service-code fargate --quota-code ${FARGATE_VCPU_QUOTA} --region ${config.region}`,
    );
  if (value < need) {
    const fits = Math.floor((value * 1024) / cpu);
    return fail(
      FARGATE_CHECK,
      `${value} vCPU in ${config.region}; fargate.maxTasks ${maxTasks} × ${cpu / 1024} vCPU needs ${need} (or lower fargate.maxTasks to ${fits})`,
      quotaRequest("fargate", FARGATE_VCPU_QUOTA, Math.ceil(need), config.region),
    );
  }
  return pass(FARGATE_CHECK, `${value} vCPU; fargate.maxTasks ${maxTasks} × ${cpu / 1024} vCPU needs ${need}`);
}
