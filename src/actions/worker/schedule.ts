// When a failed attempt is tried again: Svix's schedule (after the first attempt, 5 s, 5 min,
// 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over about 27.6 hours), each delay spread by a
// random ±20 % so that many deliveries failing together do not retry together.

/** The delay before each attempt after the first, in milliseconds. */
export const RETRY_DELAYS_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
export const JITTER = 0.2;
/** A receiver's Retry-After is honoured up to this (a longer one is read as this long). */
export const MAX_RETRY_AFTER_MS = 10 * 3_600_000;

/**
 * When to try again after `attempts` failed attempts, or null when that was the last. A
 * Retry-After the receiver sent pushes the retry later, never sooner than the schedule.
 */
export function nextAttemptAt(attempts: number, now: number, retryAfterMs: number | null, random: () => number): number | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  const base = RETRY_DELAYS_MS[attempts - 1]!;
  const jittered = Math.round(base * (1 + JITTER * (2 * random() - 1)));
  const asked = retryAfterMs === null ? 0 : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return now + Math.max(jittered, asked);
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), in milliseconds from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d{1,10}$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
