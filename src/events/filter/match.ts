// In-memory matching of one event against an EventFilter, for the live feed. It mirrors the SQL in
// store/where.ts clause for clause (the agreement test in test/unit/events proves it on a fixture set),
// including `related` and `any_resource`, which Prefect's own server skips in memory.
// `resource.distinct` is a property of a result set, not of one event, so it is not checked here.
import type { AnyResourceFilter, EventFilter, LabelSpec, RelatedFilter } from "./filter.ts";
import { globToRegExp } from "./glob.ts";
import { RESOURCE_ID, RESOURCE_ROLE, type Event, type Resource } from "../model.ts";
import { matchesText, parseTextQuery, searchableText } from "./text-search.ts";

/** One involved resource, as event_resources stores it: the primary with role "", then each related one. */
interface ResourceRow {
  id: string;
  role: string;
  labels: Resource;
}

function rowsOf(event: Event): ResourceRow[] {
  return [
    { id: event.resource[RESOURCE_ID]!, role: "", labels: event.resource },
    ...event.related.map((r) => ({ id: r[RESOURCE_ID]!, role: r[RESOURCE_ROLE]!, labels: r })),
  ];
}

const regexCache = new Map<string, RegExp>();
function glob(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    if (regexCache.size > 10_000) regexCache.clear();
    re = globToRegExp(pattern);
    regexCache.set(pattern, re);
  }
  return re;
}

/** Prefect's server `matches`: an absent label never matches; `!` negates; the rest is fnmatchcase. */
export function matchesLabelValue(expected: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  const negated = expected.startsWith("!");
  const matched = glob(negated ? expected.slice(1) : expected).test(value);
  return negated ? !matched : matched;
}

/**
 * The value a label spec sees on a row. The id and role come from the row's columns; a primary
 * resource has no role column, so a `prefect.resource.role` label it carries is read from the event.
 */
function labelValue(row: ResourceRow, label: string, primary: Resource): string | undefined {
  if (label === RESOURCE_ID) return row.id;
  if (label === RESOURCE_ROLE) return row.role !== "" ? row.role : primary[RESOURCE_ROLE];
  return row.labels[label];
}

export function matchesLabels(spec: LabelSpec, row: ResourceRow, primary: Resource): boolean {
  return Object.entries(spec).every(([label, values]) => {
    const value = labelValue(row, label, primary);
    return values.some((expected) => matchesLabelValue(expected, value));
  });
}

const nonEmpty = <T>(list: T[] | undefined): list is T[] => list !== undefined && list.length > 0;
const hasLabels = (spec: LabelSpec | undefined): spec is LabelSpec => spec !== undefined && Object.keys(spec).length > 0;

/** The row conditions of one `related` entry, or null when it states none (then it matches every event). */
function relatedRow(f: RelatedFilter, row: ResourceRow, primary: Resource): boolean | null {
  const checks: boolean[] = [];
  if (nonEmpty(f.id)) checks.push(f.id.includes(row.id));
  if (nonEmpty(f.role)) checks.push(f.role.includes(row.role));
  if (nonEmpty(f.resources_in_roles)) checks.push(f.resources_in_roles.some(([id, role]) => row.id === id && row.role === role));
  if (hasLabels(f.labels)) checks.push(matchesLabels(f.labels, row, primary));
  if (checks.length === 0) return null;
  // Without a role the filter is about related resources only, so the primary is excluded.
  if (!nonEmpty(f.role)) checks.push(row.role !== "");
  return checks.every(Boolean);
}

function anyResourceRow(f: AnyResourceFilter, row: ResourceRow, primary: Resource): boolean | null {
  const checks: boolean[] = [];
  if (nonEmpty(f.id)) checks.push(f.id.includes(row.id));
  if (nonEmpty(f.id_prefix)) checks.push(f.id_prefix.some((p) => row.id.startsWith(p)));
  if (hasLabels(f.labels)) checks.push(matchesLabels(f.labels, row, primary));
  return checks.length === 0 ? null : checks.every(Boolean);
}

const someRow = (rows: ResourceRow[], test: (row: ResourceRow) => boolean | null) => rows.some((row) => test(row) !== false);

export function matchesFilter(filter: EventFilter, event: Event): boolean {
  const occurred = Date.parse(event.occurred);
  if (occurred < filter.occurred.since || occurred > filter.occurred.until) return false;

  const name = event.event;
  const e = filter.event;
  if (e) {
    if (nonEmpty(e.prefix) && !e.prefix.some((p) => name.startsWith(p))) return false;
    if (nonEmpty(e.exclude_prefix) && e.exclude_prefix.some((p) => name.startsWith(p))) return false;
    if (nonEmpty(e.name) && !e.name.includes(name)) return false;
    if (nonEmpty(e.exclude_name) && e.exclude_name.includes(name)) return false;
  }

  const rows = rowsOf(event);
  const r = filter.resource;
  if (r) {
    const id = rows[0]!.id;
    if (nonEmpty(r.id) && !r.id.includes(id)) return false;
    if (nonEmpty(r.id_prefix) && !r.id_prefix.some((p) => id.startsWith(p))) return false;
    if (hasLabels(r.labels) && !matchesLabels(r.labels, rows[0]!, event.resource)) return false;
  }

  for (const f of filter.related) if (!someRow(rows, (row) => relatedRow(f, row, event.resource))) return false;
  for (const f of filter.any_resource) if (!someRow(rows, (row) => anyResourceRow(f, row, event.resource))) return false;

  if (nonEmpty(filter.id) && !filter.id.includes(event.id)) return false;
  if (filter.text !== undefined && !matchesText(parseTextQuery(filter.text), searchableText(event))) return false;
  return true;
}
