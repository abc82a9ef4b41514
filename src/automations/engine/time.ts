// The engine's clock rules. Windows are measured on an event's `occurred`, as Prefect measures them,
// but a sender's wrong clock must neither fire nor silence a trigger: an `occurred` in the future
// counts as the moment Inlet received the event, and one older than the look-back counts as the
// start of the look-back.
import type { Event } from "../../events/model.ts";

/** How far back an event may have occurred and still count as when it occurred (Prefect's PRECEDING_EVENT_LOOKBACK). */
export const LOOKBACK_MS = 15 * 60_000;

/**
 * How long a Reactive bucket outlives its end before it is forgotten (Prefect sweeps closed buckets
 * 60 seconds after they end). An `after` with `within` 0 therefore arms the trigger for 60 seconds.
 */
export const SWEEP_MS = 60_000;

/** The instant the engine evaluates an event at, epoch milliseconds. */
export function eventTime(event: Event): number {
  const received = Date.parse(event.received);
  const occurred = Date.parse(event.occurred);
  if (Number.isNaN(received)) return occurred;
  if (Number.isNaN(occurred) || occurred > received) return received;
  return Math.max(occurred, received - LOOKBACK_MS);
}

export const seconds = (s: number) => Math.round(s * 1000);
