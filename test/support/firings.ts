// Firings built by hand, as the trigger engine hands them to the outbox: an automation stored
// through its store, a firing of it recorded with its deliveries in one transaction, the staged
// events written, the worker told.
import type { Action, Automation, AutomationCore, Firing } from "../../src/automations/model.ts";
import type { AppContext } from "../../src/context.ts";
import { atomically } from "../../src/db/transaction.ts";
import type { Event } from "../../src/events/model.ts";

export function storeAutomation(ctx: AppContext, actions: Action[], extra: Partial<AutomationCore> = {}): Automation {
  return ctx.automations.create({
    name: "test automation",
    description: "",
    enabled: true,
    tags: [],
    trigger: {
      type: "event",
      id: crypto.randomUUID(),
      match: {},
      match_related: {},
      after: [],
      expect: ["test.*"],
      for_each: [],
      posture: "Reactive",
      threshold: 1,
      within: 0,
    },
    actions,
    actions_on_trigger: [],
    actions_on_resolve: [],
    ...extra,
  });
}

export function testEvent(now: number, overrides: Partial<Event> = {}): Event {
  const iso = new Date(now).toISOString();
  return {
    id: Bun.randomUUIDv7(),
    occurred: iso,
    received: iso,
    event: "test.happened",
    resource: { "prefect.resource.id": "test.thing.1", "prefect.resource.name": "thing one" },
    related: [],
    payload: { answer: 42 },
    follows: null,
    ...overrides,
  };
}

export function buildFiring(automation: Automation, now: number, event: Event | null = testEvent(now)): Firing {
  const iso = new Date(now).toISOString();
  return {
    id: crypto.randomUUID(),
    automation,
    state: "Triggered",
    occurred: now,
    triggering_event: event,
    triggering_labels: {},
    state_event: {
      id: Bun.randomUUIDv7(),
      occurred: iso,
      received: iso,
      event: "prefect-cloud.automation.triggered",
      resource: { "prefect.resource.id": `prefect-cloud.automation.${automation.id}`, "prefect.resource.name": automation.name },
      related: event ? [{ "prefect.resource.id": `prefect.event.${event.id}`, "prefect.resource.role": "triggering-event" }] : [],
      payload: { triggering_labels: {}, triggering_event: event },
      follows: null,
    },
  };
}

/** Records the firing and its deliveries as the engine does, writes its staged events, wakes the worker. */
export async function fire(ctx: AppContext, firing: Firing): Promise<void> {
  atomically(ctx.db, () => ctx.outbox.enqueue(firing));
  await ctx.staged.flush(ctx.events);
  ctx.outbox.notify();
}
