// POST /api/events/count-by/{countable}: Prefect's counting (prefect/server/events/counting.py and
// storage/__init__.py process_time_based_counts), over the same WHERE clause as the event pages.
import type { Db } from "../db/open.ts";
import { invalid } from "../errors.ts";
import type { EventFilter } from "./filter/filter.ts";
import { toIso } from "./model.ts";
import { countEvents, runAll } from "./query.ts";
import { whereClause } from "./where.ts";

export const COUNTABLES = ["event", "resource", "day", "time"] as const;
export type Countable = (typeof COUNTABLES)[number];
export const TIME_UNITS = ["week", "day", "hour", "minute", "second"] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

export interface EventCount {
  value: string;
  label: string;
  count: number;
  start_time: string;
  end_time: string;
}

/** Every Prefect deployment's first event is after this Monday; time buckets count from it. */
export const PIVOT = Date.UTC(2024, 3, 1);
export const MAX_BUCKETS = 1000;
export const MIN_INTERVAL = 0.01;
const UNIT_MS: Record<TimeUnit, number> = { week: 7 * 86_400_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 };

/** Throws 422 with Prefect's messages when the window and interval would not make 1..1000 buckets. */
export function validateBuckets(filter: EventFilter, unit: TimeUnit, interval: number): void {
  if (interval < MIN_INTERVAL) throw invalid(`time_interval: The minimum interval is ${MIN_INTERVAL}`);
  const n = Math.ceil((filter.occurred.until - filter.occurred.since) / (UNIT_MS[unit] * interval));
  if (n > MAX_BUCKETS) {
    throw invalid(`The given interval would create ${n} buckets, which is too many. Please increase the interval or reduce the time range to produce ${MAX_BUCKETS} buckets or fewer.`);
  }
}

/** The end of the current week (Monday-based), day, hour, minute or second, as pendulum's end_of. */
function endOfUnit(now: number, unit: TimeUnit): number {
  const size = unit === "week" ? UNIT_MS.day : UNIT_MS[unit];
  let start = Math.floor(now / size) * size;
  if (unit === "week") start -= ((new Date(start).getUTCDay() + 6) % 7) * UNIT_MS.day;
  return start + UNIT_MS[unit] - 1;
}

/** Python's isoformat() of a UTC datetime, which Prefect uses for bucket labels. */
function pythonIso(ms: number): string {
  const iso = toIso(Math.floor(ms)).slice(0, 19);
  const micros = Math.round((ms - Math.floor(ms / 1000) * 1000) * 1000);
  return `${iso}${micros ? `.${String(micros).padStart(6, "0")}` : ""}+00:00`;
}

function countTime(db: Db, filter: EventFilter, unit: TimeUnit, interval: number, now: number): EventCount[] {
  const delta = UNIT_MS[unit] * interval;
  let end = filter.occurred.until;
  if (end > now) end = endOfUnit(now, unit);
  const first = Math.floor((filter.occurred.since - PIVOT) / delta);
  const starts: number[] = [];
  for (let start = PIVOT + delta * first; start < end; start = PIVOT + delta * (first + starts.length)) starts.push(start);
  if (starts.length === 0) return [];
  const grouped = countTextBuckets(db, filter, starts, delta);
  // One count per bucket over exactly its part of the window, so each reads only its own events
  // and takes the same shortcuts as the page's total. Times are whole milliseconds.
  const rows = grouped ?? starts.map((start, i) => {
    const next = i + 1 < starts.length ? starts[i + 1]! : start + delta;
    const since = Math.max(Math.ceil(start), filter.occurred.since);
    const until = Math.min(Math.ceil(next) - 1, filter.occurred.until);
    return { i, n: since > until ? 0 : countEvents(db, { ...filter, occurred: { since, until } }) };
  });
  return rows.map(({ i, n }) => {
    const start = starts[i]!;
    // Inlet's times have millisecond precision, so a bucket ends 1 ms (not Prefect's 1 µs) before the next.
    return { value: String(i), label: pythonIso(start), count: n, start_time: toIso(start), end_time: toIso(Math.ceil(start + delta) - 1) };
  });
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
  const rows = runAll<{ i: number; n: number }>(db,
    `SELECT (e.occurred - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS i, ${what} AS n FROM events e WHERE ${where.sql} GROUP BY 1`, [starts[0]!, delta, ...where.params]);
  const counts = starts.map((_, i) => ({ i, n: 0 }));
  for (const row of rows) if (row.i < counts.length) counts[row.i]!.n = row.n;
  return counts;
}

function countGroups(db: Db, filter: EventFilter, countable: "event" | "resource"): EventCount[] {
  const where = whereClause(filter, "list", db);
  const label = countable === "event"
    ? "e.event"
    : `coalesce(json_extract(e.data, '$.resource."prefect.resource.name"'), json_extract(e.data, '$.resource."prefect.name"'), e.resource_id)`;
  const value = countable === "event" ? "e.event" : "e.resource_id";
  const rows = runAll<{ value: string; label: string; n: number; oldest: number; latest: number }>(db,
    `SELECT ${value} AS value, ${label} AS label, count(*) AS n, min(e.occurred) AS oldest, max(e.occurred) AS latest
     FROM events e WHERE ${where.sql} GROUP BY 1, 2`, where.params);
  // A resource's name may change over time: Prefect labels it with the name of its latest event.
  const merged = new Map<string, { label: string; count: number; oldest: number; latest: number }>();
  for (const row of rows) {
    const m = merged.get(row.value);
    if (!m) merged.set(row.value, { label: row.label, count: row.n, oldest: row.oldest, latest: row.latest });
    else {
      if (row.latest > m.latest) m.label = row.label;
      m.count += row.n;
      m.oldest = Math.min(m.oldest, row.oldest);
      m.latest = Math.max(m.latest, row.latest);
    }
  }
  return [...merged]
    .map(([value, m]) => ({ value, label: m.label, count: m.count, start_time: toIso(m.oldest), end_time: toIso(m.latest) }))
    .sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
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
