// The delivery log: an automation's deliveries with every attempt (the request as sent, secrets
// masked, and the answer), newest first; and "retry now" on a failed one.
import { Elysia, t } from "elysia";
import { accessControl } from "../auth/access.ts";
import type { AppContext } from "../context.ts";
import { AppError, invalid, notFound } from "../errors.ts";
import { toIso } from "../events/model.ts";
import type { AttemptRow, DeliveryPageCursor, DeliveryRow } from "./store/deliveries.ts";

export const DEFAULT_DELIVERY_PAGE = 50;
export const MAX_DELIVERY_PAGE = 200;

const encodeCursor = (row: DeliveryRow) => Buffer.from(JSON.stringify([row.created, row.id])).toString("base64url");

function decodeCursor(token: string): DeliveryPageCursor {
  try {
    const [created, id] = JSON.parse(Buffer.from(token, "base64url").toString()) as unknown[];
    if (typeof created === "number" && Number.isSafeInteger(created) && typeof id === "string" && id.length <= 200) return { created, id };
  } catch {}
  throw new AppError("invalid_page_token");
}

const parsed = (text: string | null) => (text === null ? null : (JSON.parse(text) as unknown));

function toApi(delivery: DeliveryRow, attempts: AttemptRow[]) {
  return {
    id: delivery.id,
    automation_id: delivery.automationId,
    firing_id: delivery.firingId,
    action_index: delivery.actionIndex,
    action_type: (JSON.parse(delivery.action) as { type: string }).type,
    destination_id: delivery.destinationId,
    status: delivery.status,
    reason: delivery.reason,
    next_attempt: delivery.status === "pending" && delivery.nextAttempt !== null ? toIso(delivery.nextAttempt) : null,
    created: toIso(delivery.created),
    attempts: attempts.map((a) => ({
      at: toIso(a.at),
      status_code: a.statusCode,
      duration_ms: a.durationMs,
      error: a.error,
      response: a.response,
      request: parsed(a.request),
    })),
  };
}

export function deliveryRoutes(ctx: AppContext) {
  return new Elysia()
    .use(accessControl(ctx))
    .get(
      "/automations/:id/deliveries",
      ({ params, query }) => {
        const limit = query.limit ?? DEFAULT_DELIVERY_PAGE;
        const page = ctx.deliveries.pageForAutomation(params.id, limit + 1, query.page ? decodeCursor(query.page) : null);
        const shown = page.slice(0, limit);
        const more = page.length > limit;
        return {
          deliveries: shown.map(({ delivery, attempts }) => toApi(delivery, attempts)),
          next_page: more ? encodeCursor(shown[shown.length - 1]!.delivery) : null,
        };
      },
      {
        access: "read",
        query: t.Object({
          limit: t.Optional(t.Integer({ minimum: 1, maximum: MAX_DELIVERY_PAGE })),
          page: t.Optional(t.String({ maxLength: 1000 })),
        }),
      },
    )
    .post(
      "/deliveries/:id/retry",
      ({ params }) => {
        const delivery = ctx.deliveries.get(params.id);
        if (!delivery) throw notFound("Delivery not found");
        if (!ctx.deliveries.retry(params.id, ctx.clock.now()))
          throw invalid(`status: only a failed delivery can be retried (this one is ${delivery.status})`);
        ctx.deliveryWorker.wake();
        const again = ctx.deliveries.get(params.id)!;
        return toApi(again, ctx.deliveries.attemptsOf(again.id));
      },
      { access: "admin" },
    );
}
