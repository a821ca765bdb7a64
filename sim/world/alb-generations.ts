/**
 * The ALBs a client's cached DNS answer may still point at: each from creation to deletion, with
 * its target groups' health over time, which Route 53's evaluation of a past answer reads. The tier's
 * lifecycle writes them; the DNS clients read them.
 */
import type { LambdaTargetHealth } from "./lambda-target-health";
import type { TargetGroupHealth } from "./route53";

/** From `from` on, `registered` targets, the first of which turned healthy at `firstHealthy` (Infinity: none will). */
interface TasksHealth {
  readonly from: number;
  readonly registered: number;
  readonly firstHealthy: number;
}

/** One ALB, from creation to deletion: what a cached DNS answer resolved to at a given time. */
export interface AlbGeneration {
  readonly createdAt: number;
  goneAt?: number;
  /** The tasks' target group over time, oldest first. */
  readonly health: TasksHealth[];
  /** The service function in the Lambda target group (weighted switch). */
  lambda?: LambdaTargetHealth;
}

/** ALBs that exist or existed within the longest time a client keeps an answer. */
export class AlbGenerations {
  private list: AlbGeneration[] = [];

  /** An ALB created at `at`. */
  create(at: number): AlbGeneration {
    const gen: AlbGeneration = { createdAt: at, health: [] };
    this.list.push(gen);
    return gen;
  }

  /** Drops the ALBs gone by `horizon`: no client holds an answer to them any more. */
  forget(horizon: number): void {
    this.list = this.list.filter((g) => g.goneAt === undefined || g.goneAt > horizon);
  }

  /** The ALB that existed at `at` (the later one, should two overlap). */
  at(at: number): AlbGeneration | undefined {
    let gen: AlbGeneration | undefined;
    for (const g of this.list) if (g.createdAt <= at && (g.goneAt === undefined || at < g.goneAt)) gen = g;
    return gen;
  }
}

/**
 * Notes that from `now` on the tasks' group has `registered` targets, the first healthy at
 * `firstHealthy`. Only the span a client may keep an answer for matters: one entry from before
 * `horizon` is kept.
 */
export function noteTasksHealth(
  gen: AlbGeneration,
  now: number,
  registered: number,
  firstHealthy: number,
  horizon: number,
): void {
  while (gen.health.length > 0 && gen.health.at(-1)!.from >= now) gen.health.pop();
  gen.health.push({ from: now, registered, firstHealthy });
  while (gen.health.length > 1 && gen.health[1]!.from <= horizon) gen.health.shift();
}

/** The tasks' target group at `at`: registered targets, and whether one of them was healthy. */
export function tasksGroupAt(gen: AlbGeneration, at: number): TargetGroupHealth {
  let e: TasksHealth | undefined;
  for (const h of gen.health) {
    if (h.from > at) break;
    e = h;
  }
  return { registered: e?.registered ?? 0, healthy: e !== undefined && e.firstHealthy <= at ? 1 : 0 };
}

/** Every target group of the ALB at `at` as Route 53 evaluates them: the tasks', and the function's (weighted). */
export function targetGroupsAt(gen: AlbGeneration, at: number): TargetGroupHealth[] {
  const groups = [tasksGroupAt(gen, at)];
  if (gen.lambda) groups.push({ registered: 1, healthy: gen.lambda.stateAt(at) === "healthy" ? 1 : 0 });
  return groups;
}
