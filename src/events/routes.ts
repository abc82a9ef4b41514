// Prefect's events API: posting events, filter pages, count-by and one event by id. Thin: the
// store writes and reads (store/event-store.ts), page.ts shapes the pages.
import { Elysia } from "elysia";
import { accessControl } from "../auth/access.ts";
import type { AppContext } from "../context.ts";
import { isJsonObject, parseJsonExact } from "../json.ts";
import { AppError, invalid, notFound } from "../errors.ts";
import { COUNTABLES, TIME_UNITS, type Countable, type TimeUnit } from "./count-buckets.ts";
import { parseEventFilter } from "./filter/filter.ts";
import { EventValidationError, toEvent, type Event } from "./model.ts";
import { MAX_PAGE_SIZE, readPage } from "./page.ts";
import { decodePageToken } from "./page-token.ts";
import { ReadRefused } from "./store/event-store.ts";

/** Upper bound on one POST /api/events batch, so one request cannot hold the writer for long. */
export const MAX_EVENTS_PER_POST = 1000;

/** The body as JSON, integers past 2^53 kept exact: the events are stored as they were sent. */
async function readJsonExact(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === "") return undefined;
  try {
    return parseJsonExact(text);
  } catch {
    throw new AppError("invalid_json");
  }
}

/** A JSON object body with only the given keys; no body at all reads as `{}`. */
function bodyObject(body: unknown, keys: readonly string[]): Record<string, unknown> {
  if (body === undefined || body === null || body === "") return {};
  if (!isJsonObject(body)) throw invalid("body: must be a JSON object");
  for (const key of Object.keys(body)) if (!keys.includes(key)) throw invalid(`${key}: unknown key`);
  return body;
}

function pageSize(value: unknown): number {
  if (value === undefined || value === null) return MAX_PAGE_SIZE;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_PAGE_SIZE) {
    throw invalid(`limit: must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return value as number;
}

function countOptions(body: Record<string, unknown>): { unit: TimeUnit; interval: number } {
  const unit = body.time_unit ?? "day";
  if (!TIME_UNITS.includes(unit as TimeUnit)) throw invalid(`time_unit: must be one of ${TIME_UNITS.join(", ")}`);
  const interval = body.time_interval ?? 1;
  if (typeof interval !== "number" || !Number.isFinite(interval)) throw invalid("time_interval: must be a number");
  return { unit: unit as TimeUnit, interval };
}

const originOf = (request: Request) => new URL(request.url).origin;

/**
 * A filter read's answer: JSON text already (the store serializes where it reads). A refusal (busy,
 * stopped at its time limit) says when to retry.
 */
async function jsonRead(set: { headers: Record<string, unknown> }, read: Promise<string>): Promise<Response> {
  try {
    return new Response(await read, { headers: { "content-type": "application/json;charset=utf-8" } });
  } catch (err) {
    if (err instanceof ReadRefused) set.headers["retry-after"] = String(err.retryAfterSeconds);
    throw err;
  }
}

export function eventRoutes(ctx: AppContext) {
  return (
    new Elysia({ prefix: "/events" })
      .use(accessControl(ctx))
      .post(
        "/",
        async ({ body, set }) => {
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
          // Through the group commit, like webhook events: durable before 204, then broadcast.
          if (!ctx.events.hasRoom(list.length)) {
            set.headers["retry-after"] = "1";
            throw new AppError("too_many_requests", "The write queue is full; retry shortly");
          }
          try {
            await Promise.all(list.map((event) => ctx.events.write(event)));
          } catch {
            throw new AppError("unavailable", "The events could not be stored; retry shortly");
          }
          set.status = 204;
        },
        { access: "write", parse: ({ request }) => readJsonExact(request) },
      )
      .post(
        "/filter",
        async ({ body, request, set }) => {
          const b = bodyObject(body, ["filter", "limit"]);
          const filter = parseEventFilter(b.filter, ctx.clock.now());
          return jsonRead(set, readPage(ctx.events, ctx.settings, { filter, pageSize: pageSize(b.limit), offset: 0 }, originOf(request)));
        },
        { access: "read" },
      )
      .get(
        "/filter/next",
        async ({ query, request, set }) => {
          const state = decodePageToken(ctx.settings, query["page-token"], ctx.clock.now());
          return jsonRead(set, readPage(ctx.events, ctx.settings, state, originOf(request)));
        },
        { access: "read" },
      )
      .post(
        "/count-by/:countable",
        async ({ params, body, set }) => {
          if (!COUNTABLES.includes(params.countable as Countable)) throw invalid(`countable: must be one of ${COUNTABLES.join(", ")}`);
          const b = bodyObject(body, ["filter", "time_unit", "time_interval"]);
          // Prefect requires the filter here (Body(..., embed=True)), unlike on /filter.
          if (b.filter === undefined) throw invalid("filter: Field required");
          const now = ctx.clock.now();
          const { unit, interval } = countOptions(b);
          const filter = parseEventFilter(b.filter, now);
          return jsonRead(set, ctx.events.countBy({ filter, countable: params.countable as Countable, unit, interval, now }));
        },
        { access: "read" },
      )
      .get(
        "/:id",
        async ({ params }) => {
          const event = await ctx.events.get(params.id);
          if (!event) throw notFound("Event not found");
          return event;
        },
        { access: "read" },
      )
      // The request a hook event was made from, as it arrived (kept for --raw-retention-days).
      .get(
        "/:id/request",
        async ({ params }) => {
          const request = await ctx.events.request(params.id);
          if (request) return request;
          throw notFound((await ctx.events.get(params.id)) ? "No request is kept for this event" : "Event not found");
        },
        { access: "read" },
      )
  );
}
