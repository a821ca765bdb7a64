/**
 * The same-world optimum's hands: from the plan (same-world-plan.ts) and the
 * world's live answers it decides when to add the tier and when to leave, and
 * acts through the production adapters: the toggle committed with the git
 * adapter, failed runs queued again through the Terraform Cloud adapter, and
 * the listener's weights set from live target health with the policy's own
 * canary and capacity rules. Apart from the minute loop that runs it
 * (same-world-optimum.ts), because it changes with the scaler's adapters and
 * rules, not with how the run is driven or reported.
 */
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Route53Client } from "@aws-sdk/client-route-53";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { countHealthyTargets, readLoadBalancerDimensions } from "../scaler/adapters/load-balancers";
import { readToken } from "../scaler/adapters/parameters";
import { readLiveRecords } from "../scaler/adapters/route53";
import { queueRun, readRuns, type TerraformCloudTarget } from "../scaler/adapters/terraform-cloud";
import { toggleReader, type ToggleReader } from "../scaler/git-toggle";
import {
  capacityShare,
  drainWindowMinutes,
  FLOOR_SETTLE_MINUTES,
  nextCanaryStep,
  tasksFor,
  type Decision,
  type PolicyConfig,
} from "../scaler/policy";
import { commitMessage } from "../scaler/reconcile";
import { formatToggle, parseToggle, type TierState, type Toggle } from "../model/toggle";
import { setListenerWeight } from "./listener-weights";
import type { SameWorldPlan } from "./same-world-plan";
import type { TwinWorld } from "./twin-world";
import { MINUTE, START } from "./world/build";

/** The optimum's hands: it decides from the plan and the world's live answers, and acts through the production adapters. */
export class Actor {
  state: TierState = "off";
  /** The committed toggle's since (ms) and task floor, and the commit whose run has not applied yet. */
  private sinceMs = START - 86_400_000;
  private floor: number;
  private pending: string | undefined;
  /** Draining: when the fargate record was first read gone. */
  private recordGoneMs: number | undefined;
  /** The next planned round trip. */
  private cycle = 0;
  private readonly policy: PolicyConfig;
  private readonly elb: ElasticLoadBalancingV2Client;
  private readonly weighted: boolean;

  private constructor(
    private readonly tw: TwinWorld,
    private readonly trace: readonly number[],
    private readonly plan: SameWorldPlan,
    private readonly read: ToggleReader,
    private readonly tfc: TerraformCloudTarget,
  ) {
    this.policy = tw.settings.policy;
    this.floor = tw.config.fargate.minTasks;
    this.elb = tw.elb as unknown as ElasticLoadBalancingV2Client;
    this.weighted = this.policy.fargateSwitch === "weighted";
  }

  /** Reads the tokens from the parameter store, as the scaler does. */
  static async start(tw: TwinWorld, trace: readonly number[], plan: SameWorldPlan, workRoot: string): Promise<Actor> {
    const s = tw.settings;
    const ssm = tw.parameters as unknown as SSMClient;
    const [gitToken, tfcToken] = await Promise.all([
      readToken(ssm, s.git.tokenParameterName),
      readToken(ssm, s.terraformCloud!.tokenParameterName),
    ]);
    const read = toggleReader({
      url: s.git.repositoryUrl,
      branch: s.git.branch,
      path: s.toggleFile,
      token: gitToken,
      username: s.git.tokenUsername,
      author: { name: s.git.authorName, email: s.git.authorEmail },
      workRoot,
      http: tw.git.http,
    });
    const tfc = {
      baseUrl: `https://${s.terraformCloud!.hostname}`,
      organization: s.terraformCloud!.organization,
      workspace: s.terraformCloud!.workspace,
      token: tfcToken,
    };
    return new Actor(tw, trace, plan, read, tfc);
  }

  private get minutesInState(): number {
    return (this.tw.clock.now() - this.sinceMs) / MINUTE;
  }

  /** Acts in minute `m` for minute `m + 1`, the first its actions can change. */
  async act(m: number): Promise<void> {
    const next = m + 1;
    const rps = (this.trace[next] ?? this.trace[m] ?? 0) / 60;
    await this.followRun();
    const cycle = this.plan.cycles[this.cycle];
    // A round trip still serving when the trace ends has leaveAt = the trace's length: it never leaves.
    const leaving = cycle !== undefined && cycle.leaveAt < this.trace.length && cycle.leaveAt <= next;
    switch (this.state) {
      case "off": {
        // A round trip whose serving the world has already made impossible is skipped.
        while (this.plan.cycles[this.cycle] && this.plan.cycles[this.cycle]!.leaveAt <= next) this.cycle++;
        const c = this.plan.cycles[this.cycle];
        if (c && c.warmAt <= next) {
          // The task floor for the demand the tier will meet when it serves (the scaler sizes it for the demand it has seen).
          const peak = Math.max(0, ...this.trace.slice(c.serveAt, c.serveAt + FLOOR_SETTLE_MINUTES)) / 60;
          await this.commit(
            "warming",
            `planned round trip ${this.cycle + 1}: serving from minute ${c.serveAt}, leaving at minute ${c.leaveAt}`,
            { fargate_min_tasks: tasksFor(peak, this.policy) },
          );
        }
        return;
      }
      case "warming":
      case "serving": {
        if (leaving) {
          await this.setWeight(() => 0);
          await this.commit(
            "draining",
            `planned round trip ${this.cycle + 1} leaves Fargate at minute ${cycle!.leaveAt}`,
          );
          this.cycle++;
          return;
        }
        if (this.state === "warming") return this.warm(rps);
        await this.setWeight((healthy) => capacityShare(healthy, rps, this.policy));
        const resting = Math.max(1, Math.min(this.policy.minTasks, this.policy.maxTasks));
        if (this.floor > resting && this.minutesInState >= FLOOR_SETTLE_MINUTES) {
          await this.commit(
            "serving",
            `serving for ${Math.round(this.minutesInState)} min; target tracking owns the task count, so the floor goes from ${this.floor} back to ${resting}`,
            { fargate_min_tasks: resting },
          );
        }
        return;
      }
      case "draining": {
        await this.setWeight(() => 0);
        const drainMinutes = drainWindowMinutes(this.policy);
        if (this.pending) return;
        // As the policy does: the window counts from the minute the record is read gone, not from the
        // commit (a failed and retried draining run removes it late).
        if (this.recordGoneMs === undefined) {
          const records = await readLiveRecords(
            this.tw.route53 as unknown as Route53Client,
            this.tw.settings.hostedZoneId,
            this.tw.settings.domain,
          );
          if (records.fargate) return;
          this.recordGoneMs = this.tw.clock.now();
        }
        if ((this.tw.clock.now() - this.recordGoneMs) / MINUTE < drainMinutes) return;
        await this.commit(
          "off",
          `drained: ${drainMinutes} min of DNS TTL, deregistration delay${this.weighted ? " and stragglers" : ""} since the fargate record went; removing Fargate`,
        );
        return;
      }
    }
  }

  /** Warming: the canary (weighted) or healthy tasks (DNS) decide when serving begins, as in the policy. */
  private async warm(rps: number): Promise<void> {
    if (this.weighted) {
      let complete = false;
      await this.setWeight((healthy, weightNow) => {
        const capacity = capacityShare(healthy, rps, this.policy);
        complete = weightNow > 0 && weightNow >= Math.min(100, capacity);
        return complete ? capacity : Math.min(capacity, nextCanaryStep(weightNow));
      });
      if (complete)
        await this.commit("serving", "canary complete: the tasks carry the ALB's requests; serving on Fargate");
      return;
    }
    const lb = await readLoadBalancerDimensions(this.elb, this.tw.names.albName, this.tw.names.targetGroupName);
    const healthy = lb.targetGroupArn ? await countHealthyTargets(this.elb, lb.targetGroupArn) : 0;
    const needed = Math.min(this.floor, Math.max(1, Math.ceil(rps / this.policy.requestsPerTaskPerSecond)));
    if (healthy >= needed)
      await this.commit(
        "serving",
        `${healthy} healthy tasks carry the next minute's ${Math.round(rps * 100) / 100} req/s; moving traffic to Fargate`,
      );
  }

  /** Weighted switch: reads the listener and target health as the scaler does, and sets the tasks' share when it changes. */
  private async setWeight(want: (healthy: number, weightNow: number) => number): Promise<void> {
    if (this.weighted) await setListenerWeight(this.elb, this.tw.names, want);
  }

  /** Follows the run for the last commit: applied, or failed and queued again at once. */
  private async followRun(): Promise<void> {
    if (!this.pending) return;
    const runs = await readRuns(this.tfc, this.pending, this.tw.tfc.fetch);
    if (runs.forHead?.phase === "applied") this.pending = undefined;
    else if (runs.forHead?.phase === "failed")
      await queueRun(
        this.tfc,
        runs.workspaceId,
        `same-world optimum: retry: run ${runs.forHead.id} ${runs.forHead.status}`,
        this.tw.tfc.fetch,
      );
  }

  /** Commits the toggle through the production git adapter, with the scaler's commit message. */
  private async commit(to: TierState, reason: string, changes: Partial<Toggle> = {}): Promise<void> {
    const at = new Date(this.tw.clock.now());
    for (let attempt = 1; attempt <= 3; attempt++) {
      const checkout = await this.read();
      try {
        const t = parseToggle(checkout.text, this.tw.settings.toggleFile);
        const since = to === t.fargate_tier ? t.fargate_tier_since : at.toISOString().replace(/\.\d{3}Z$/, "Z");
        const toggle: Toggle = { ...t, fargate_tier: to, fargate_tier_since: since, ...changes };
        const decision: Decision = {
          action: "commit",
          from: t.fargate_tier,
          to,
          toggle,
          reason: `same-world optimum: ${reason}`,
          evidence: { planned_cycle: this.cycle + 1 },
          alerts: [],
        };
        const pushed = await checkout.commit(formatToggle(toggle), commitMessage(decision, at), at);
        if (pushed.outcome === "pushed") {
          if (to !== this.state) this.recordGoneMs = undefined;
          this.state = to;
          this.sinceMs = Date.parse(since);
          this.floor = toggle.fargate_min_tasks;
          this.pending = pushed.oid;
          return;
        }
      } finally {
        await checkout.dispose();
      }
    }
    throw new Error(
      `the same-world optimum's push of ${to} was rejected 3 times; nothing else writes the simulated repository`,
    );
  }
}
