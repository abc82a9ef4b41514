// Helpers for the automation engine's tests: triggers with Prefect's defaults, events at given
// seconds, a timeline run through a trigger's evaluator (events and deadline ticks, seconds from a
// fixed epoch) that reports firings as "Triggered@60", and waits on the engine through the context.
import { createApp } from "../../src/app.ts";
import { databasePath, resolveConfig } from "../../src/config.ts";
import { createContext, type Clock, type SqliteContext } from "../../src/context.ts";
import { openDatabase } from "../../src/db/open.ts";
import type { Event } from "../../src/events/model.ts";
import type { TestApp } from "./app.ts";
import { storedEvents } from "./hooks.ts";
import { eventTime } from "../../src/automations/engine/time.ts";
import { TriggerEvaluator } from "../../src/automations/engine/evaluator.ts";
import type { Outcome } from "../../src/automations/engine/event-trigger.ts";
import type { CompoundTrigger, EventTrigger, SequenceTrigger, Trigger } from "../../src/automations/model.ts";

/** Second 0 of every timeline. */
export const T0 = Date.parse("2026-03-01T00:00:00.000Z");
export const at = (s: number) => T0 + s * 1000;

let ids = 0;
const nextId = () => `00000000-0000-4000-8000-${(++ids).toString(16).padStart(12, "0")}`;

export function eventTrigger(fields: Partial<EventTrigger> = {}): EventTrigger {
  return {
    type: "event",
    id: nextId(),
    match: {},
    match_related: {},
    after: [],
    expect: [],
    for_each: [],
    posture: "Reactive",
    threshold: 1,
    within: 0,
    ...fields,
  };
}

export const compound = (require: CompoundTrigger["require"], within: number | null, triggers: Trigger[]): CompoundTrigger => ({
  type: "compound",
  id: nextId(),
  require,
  within,
  triggers,
});

export const sequence = (within: number | null, triggers: Trigger[]): SequenceTrigger => ({
  type: "sequence",
  id: nextId(),
  within,
  triggers,
});

export interface EventSpec {
  /** Seconds after T0 it occurred. */
  at: number;
  /** Seconds after T0 it was received (default: when it occurred). */
  received?: number;
  resource?: string;
  labels?: Record<string, string>;
  related?: Record<string, string>[];
}

export function testEvent(name: string, spec: EventSpec): Event {
  return {
    id: crypto.randomUUID(),
    occurred: new Date(at(spec.at)).toISOString(),
    received: new Date(at(spec.received ?? spec.at)).toISOString(),
    event: name,
    resource: { "prefect.resource.id": spec.resource ?? "test.resource", ...spec.labels },
    related: spec.related ?? [],
    payload: {},
    follows: null,
  };
}

/** One step of a timeline: an event, or the deadline timer running at `tick` seconds. */
export type Step = ({ event: string } & EventSpec) | { tick: number };

const label = (o: Outcome) => {
  const keys = Object.values(o.labels);
  return `${o.state}@${(o.at - T0) / 1000}${keys.length ? ` ${keys.join(",")}` : ""}`;
};

/**
 * Runs a timeline through a fresh evaluator of `trigger`, which starts watching at second 0 (as
 * if created then); returns its firings as "Triggered@60" (with the `for_each` values when any).
 */
export function timeline(trigger: Trigger, steps: Step[]): string[] {
  const evaluator = new TriggerEvaluator(trigger);
  evaluator.startWatching(T0);
  const fired: Outcome[] = [];
  for (const step of steps) {
    if ("tick" in step) fired.push(...evaluator.onDeadlines(at(step.tick)));
    else {
      const event = testEvent(step.event, step);
      for (const leaf of evaluator.leaves) fired.push(...evaluator.onEvent(leaf, event, eventTime(event)));
    }
  }
  return fired.map(label);
}

/** Ticks every `step` seconds from `from` to `to` (inclusive). */
export function ticks(from: number, to: number, step: number): Step[] {
  const out: Step[] = [];
  for (let s = from; s <= to; s += step) out.push({ tick: s });
  return out;
}

// ---- through the front door ----

/** Creates an automation through the API; returns its id. */
export async function createAutomation(t: TestApp, body: Record<string, unknown>): Promise<string> {
  const res = await t.request("POST", "/api/automations/", { body: { actions: [{ type: "do-nothing" }], ...body } });
  if (res.status !== 201) throw new Error(`create automation failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Posts events (name and resource id, occurred now unless given) to POST /api/events, then lets the engine catch up. */
export async function postEvents(
  t: TestApp,
  events: { event: string; resource?: string; occurred?: string; labels?: Record<string, string> }[],
) {
  const body = events.map((e) => ({
    event: e.event,
    resource: { "prefect.resource.id": e.resource ?? "test.resource", ...e.labels },
    ...(e.occurred ? { occurred: e.occurred } : {}),
  }));
  const res = await t.request("POST", "/api/events", { body });
  if (res.status !== 204) throw new Error(`post events failed: ${res.status} ${await res.text()}`);
  await t.ctx.engine.tick();
}

/** The stored `triggered` / `resolved` / `disabled` events about automations, oldest first. */
export function firingEvents(t: TestApp): Event[] {
  return storedEvents(t).filter((e) => /^prefect-cloud\.automation\.(triggered|resolved|disabled)$/.test(e.event));
}

export const outboxRows = (t: TestApp) =>
  t.ctx.db.$client.query("SELECT automation_id AS automationId, firing_id AS firingId, action FROM deliveries ORDER BY rowid").all() as {
    automationId: string;
    firingId: string;
    action: string;
  }[];

/** A context and app on a data directory that outlives them (for restarts). */
export function openOn(dir: string, clock: Clock): { ctx: SqliteContext; app: ReturnType<typeof createApp>; key: string } {
  const config = resolveConfig({ "data-dir": dir }, {});
  const ctx = createContext({ config, db: openDatabase({ path: databasePath(dir) }), clock });
  const app = createApp(ctx);
  const key = ctx.serviceAccounts.create(`admin-${crypto.randomUUID()}`, "admin").api_key;
  return { ctx, app, key };
}
