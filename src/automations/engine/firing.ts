// A firing as it is recorded: the `prefect-cloud.automation.triggered` / `.resolved` event (named,
// shaped and labelled as Prefect Cloud's) and the Firing the action outbox takes.
import { RESOURCE_ID, RESOURCE_NAME, RESOURCE_ROLE, toIso, type Event } from "../../events/model.ts";
import { automationResourceId, type Automation, type Firing } from "../model.ts";
import type { Outcome } from "./event-trigger.ts";

export const firingEventName = (state: Outcome["state"]) =>
  state === "Triggered" ? "prefect-cloud.automation.triggered" : "prefect-cloud.automation.resolved";

/** The event saying that the engine paused a runaway automation. */
export const RUNAWAY_EVENT = "prefect-cloud.automation.disabled";

export interface FiringIds {
  firing: string;
  event: string;
}

export function toFiring(automation: Automation, outcome: Outcome, now: number, ids: FiringIds): Firing {
  const triggering = outcome.event;
  const resource: Record<string, string> = {
    [RESOURCE_ID]: automationResourceId(automation.id),
    [RESOURCE_NAME]: automation.name,
  };
  if (automation.trigger.type === "event") resource["prefect.posture"] = automation.trigger.posture;
  const stateEvent: Event = {
    id: ids.event,
    occurred: toIso(now),
    received: toIso(now),
    event: firingEventName(outcome.state),
    resource,
    related: triggering ? [{ [RESOURCE_ID]: `prefect.event.${triggering.id}`, [RESOURCE_ROLE]: "triggering-event" }] : [],
    payload: { triggering_labels: outcome.labels, triggering_event: triggering },
    follows: null,
  };
  return {
    id: ids.firing,
    automation,
    state: outcome.state,
    occurred: now,
    triggering_event: triggering,
    triggering_labels: outcome.labels,
    state_event: stateEvent,
  };
}

/** Why a runaway automation was paused, as its `disabled` event says it. */
export function runawayEvent(automation: Automation, firings: number, windowMs: number, now: number, id: string): Event {
  const reason = `fired more than ${firings} times in ${windowMs / 1000} seconds; paused so that it cannot run away (resume it once its trigger is fixed)`;
  return {
    id,
    occurred: toIso(now),
    received: toIso(now),
    event: RUNAWAY_EVENT,
    resource: { [RESOURCE_ID]: automationResourceId(automation.id), [RESOURCE_NAME]: automation.name },
    related: [],
    payload: { reason, limit: firings, window_seconds: windowMs / 1000 },
    follows: null,
  };
}

export const runawayReason = (firings: number, windowMs: number) => `fired more than ${firings} times in ${windowMs / 1000} seconds`;
