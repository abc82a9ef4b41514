// POST /api/events/count-by/{countable}: Prefect's counting (prefect/server/events/storage/__init__.py
// process_time_based_counts) over the same WHERE clause as the event pages. The buckets and their
// labels are count-buckets.ts's.
import type { Db } from "../../db/open.ts";
import {
  bucketWindow,
  groupCounts,
  timeBuckets,
  timeCounts,
  validateBuckets,
  type Countable,
  type EventCount,
  type GroupRow,
  type TimeUnit,
} from "../count-buckets.ts";
import type { EventFilter } from "../filter/filter.ts";
import { countEvents, runAll } from "./query.ts";
import { whereClause } from "./where.ts";

function countTime(db: Db, filter: EventFilter, unit: TimeUnit, interval: number, now: number): EventCount[] {
  const { starts, delta } = timeBuckets(filter, unit, interval, now);
  if (starts.length === 0) return [];
  const grouped = countTextBuckets(db, filter, starts, delta);
  // One count per bucket over exactly its part of the window, so each reads only its own events
  // and takes the same shortcuts as the page's total. Times are whole milliseconds.
  const rows =
    grouped ??
    starts.map((_, i) => {
      const occurred = bucketWindow(filter, starts, i, delta);
      return { i, n: occurred === null ? 0 : countEvents(db, { ...filter, occurred }) };
    });
  return timeCounts(starts, delta, rows);
}

/**
 * With a text filter, one query counts every bucket: the text is planned and the word index read
 * once for the window, where a count per bucket would do both for each of up to MAX_BUCKETS. Only
 * for buckets of whole milliseconds, where an event's bucket is an integer division.
 */
function countTextBuckets(db: Db, filter: EventFilter, starts: number[], delta: number): { i: number; n: number }[] | null {
  if (filter.text === undefined || !Number.isInteger(delta) || !Number.isInteger(starts[0])) return null;
  const where = whereClause(filter, "list", db);
  const what = filter.resource?.distinct ? "count(DISTINCT e.resource_id)" : "count(*)";
  // starts[0] is at or before the window's start, so the division is of a non-negative number.
  const rows = runAll<{ i: number; n: number }>(
    db,
    `SELECT (e.occurred - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS i, ${what} AS n FROM events e WHERE ${where.sql} GROUP BY 1`,
    [starts[0]!, delta, ...where.params],
  );
  const counts = starts.map((_, i) => ({ i, n: 0 }));
  for (const row of rows) if (row.i < counts.length) counts[row.i]!.n = row.n;
  return counts;
}

function countGroups(db: Db, filter: EventFilter, countable: "event" | "resource"): EventCount[] {
  const where = whereClause(filter, "list", db);
  const label =
    countable === "event"
      ? "e.event"
      : `coalesce(json_extract(e.data, '$.resource."prefect.resource.name"'), json_extract(e.data, '$.resource."prefect.name"'), e.resource_id)`;
  const value = countable === "event" ? "e.event" : "e.resource_id";
  const rows = runAll<GroupRow>(
    db,
    `SELECT ${value} AS value, ${label} AS label, count(*) AS n, min(e.occurred) AS oldest, max(e.occurred) AS latest
     FROM events e WHERE ${where.sql} GROUP BY 1, 2`,
    where.params,
  );
  return groupCounts(rows);
}

/**
 * Counts the filter's events by countable; `day` is `time` with a one-day interval, as in Prefect,
 * which makes it so before checking the number of buckets: the ones counted are checked.
 */
export function countBy(db: Db, filter: EventFilter, countable: Countable, unit: TimeUnit, interval: number, now: number): EventCount[] {
  const [bucketUnit, bucketInterval] = countable === "day" ? (["day", 1] as const) : [unit, interval];
  validateBuckets(filter, bucketUnit, bucketInterval);
  if (countable === "day" || countable === "time") return countTime(db, filter, bucketUnit, bucketInterval, now);
  return countGroups(db, filter, countable);
}
