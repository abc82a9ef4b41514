// The events an action's outcome records, in Prefect Cloud's shapes: `…action.executed` when a
// delivery succeeded, `…action.failed` (with `reason`) when it was given up. Each follows the
// `…action.triggered` event the outbox recorded when the action was queued. Attempts that will be
// retried are in the delivery log only.
import { automationResourceId, type Action } from "../automations/model.ts";
import { toIso, type Event, type RelatedResource } from "../events/model.ts";
import type { DeliveryRow } from "./store/deliveries.ts";
import type { ActionContext } from "./store/outbox.ts";

export const ACTION_EXECUTED = "prefect-cloud.automation.action.executed";
export const ACTION_FAILED = "prefect-cloud.automation.action.failed";

export function outcomeEvent(
  delivery: DeliveryRow,
  outcome: { ok: true; statusCode?: number | null } | { ok: false; reason: string; statusCode?: number | null },
  now: number,
  newId: () => string = () => Bun.randomUUIDv7(),
): Event {
  const action = JSON.parse(delivery.action) as Action;
  const context = JSON.parse(delivery.context) as ActionContext;
  const related: RelatedResource[] = [];
  if (delivery.destinationId) {
    related.push({ "prefect.resource.id": `prefect.block-document.${delivery.destinationId}`, "prefect.resource.role": "block" });
  }
  if (context.firing.triggering_event) {
    related.push({
      "prefect.resource.id": `prefect.event.${context.firing.triggering_event.id}`,
      "prefect.resource.role": "triggering-event",
    });
  }
  const payload: Record<string, unknown> = { action_index: delivery.actionIndex, action_type: action.type, invocation: delivery.id };
  if (outcome.statusCode != null) payload.status_code = outcome.statusCode;
  if (!outcome.ok) payload.reason = outcome.reason;
  return {
    id: newId(),
    occurred: toIso(now),
    received: toIso(now),
    event: outcome.ok ? ACTION_EXECUTED : ACTION_FAILED,
    resource: {
      "prefect.resource.id": automationResourceId(delivery.automationId),
      "prefect.resource.name": context.automation.name,
      "prefect.trigger-type": context.automation.trigger.type,
      "prefect-cloud.action.type": action.type,
    },
    related,
    payload,
    follows: delivery.triggeredEventId,
  };
}
