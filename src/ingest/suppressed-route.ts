// GET /api/failures/suppressed: per webhook, how many failures were dropped under the failure budget
// since its last stored failure event. Those dropped before it are in that event's
// `payload.suppressed`; these are counted only in memory until the next one is stored (a restart
// forgets them), so the Failures page can still say that more requests failed than it lists.
import { Elysia } from "elysia";
import { accessControl } from "../auth/access.ts";
import type { AppContext } from "../context.ts";

export function suppressedFailureRoutes(ctx: AppContext) {
  return new Elysia().use(accessControl(ctx)).get("/failures/suppressed", () => ({ webhooks: ctx.failureLimiter.notStored() }), {
    access: "read",
  });
}
