// The backfill half of the live feed: which stored events a new subscriber gets first, and the
// filters it is matched with. The store reads the pages (store/backfill.ts); feed.ts joins them to
// the live events.
import { parseEventFilter, type EventFilter } from "../events/filter/filter.ts";
import { firstCursor } from "../events/store/backfill.ts";
import { parseStored, type BackfillCursor, type BackfillStep, type StoredEvent } from "../events/store/event-store.ts";

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

/** All the pages of a backfill, each read by `read` (the feed reads them from the store, off this thread). */
export async function* backfillPages(
  filter: EventFilter,
  read: (cursor: BackfillCursor) => BackfillStep | Promise<BackfillStep>,
): AsyncGenerator<StoredEvent[]> {
  for (let cursor: BackfillCursor | null = firstCursor(filter); cursor; ) {
    const step = await read(cursor);
    if (step.rows.length > 0) yield step.rows.map(parseStored);
    cursor = step.next;
  }
}
