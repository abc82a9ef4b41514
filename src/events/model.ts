// Prefect's event model: types, validation with Prefect's rules and limits, defaults.
import { isJsonObject, jsonTypeName, MAX_JSON_DEPTH, nestedDeeper } from "../json.ts";

export type Resource = Record<string, string>;
export type RelatedResource = Resource;

export interface Event {
  id: string;
  occurred: string;
  received: string;
  event: string;
  resource: Resource;
  related: RelatedResource[];
  payload: Record<string, unknown>;
  follows: string | null;
}

// Prefect's defaults (PREFECT_SERVER_EVENTS_*).
export const MAX_EVENT_NAME_LENGTH = 1024;
export const MAX_LABELS_PER_RESOURCE = 500;
export const MAX_RELATED_RESOURCES = 100;
export const MAX_EVENT_SIZE_BYTES = 1_500_000;

export const RESOURCE_ID = "prefect.resource.id";
export const RESOURCE_ROLE = "prefect.resource.role";
export const RESOURCE_NAME = "prefect.resource.name";

/** A validation failure; the message names the field, e.g. `related[2]: …`. */
export class EventValidationError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(field ? `${field}: ${detail}` : detail);
    this.name = "EventValidationError";
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// ISO-8601 date-time; a missing offset means UTC (Prefect coerces naive datetimes to UTC).
const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses an ISO-8601 timestamp to epoch milliseconds, or returns null. */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const m = ISO_DATETIME.exec(value.trim());
  // Python's datetime (Prefect's) starts at year 1; JavaScript's Date would take year 0.
  if (!m || m[1]!.startsWith("0000")) return null;
  let zone = m[3] ?? "Z";
  if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  // JavaScript's Date keeps milliseconds only; longer fractions are truncated, not rejected.
  const time = m[2]!.replace(/(\.\d{3})\d+$/, "$1");
  const ms = Date.parse(`${m[1]}T${time}${zone.toUpperCase()}`);
  return Number.isNaN(ms) ? null : ms;
}

export const toIso = (ms: number) => new Date(ms).toISOString();

function validateResource(value: unknown, field: string, related: boolean): Resource {
  if (!isJsonObject(value)) throw new EventValidationError(field, `must be an object of string labels, got ${jsonTypeName(value)}`);
  const labels = Object.keys(value);
  if (labels.length > MAX_LABELS_PER_RESOURCE) {
    throw new EventValidationError(field, `The maximum number of labels per resource is ${MAX_LABELS_PER_RESOURCE}`);
  }
  const resource: Resource = {};
  for (const label of labels) {
    const v = value[label];
    if (typeof v !== "string") {
      throw new EventValidationError(`${field}[${JSON.stringify(label)}]`, `label values must be strings, got ${jsonTypeName(v)}`);
    }
    resource[label] = v;
  }
  if (!(RESOURCE_ID in resource)) throw new EventValidationError(field, "Resources must include the prefect.resource.id label");
  if (!resource[RESOURCE_ID]) throw new EventValidationError(field, "The prefect.resource.id label must be non-empty");
  if (related) {
    if (!(RESOURCE_ROLE in resource))
      throw new EventValidationError(field, "Related Resources must include the prefect.resource.role label");
    if (!resource[RESOURCE_ROLE]) throw new EventValidationError(field, "The prefect.resource.role label must be non-empty");
  }
  return resource;
}

function validateUuid(value: unknown, field: string): string {
  if (typeof value !== "string" || !UUID.test(value)) throw new EventValidationError(field, "must be a UUID");
  return value.toLowerCase();
}

export interface EventDefaults {
  /** Time of receipt, used for `received` and as the default `occurred`. */
  now: number;
  newId?: () => string;
}

/**
 * Validates an event as Prefect's server does and fills in its defaults. Unknown top-level keys
 * are dropped (Prefect's models use extra="ignore"). `received` is always the time of receipt.
 */
export function toEvent(input: unknown, { now, newId = () => Bun.randomUUIDv7() }: EventDefaults): Event {
  if (!isJsonObject(input)) throw new EventValidationError("", `An event must be a JSON object, got ${jsonTypeName(input)}`);

  const name = input.event;
  if (name === undefined) throw new EventValidationError("event", "Field required");
  if (typeof name !== "string") throw new EventValidationError("event", `must be a string, got ${jsonTypeName(name)}`);
  if (name.length === 0) throw new EventValidationError("event", "Event name must not be empty");
  if (name.length > MAX_EVENT_NAME_LENGTH) {
    throw new EventValidationError("event", `Event name must be at most ${MAX_EVENT_NAME_LENGTH} characters`);
  }

  if (input.resource === undefined) throw new EventValidationError("resource", "Field required");
  const resource = validateResource(input.resource, "resource", false);

  let related: RelatedResource[] = [];
  if (input.related !== undefined && input.related !== null) {
    if (!Array.isArray(input.related)) throw new EventValidationError("related", `must be a list, got ${jsonTypeName(input.related)}`);
    if (input.related.length > MAX_RELATED_RESOURCES) {
      throw new EventValidationError("related", `The maximum number of related resources is ${MAX_RELATED_RESOURCES}`);
    }
    related = input.related.map((r, i) => validateResource(r, `related[${i}]`, true));
  }

  let payload: Record<string, unknown> = {};
  if (input.payload !== undefined && input.payload !== null) {
    if (!isJsonObject(input.payload)) throw new EventValidationError("payload", `must be an object, got ${jsonTypeName(input.payload)}`);
    payload = input.payload;
  }

  let occurred = now;
  if (input.occurred !== undefined && input.occurred !== null) {
    const ms = parseTimestamp(input.occurred);
    if (ms === null) throw new EventValidationError("occurred", "must be an ISO-8601 date-time");
    occurred = ms;
  }

  const id = input.id === undefined || input.id === null ? newId() : validateUuid(input.id, "id");
  const follows = input.follows === undefined || input.follows === null ? null : validateUuid(input.follows, "follows");

  const event: Event = {
    id,
    occurred: toIso(occurred),
    received: toIso(now),
    event: name,
    resource,
    related,
    payload,
    follows,
  };
  let json: string;
  try {
    json = JSON.stringify(event);
  } catch (err) {
    // A payload nested deeper than the runtime's stack (a hostile body, say) cannot be stored.
    if (err instanceof RangeError) throw new EventValidationError("payload", TOO_DEEP);
    throw err;
  }
  if (nestedDeeper(json, MAX_EVENT_DEPTH)) {
    throw new EventValidationError("payload", TOO_DEEP);
  }
  const size = Buffer.byteLength(json);
  if (size > MAX_EVENT_SIZE_BYTES) {
    throw new EventValidationError("", `The event is ${size} bytes; the maximum is ${MAX_EVENT_SIZE_BYTES}`);
  }
  serialized.set(event, json);
  return event;
}

/** SQLite's JSON functions (text search, counts) refuse documents nested deeper than this. */
export const MAX_EVENT_DEPTH = MAX_JSON_DEPTH;
export const TOO_DEEP = `is nested too deeply to store (an event is at most ${MAX_EVENT_DEPTH} levels of JSON deep)`;

// The size check has already serialized a fresh event; storage and the live feed reuse that text
// instead of serializing it again (events are not mutated after validation). A stored event read
// back (a feed's backfill) is serialized once, however many subscribers receive it.
const serialized = new WeakMap<Event, string>();

/** The event as JSON text. */
export function eventJson(event: Event): string {
  let json = serialized.get(event);
  if (json === undefined) serialized.set(event, (json = JSON.stringify(event)));
  return json;
}
