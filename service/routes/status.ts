import { HEALTHZ_PATH, writeHealthz } from "../healthz";
import { jsonBody } from "../json-body";
import type { Route } from "../router";
import type { ScalerStatus } from "../../model/status-item";

export interface StatusRouteDeps {
  readonly tier: "lambda" | "fargate";
  readonly version: string;
  readonly instanceId: string;
  readonly clock: () => Date;
  readonly startedAt: Date;
  /** Reads the scaler's last decision; undefined when no scaler status is configured or known. */
  readonly scalerStatus: () => Promise<ScalerStatus | undefined>;
}

/** `/healthz` for the ALB and `/stack-status` for humans and the demo. */
export function statusRoutes(deps: StatusRouteDeps): Route[] {
  let served = 0;
  return [
    {
      method: "GET",
      path: HEALTHZ_PATH,
      handler: (ctx) => {
        ctx.respond = false;
        writeHealthz(ctx.res, ctx.method);
      },
      doc: {
        operationId: "healthz",
        summary: "Liveness for the load balancer; never calls a dependency",
        responses: { "200": { description: "Alive", content: { "application/json": { schema: { type: "object" } } } } },
      },
    },
    {
      method: "GET",
      path: "/stack-status",
      handler: async (ctx) => {
        served += 1;
        let scaler: ScalerStatus | null = null;
        try {
          scaler = (await deps.scalerStatus()) ?? null;
        } catch {
          // The scaler's status is informative only; its store being down must not fail this route.
          scaler = null;
        }
        const now = deps.clock();
        ctx.set("Cache-Control", "no-store");
        jsonBody(ctx, {
          tier: deps.tier,
          instanceId: deps.instanceId,
          coldStart: served === 1,
          version: deps.version,
          uptimeSeconds: Math.max(0, Math.round((now.getTime() - deps.startedAt.getTime()) / 1000)),
          scaler,
        });
      },
      doc: {
        operationId: "stackStatus",
        summary: "Which tier and instance served this request, and the scaler's last decision",
        responses: {
          "200": {
            description: "Status",
            content: { "application/json": { schema: { $ref: "#/components/schemas/StackStatus" } } },
          },
        },
      },
    },
  ];
}
