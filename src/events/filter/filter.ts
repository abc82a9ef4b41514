// Prefect's EventFilter (server schema, prefect/server/events/filters.py): parsing, validation
// and defaults. Every sub-filter forbids unknown keys (extra="forbid"), so a typo is a 422 that
// names the key instead of a filter that silently matches everything.
import { invalid } from "../../errors.ts";
import { isJsonObject, jsonTypeName } from "../../json.ts";
import { parseTimestamp, toIso } from "../model.ts";

/** Label name → accepted values (ResourceSpecification); a single string is stored as a list of one. */
export type LabelSpec = Record<string, string[]>;

export interface RelatedFilter {
  id?: string[];
  role?: string[];
  resources_in_roles?: [string, string][];
  labels?: LabelSpec;
}

export interface AnyResourceFilter {
  id?: string[];
  id_prefix?: string[];
  labels?: LabelSpec;
}

export type EventOrder = "ASC" | "DESC";

export interface EventFilter {
  /** Epoch milliseconds, both inclusive. */
  occurred: { since: number; until: number };
  event?: { prefix?: string[]; exclude_prefix?: string[]; name?: string[]; exclude_name?: string[] };
  resource?: { id?: string[]; id_prefix?: string[]; labels?: LabelSpec; distinct: boolean };
  /** A single related/any_resource filter and a list of them both become a list; entries are ANDed. */
  related: RelatedFilter[];
  any_resource: AnyResourceFilter[];
  id?: string[];
  text?: string;
  order: EventOrder;
}

export const MAX_TEXT_QUERY_LENGTH = 200;
const DAY_MS = 86_400_000;
const UUID = /^(?:urn:uuid:)?\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

/** Prefect's default window: from the start of the UTC day 180 days ago until now. */
export function defaultSince(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - 180 * DAY_MS;
}

function object(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (!isJsonObject(value)) throw invalid(`${path}: must be an object, got ${jsonTypeName(value)}`);
  for (const key of Object.keys(value)) if (!keys.includes(key)) throw invalid(`${path}.${key}: unknown key`);
  return value;
}

/** Optional fields accept null as absent, as pydantic's Optional[...] does. */
const present = (v: unknown) => v !== undefined && v !== null;

function string(value: unknown, path: string): string {
  if (typeof value !== "string") throw invalid(`${path}: must be a string, got ${jsonTypeName(value)}`);
  return value;
}

function strings(value: unknown, path: string): string[] | undefined {
  if (!present(value)) return undefined;
  if (!Array.isArray(value)) throw invalid(`${path}: must be a list of strings, got ${jsonTypeName(value)}`);
  return value.map((v, i) => string(v, `${path}[${i}]`));
}

function timestamp(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseTimestamp(value);
  if (ms === null) throw invalid(`${path}: must be an ISO-8601 date-time`);
  return ms;
}

function labels(value: unknown, path: string): LabelSpec | undefined {
  if (!present(value)) return undefined;
  if (!isJsonObject(value)) throw invalid(`${path}: must be an object of label specs, got ${jsonTypeName(value)}`);
  const spec: LabelSpec = {};
  for (const [label, v] of Object.entries(value)) {
    const at = `${path}[${JSON.stringify(label)}]`;
    if (typeof v === "string") spec[label] = [v];
    else if (Array.isArray(v)) spec[label] = v.map((s, i) => string(s, `${at}[${i}]`));
    else throw invalid(`${at}: must be a string or a list of strings, got ${jsonTypeName(v)}`);
  }
  return spec;
}

function uuid(value: unknown, path: string): string {
  const m = typeof value === "string" ? UUID.exec(value.trim()) : null;
  if (!m) throw invalid(`${path}: must be a UUID`);
  return m.slice(1).join("-").toLowerCase();
}

function oneOrMany<T>(value: unknown, path: string, parse: (v: unknown, path: string) => T): T[] {
  if (!present(value)) return [];
  return Array.isArray(value) ? value.map((v, i) => parse(v, `${path}[${i}]`)) : [parse(value, path)];
}

function parseRelated(value: unknown, path: string): RelatedFilter {
  const o = object(value, path, ["id", "role", "resources_in_roles", "labels"]);
  const out: RelatedFilter = {
    id: strings(o.id, `${path}.id`),
    role: strings(o.role, `${path}.role`),
    labels: labels(o.labels, `${path}.labels`),
  };
  if (present(o.resources_in_roles)) {
    const at = `${path}.resources_in_roles`;
    if (!Array.isArray(o.resources_in_roles))
      throw invalid(`${at}: must be a list of [resource id, role] pairs, got ${jsonTypeName(o.resources_in_roles)}`);
    out.resources_in_roles = o.resources_in_roles.map((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw invalid(`${at}[${i}]: must be a [resource id, role] pair`);
      return [string(pair[0], `${at}[${i}][0]`), string(pair[1], `${at}[${i}][1]`)];
    });
  }
  return out;
}

function parseAnyResource(value: unknown, path: string): AnyResourceFilter {
  const o = object(value, path, ["id", "id_prefix", "labels"]);
  return {
    id: strings(o.id, `${path}.id`),
    id_prefix: strings(o.id_prefix, `${path}.id_prefix`),
    labels: labels(o.labels, `${path}.labels`),
  };
}

/**
 * Parses a Prefect EventFilter; `now` (the app clock) fills the default window. Throws
 * AppError "validation" (422) whose message names the offending path, e.g.
 * `filter.resource.lables: unknown key`. `path` is the name the caller's body gives the filter.
 */
export function parseEventFilter(input: unknown, now: number, path = "filter"): EventFilter {
  const o =
    input === undefined || input === null
      ? {}
      : object(input, path, ["occurred", "event", "resource", "related", "any_resource", "id", "text", "order"]);
  const filter: EventFilter = { occurred: { since: defaultSince(now), until: now }, related: [], any_resource: [], order: "DESC" };

  if (o.occurred !== undefined) {
    const occ = object(o.occurred, `${path}.occurred`, ["since", "until"]);
    filter.occurred = {
      since: timestamp(occ.since, `${path}.occurred.since`, filter.occurred.since),
      until: timestamp(occ.until, `${path}.occurred.until`, now),
    };
  }
  if (present(o.event)) {
    const at = `${path}.event`;
    const ev = object(o.event, at, ["prefix", "exclude_prefix", "name", "exclude_name"]);
    filter.event = {
      prefix: strings(ev.prefix, `${at}.prefix`),
      exclude_prefix: strings(ev.exclude_prefix, `${at}.exclude_prefix`),
      name: strings(ev.name, `${at}.name`),
      exclude_name: strings(ev.exclude_name, `${at}.exclude_name`),
    };
  }
  if (present(o.resource)) {
    const at = `${path}.resource`;
    const r = object(o.resource, at, ["id", "id_prefix", "labels", "distinct"]);
    if (r.distinct !== undefined && typeof r.distinct !== "boolean")
      throw invalid(`${at}.distinct: must be a boolean, got ${jsonTypeName(r.distinct)}`);
    filter.resource = {
      id: strings(r.id, `${at}.id`),
      id_prefix: strings(r.id_prefix, `${at}.id_prefix`),
      labels: labels(r.labels, `${at}.labels`),
      distinct: r.distinct === true,
    };
  }
  filter.related = oneOrMany(o.related, `${path}.related`, parseRelated);
  filter.any_resource = oneOrMany(o.any_resource, `${path}.any_resource`, parseAnyResource);
  if (o.id !== undefined) {
    const ids = object(o.id, `${path}.id`, ["id"]);
    if (present(ids.id)) {
      if (!Array.isArray(ids.id)) throw invalid(`${path}.id.id: must be a list of UUIDs, got ${jsonTypeName(ids.id)}`);
      filter.id = ids.id.map((v, i) => uuid(v, `${path}.id.id[${i}]`));
    }
  }
  if (present(o.text)) {
    const t = object(o.text, `${path}.text`, ["query"]);
    if (t.query === undefined) throw invalid(`${path}.text.query: Field required`);
    const query = string(t.query, `${path}.text.query`);
    if ([...query].length > MAX_TEXT_QUERY_LENGTH) throw invalid(`${path}.text.query: must be at most ${MAX_TEXT_QUERY_LENGTH} characters`);
    filter.text = query;
  }
  if (o.order !== undefined) {
    if (o.order !== "ASC" && o.order !== "DESC") throw invalid(`${path}.order: must be "ASC" or "DESC"`);
    filter.order = o.order;
  }
  const values = valueCount(filter);
  if (values > MAX_FILTER_VALUES)
    throw invalid(`${path}: has ${values} values (names, ids, prefixes, labels); at most ${MAX_FILTER_VALUES}`);
  return filter;
}

/**
 * The most values (and label names) one filter may hold. The server runs one query at a time, and
 * some criteria cost per pair of values (30,000 `resources_in_roles` pairs took 100 s to plan),
 * so the total is bounded; interactive filters hold a handful.
 */
export const MAX_FILTER_VALUES = 1000;

function valueCount(f: EventFilter): number {
  const n = (list: unknown[] | undefined) => list?.length ?? 0;
  const labelValues = (spec: LabelSpec | undefined) => Object.values(spec ?? {}).reduce((sum, values) => sum + 1 + values.length, 0);
  let count = n(f.id);
  if (f.event) count += n(f.event.prefix) + n(f.event.exclude_prefix) + n(f.event.name) + n(f.event.exclude_name);
  if (f.resource) count += n(f.resource.id) + n(f.resource.id_prefix) + labelValues(f.resource.labels);
  for (const r of f.related) count += 1 + n(r.id) + n(r.role) + n(r.resources_in_roles) + labelValues(r.labels);
  for (const a of f.any_resource) count += 1 + n(a.id) + n(a.id_prefix) + labelValues(a.labels);
  return count;
}

/** The filter in Prefect's JSON shape with its window made explicit; parseEventFilter reads it back unchanged. */
export function serializeFilter(f: EventFilter): Record<string, unknown> {
  const out: Record<string, unknown> = { occurred: { since: toIso(f.occurred.since), until: toIso(f.occurred.until) }, order: f.order };
  if (f.event) out.event = f.event;
  if (f.resource) out.resource = f.resource;
  if (f.related.length) out.related = f.related;
  if (f.any_resource.length) out.any_resource = f.any_resource;
  if (f.id) out.id = { id: f.id };
  if (f.text !== undefined) out.text = { query: f.text };
  return out;
}
