/** What synth reports of the stacks it wrote: resources per tier state, and what the toggle says. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DeploymentConfig } from "../config/schema";
import { existsIn, tierCountOf } from "../model/tier-states";
import { parseToggle, TIER_STATES } from "../model/toggle";
import { formatIdleBill, idleBillFromStack } from "../sim/idle-bill";
import { STACKS } from "../stacks/app";

/** Resources Terraform would manage in each tier state, from a stack's count expressions (model/tier-states.ts). */
export function resourcesPerState(stack: Record<string, any>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const state of TIER_STATES) {
    let n = 0;
    for (const byName of Object.values(stack.resource ?? {}) as Array<Record<string, any>>) {
      for (const r of Object.values(byName)) {
        if (r.count === undefined) {
          n += 1;
          continue;
        }
        const count = tierCountOf(String(r.count));
        if (count === undefined) throw new Error(`unexpected count ${r.count}`);
        if (existsIn(count, state)) n += 1;
      }
    }
    result[state] = n;
  }
  return result;
}

/** The bootstrap stack's resources: those always created, and those behind `create_service_linked_roles`. */
export function bootstrapResources(stack: Record<string, any>): { always: number; serviceLinkedRoles: number } {
  let always = 0;
  let serviceLinkedRoles = 0;
  for (const byName of Object.values(stack.resource ?? {}) as Array<Record<string, any>>) {
    for (const r of Object.values(byName)) {
      if (r.count === undefined) always += 1;
      else if (r.count === "${var.create_service_linked_roles ? 1 : 0}") serviceLinkedRoles += 1;
      else throw new Error(`unexpected count ${r.count}`);
    }
  }
  return { always, serviceLinkedRoles };
}

/** A one-paragraph account of what was synthesized and what the toggle says. */
export function describeSynth(config: DeploymentConfig, stackDirs: Record<string, string>, repoRoot: string): string {
  const lines = Object.entries(stackDirs).map(([id, dir]) => {
    const stack = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));
    if (id === STACKS.bootstrap) {
      const { always, serviceLinkedRoles } = bootstrapResources(stack);
      const roles = `${serviceLinkedRoles} service-linked roles unless create_service_linked_roles=false`;
      return `  ${config.deployDir}/${id}: ${always} resources, plus ${roles} (apply once, locally)`;
    }
    const counts = resourcesPerState(stack);
    const byState = TIER_STATES.map((s) => `${s} ${counts[s]}`).join(", ");
    return `  ${config.deployDir}/${id}: resources by tier state: ${byState}`;
  });
  // main refused a bad toggle before synthesizing
  const t = parseToggle(readFileSync(join(repoRoot, config.toggleFile), "utf8"), config.toggleFile);
  const tasks = `tasks ${t.fargate_min_tasks}-${t.fargate_max_tasks}`;
  const toggle = `${t.fargate_tier} since ${t.fargate_tier_since}, ${tasks}${t.fargate_pinned ? ", pinned" : ""}`;
  const bill = idleBillFromStack(JSON.parse(readFileSync(join(stackDirs[STACKS.core]!, "cdk.tf.json"), "utf8")));
  return `${lines.join("\n")}\n  ${config.toggleFile}: ${toggle}\n${formatIdleBill(bill)}`;
}
