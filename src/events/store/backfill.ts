// A live feed's backfill, read from the store a page at a time: the events a new subscriber gets
// before the live ones (feed/backfill.ts chooses them and joins the pages to the live events).
import type { Db } from "../../db/open.ts";
import type { EventFilter } from "../filter/filter.ts";
import type { BackfillCursor, BackfillStep } from "./event-store.ts";
import { queryEventRows } from "./query.ts";

/** Prefect's websocket backfill page (PREFECT_SERVER_EVENTS_WEBSOCKET_BACKFILL_PAGE_SIZE). */
export const BACKFILL_PAGE_SIZE = 250;

export const firstCursor = (filter: EventFilter): BackfillCursor => ({ since: filter.occurred.since, skip: 0 });

/**
 * One page of stored events for a backfill, oldest first. `horizon` pins the result to what was
 * committed when the subscriber joined (later events reach it live). Pages continue from the last
 * event's `occurred` (skipping the ones already sent at that instant) instead of by OFFSET, so a
 * 15-minute window under load does not rescan everything before each page.
 */
export function backfillStep(
  db: Db,
  filter: EventFilter,
  horizon: number,
  afterSeq: number | undefined,
  cursor: BackfillCursor,
  pageSize = BACKFILL_PAGE_SIZE,
): BackfillStep {
  const base = { ...filter, order: "ASC" as const };
  const bounds = { limit: pageSize, offset: cursor.skip, upToSeq: horizon, afterSeq };
  // resource.distinct picks one event per resource over the whole window: a moving window would change it.
  const keyset = !filter.resource?.distinct;
  const rows = queryEventRows(db, keyset ? { ...base, occurred: { ...base.occurred, since: cursor.since } } : base, bounds);
  if (rows.length < pageSize) return { rows, next: null };
  if (!keyset) return { rows, next: { since: cursor.since, skip: cursor.skip + rows.length } };
  const last = rows.at(-1)!.occurred;
  return {
    rows,
    next: { since: last, skip: last === cursor.since ? cursor.skip + rows.length : rows.filter((r) => r.occurred === last).length },
  };
}
