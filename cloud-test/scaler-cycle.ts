/**
 * Issue 20, "the scaler against the same API": the production scaler's own
 * wiring (`awsDeps` + `handleWith` from scaler/handler.ts, real AWS SDK v3
 * clients) drives one full tier cycle, off -> warming -> serving -> draining
 * -> off, against the AWS API emulator the stacks were applied to. Its commits
 * go to a real git server; the Terraform Cloud stand-in applies each pushed
 * commit with real terraform, so the tier's resources appear and disappear
 * because the scaler decided so.
 *
 * One scaler, two worlds: no scaler logic is restated here. The harness plays
 * only what AWS itself would do behind the production ports, minute by minute
 * on a controlled clock (scaler-cycle-world.ts):
 * - CloudWatch publication: API Gateway Count, Lambda Throttles and
 *   ConcurrentExecutions, ALB RequestCount and HealthyHostCount, with the
 *   dimensions AWS publishes them under (the ALB's and target groups' ARN
 *   suffixes, read from the emulator's ELBv2 API as they are at that minute);
 * - Route 53: clients reach the ALB while the "fargate" record exists (read
 *   from the emulator), else API Gateway; inside the ALB, requests split by the
 *   listener weights the scaler set (read back from the emulator);
 * - ECS: the service registers its tasks' addresses in its target group
 *   (RegisterTargets, as ECS does through its service-linked role); the
 *   emulator then reports them healthy, which is the ALB's health check passing;
 * - EventBridge: one invocation a minute (the per-minute rule while the tier
 *   changes; the wake alarms, the low-demand alarm and the scaler's own re-arm
 *   schedules otherwise, which the emulator does not evaluate or fire); a
 *   re-arm schedule that comes due is deleted, as Scheduler does after it fires.
 *
 * The demand is derived from the policy's own money (scaler/money.ts) with the
 * deployed settings, not tuned by trial; see `deriveProfile` (scaler-cycle-profile.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { Route53Client } from "@aws-sdk/client-route-53";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import { awsDeps, handleWith, type HandlerResult, type ScalerPorts } from "../scaler/handler";
import { scalerSettingsFromEnv } from "../scaler/settings";
import { parseToggle, type TierState, type Toggle } from "../model/toggle";
import type { Logger, LogLevel } from "../model/log";
import { clientOptions, workspaceOf } from "./deployment";
import { IDENTITIES } from "./identities";
import { deriveProfile } from "./scaler-cycle-profile";
import { ScalerCycleError } from "./scaler-cycle-types";
import type { DecisionLine, ScalerCycleContext, ScalerCycleReport, TierCheck, Transition } from "./scaler-cycle-types";
import { World } from "./scaler-cycle-world";
import { serviceNames } from "../model/names";

// The cycle's rooms: what it is given and reports, the demand, and the world it plays.
export * from "./scaler-cycle-types";
export { deriveProfile, type DemandProfile } from "./scaler-cycle-profile";

const MINUTE = 60_000;

const short = (sha: string) => sha.slice(0, 8);

/** How far behind the wall clock the scaler's clock starts. */
const CLOCK_LEAD_MINUTES = 180;

/** Runs the production scaler through one tier cycle; resolves with what happened, throws ScalerCycleError with the decision log if it does not complete. */
export async function runScalerCycle(ctx: ScalerCycleContext): Promise<ScalerCycleReport> {
  const wallStart = Date.now();
  const { config, region, endpoint } = ctx;
  const service = config.service;

  // The settings as deployed: the scaler Lambda's own environment, parsed by the production parser.
  const lambda = new LambdaClient(clientOptions("harness", endpoint, region));
  const fn = await lambda
    .send(new GetFunctionConfigurationCommand({ FunctionName: serviceNames(service).scalerFunction }))
    .finally(() => lambda.destroy());
  const raw = fn.Environment?.Variables?.LAMBDAFLEX_SCALER_SETTINGS;
  const settings = scalerSettingsFromEnv({ LAMBDAFLEX_SCALER_SETTINGS: raw });
  if (!settings.terraformCloud)
    throw new ScalerCycleError(
      "the deployed scaler has no terraformCloud settings; the cycle needs the fargate workspace's runs",
    );
  if (settings.dryRun) throw new ScalerCycleError("the deployed scaler is in dry-run; it would never commit");
  const workspace = workspaceOf(config, "fargate");
  const policy = settings.policy;
  const firstCall = (ctx.emulatorCalls?.().at(-1)?.seq ?? 0) + 1;

  // The controlled clock: a minute per step, the loop never sleeps. It starts three hours back,
  // whole minute, because CloudWatch takes datapoints up to two weeks old but at most two hours
  // ahead (cloudwatch_concepts.html#about_timestamp), and a cycle runs about two and a half hours.
  const start = Math.floor(Date.now() / 60_000) * 60_000 - CLOCK_LEAD_MINUTES * 60_000;
  let nowMs = start;
  // The stand-in stamps its runs on the same clock (the drain counts from when the run applied).
  ctx.tfc.useClock(() => new Date(nowMs));
  const workRoot = mkdtempSync(join(tmpdir(), "lambdaflex-scaler-cycle-"));
  const scalerOpts = clientOptions("scaler", endpoint, region);
  const ports: ScalerPorts = {
    cloudwatch: new CloudWatchClient(scalerOpts),
    elb: new ElasticLoadBalancingV2Client(scalerOpts),
    route53: new Route53Client(scalerOpts),
    parameters: new SSMClient(scalerOpts),
    dynamo: new DynamoDBClient(scalerOpts),
    scheduler: new SchedulerClient(scalerOpts),
    sns: new SNSClient(scalerOpts),
    fetch: fetch as unknown as NonNullable<ScalerPorts["fetch"]>,
    now: () => new Date(nowMs),
    workRoot,
    terraformCloudUrl: ctx.tfcUrl,
  };

  let minute = 0;
  const decisions: DecisionLine[] = [];
  const weights: Array<{ minute: number; fargate: number; was: number }> = [];
  const alerts: string[] = [];
  const scalerErrors: string[] = [];
  const logger: Logger = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (msg === "decision") {
      const kinds = ((fields.alerts as Array<{ kind: string }>) ?? []).map((a) => a.kind);
      for (const k of kinds) if (!alerts.includes(k)) alerts.push(k);
      decisions.push({
        minute,
        action: String(fields.action),
        from: String(fields.from),
        to: String(fields.to),
        reason: String(fields.reason),
        alerts: kinds,
        ...(fields.requeueRun ? { requeueRun: String(fields.requeueRun) } : {}),
        ...(fields.evidence ? { evidence: fields.evidence as Record<string, unknown> } : {}),
      });
    } else if (msg === "weights set") {
      weights.push({ minute, fargate: Number(fields.fargate), was: Number(fields.was) });
      ctx.log(`scaler m${minute}: weights set: tasks ${fields.fargate}% (was ${fields.was}%)`);
    }
    if (level === "error") {
      const line = `m${minute} ${msg}: ${JSON.stringify(fields)}`;
      scalerErrors.push(line);
      ctx.log(`scaler error ${line}`);
    }
  };
  const deps = awsDeps(settings, logger, ports);
  const world = new World(ctx, settings);

  const toggleAt = (): Toggle => parseToggle(ctx.git.show(settings.toggleFile), settings.toggleFile);
  const initial = toggleAt();
  if (initial.fargate_tier !== "off")
    throw new ScalerCycleError(`the toggle must start at off; it is ${initial.fargate_tier}`);
  const minutesOff = Math.max(0, (start - Date.parse(initial.fargate_tier_since)) / MINUTE);
  const profile = deriveProfile(policy, initial, minutesOff, settings.metricLagMinutes);
  ctx.log(
    `scaler cycle: break-even ${profile.breakEvenRps.toFixed(2)} req/s, round trip $${profile.roundTripUsd.toFixed(4)} (up price $${profile.upPriceUsd.toFixed(4)}); ` +
      `quiet ${profile.quietRps} req/s for ${profile.quietMinutes} min, then ${profile.highRps} req/s (pays the up price in ${profile.upMinutes} min; ${profile.tasksForHigh} tasks, the floor carries ${profile.floorCapacityRps} req/s) until ${profile.servingHighMinutes} min into serving, then quiet`,
  );

  const transitions: Transition[] = [];
  const tierChecks: TierCheck[] = [];
  const rearms: Array<{ minute: number; schedule: string }> = [];
  let invocations = 0;
  let state: TierState = "off";
  let stateSince = 0;
  let demandPhase: "quiet" | "high" | "low" = "quiet";
  let servingAt: number | undefined;
  let recordLive = await world.recordLive();
  let tierExists = (await world.tier()) !== undefined;
  const maxMinutes = ctx.maxMinutes ?? 600;

  const tail = (n: number) =>
    decisions
      .slice(-n)
      .map(
        (d) =>
          `  m${d.minute} ${d.action} ${d.from}->${d.to}: ${d.reason}${d.alerts.length ? ` [alerts: ${d.alerts.join(", ")}]` : ""}`,
      )
      .join("\n");
  const fail = (why: string): never => {
    throw new ScalerCycleError(
      `${why}\nat simulated minute ${minute} (${new Date(nowMs).toISOString()}), state ${state} since minute ${stateSince}, demand ${demandPhase}\n` +
        `transitions: ${transitions.map((t) => `m${t.minute} ${t.from}->${t.to} ${short(t.commit)} (${t.run?.status ?? "no run"})`).join("; ") || "none"}\n` +
        `tier checks: ${tierChecks.map((c) => `${c.state}: alb=${c.alb} ecs=${c.ecsService} rule=${c.minuteRule} record=${c.fargateRecord}`).join("; ") || "none"}\n` +
        `scaler errors: ${scalerErrors.slice(-5).join(" | ") || "none"}\nlast decisions:\n${tail(15)}`,
    );
  };

  /** After a commit: the stand-in applies it (real terraform); then what the emulator holds is checked. */
  const applied = async (commit: string, to: TierState): Promise<Transition["run"]> => {
    const t0 = Date.now();
    await ctx.tfc.whenIdle();
    const run = ctx.tfc
      .runs(workspace)
      .filter((r) => r.commitSha === commit)
      .pop();
    if (!run)
      return fail(
        `the stand-in made no run for commit ${short(commit)} (${to}); the toggle is in ${settings.toggleFile}`,
      );
    if (run.status !== "applied" && run.status !== "planned_and_finished")
      return fail(`the run for ${to} (${short(commit)}) ended ${run.status}:\n${run.log.slice(-3000)}`);
    const applySeconds = (Date.now() - t0) / 1000;
    const [tier, ecs, rule, record] = await Promise.all([
      world.tier(),
      world.ecsService(),
      world.minuteRule(),
      world.recordLive(),
    ]);
    const exists = to !== "off";
    const routed = policy.fargateSwitch === "weighted" ? to === "warming" || to === "serving" : to === "serving";
    const changing = to === "warming" || to === "draining";
    const check: TierCheck = {
      commit,
      state: to,
      runId: run.id,
      runStatus: run.status,
      alb: tier !== undefined,
      ecsService: ecs !== undefined,
      minuteRule: rule,
      fargateRecord: record,
      ok: (tier !== undefined) === exists && (ecs !== undefined) === exists && rule === changing && record === routed,
    };
    tierChecks.push(check);
    recordLive = record;
    tierExists = check.alb;
    ctx.log(
      `  run ${run.id} ${run.status} in ${applySeconds.toFixed(1)} s; alb=${check.alb} ecs=${check.ecsService} minute-rule=${check.minuteRule} record=${check.fargateRecord}${
        check.ok ? "" : "  <-- not as the state says"
      }`,
    );
    return { id: run.id, status: run.status, applySeconds };
  };

  try {
    await loop();
  } finally {
    ctx.tfc.useClock(() => new Date());
    rmSync(workRoot, { recursive: true, force: true });
    world.destroy();
    for (const c of [
      ports.cloudwatch,
      ports.elb,
      ports.route53,
      ports.parameters,
      ports.dynamo,
      ports.scheduler,
      ports.sns,
    ])
      c.destroy();
  }
  return report();

  async function loop(): Promise<void> {
    for (; ; minute++) {
      if (minute >= maxMinutes) fail(`the cycle did not complete within ${maxMinutes} simulated minutes`);
      nowMs = start + minute * MINUTE;

      // The world during the minute that just ended (index M), published as AWS would. The scaler reads it metricLag minutes later.
      const M = Math.floor(nowMs / MINUTE) - 1;
      const ts = new Date(M * MINUTE);
      if (demandPhase === "quiet" && minute >= profile.quietMinutes) demandPhase = "high";
      if (demandPhase === "high" && servingAt !== undefined && minute >= servingAt + profile.servingHighMinutes)
        demandPhase = "low";
      const rps = demandPhase === "high" ? profile.highRps : profile.quietRps;
      const requests = Math.round(rps * 60);
      const added = await world.playMinute(ts, requests, { tierExists, recordLive });
      if (added) ctx.log(`world m${minute}: ECS registered ${added} task(s) in ${settings.targets.targetGroupName}`);

      for (const schedule of await world.fireDueSchedules(nowMs)) rearms.push({ minute, schedule });

      // One invocation, as the per-minute rule (or a wake alarm, the low-demand alarm, a re-arm schedule, the heartbeat) would make it.
      let result: HandlerResult;
      try {
        result = await handleWith(deps, { kind: "schedule" }, logger);
      } catch (err) {
        return fail(`the scaler invocation threw: ${(err as Error).stack ?? String(err)}`);
      } finally {
        invocations++;
      }

      if (result.outcome === "corrupt-toggle") fail("the scaler found the toggle corrupt");
      if (result.outcome === "committed" && result.commit) {
        const from = result.from as TierState;
        const to = result.to as TierState;
        ctx.log(`scaler m${minute}: ${from} -> ${to} ${short(result.commit)}: ${result.reason}`);
        const t: Transition = {
          from,
          to,
          reason: String(result.reason),
          commit: result.commit,
          minute,
          at: new Date(nowMs).toISOString(),
        };
        const run = await applied(result.commit, to);
        transitions.push({ ...t, run });
        if (from !== to) {
          state = to;
          stateSince = minute;
        }
        if (to === "serving" && from === "warming") servingAt = minute;
        if (from === "draining" && to === "off") return;
      } else if (decisions.at(-1)?.requeueRun) {
        // The scaler queued a failed run again (POST /api/v2/runs): let the stand-in finish it before the clock moves.
        await ctx.tfc.whenIdle();
      }
      if (minute - stateSince > profile.budgets[state])
        fail(
          `stalled: ${state} for more than ${profile.budgets[state]} simulated minutes (the budget derived from the policy)`,
        );
    }
  }

  function scalerCalls(): Record<string, number> | undefined {
    if (!ctx.emulatorCalls) return undefined;
    const counts: Record<string, number> = {};
    for (const c of ctx.emulatorCalls()) {
      if (c.seq < firstCall || c.accessKey !== IDENTITIES.scaler.accessKeyId) continue;
      const key = `${c.service}:${c.operation}${c.status >= 400 ? ` ${c.status} ${c.error ?? ""}`.trimEnd() : ""}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  function report(): ScalerCycleReport {
    const calls = scalerCalls();
    const order = transitions.filter((t) => t.from !== t.to).map((t) => t.to);
    const expected: TierState[] = ["warming", "serving", "draining", "off"];
    if (order.join(",") !== expected.join(","))
      fail(`the cycle went ${["off", ...order].join(" -> ")}, not off -> ${expected.join(" -> ")}`);
    return {
      transitions,
      invocations,
      simulatedMinutes: minute + 1,
      wallSeconds: (Date.now() - wallStart) / 1000,
      profile,
      toggleLog: ctx.git
        .git(["log", "--reverse", "--format=%H %s", ctx.git.branch, "--", settings.toggleFile])
        .split("\n")
        .filter(Boolean),
      runs: ctx.tfc.runs(workspace).map(({ log: _log, ...r }) => r),
      tierChecks,
      weights,
      rearms,
      decisions,
      alerts,
      scalerErrors,
      ...(calls ? { scalerCalls: calls } : {}),
    };
  }
}
