// POST /api/webhooks/{id}/replay: re-run failed requests through the webhook's current template.
import { Elysia, t } from "elysia";
import { accessControl } from "../auth/access.ts";
import type { AppContext } from "../context.ts";
import { invalid, notFound } from "../errors.ts";
import type { EventFilter } from "../events/filter/filter.ts";
import { parseTimestamp, type Event } from "../events/model.ts";
import { parseJsonExact } from "../json.ts";
import { FAILED_EVENT } from "../ingest/failures.ts";
import { webhookResourceId } from "../webhooks/resource.ts";
import { Replayer } from "./replay.ts";

/** Failures one call replays at most (oldest first, for a time range); `more` says when there are others. */
export const MAX_REPLAY = 500;

const replayBody = t.Object({
  event_ids: t.Optional(t.Array(t.String({ maxLength: 100 }), { minItems: 1, maxItems: MAX_REPLAY })),
  since: t.Optional(t.String({ maxLength: 100 })),
  until: t.Optional(t.String({ maxLength: 100 })),
  dry_run: t.Optional(t.Boolean()),
});

function timeOf(field: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseTimestamp(value);
  if (ms === null) throw invalid(`${field}: must be an ISO 8601 date and time`);
  return ms;
}

export function replayRoutes(ctx: AppContext) {
  const replayer = new Replayer(ctx);

  /** The webhook's failure events in a time range, oldest first, and whether more are left. */
  async function failuresBetween(webhookId: string, since: number, until: number): Promise<{ events: Event[]; more: boolean }> {
    const filter: EventFilter = {
      occurred: { since, until },
      event: { name: [FAILED_EVENT] },
      resource: { id: [webhookResourceId(webhookId)], distinct: false },
      related: [],
      any_resource: [],
      order: "ASC",
    };
    const page = await ctx.events.page({ filter, limit: MAX_REPLAY, offset: 0 });
    return { events: parseJsonExact(page.events) as Event[], more: page.total > MAX_REPLAY };
  }

  return new Elysia({ prefix: "/webhooks" }).use(accessControl(ctx)).post(
    "/:id/replay",
    async ({ params, body }) => {
      const webhook = ctx.webhooks.get(params.id);
      if (!webhook) throw notFound("Webhook not found");
      if ((body.event_ids === undefined) === (body.since === undefined))
        throw invalid("event_ids: give either event_ids or since (and until)");
      if (body.event_ids && body.until !== undefined) throw invalid("until: goes with since, not with event_ids");
      let failures: (Event | string)[];
      let more = false;
      if (body.event_ids) {
        failures = await Promise.all(body.event_ids.map(async (id) => (await ctx.events.get(id)) ?? id));
      } else {
        const now = ctx.clock.now();
        const since = timeOf("since", body.since, now);
        const until = timeOf("until", body.until, now);
        if (until < since) throw invalid("until: must not be before since");
        ({ events: failures, more } = await failuresBetween(webhook.id, since, until));
      }
      const results = await replayer.replay(webhook, failures, body.dry_run === true);
      return { results, more };
    },
    { access: "admin", body: replayBody },
  );
}
