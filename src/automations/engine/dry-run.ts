// A dry run: the most recent stored events replayed, in commit order, through a throwaway evaluator
// of a trigger. Deadlines are checked at their own times, up to each event's and, at the end, the clock's; nothing
// is recorded or sent.
import { toIso } from "../../events/model.ts";
import type { EventStore } from "../../events/store/event-store.ts";
import type { AutomationCore, DryRunFiring, DryRunResult } from "../model.ts";
import type { Outcome } from "./event-trigger.ts";
import { TriggerEvaluator } from "./evaluator.ts";
import { eventTime } from "./time.ts";

/** The most events a dry run replays. */
export const MAX_DRY_RUN_EVENTS = 10_000;

const toDryRunFiring = (o: Outcome): DryRunFiring => ({
  state: o.state,
  occurred: toIso(o.at),
  event_id: o.event?.id ?? null,
  triggering_labels: o.labels,
});

/** Each deadline up to `until`, at its own time (as the timer would have seen it). */
function deadlinesUntil(evaluator: TriggerEvaluator, until: number, firings: Outcome[]): void {
  for (let due = evaluator.nextDue(); due !== null && due <= until; due = evaluator.nextDue()) {
    firings.push(...evaluator.onDeadlines(due));
  }
}

export async function dryRun(
  events: Pick<EventStore, "after" | "lastSeq">,
  core: AutomationCore,
  limit: number,
  now: number,
): Promise<DryRunResult> {
  const n = Math.max(0, Math.min(limit, MAX_DRY_RUN_EVENTS));
  const evaluator = new TriggerEvaluator(core.trigger);
  const stored = n === 0 ? [] : await events.after(Math.max(0, events.lastSeq() - n), n);
  const firings: Outcome[] = [];
  let watching = false;
  for (const { event } of stored) {
    const at = eventTime(event);
    if (!watching) {
      evaluator.startWatching(at);
      watching = true;
    }
    deadlinesUntil(evaluator, at, firings);
    for (const leaf of evaluator.leaves) firings.push(...evaluator.onEvent(leaf, event, at));
  }
  if (watching) deadlinesUntil(evaluator, now, firings);
  return { evaluated: stored.length, firings: firings.map(toDryRunFiring) };
}
