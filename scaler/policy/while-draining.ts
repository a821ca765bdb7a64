/**
 * The drain rules (states.ts maps each state to its rule): serve again if
 * demand came back; otherwise wait out the drain window and remove the tier
 * once the ALB is idle or the drain deadline has passed.
 */
import { TierState } from "../../model/toggle";
import { accumulated, usd } from "../money";
import { last, round, tasksFor, tasksToCarry } from "./demand";
import { drainWindowMinutes } from "./round-trip";
import type { Situation } from "./situation";
import type { Decision } from "./types";

/** Draining: serve again if demand came back; otherwise wait out the drain window and remove the tier when the ALB is idle. */
export function whileDraining(s: Situation): Decision {
  const {
    c,
    o,
    t,
    minutesInState,
    alb,
    recentRps,
    peakRps,
    healthyNow,
    healthyAtLeast,
    throttles,
    floor,
    upSteps,
    downSteps,
    step,
    smoothStayExcess,
    upBar,
    recordGone,
    goneMinutes,
    weighted,
    weightNow,
    alerts,
    out,
    none,
    commit,
    priced,
  } = s;
  // All of the ALB's requests to Lambda first: instant, no DNS involved.
  if (weightNow !== undefined) out.fargateWeight = 0;
  // Keeping the tier that still exists meets the bar for adding it: Lambda has cost the up price (with its backoff) since the drain began.
  const cameBack = accumulated(smoothStayExcess, (e) => e);
  const back = tasksFor(peakRps, c, t.fargate_max_tasks);
  if ((throttles > 0 || cameBack >= upBar) && healthyAtLeast(Math.min(back, tasksToCarry(recentRps, c)))) {
    // The dwell keeps counting from the drain's start, and the floor is sized for the demand that came back.
    return commit(
      TierState.serving,
      `demand came back while draining: Lambda cost ${usd(cameBack)} more than Fargate, reaching the ${priced(upBar, upSteps)}, ${healthyNow} healthy hosts; serving again with ${back} tasks (drain backoff ${step(downSteps)})`,
      {
        fargate_min_tasks: back,
        fargate_tier_since: t.fargate_tier_since,
        // The drain was a mistake: the next one costs double.
        fargate_backoff_down: step(downSteps),
      },
    );
  }
  // Weighted, the ALB keeps serving through Lambda for clients that cache the answer past its TTL.
  // Every part of the window counts from the first run that read the record gone, not from the
  // commit: a draining run that failed, was retried or queued behind another removes it late.
  const drainMinutes = drainWindowMinutes(c);
  if (o.fargateRecordLive !== false || goneMinutes === undefined) {
    if (minutesInState > drainMinutes + c.applyTimeoutMinutes && o.fargateRecordLive === true) {
      alerts.push({
        kind: "apply-lagging",
        message: `draining for ${Math.round(minutesInState)} min but the fargate DNS record is still live; check the Terraform run`,
      });
    }
    return none(
      `draining: waiting for the fargate DNS record to be removed (${o.fargateRecordLive === undefined ? "unknown" : "still live"})`,
    );
  }
  if (goneMinutes < drainMinutes) {
    // The same words every minute of the window, so the status item is not rewritten each minute.
    const until = new Date(Date.parse(recordGone!.at) + drainMinutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return none(
      `draining: the fargate record has been gone since ${recordGone!.at}; the ALB stays until ${until} (${drainMinutes} min: DNS TTL + deregistration delay${weighted ? ` + ${c.stragglerMinutes} min for clients that cache DNS longer` : ""})`,
    );
  }
  const idle = last(alb, 2);
  const deadline = drainMinutes + c.drainDeadlineMinutes;
  if (idle.length < 2 || idle.some((v) => v === undefined)) {
    if (goneMinutes < deadline)
      return none("draining: no ALB data for the last 2 min; waiting for evidence that it is idle");
    return commit(
      TierState.off,
      `drain deadline: the fargate record gone for ${Math.round(goneMinutes)} min (limit ${deadline}) without ALB data; removing Fargate`,
      { fargate_min_tasks: floor },
    );
  }
  const idleRps = Math.max(...(idle as number[])) / 60;
  if (idleRps > c.drainIdleRps) {
    if (goneMinutes < deadline)
      return none(`draining: ALB still carries ${round(idleRps)} req/s (idle is <= ${c.drainIdleRps})`);
    return commit(
      TierState.off,
      `drain deadline: the ALB still carries ${round(idleRps)} req/s ${Math.round(goneMinutes)} min after the fargate record went (limit ${deadline}); removing Fargate`,
      { fargate_min_tasks: floor },
    );
  }
  return commit(
    TierState.off,
    `drained: ${Math.round(goneMinutes * 10) / 10} min since the fargate record went (DNS TTL, deregistration delay${weighted ? " and stragglers" : ""}) and the ALB carries ${round(idleRps)} req/s; removing Fargate`,
    {
      fargate_min_tasks: floor,
    },
  );
}
