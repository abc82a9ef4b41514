// The feed's time range: a preset relative to now, or a custom window (from the picker or from
// brushing the chart). Each range has the count-by buckets its chart is drawn with.

export type RangeName = "all" | "15m" | "1h" | "24h" | "7d" | "custom";

export const RANGES: { name: RangeName; label: string }[] = [
  { name: "all", label: "All time" },
  { name: "15m", label: "15 m" },
  { name: "1h", label: "1 h" },
  { name: "24h", label: "24 h" },
  { name: "7d", label: "7 d" },
  { name: "custom", label: "Custom" },
];

const MS: Record<Exclude<RangeName, "all" | "custom">, number> = { "15m": 900_000, "1h": 3_600_000, "24h": 86_400_000, "7d": 604_800_000 };

/** "All time" is charted over the last week (the feed itself is not narrowed). */
const ALL_CHART_MS = MS["7d"];
/** Far enough back to cover any retention: Prefect's filter would otherwise default to the last day. */
export const ALL_TIME = "2000-01-01T00:00:00.000Z";
const TARGET_BUCKETS = 60;

export interface TimeRange {
  name: RangeName;
  /** Custom bounds, ISO 8601 (milliseconds since the epoch are derived from them). */
  from?: string;
  to?: string;
}

/** The window the feed is filtered to, or null for no bound (all time). */
export function feedWindow(r: TimeRange, now: number): { since: string; until?: string } | null {
  if (r.name === "all") return null;
  if (r.name === "custom") {
    if (!r.from || Number.isNaN(Date.parse(r.from))) return null;
    return { since: r.from, ...(r.to && !Number.isNaN(Date.parse(r.to)) ? { until: r.to } : {}) };
  }
  return { since: new Date(now - MS[r.name]).toISOString() };
}

/** The window the chart shows, in milliseconds. */
export function chartWindow(r: TimeRange, now: number): { since: number; until: number } {
  const w = feedWindow(r, now);
  if (!w) return { since: now - ALL_CHART_MS, until: now };
  return { since: Date.parse(w.since), until: w.until ? Date.parse(w.until) : now };
}

/** About 60 buckets over the window, in whole seconds, as count-by's `time_unit`/`time_interval`. */
export function buckets(window: { since: number; until: number }): { time_unit: "second"; time_interval: number } {
  const seconds = Math.max(1, (window.until - window.since) / 1000);
  return { time_unit: "second", time_interval: Math.max(1, Math.ceil(seconds / TARGET_BUCKETS)) };
}

export function rangeFromQuery(q: URLSearchParams): TimeRange {
  const name = (q.get("range") ?? "all") as RangeName;
  if (!RANGES.some((r) => r.name === name)) return { name: "all" };
  return name === "custom" ? { name, from: q.get("from") ?? undefined, to: q.get("to") ?? undefined } : { name };
}

export function rangeToQuery(r: TimeRange, q: URLSearchParams): void {
  if (r.name === "all") return;
  q.set("range", r.name);
  if (r.name === "custom") {
    if (r.from) q.set("from", r.from);
    if (r.to) q.set("to", r.to);
  }
}
