// The backfill half of the live feed: which stored events a new subscriber gets first, read in
// pages, and the filters it is matched with. feed.ts joins them to the live events.
import type { Db } from "../db/open.ts";
import { parseEventFilter, type EventFilter } from "../events/filter/filter.ts";
import { parseStored, queryEventRows, type EventRowText } from "../events/query.ts";
import type { StoredEvent } from "../events/store.ts";

/** Prefect's websocket backfill page (PREFECT_SERVER_EVENTS_WEBSOCKET_BACKFILL_PAGE_SIZE). */
export const BACKFILL_PAGE_SIZE = 250;
/** Open-ended: a live feed without `occurred.until` keeps receiving (Prefect's client asks for now+365d). */
export const OPEN_UNTIL = 8_640_000_000_000_000;

/** The live filter and the backfill filter of a "filter" message. */
export function feedFilters(raw: unknown, now: number, backfillMinutes: number): { live: EventFilter; backfill: EventFilter } {
  const live = parseEventFilter(raw, now);
  const occurred = (raw as { occurred?: { until?: unknown } } | null | undefined)?.occurred;
  if (occurred?.until === undefined || occurred.until === null) live.occurred.until = OPEN_UNTIL;
  // Prefect clamps the backfill to MAXIMUM_WEBSOCKET_BACKFILL and always sends it oldest first.
  const since = Math.max(live.occurred.since, now - backfillMinutes * 60_000);
  return { live, backfill: { ...live, occurred: { since, until: live.occurred.until }, order: "ASC" } };
}

/** Where the next backfill page starts: from `since`, skipping `skip` events (those already sent at that instant). */
export interface BackfillCursor {
  since: number;
  skip: number;
}

export const firstCursor = (filter: EventFilter): BackfillCursor => ({ since: filter.occurred.since, skip: 0 });

/** One page of a backfill, as row texts, and where the next one starts (null: this was the last). */
export interface BackfillStep {
  rows: EventRowText[];
  next: BackfillCursor | null;
}

/**
 * One page of stored events for a backfill, oldest first. `horizon` pins the result to what was
 * committed when the subscriber joined (later events reach it live). Pages continue from the last
 * event's `occurred` (skipping the ones already sent at that instant) instead of by OFFSET, so a
 * 15-minute window under load does not rescan everything before each page.
 */
export function backfillStep(db: Db, filter: EventFilter, horizon: number, afterSeq: number | undefined, cursor: BackfillCursor, pageSize = BACKFILL_PAGE_SIZE): BackfillStep {
  const base = { ...filter, order: "ASC" as const };
  const bounds = { limit: pageSize, offset: cursor.skip, upToSeq: horizon, afterSeq };
  // resource.distinct picks one event per resource over the whole window: a moving window would change it.
  const keyset = !filter.resource?.distinct;
  const rows = queryEventRows(db, keyset ? { ...base, occurred: { ...base.occurred, since: cursor.since } } : base, bounds);
  if (rows.length < pageSize) return { rows, next: null };
  if (!keyset) return { rows, next: { since: cursor.since, skip: cursor.skip + rows.length } };
  const last = rows.at(-1)!.occurred;
  return { rows, next: { since: last, skip: last === cursor.since ? cursor.skip + rows.length : rows.filter((r) => r.occurred === last).length } };
}

/** All the pages of a backfill, each read by `read` (the feed reads them through EventReader, off this thread). */
export async function* backfillPages(filter: EventFilter, read: (cursor: BackfillCursor) => BackfillStep | Promise<BackfillStep>): AsyncGenerator<StoredEvent[]> {
  for (let cursor: BackfillCursor | null = firstCursor(filter); cursor; ) {
    const step = await read(cursor);
    if (step.rows.length > 0) yield step.rows.map(parseStored);
    cursor = step.next;
  }
}

/** The newest committed sequence number. (One MAX over the primary key; EventStore has no such query yet.) */
export function lastSeq(db: Db): number {
  return (db.$client.query("SELECT coalesce(max(seq), 0) AS seq FROM events").get() as { seq: number }).seq;
}
