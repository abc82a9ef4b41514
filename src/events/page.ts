// Event pages for POST /api/events/filter and GET /api/events/filter/next: Prefect's EventPage
// {events, total, next_page}, where next_page is an absolute URL carrying a signed page token.
import type { Db } from "../db/open.ts";
import type { EventFilter } from "./filter/filter.ts";
import type { Event } from "./model.ts";
import { encodePageToken, type PageState } from "./page-token.ts";
import { countEvents, queryEvents } from "./query.ts";

/** Prefect's INTERACTIVE_PAGE_SIZE: the largest and the default page. */
export const MAX_PAGE_SIZE = 50;

export interface EventPage {
  events: Event[];
  total: number;
  next_page: string | null;
}

export function readPage(db: Db, state: PageState, origin: string): EventPage {
  const events = queryEvents(db, state.filter, { limit: state.pageSize, offset: state.offset, total: state.count }).map((s) => s.event);
  const offset = state.offset + state.pageSize;
  const next_page = offset < state.count
    ? `${origin}/api/events/filter/next?page-token=${encodePageToken(db, { ...state, offset })}`
    : null;
  return { events, total: state.count, next_page };
}

/** The first page, with the exact total of matching events. */
export function firstPage(db: Db, filter: EventFilter, pageSize: number, origin: string): EventPage {
  return readPage(db, { filter, count: countEvents(db, filter), pageSize, offset: 0 }, origin);
}
