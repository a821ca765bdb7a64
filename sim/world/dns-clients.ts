/**
 * The service's clients as resolvers: each resolves the name, caches the answer (most for the
 * record's TTL, a share for far longer) and sends its requests where the answer points. Route 53
 * answers with the "fargate" record's ALB while that record is in sync (one that evaluates target
 * health, only while the ALB is healthy), else with the weight-0 "lambda" record: API Gateway.
 */
import type { SwitchMode } from "../../model/tier-states";
import { tasksGroupAt, targetGroupsAt, type AlbGeneration, type AlbGenerations } from "./alb-generations";
import type { World } from "./params";
import { albHealthyForRoute53, type Route53Emulator } from "./route53";

const MINUTE = 60_000;

/** Where a minute's requests go, as shares of them (api + alb + dead = 1; misrouted is part of api). */
export interface RouteShares {
  readonly api: number;
  readonly alb: number;
  /** To an ALB that no longer exists. */
  readonly dead: number;
  /** To API Gateway although the in-sync "fargate" record's ALB could have served them. */
  readonly misrouted: number;
}

/** Every request to API Gateway: a minute without requests, or without the tier. */
export const ALL_TO_API: RouteShares = { api: 1, alb: 0, dead: 0, misrouted: 0 };

export interface DnsClientsOptions {
  readonly world: World;
  readonly route53: Route53Emulator;
  readonly albs: AlbGenerations;
  readonly switchMode: SwitchMode;
  /** Whether the "fargate" alias record evaluates the ALB's target health. */
  readonly evaluatesTargetHealth: boolean;
}

export class DnsClients {
  constructor(private readonly o: DnsClientsOptions) {}

  /** The longest a client keeps a resolved answer (ms). */
  maxAnswerAgeMs(): number {
    return Math.max(this.o.world.dns.ttlSeconds * 1000, this.o.world.clients.longCacheMinutes * MINUTE);
  }

  /** Before this time no answer a client still holds was given (a minute's margin). */
  horizon(now: number): number {
    return now - this.maxAnswerAgeMs() - MINUTE;
  }

  /**
   * Where the requests of [from, from + 1 min) go, as shares: to API Gateway, to a live ALB, or to an
   * ALB that no longer exists. Most clients keep their answer for the TTL; a share of them
   * (clients.longCacheShare) for clients.longCacheMinutes. Answer ages are uniform over each span.
   * `countMisrouted`: also measure the share misrouted to API Gateway.
   */
  routeShares(from: number, countMisrouted: boolean): RouteShares {
    const ttl = this.o.world.dns.ttlSeconds * 1000;
    const long = this.o.world.clients.longCacheMinutes * MINUTE;
    const longShare = this.o.world.clients.longCacheShare;
    const out = { api: 0, alb: 0, dead: 0, misrouted: 0 };
    const spans: Array<[number, number, number]> = [
      [ttl, 4, 1 - longShare],
      [long, 12, longShare],
    ];
    const POINTS = 6;
    for (let i = 0; i < POINTS; i++) {
      const t = from + ((i + 0.5) / POINTS) * MINUTE;
      for (const [span, n, share] of spans) {
        if (share <= 0) continue;
        const weight = share / (POINTS * n);
        for (let j = 0; j < n; j++) {
          const resolvedAt = t - ((j + 0.5) / n) * span;
          const gen = this.answerAt(resolvedAt);
          if (!gen) {
            if (countMisrouted && this.misroutedAt(resolvedAt)) out.misrouted += weight;
            continue;
          }
          if (gen.goneAt !== undefined && gen.goneAt <= t) out.dead += weight;
          else out.alb += weight;
        }
      }
    }
    // The rest asked API Gateway (exactly, so a minute without the tier keeps every request there).
    out.api = out.alb + out.dead > 0 ? Math.max(0, 1 - out.alb - out.dead) : 1;
    return out;
  }

  /** The ALB the "fargate" record aliased at `at`, when the record was in sync then. */
  private aliasedAt(at: number): AlbGeneration | undefined {
    return this.o.route53.liveAt("fargate", at) ? this.o.albs.at(at) : undefined;
  }

  /**
   * Route 53's answer at `at`: the ALB the weight-100 "fargate" record aliased while the record was in
   * sync, else undefined: the weight-0 "lambda" record, API Gateway. A record that evaluates target
   * health (FARGATE_RECORD_EVALUATES_TARGET_HEALTH: the DNS switch) answers the ALB only while Route
   * 53 counts it healthy (albHealthyForRoute53); one that does not (weighted) answers it whenever it
   * is in sync. Route 53 sees target health as ELB reports it, with no lag of its own: the lag is in
   * the checks (a task's checks before it is healthy, two failed checks of the function).
   */
  private answerAt(at: number): AlbGeneration | undefined {
    const gen = this.aliasedAt(at);
    if (!gen || !this.o.evaluatesTargetHealth) return gen;
    return albHealthyForRoute53(targetGroupsAt(gen, at)) ? gen : undefined;
  }

  /**
   * Whether a client that resolved at `at` and got API Gateway was misrouted: the record was in sync
   * and its ALB could have served the request (weighted: its listener always has the Lambda target
   * group; DNS: only the tasks, so they needed a healthy target). Independent of the record's setting,
   * so it measures what that setting costs.
   */
  private misroutedAt(at: number): boolean {
    const gen = this.aliasedAt(at);
    if (!gen) return false;
    return this.o.switchMode === "weighted" || tasksGroupAt(gen, at).healthy > 0;
  }
}
