// The action outbox: where a firing's actions wait to be delivered. The engine calls `enqueue`
// inside the transaction that records the firing, so a firing is never recorded without its
// deliveries, nor a delivery without its firing; the delivery worker takes them from here.
import type { Db } from "../../db/open.ts";
import { deliveries } from "../../db/schema.ts";
import { toIso, type Event } from "../../events/model.ts";
import type { StagedEvents } from "../../events/store/staged.ts";
import { automationResourceId, type Action, type Firing } from "../../automations/model.ts";

/** An action of a firing, with its position in `actions + actions_on_trigger + actions_on_resolve`. */
export interface QueuedAction {
  index: number;
  action: Action;
  /** The event its templates see as `event`. */
  event: Event | null;
}

/**
 * The actions a firing runs, as Prefect runs them: on Triggered, `actions` (seeing the triggering
 * event) and `actions_on_trigger` (seeing the automation's `triggered` event); on Resolved,
 * `actions_on_resolve` (seeing the `resolved` event).
 */
export function actionsOf(firing: Firing): QueuedAction[] {
  const { actions, actions_on_trigger, actions_on_resolve } = firing.automation;
  const onTrigger = actions.length;
  const onResolve = onTrigger + actions_on_trigger.length;
  if (firing.state === "Resolved") {
    return actions_on_resolve.map((action, i) => ({ index: onResolve + i, action, event: firing.state_event }));
  }
  return [
    ...actions.map((action, i) => ({ index: i, action, event: firing.triggering_event })),
    ...actions_on_trigger.map((action, i) => ({ index: onTrigger + i, action, event: firing.state_event })),
  ];
}

/** The template context an action renders with (Prefect's names). */
export interface ActionContext {
  automation: Firing["automation"];
  event: Event | null;
  labels: Record<string, string>;
  firing: {
    id: string;
    state: Firing["state"];
    occurred: string;
    triggering_labels: Record<string, string>;
    triggering_event: Event | null;
  };
}

export const destinationOf = (action: Action): string | null =>
  "destination_id" in action || "block_document_id" in action ? (action.destination_id ?? action.block_document_id ?? null) : null;

/** A follower names its leader only when the leader is recent (Prefect: under 5 minutes). */
const FOLLOWS_WITHIN_MS = 5 * 60_000;

export class ActionOutbox {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly db: Db,
    private readonly staged: StagedEvents,
    private readonly newId: () => string = () => Bun.randomUUIDv7(),
  ) {}

  /**
   * Queues the firing's actions and stages an `…action.triggered` event for each. Call inside the
   * transaction that records the firing; call `notify()` once it has committed.
   */
  enqueue(firing: Firing): number {
    const queued = actionsOf(firing);
    if (queued.length === 0) return 0;
    const occurred = firing.occurred;
    const triggering = firing.triggering_event;
    const follows =
      triggering && occurred - Date.parse(triggering.occurred) < FOLLOWS_WITHIN_MS && occurred >= Date.parse(triggering.occurred)
        ? triggering.id
        : null;
    const rows = queued.map(({ index, action, event }) => {
      const eventId = this.newId();
      const context: ActionContext = {
        automation: firing.automation,
        event,
        labels: firing.triggering_labels,
        firing: {
          id: firing.id,
          state: firing.state,
          occurred: toIso(occurred),
          triggering_labels: firing.triggering_labels,
          triggering_event: triggering,
        },
      };
      const triggered: Event = {
        id: eventId,
        occurred: toIso(occurred),
        received: toIso(occurred),
        event: "prefect-cloud.automation.action.triggered",
        resource: {
          "prefect.resource.id": automationResourceId(firing.automation.id),
          "prefect.resource.name": firing.automation.name,
          "prefect.trigger-type": firing.automation.trigger.type,
          "prefect-cloud.action.type": action.type,
        },
        related: [
          { "prefect.resource.id": `prefect.event.${firing.state_event.id}`, "prefect.resource.role": "automation-triggered-event" },
          ...(triggering ? [{ "prefect.resource.id": `prefect.event.${triggering.id}`, "prefect.resource.role": "triggering-event" }] : []),
        ],
        payload: { action_index: index, action_type: action.type, invocation: "" },
        follows,
      };
      const id = `msg_${eventId.replaceAll("-", "")}`;
      triggered.payload.invocation = id;
      return {
        row: {
          id,
          automationId: firing.automation.id,
          firingId: firing.id,
          actionIndex: index,
          action: JSON.stringify(action),
          context: JSON.stringify(context),
          destinationId: destinationOf(action),
          status: "pending" as const,
          attemptCount: 0,
          nextAttempt: occurred,
          triggeredEventId: eventId,
          created: occurred,
          updated: occurred,
        },
        event: triggered,
      };
    });
    this.db
      .insert(deliveries)
      .values(rows.map((r) => r.row))
      .run();
    this.staged.stage(rows.map((r) => r.event));
    return rows.length;
  }

  /** Calls `listener` after `notify()`: the delivery worker wakes up. */
  onQueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the worker that deliveries were queued (after the transaction committed). */
  notify(): void {
    for (const listener of this.listeners) listener();
  }
}
