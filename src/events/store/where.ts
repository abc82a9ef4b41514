// EventFilter → a WHERE clause over events (e) and event_resources (er), the way Prefect's server builds it:
// the event's own columns answer occurred/event/resource id/id; labels, related and any_resource
// are sub-selects on event_resources scoped to the same window; text goes through the word index.
// query.ts runs it; filter/match.ts states the same semantics in memory; keep the two in step.
import type { SQLQueryBindings } from "bun:sqlite";
import type { Db } from "../../db/open.ts";
import type { AnyResourceFilter, EventFilter, LabelSpec, RelatedFilter } from "../filter/filter.ts";
import { globToSqlite, isLiteralGlob, sqlitePrefixGlob } from "../filter/glob.ts";
import { RESOURCE_ID, RESOURCE_ROLE } from "../model.ts";
import { DEADLINE_SQL, hasDeadline } from "./read-deadline.ts";
import { planTests, planText, textChecks } from "./text-plan.ts";
import { parseTextQuery } from "../filter/text-search.ts";

export interface Sql {
  sql: string;
  params: SQLQueryBindings[];
}

class Builder {
  readonly params: SQLQueryBindings[] = [];
  bind(value: SQLQueryBindings): string {
    this.params.push(value);
    return "?";
  }
  list(values: readonly string[]): string {
    return values.map((v) => this.bind(v)).join(", ");
  }
}

const nonEmpty = <T>(list: T[] | undefined): list is T[] => list !== undefined && list.length > 0;
const hasLabels = (spec: LabelSpec | undefined): spec is LabelSpec => spec !== undefined && Object.keys(spec).length > 0;
/**
 * Joins conditions with OR or AND. SQLite refuses expressions nested more than 1000 deep, and a
 * flat chain of n terms nests n deep, so long lists (a filter with 1000 label globs) are grouped
 * in runs of 64, which keeps any list well inside the limit.
 */
function joined(parts: string[], op: "OR" | "AND"): string {
  if (parts.length === 0) return op === "AND" ? "1" : "0";
  if (parts.length === 1) return parts[0]!;
  if (parts.length <= 64) return `(${parts.join(` ${op} `)})`;
  const runs: string[] = [];
  for (let i = 0; i < parts.length; i += 64) runs.push(joined(parts.slice(i, i + 64), op));
  return joined(runs, op);
}
const any = (parts: string[]) => joined(parts, "OR");
const all = (parts: string[]) => joined(parts, "AND");

/** A string literal; SQL text cannot hold NUL, so a NUL is spliced in with char(0). */
const sqlString = (s: string) =>
  s
    .split("\u0000")
    .map((part) => `'${part.replaceAll("'", "''")}'`)
    .join(" || char(0) || ");

/**
 * One label of a JSON labels column. Written as a literal, not bound, because the expression
 * appears several times in a test. Keys holding `"`, `\` or NUL cannot be quoted in a JSON path,
 * so those are looked up by key.
 */
function jsonLabel(column: string, label: string): string {
  if (!/["\\\u0000]/.test(label)) return `json_extract(${column}, ${sqlString(`$."${label}"`)})`;
  return `(SELECT value FROM json_each(${column}) WHERE key = ${sqlString(label)})`;
}

function labelColumn(label: string): string {
  if (label === RESOURCE_ID) return "er.resource_id";
  // event_resources keeps no role label for the primary resource; read it from the event.
  if (label === RESOURCE_ROLE)
    return `CASE WHEN er.role = '' THEN json_extract(e.data, '$.resource."prefect.resource.role"') ELSE er.role END`;
  return jsonLabel("er.labels", label);
}

/** One value spec: `!` negates, the rest is an fnmatch glob; equality when there is no wildcard. */
function valueTest(b: Builder, column: string, expected: string): string {
  const negated = expected.startsWith("!");
  const pattern = negated ? expected.slice(1) : expected;
  let test: string;
  if (isLiteralGlob(pattern)) test = `${column} = ${b.bind(pattern)}`;
  else {
    const glob = globToSqlite(pattern);
    test = glob === null ? "0" : `${column} GLOB ${b.bind(glob)}`;
  }
  return negated ? `NOT (${test})` : test;
}

function labelTests(b: Builder, spec: LabelSpec): string[] {
  return Object.entries(spec).map(([label, values]) => {
    if (values.length === 0) return "0"; // an empty value list matches nothing
    const column = labelColumn(label);
    // An absent label never matches, negated or not.
    return `(${column} IS NOT NULL AND ${any(values.map((v) => valueTest(b, column, v)))})`;
  });
}

const prefixTest = (b: Builder, column: string, prefix: string) => `${column} GLOB ${b.bind(sqlitePrefixGlob(prefix))}`;

/** Row tests built on a builder of their own, since their values must be bound after the window's. */
interface RowTests {
  tests: string[];
  params: SQLQueryBindings[];
}

function relatedTests(b: Builder, f: RelatedFilter): RowTests {
  const tests: string[] = [];
  if (nonEmpty(f.id)) tests.push(`er.resource_id IN (${b.list(f.id)})`);
  if (nonEmpty(f.role)) tests.push(`er.role IN (${b.list(f.role)})`);
  if (nonEmpty(f.resources_in_roles)) {
    tests.push(any(f.resources_in_roles.map(([id, role]) => `(er.resource_id = ${b.bind(id)} AND er.role = ${b.bind(role)})`)));
  }
  if (hasLabels(f.labels)) tests.push(...labelTests(b, f.labels));
  if (tests.length > 0 && !nonEmpty(f.role)) tests.push("er.role != ''");
  return { tests, params: b.params };
}

function anyResourceTests(b: Builder, f: AnyResourceFilter): RowTests {
  const tests: string[] = [];
  if (nonEmpty(f.id)) tests.push(`er.resource_id IN (${b.list(f.id)})`);
  if (nonEmpty(f.id_prefix)) tests.push(any(f.id_prefix.map((p) => prefixTest(b, "er.resource_id", p))));
  if (hasLabels(f.labels)) tests.push(...labelTests(b, f.labels));
  return { tests, params: b.params };
}

/**
 * The events one related/any_resource entry selects, as `SELECT er.event_seq …` over
 * event_resources in the filter's window (an event may appear more than once); null when the
 * entry states no condition and so selects every event.
 */
export function resourceRowsSelect(
  filter: EventFilter,
  entry: { related: RelatedFilter } | { any_resource: AnyResourceFilter },
): Sql | null {
  const rows = "related" in entry ? relatedTests(new Builder(), entry.related) : anyResourceTests(new Builder(), entry.any_resource);
  if (rows.tests.length === 0) return null;
  // Same window on the copied `occurred`, so the resource index narrows the sub-select too.
  return {
    sql: `SELECT er.event_seq FROM event_resources er WHERE er.occurred >= ? AND er.occurred <= ? AND ${all(rows.tests)}`,
    params: [filter.occurred.since, filter.occurred.until, ...rows.params],
  };
}

function scoped(b: Builder, tests: string[], filter: EventFilter, rows: RowTests, mode: SubqueryMode): void {
  if (rows.tests.length === 0) return;
  if (mode === "probe") {
    tests.push(`EXISTS (SELECT 1 FROM event_resources er WHERE er.event_seq = e.seq AND ${all(rows.tests)})`);
  } else {
    tests.push(
      `e.seq IN (SELECT er.event_seq FROM event_resources er WHERE er.occurred >= ${b.bind(filter.occurred.since)} AND er.occurred <= ${b.bind(filter.occurred.until)} AND ${all(rows.tests)})`,
    );
  }
  b.params.push(...rows.params);
}

/**
 * How sub-selects are written. "list": `e.seq IN (SELECT …)`, which SQLite answers by collecting
 * the sub-select's events first (best when they are few). "probe": a correlated EXISTS per event,
 * for walking events in page order and stopping at the page's end (best when matches are dense).
 */
export type SubqueryMode = "list" | "probe";

function textTests(b: Builder, query: string, mode: SubqueryMode, db: Db | undefined): string[] {
  const bind = (v: SQLQueryBindings) => b.bind(v);
  // Without the database to plan with, the text itself is read (exact, but every event of the window).
  return db ? planTests(bind, planText(db.$client, query), mode) : textChecks(bind, parseTextQuery(query));
}

/**
 * The WHERE clause (without the keyword) selecting the filter's events from `events e`. A `text`
 * filter uses the word index when given the database (text-plan.ts).
 */
export function whereClause(filter: EventFilter, mode: SubqueryMode = "list", db?: Db): Sql {
  const b = new Builder();
  const { since, until } = filter.occurred;
  const tests = [`e.occurred >= ${b.bind(since)}`, `e.occurred <= ${b.bind(until)}`];
  // On the read worker's connection, the time limit is checked first for every row (read-deadline.ts).
  if (db && hasDeadline(db)) tests.unshift(DEADLINE_SQL);
  const e = filter.event;
  if (e) {
    if (nonEmpty(e.prefix)) tests.push(any(e.prefix.map((p) => prefixTest(b, "e.event", p))));
    if (nonEmpty(e.exclude_prefix)) tests.push(...e.exclude_prefix.map((p) => `NOT (${prefixTest(b, "e.event", p)})`));
    if (nonEmpty(e.name)) tests.push(`e.event IN (${b.list(e.name)})`);
    if (nonEmpty(e.exclude_name)) tests.push(`e.event NOT IN (${b.list(e.exclude_name)})`);
  }
  const r = filter.resource;
  if (r) {
    if (nonEmpty(r.id)) tests.push(`e.resource_id IN (${b.list(r.id)})`);
    if (nonEmpty(r.id_prefix)) tests.push(any(r.id_prefix.map((p) => prefixTest(b, "e.resource_id", p))));
    if (hasLabels(r.labels)) {
      tests.push(
        `EXISTS (SELECT 1 FROM event_resources er WHERE er.event_seq = e.seq AND er.role = '' AND ${all(labelTests(b, r.labels))})`,
      );
    }
  }
  for (const f of filter.related) scoped(b, tests, filter, relatedTests(new Builder(), f), mode);
  for (const f of filter.any_resource) scoped(b, tests, filter, anyResourceTests(new Builder(), f), mode);
  if (nonEmpty(filter.id)) tests.push(`e.id IN (${b.list(filter.id)})`);
  if (filter.text !== undefined) tests.push(...textTests(b, filter.text, mode, db));
  return { sql: all(tests), params: b.params };
}
