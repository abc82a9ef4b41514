// A dry run: the most recent stored events replayed, in commit order, through a throwaway evaluator
// of a trigger. Deadlines are checked at each event's time and, at the end, at the clock's; nothing
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
    const due = evaluator.nextDue();
    if (due !== null && due <= at) firings.push(...evaluator.onDeadlines(at));
    for (const leaf of evaluator.leaves) firings.push(...evaluator.onEvent(leaf, event, at));
  }
  if (watching) firings.push(...evaluator.onDeadlines(now));
  return { evaluated: stored.length, firings: firings.map(toDryRunFiring) };
}
