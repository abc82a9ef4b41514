// A trigger from a client's JSON: Prefect's event, compound and sequence triggers, with Prefect's
// defaults, bounded, and refused (naming the field) when Inlet could not evaluate it sensibly.
import { AppError } from "../errors.ts";
import { MAX_EVENT_NAME_LENGTH, RESOURCE_ID } from "../events/model.ts";
import { parseDuration } from "./duration.ts";
import { fieldError, given, list, object, stringSet, text, uuid, type Json } from "./fields.ts";
import type { CompoundTrigger, EventTrigger, Posture, ResourceSpecification, SequenceTrigger, Trigger } from "./model.ts";

export const TRIGGER_LIMITS = {
  /** Levels of compound and sequence triggers, the outermost trigger being level 1. */
  depth: 5,
  /** Child triggers of one compound or sequence trigger. */
  children: 20,
  /** Event name patterns in `after` or `expect`, labels in `for_each`. */
  patterns: 100,
  /** Labels in one resource specification, values in one label's list, specs in `match_related`. */
  labels: 50,
  values: 100,
  relatedSpecs: 20,
  labelChars: 1024,
  threshold: 1_000_000,
  /** The longest window: a year. */
  withinSeconds: 366 * 86_400,
  /** Prefect's shortest Proactive window; shorter ones are refused, none given means this. */
  proactiveWithinSeconds: 10,
} as const;

const POSTURES: readonly Posture[] = ["Reactive", "Proactive"];

function spec(value: unknown, field: string): ResourceSpecification {
  if (!given(value)) return {};
  const labels = object(value, field);
  const keys = Object.keys(labels);
  if (keys.length > TRIGGER_LIMITS.labels) throw fieldError(field, `must have at most ${TRIGGER_LIMITS.labels} labels`);
  // Built with fromEntries: a label named "__proto__" stays a label, not the object's prototype.
  return Object.fromEntries(
    keys.map((label) => {
      const at = `${field}[${JSON.stringify(label)}]`;
      if (label.length > TRIGGER_LIMITS.labelChars) {
        throw fieldError(field, `label names must be at most ${TRIGGER_LIMITS.labelChars} characters`);
      }
      const v = labels[label];
      if (typeof v === "string") return [label, text(v, at, TRIGGER_LIMITS.labelChars)];
      if (Array.isArray(v)) {
        return [label, list(v, at, TRIGGER_LIMITS.values).map((item, i) => text(item, `${at}[${i}]`, TRIGGER_LIMITS.labelChars))];
      }
      throw fieldError(at, "must be a string or a list of strings");
    }),
  );
}

function relatedSpecs(value: unknown, field: string): ResourceSpecification | ResourceSpecification[] {
  if (!Array.isArray(value)) return spec(value, field);
  return list(value, field, TRIGGER_LIMITS.relatedSpecs).map((item, i) => spec(item, `${field}[${i}]`));
}

/** A window, in seconds. */
function within(value: unknown, field: string): number {
  const seconds = parseDuration(value);
  if (seconds === null) {
    throw fieldError(field, 'must be a number of seconds (at least 0) or a duration such as "PT10M" or "00:10:00"');
  }
  if (seconds > TRIGGER_LIMITS.withinSeconds) throw fieldError(field, `must be at most ${TRIGGER_LIMITS.withinSeconds} seconds`);
  return seconds;
}

function triggerId(value: unknown, field: string, newId: () => string): string {
  return given(value) ? uuid(value, field) : newId();
}

const isEverything = (patterns: string[]) => patterns.length === 0 || patterns.includes("*");

/**
 * Whether a trigger counts every event: nothing in `expect` (or "*"), and `match` asks nothing more
 * than that the event have a resource. Such a trigger would count its own automation's events.
 */
function matchesEverything(trigger: EventTrigger): boolean {
  const asked = Object.entries(trigger.match).filter(
    ([label, v]) => !(label === RESOURCE_ID && (v === "*" || (Array.isArray(v) && v.includes("*")))),
  );
  return isEverything(trigger.expect) && asked.length === 0;
}

function eventTrigger(raw: Json, field: string, newId: () => string): EventTrigger {
  const posture = given(raw.posture) ? raw.posture : "Reactive";
  if (!POSTURES.includes(posture as Posture)) {
    throw fieldError(
      `${field}.posture`,
      `must be "Reactive" or "Proactive" (Inlet has no metric triggers), got ${JSON.stringify(posture)}`,
    );
  }
  let threshold = 1;
  if (given(raw.threshold)) {
    const n = raw.threshold;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > TRIGGER_LIMITS.threshold) {
      throw fieldError(`${field}.threshold`, `must be a whole number from 1 to ${TRIGGER_LIMITS.threshold}`);
    }
    threshold = n;
  }
  let seconds = given(raw.within) ? within(raw.within, `${field}.within`) : 0;
  if (posture === "Proactive") {
    if (seconds === 0) seconds = TRIGGER_LIMITS.proactiveWithinSeconds;
    else if (seconds < TRIGGER_LIMITS.proactiveWithinSeconds) {
      throw fieldError(`${field}.within`, `a Proactive trigger's window must be at least ${TRIGGER_LIMITS.proactiveWithinSeconds} seconds`);
    }
  }
  const trigger: EventTrigger = {
    type: "event",
    id: triggerId(raw.id, `${field}.id`, newId),
    match: spec(raw.match, `${field}.match`),
    match_related: relatedSpecs(raw.match_related, `${field}.match_related`),
    after: stringSet(raw.after, `${field}.after`, TRIGGER_LIMITS.patterns, MAX_EVENT_NAME_LENGTH),
    expect: stringSet(raw.expect, `${field}.expect`, TRIGGER_LIMITS.patterns, MAX_EVENT_NAME_LENGTH),
    for_each: stringSet(raw.for_each, `${field}.for_each`, TRIGGER_LIMITS.patterns, TRIGGER_LIMITS.labelChars),
    posture: posture as Posture,
    threshold,
    within: seconds,
  };
  if (matchesEverything(trigger)) {
    throw new AppError(
      "trigger_too_broad",
      `${field}: an empty "expect" with an empty "match" counts every event, this automation's own included; name the events in "expect" or the resource in "match"`,
      { field },
    );
  }
  return trigger;
}

function children(raw: Json, field: string, depth: number, newId: () => string): Trigger[] {
  if (!given(raw.triggers)) throw fieldError(`${field}.triggers`, "Field required");
  const items = list(raw.triggers, `${field}.triggers`, TRIGGER_LIMITS.children);
  if (items.length === 0) throw fieldError(`${field}.triggers`, "must have at least one trigger");
  return items.map((item, i) => parseTrigger(item, `${field}.triggers[${i}]`, depth + 1, newId));
}

/** Composite windows: the key is required, null means no limit (as Prefect). */
function compositeWithin(raw: Json, field: string): number | null {
  if (!("within" in raw)) throw fieldError(`${field}.within`, "Field required (null for no limit)");
  return raw.within === null ? null : within(raw.within, `${field}.within`);
}

function compoundTrigger(raw: Json, field: string, depth: number, newId: () => string): CompoundTrigger {
  const triggers = children(raw, field, depth, newId);
  const require = raw.require;
  if (require !== "any" && require !== "all") {
    if (typeof require !== "number" || !Number.isInteger(require) || require < 1 || require > triggers.length) {
      throw fieldError(`${field}.require`, `must be "any", "all" or a whole number from 1 to ${triggers.length} (the number of triggers)`);
    }
  }
  return { type: "compound", id: triggerId(raw.id, `${field}.id`, newId), require, within: compositeWithin(raw, field), triggers };
}

function sequenceTrigger(raw: Json, field: string, depth: number, newId: () => string): SequenceTrigger {
  const triggers = children(raw, field, depth, newId);
  return { type: "sequence", id: triggerId(raw.id, `${field}.id`, newId), within: compositeWithin(raw, field), triggers };
}

/** A trigger at `field` (depth 1 for an automation's own trigger). Unknown keys are ignored. */
export function parseTrigger(value: unknown, field: string, depth: number, newId: () => string): Trigger {
  if (depth > TRIGGER_LIMITS.depth) throw fieldError(field, `triggers may nest at most ${TRIGGER_LIMITS.depth} levels deep`);
  const raw = object(value, field);
  const type = given(raw.type) ? raw.type : "event";
  switch (type) {
    case "event":
      return eventTrigger(raw, field, newId);
    case "compound":
      return compoundTrigger(raw, field, depth, newId);
    case "sequence":
      return sequenceTrigger(raw, field, depth, newId);
  }
  throw fieldError(
    `${field}.type`,
    `must be "event", "compound" or "sequence" (Inlet has no metric triggers), got ${JSON.stringify(type)}`,
  );
}

/**
 * Refuses a trigger tree in which two triggers share an id (a child pasted twice, say): the engine
 * keeps each trigger's state under its id, so the two would count as one.
 */
export function requireDistinctIds(trigger: Trigger, field: string, seen = new Set<string>()): void {
  if (seen.has(trigger.id)) throw fieldError(`${field}.id`, "another trigger of this automation has the same id");
  seen.add(trigger.id);
  if (trigger.type !== "event") trigger.triggers.forEach((child, i) => requireDistinctIds(child, `${field}.triggers[${i}]`, seen));
}
