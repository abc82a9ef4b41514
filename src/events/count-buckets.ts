// Prefect's count-by (prefect/server/events/counting.py): what may be counted, the time buckets a
// window is cut into and how each count is labelled. The counting itself is the store's
// (store/count-by.ts), over the same WHERE clause as the event pages.
import { invalid } from "../errors.ts";
import type { EventFilter } from "./filter/filter.ts";
import { toIso } from "./model.ts";

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
    throw invalid(
      `The given interval would create ${n} buckets, which is too many. Please increase the interval or reduce the time range to produce ${MAX_BUCKETS} buckets or fewer.`,
    );
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

/** The time buckets of the filter's window: each one's start, and their width in milliseconds. */
export function timeBuckets(filter: EventFilter, unit: TimeUnit, interval: number, now: number): { starts: number[]; delta: number } {
  const delta = UNIT_MS[unit] * interval;
  let end = filter.occurred.until;
  if (end > now) end = endOfUnit(now, unit);
  const first = Math.floor((filter.occurred.since - PIVOT) / delta);
  const starts: number[] = [];
  for (let start = PIVOT + delta * first; start < end; start = PIVOT + delta * (first + starts.length)) starts.push(start);
  return { starts, delta };
}

/** Exactly the part of the filter's window that bucket `i` covers, in whole milliseconds; null when none. */
export function bucketWindow(filter: EventFilter, starts: number[], i: number, delta: number): { since: number; until: number } | null {
  const start = starts[i]!;
  const next = i + 1 < starts.length ? starts[i + 1]! : start + delta;
  const since = Math.max(Math.ceil(start), filter.occurred.since);
  const until = Math.min(Math.ceil(next) - 1, filter.occurred.until);
  return since > until ? null : { since, until };
}

/** Each bucket's count (`i`: its index), labelled as Prefect labels it. */
export function timeCounts(starts: number[], delta: number, counts: { i: number; n: number }[]): EventCount[] {
  return counts.map(({ i, n }) => {
    const start = starts[i]!;
    // Inlet's times have millisecond precision, so a bucket ends 1 ms (not Prefect's 1 µs) before the next.
    return { value: String(i), label: pythonIso(start), count: n, start_time: toIso(start), end_time: toIso(Math.ceil(start + delta) - 1) };
  });
}

/** One group's count under one label: a value (an event name or a resource id) may come under several. */
export interface GroupRow {
  value: string;
  label: string;
  n: number;
  oldest: number;
  latest: number;
}

/** The counts by event or resource, most first. A resource's name may change over time: Prefect labels it with the name of its latest event. */
export function groupCounts(rows: GroupRow[]): EventCount[] {
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
