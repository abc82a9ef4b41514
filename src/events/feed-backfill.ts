// The backfill half of the live feed: which stored events a new subscriber gets first, read in
// pages, and the filters it is matched with. feed.ts joins them to the live events.
import type { Db } from "../db/open.ts";
import { parseEventFilter, type EventFilter } from "./filter.ts";
import { queryEvents } from "./query.ts";
import type { StoredEvent } from "./store.ts";

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

/**
 * Stored events for a backfill, oldest first, in pages. `horizon` pins the result to what was
 * committed when the subscriber joined (later events reach it live). Pages continue from the last
 * event's `occurred` (skipping the ones already sent at that instant) instead of by OFFSET, so a
 * 15-minute window under load does not rescan everything before each page.
 */
export function* backfillPages(db: Db, filter: EventFilter, horizon: number, afterSeq?: number, pageSize = BACKFILL_PAGE_SIZE): Generator<StoredEvent[]> {
  const base = { ...filter, order: "ASC" as const };
  // resource.distinct picks one event per resource over the whole window: a moving window would change it.
  const keyset = !filter.resource?.distinct;
  let since = filter.occurred.since;
  let sameInstant = 0;
  let offset = 0;
  for (;;) {
    const page = keyset
      ? queryEvents(db, { ...base, occurred: { ...base.occurred, since } }, { limit: pageSize, offset: sameInstant, upToSeq: horizon, afterSeq })
      : queryEvents(db, base, { limit: pageSize, offset, upToSeq: horizon, afterSeq });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    offset += page.length;
    const last = Date.parse(page.at(-1)!.event.occurred);
    sameInstant = last === since ? sameInstant + page.length : page.filter((s) => Date.parse(s.event.occurred) === last).length;
    since = last;
  }
}

/** The newest committed sequence number. (One MAX over the primary key; EventStore has no such query yet.) */
export function lastSeq(db: Db): number {
  return (db.$client.query("SELECT coalesce(max(seq), 0) AS seq FROM events").get() as { seq: number }).seq;
}
