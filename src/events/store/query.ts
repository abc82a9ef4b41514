// Runs filters: the page of events and the exact count, choosing for each the statement shape
// SQLite answers fastest. Every shape selects the same events (the unit tests compare them).
import type { SQLQueryBindings } from "bun:sqlite";
import type { Db } from "../../db/open.ts";
import type { EventFilter, EventOrder } from "../filter/filter.ts";
import { parseStored, type EventRowText, type PageQuery, type PageRows, type StoredEvent } from "./event-store.ts";
import { indexedCount, planText, textChecks } from "./text-plan.ts";
import { resourceRowsSelect, whereClause, type Sql, type SubqueryMode } from "./where.ts";

/**
 * Runs a statement built for one filter. Not Database.query(): that caches every distinct SQL
 * text for the life of the connection, and filters of arbitrary shape would grow it without bound.
 */
export function runAll<T>(db: Db, sql: string, params: SQLQueryBindings[]): T[] {
  const statement = db.$client.prepare<T, SQLQueryBindings[]>(sql);
  try {
    return statement.all(...params);
  } finally {
    statement.finalize();
  }
}

export interface QueryOptions {
  limit: number;
  offset?: number;
  /** Only events committed after this sequence number (for a feed's backfill). */
  afterSeq?: number;
  /** Only events committed at or before this sequence number (to pin a backfill to a snapshot). */
  upToSeq?: number;
  /** Defaults to the filter's own order. */
  order?: EventOrder;
  /** The filter's total when known: it lets the page pick the faster plan. */
  total?: number;
  /** Forces a plan (tests prove both plans select the same events). */
  mode?: SubqueryMode;
}

type Bounds = Pick<QueryOptions, "afterSeq" | "upToSeq">;

function selection(db: Db, filter: EventFilter, opts: Bounds, mode: SubqueryMode = "list"): Sql {
  const where = whereClause(filter, mode, db);
  let sql = where.sql;
  if (opts.afterSeq !== undefined) {
    sql += " AND e.seq > ?";
    where.params.push(opts.afterSeq);
  }
  if (opts.upToSeq !== undefined) {
    sql += " AND e.seq <= ?";
    where.params.push(opts.upToSeq);
  }
  return { sql, params: where.params };
}

const hasSubqueries = (f: EventFilter) => f.related.length > 0 || f.any_resource.length > 0 || f.text !== undefined;

/** Roughly how many events the window holds, from two index seeks (commit order follows time closely enough). */
function windowSize(db: Db, filter: EventFilter): number {
  const edge = (dir: "ASC" | "DESC") =>
    runAll<{ seq: number }>(
      db,
      `SELECT seq FROM events INDEXED BY events_occurred WHERE occurred >= ? AND occurred <= ? ORDER BY occurred ${dir}, seq ${dir} LIMIT 1`,
      [filter.occurred.since, filter.occurred.until],
    )[0]?.seq;
  const first = edge("ASC");
  const last = edge("DESC");
  return first === undefined || last === undefined ? 0 : Math.abs(last - first) + 1;
}

/** Below this many events in the window, reading the window in time order beats any other index. */
const NARROW_WINDOW = 10_000;

/**
 * "list" collects every match and sorts them (cost ~ total); "probe" walks the window in page
 * order and tests each event (cost ~ rows read before the page fills ~ depth × window / total).
 * Probing is chosen when it is clearly cheaper, which happens when matches are dense.
 */
function chooseMode(db: Db, filter: EventFilter, opts: QueryOptions): SubqueryMode {
  if (!hasSubqueries(filter) || filter.resource?.distinct || opts.total === undefined || opts.total === 0) return "list";
  const depth = (opts.offset ?? 0) + opts.limit;
  const window = windowSize(db, filter);
  // Collecting a text filter's matches reads them all, outside the window too.
  if (filter.text !== undefined && window <= NARROW_WINDOW) return "probe";
  const scanned = (depth * window) / opts.total;
  return scanned * 2 < opts.total ? "probe" : "list";
}

/** Events matching the filter, ordered by occurred then commit order, as the page and the feed's backfill read them. */
export function queryEvents(db: Db, filter: EventFilter, opts: QueryOptions): StoredEvent[] {
  return queryEventRows(db, filter, opts).map(parseStored);
}

/**
 * A page of events as the events API answers it: the filter's total (counted unless known) and the
 * page's events as one JSON text, written where they were read.
 */
export function queryPage(db: Db, { filter, limit, offset, total }: PageQuery): PageRows {
  const count = total ?? countEvents(db, filter);
  const events = queryEvents(db, filter, { limit, offset, total: count }).map((s) => s.event);
  return { events: JSON.stringify(events), total: count };
}

/** queryEvents, with each event as its JSON text (for a thread that hands the rows on). */
export function queryEventRows(db: Db, filter: EventFilter, opts: QueryOptions): EventRowText[] {
  const mode = opts.mode ?? chooseMode(db, filter, opts);
  const { sql: where, params } = selection(db, filter, opts, mode);
  const dir = (opts.order ?? filter.order) === "ASC" ? "ASC" : "DESC";
  const order = `ORDER BY occurred ${dir}, seq ${dir} LIMIT ? OFFSET ?`;
  const from = mode === "probe" ? "events e INDEXED BY events_occurred" : "events e";
  // resource.distinct keeps the latest event of each resource (Prefect's row_number window).
  const sql = filter.resource?.distinct
    ? `SELECT seq, occurred, data FROM (SELECT e.seq, e.data, e.occurred, row_number() OVER (PARTITION BY e.resource_id ORDER BY e.occurred DESC, e.seq DESC) AS rn
         FROM ${from} WHERE ${where}) WHERE rn = 1 ${order}`
    : `SELECT e.seq AS seq, e.occurred AS occurred, e.data AS data FROM ${from} WHERE ${where} ${order}`;
  return runAll<EventRowText>(db, sql, [...params, opts.limit, opts.offset ?? 0]);
}

/**
 * A filter that is a window plus one related/any_resource entry counts on event_resources alone:
 * its rows carry the event's `occurred`, and (resource_id, event_seq, …) yields each event once in
 * order, so DISTINCT costs no sort and the events table is never read.
 */
function resourceOnlyCount(db: Db, filter: EventFilter, opts: Bounds): number | null {
  const entries = [...filter.related.map((related) => ({ related })), ...filter.any_resource.map((any_resource) => ({ any_resource }))];
  const selects = entries.flatMap((entry) => {
    const sql = resourceRowsSelect(filter, entry);
    return sql ? [{ entry, sql }] : [];
  });
  const only = selects.length === 1 && !filter.event && !filter.resource && !filter.id && filter.text === undefined;
  if (!only || opts.afterSeq !== undefined || opts.upToSeq !== undefined) return null;
  const { entry, sql: sub } = selects[0]!;
  if (sub.sql.includes("e.data")) return null; // a primary's role label is read from the event row
  // With resource ids given, SQLite would pick the (resource_id, occurred) index for the window and
  // then sort for DISTINCT; the (resource_id, event_seq, role, occurred) index needs neither.
  const ids = "related" in entry ? entry.related.id : entry.any_resource.id;
  const from = ids?.length ? "event_resources er INDEXED BY event_resources_resource_seq" : "event_resources er";
  const distinct = sub.sql.replace("SELECT er.event_seq FROM event_resources er", `SELECT DISTINCT er.event_seq FROM ${from}`);
  return runAll<{ n: number }>(db, `SELECT count(*) AS n FROM (${distinct})`, sub.params)[0]!.n;
}

const isWindowOnly = (f: EventFilter) =>
  !f.event && !f.resource && !f.id && f.text === undefined && f.related.length === 0 && f.any_resource.length === 0;

/**
 * A bare window (the event list's default view) counts as all events minus those outside it:
 * `count(*)` of a whole table counts b-tree pages rather than rows, and the part outside a wide
 * window is small. A narrow window is counted directly.
 */
function windowOnlyCount(db: Db, filter: EventFilter): number {
  const { since, until } = filter.occurred;
  const count = (sql: string, params: SQLQueryBindings[]) => runAll<{ n: number }>(db, sql, params)[0]!.n;
  const inside = windowSize(db, filter);
  // Two sub-selects: SQLite answers a lone min() or max() with one seek, but both at once with a scan.
  const all = runAll<{ lo: number | null; hi: number | null }>(
    db,
    "SELECT (SELECT min(seq) FROM events) AS lo, (SELECT max(seq) FROM events) AS hi",
    [],
  )[0]!;
  const span = all.lo === null ? 0 : all.hi! - all.lo + 1;
  if (inside * 2 < span) return count("SELECT count(*) AS n FROM events WHERE occurred >= ? AND occurred <= ?", [since, until]);
  return (
    count("SELECT count(*) AS n FROM events", []) -
    count("SELECT count(*) AS n FROM events WHERE occurred < ?", [since]) -
    count("SELECT count(*) AS n FROM events WHERE occurred > ?", [until])
  );
}

/**
 * A filter that is a text query over a window holding every event counts on the word index alone
 * when the index answers it exactly, plus the events it has not reached yet.
 */
function textOnlyCount(db: Db, filter: EventFilter): number | null {
  const only =
    filter.text !== undefined &&
    !filter.event &&
    !filter.resource &&
    !filter.id &&
    filter.related.length === 0 &&
    filter.any_resource.length === 0;
  if (!only) return null;
  const span = runAll<{ lo: number | null; hi: number | null }>(
    db,
    "SELECT (SELECT min(occurred) FROM events) AS lo, (SELECT max(occurred) FROM events) AS hi",
    [],
  )[0]!;
  if (span.lo !== null && (span.lo < filter.occurred.since || span.hi! > filter.occurred.until)) return null;
  const plan = planText(db.$client, filter.text!);
  const indexed = indexedCount(db.$client, plan);
  if (indexed === null) return null;
  const params: SQLQueryBindings[] = [plan.watermark];
  const tests = textChecks((v) => (params.push(v), "?"), plan.query);
  const unindexed = runAll<{ n: number }>(
    db,
    `SELECT count(*) AS n FROM events e WHERE e.seq > ?${tests.map((t) => ` AND ${t}`).join("")}`,
    params,
  )[0]!.n;
  return indexed + unindexed;
}

/** How many events the filter matches (with distinct: how many resources). Exact. */
export function countEvents(db: Db, filter: EventFilter, opts: Bounds = {}): number {
  const bounded = opts.afterSeq !== undefined || opts.upToSeq !== undefined;
  if (!bounded && !filter.resource?.distinct) {
    if (isWindowOnly(filter)) return windowOnlyCount(db, filter);
    const fast = resourceOnlyCount(db, filter, opts) ?? textOnlyCount(db, filter);
    if (fast !== null) return fast;
  }
  // SQLite has no statistics here and would, e.g., read every event of a name prefix for a one-hour
  // window. A text filter over a narrow window probes the window's events rather than collecting
  // every match of its terms.
  const narrow =
    (!hasSubqueries(filter) || (filter.text !== undefined && !filter.related.length && !filter.any_resource.length)) &&
    windowSize(db, filter) <= NARROW_WINDOW;
  const { sql: where, params } = selection(db, filter, opts, narrow && filter.text !== undefined ? "probe" : "list");
  const what = filter.resource?.distinct ? "count(DISTINCT e.resource_id)" : "count(*)";
  const from = narrow ? "events e INDEXED BY events_occurred" : "events e";
  return runAll<{ n: number }>(db, `SELECT ${what} AS n FROM ${from} WHERE ${where}`, params)[0]!.n;
}
