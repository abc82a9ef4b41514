// The events Inlet records about an automation's own life: created, updated (a PUT, a pause, a
// resume) and deleted, named as Prefect Cloud names them. Each is staged in the transaction that
// makes the change, so the change and its event are durable together.
import { RESOURCE_ID, RESOURCE_NAME, toEvent, type Event } from "../events/model.ts";
import { automationResourceId, type Automation } from "./model.ts";

export type LifecycleChange = "created" | "updated" | "deleted";

export const lifecycleEventName = (change: LifecycleChange) => `prefect-cloud.automation.${change}`;

/** The automation as it is after the change (before it, for `deleted`), whole, as the payload. */
export function lifecycleEvent(change: LifecycleChange, automation: Automation, now: number): Event {
  return toEvent(
    {
      event: lifecycleEventName(change),
      occurred: new Date(now).toISOString(),
      resource: { [RESOURCE_ID]: automationResourceId(automation.id), [RESOURCE_NAME]: automation.name },
      payload: automation,
    },
    { now },
  );
}
