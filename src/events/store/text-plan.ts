// How a `text` filter reads the word index (text-index.ts). A term without separators occurs in a
// text exactly when it occurs inside one of the text's words, so it is answered exactly by the
// vocabulary words containing it (found through their trigrams), ORed in one FTS5 query. A term
// with separators (`github.push`, a quoted phrase) is a phrase of adjacent tokens: its first
// token ends a text token, its last one starts one and the ones between are whole tokens, so the
// phrase is exact too, its ends being the vocabulary tokens ending or starting with them (a phrase
// for each, ORed). Two words around one run are one word pair token instead, mostly (`github.push`
// reads one short doclist rather than three long ones). When a phrase's first token ends too many
// words, the phrase starts after it and the candidates are checked against the event's text.
// Excluded terms become FTS5 NOTs, applied to the matches only. Events past the watermark are not
// indexed yet and are checked directly.
import type { Database, SQLQueryBindings } from "bun:sqlite";
import { textWatermark } from "./text-index.ts";
import { foldCase, parseTextQuery, type TextQuery } from "../filter/text-search.ts";
import { pairIndexed, SEARCH_TEXT_SQL, SEPARATOR_MARK, textTokens } from "./text-tokens.ts";

/** Trigrams find a word's substrings of three characters or more; shorter terms read the text. */
export const MIN_INDEXED_TERM = 3;
/** A term found in more words than this (e.g. `000`) reads the text rather than ORing them all. */
export const MAX_EXPANSION = 2000;
/** A phrase whose first token is one of more vocabulary tokens than this starts after it. */
export const MAX_PHRASES = 64;

/** An FTS5 expression over events_words; NONE matches no event; null: the index cannot narrow. */
type Expr = string | typeof NONE | null;
const NONE = Symbol("none");

export interface TextPlan {
  query: TextQuery;
  watermark: number;
  /** The FTS5 query selecting the candidates among indexed events; null: every one is a candidate. */
  match: Expr;
  /** The same as `positive` minus each of `excluded`: probing an event is cheaper one part at a time. */
  positive: Expr;
  excluded: string[];
  /** Terms still to check against the text of an indexed candidate (folded). */
  check: TextQuery;
}

const quote = (word: string) => `"${word.replaceAll('"', '""')}"`;
const length = (s: string) => [...s].length;

/** Vocabulary words matching a GLOB pattern of literal text around `*` (words hold no GLOB specials). */
function words(client: Database, pattern: string, max = MAX_EXPANSION): string[] | null {
  const rows = client
    .query<{ word: string }, [string, number]>("SELECT word FROM events_words_grams WHERE word GLOB ? LIMIT ?")
    .all(pattern, max + 1);
  return rows.length > max ? null : rows.map((r) => r.word).sort();
}

/**
 * Vocabulary tokens matching a GLOB pattern: separator tokens when it starts with the mark, words
 * otherwise. A pattern starting with literal text reads a range of the index, else every token.
 */
function vocabulary(client: Database, pattern: string, max = MAX_EXPANSION): string[] | null {
  const separator = pattern.startsWith(SEPARATOR_MARK) ? 1 : 0;
  const rows = client
    .query<{ word: string }, [string, number, number]>(
      `SELECT word FROM events_words_vocab WHERE word GLOB ? AND (word GLOB '${SEPARATOR_MARK}*') = ? LIMIT ?`,
    )
    .all(pattern, separator, max + 1);
  return rows.length > max ? null : rows.map((r) => r.word).sort();
}

function anyWord(found: string[] | null): Expr {
  if (found === null) return null;
  return found.length === 0 ? NONE : `(${found.map(quote).join(" OR ")})`;
}

/** The index's answer for one term and whether it is exact. */
function termExpr(client: Database, term: string): { expr: Expr; exact: boolean } {
  const tokens = textTokens(foldCase(term));
  const [first, ...rest] = tokens;
  if (!first) return { expr: null, exact: true };
  const inner = (t: string) => t.slice(SEPARATOR_MARK.length);
  if (rest.length === 0) {
    if (first.separator) return { expr: anyWord(vocabulary(client, `${SEPARATOR_MARK}*${inner(first.text)}*`)), exact: true };
    return { expr: length(first.text) < MIN_INDEXED_TERM ? null : anyWord(words(client, `*${first.text}*`)), exact: true };
  }
  // A phrase: a token ending with the first, the whole tokens between, a token starting with the
  // last. Both ends are spelled out from the vocabulary when few (FTS5 reads a prefix token's
  // whole doclist for every query, a probe of one event included); else the last is a prefix token
  // and the first is left out, to be checked against the text.
  const last = rest.pop()!;
  let firsts: string[] | null = null;
  if (first.separator) firsts = vocabulary(client, `${SEPARATOR_MARK}*${inner(first.text)}`, MAX_PHRASES);
  else if (length(first.text) >= MIN_INDEXED_TERM) firsts = words(client, `*${first.text}`, MAX_PHRASES);
  // Too short for trigrams: the vocabulary is read whole (~70 ms at 1.6M words), which beats
  // checking every event holding the rest of the phrase (`x-request-id`: all of them, seconds).
  else firsts = vocabulary(client, `*${first.text}`, MAX_PHRASES);
  let lasts = vocabulary(client, `${last.text}*`, MAX_PHRASES);
  if (firsts?.length === 0 || lasts?.length === 0) return { expr: NONE, exact: true };
  if (firsts && lasts && firsts.length * lasts.length > MAX_PHRASES) lasts = null;
  const between = rest.map((t) => quote(t.text));
  const phrase = (f: string | null, end: string) => [...(f === null ? [] : [quote(f)]), ...between, end].join(" + ");
  // Only words around runs: a phrase of word pair tokens (text-tokens.ts textPairs) when indexed.
  if (firsts && lasts && !first.separator && !last.separator) {
    const middle = rest.filter((t) => !t.separator).map((t) => t.text);
    const runs = rest.filter((t) => t.separator).map((t) => t.text);
    const chain = (f: string, l: string) => {
      const ws = [f, ...middle, l];
      return runs.map((run, i) => ({ a: ws[i]!, run, b: ws[i + 1]! }));
    };
    const chains = firsts.flatMap((f) => lasts!.map((l) => chain(f, l)));
    const indexed = chains.filter((c) => c.every((p) => pairIndexed(p.a, p.b)));
    const others = chains.filter((c) => !indexed.includes(c));
    return {
      expr: `(${[
        ...(indexed.length ? [`pairs : (${indexed.map((c) => c.map((p) => quote(p.a + p.run + p.b)).join(" + ")).join(" OR ")})`] : []),
        ...(others.length ? [`body : (${others.map((c) => phrase(c[0]!.a, quote(c.at(-1)!.b))).join(" OR ")})`] : []),
      ].join(" OR ")})`,
      exact: true,
    };
  }
  const ends = lasts ? lasts.map(quote) : [`${quote(last.text)} *`];
  const body = `body : (${(firsts ?? [null]).flatMap((f) => ends.map((end) => phrase(f, end))).join(" OR ")})`;
  // A longer phrase starting with indexed word pairs: their doclists, shorter, narrow the phrase's.
  const second = rest[1]?.separator === false ? rest[1].text : null;
  if (firsts && !first.separator && second !== null && firsts.every((f) => pairIndexed(f, second))) {
    return { expr: `(pairs : (${firsts.map((f) => quote(f + rest[0]!.text + second)).join(" OR ")}) AND ${body})`, exact: true };
  }
  return { expr: `(${body})`, exact: firsts !== null };
}

function all(parts: Expr[]): Expr {
  if (parts.includes(NONE)) return NONE;
  const known = parts.filter((p): p is string => typeof p === "string");
  return known.length === 0 ? null : known.length === 1 ? known[0]! : `(${known.join(" AND ")})`;
}

function some(parts: Expr[]): Expr {
  if (parts.includes(null)) return null;
  const known = parts.filter((p): p is string => typeof p === "string");
  return known.length === 0 ? NONE : known.length === 1 ? known[0]! : `(${known.join(" OR ")})`;
}

export function planText(client: Database, text: string): TextPlan {
  const query = parseTextQuery(text);
  const check: TextQuery = { include: [], exclude: [], required: [] };
  const positive: Expr[] = [];
  if (query.include.length) {
    const terms = query.include.map((t) => termExpr(client, t));
    positive.push(some(terms.map((t) => t.expr)));
    if (terms.some((t) => !t.exact || t.expr === null)) check.include = query.include.map(foldCase);
  }
  for (const term of query.required) {
    const t = termExpr(client, term);
    positive.push(t.expr);
    if (!t.exact || t.expr === null) check.required.push(foldCase(term));
  }
  const wanted = all(positive);
  let match = wanted;
  const excluded: string[] = [];
  for (const term of query.exclude) {
    const t = typeof match === "string" ? termExpr(client, term) : { expr: null, exact: false };
    if (t.exact && typeof t.expr === "string" && typeof match === "string") {
      match = `(${match} NOT ${t.expr})`;
      excluded.push(t.expr);
    } else if (!t.exact || t.expr !== NONE) check.exclude.push(foldCase(term));
  }
  return { query, watermark: textWatermark(client), match, positive: wanted, excluded, check };
}

/** The plan needs no check against the text: the index alone answers for indexed events. */
export const indexAnswers = (plan: TextPlan) =>
  plan.match !== null && !plan.check.include.length && !plan.check.exclude.length && !plan.check.required.length;

const SEARCHED = SEARCH_TEXT_SQL.replaceAll("$data", "e.data");

/**
 * Terms that, wherever they occur in an event's searched text, occur in its stored JSON too: the
 * text is the event's name, its label values and its payload's JSON, joined by spaces, all written
 * into the JSON by JSON.stringify, which changes only `"`, `\`, control characters and lone
 * surrogates. Finding such a term in the JSON is a necessary test, far cheaper than building the text.
 */
const IN_JSON = /^[^\s"\\\x00-\x1f\ud800-\udfff]+$/;

/**
 * Whether the searched text holds a (folded) term: the event's name and resource id are part of the
 * text and are read first; then, when it can, the JSON rules the term out before the text is built.
 */
function textHas(bind: (v: SQLQueryBindings) => string, term: string): string {
  const known = `instr(lower(e.event), ${bind(term)}) > 0 OR instr(lower(e.resource_id), ${bind(term)}) > 0`;
  const json = IN_JSON.test(term) ? `instr(lower(e.data), ${bind(term)}) > 0 AND ` : "";
  return `(${known} OR (${json}instr(${SEARCHED}, ${bind(term)}) > 0))`;
}

/** Tests of the text itself, exact for any event (and what events past the watermark get). */
export function textChecks(bind: (v: SQLQueryBindings) => string, q: TextQuery): string[] {
  const has = (term: string) => textHas(bind, foldCase(term));
  const tests: string[] = [];
  if (q.include.length) tests.push(q.include.length === 1 ? has(q.include[0]!) : `(${q.include.map(has).join(" OR ")})`);
  for (const term of q.exclude) tests.push(`NOT ${has(term)}`);
  for (const term of q.required) tests.push(has(term));
  return tests;
}

/**
 * The WHERE tests of a planned text filter over `events e`. "list" collects the index's matches
 * and the unindexed events first; "probe" tests each event as the page walks them. Values are
 * bound in the order the tests are written.
 */
export function planTests(bind: (v: SQLQueryBindings) => string, plan: TextPlan, mode: "list" | "probe"): string[] {
  const { match, watermark } = plan;
  if (match === null) return textChecks(bind, plan.query);
  if (match === NONE) return [`e.seq > ${bind(watermark)}`, ...textChecks(bind, plan.query)];
  const and = (tests: string[]) => (tests.length ? tests.join(" AND ") : "1");
  // A phrase costs FTS5 a seek in each of its tokens' doclists, long ones for common tokens: one
  // query collecting the matches serves a page's probes better than a query per probed event.
  if (mode === "probe" && !match.includes(" + ")) {
    const has = (expr: string) => `EXISTS (SELECT 1 FROM events_words WHERE events_words MATCH ${bind(expr)} AND rowid = e.seq)`;
    const indexed = [`e.seq <= ${bind(watermark)}`, has(plan.positive as string), ...plan.excluded.map((x) => `NOT ${has(x)}`)];
    const checked = [...indexed, ...textChecks(bind, plan.check)].join(" AND ");
    const unindexed = `e.seq > ${bind(watermark)}`;
    return [`((${checked}) OR (${and([unindexed, ...textChecks(bind, plan.query)])}))`];
  }
  const tests = [
    `e.seq IN (SELECT rowid FROM events_words WHERE events_words MATCH ${bind(match)} UNION ALL SELECT seq FROM events WHERE seq > ${bind(watermark)})`,
  ];
  if (!indexAnswers(plan)) tests.push(`(e.seq > ${bind(watermark)} OR (${and(textChecks(bind, plan.check))}))`);
  tests.push(`(e.seq <= ${bind(watermark)} OR (${and(textChecks(bind, plan.query))}))`);
  return tests;
}

/** The number of indexed events the plan matches, when the index alone answers; else null. */
export function indexedCount(client: Database, plan: TextPlan): number | null {
  if (plan.match === NONE) return 0;
  if (!indexAnswers(plan)) return null;
  return client
    .query<{ n: number }, [string]>("SELECT count(*) AS n FROM events_words WHERE events_words MATCH ?")
    .get(plan.match as string)!.n;
}
