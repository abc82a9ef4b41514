// Prefect's events API (DESIGN §6).
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import { invalid, notFound } from "../errors.ts";
import { EventValidationError, toEvent, type Event } from "./model.ts";

/** Upper bound on one POST /api/events batch, so one request cannot hold the writer for long. */
export const MAX_EVENTS_PER_POST = 1000;

export function eventRoutes(ctx: AppContext) {
  return new Elysia({ prefix: "/events" })
    .post("/", ({ body, set }) => {
      if (!Array.isArray(body)) throw invalid("The body must be a JSON array of events");
      if (body.length > MAX_EVENTS_PER_POST) throw invalid(`At most ${MAX_EVENTS_PER_POST} events per request`);
      const now = ctx.clock.now();
      const list: Event[] = body.map((item, i) => {
        try {
          return toEvent(item, { now });
        } catch (err) {
          if (err instanceof EventValidationError) throw invalid(`[${i}] ${err.message}`);
          throw err;
        }
      });
      ctx.bus.publish(ctx.events.insert(list));
      set.status = 204;
    })
    .get("/:id", ({ params }) => {
      const event = ctx.events.get(params.id);
      if (!event) throw notFound("Event not found");
      return event;
    });
}

