// Durations as Prefect's API takes them (pydantic's timedelta): a number of seconds, a numeric
// string, an ISO-8601 duration ("PT10M", "P1DT2H", "P2W") or a clock time ("00:10:00",
// "1 day, 0:10:00", as Python prints a timedelta). Years and months have no fixed length and are
// refused, as is anything negative.

const ISO = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const CLOCK = /^(?:(\d+) days?,\s*)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)$/;
const NUMBER = /^\d+(?:\.\d+)?$/;

/** Seconds, or null when `value` is not a duration Inlet understands. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== "string") return null;
  const s = value.trim();
  if (NUMBER.test(s)) return Number(s);
  const iso = ISO.exec(s);
  // "P" and "PT" alone say nothing.
  if (iso && /\d/.test(s)) {
    const [, w, d, h, m, sec] = iso.map((part) => Number(part ?? 0));
    return w! * 604_800 + d! * 86_400 + h! * 3600 + m! * 60 + sec!;
  }
  const clock = CLOCK.exec(s);
  if (clock) {
    const [, days, h, m, sec] = clock.map((part) => Number(part ?? 0));
    if (m! >= 60 || sec! >= 60) return null;
    return days! * 86_400 + h! * 3600 + m! * 60 + sec!;
  }
  return null;
}
