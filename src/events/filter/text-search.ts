// The `text` filter: Prefect's query syntax (prefect/utilities/text_search_parser.py) and what it
// searches: the event name, the label values of the resource and of each related resource, and
// the payload as JSON text (what Prefect's SQL searches), joined by spaces.
//
// Case-insensitive means ASCII case folding everywhere: SQLite's lower() folds only ASCII, and
// the same folding is applied to the word index (text-index.ts), the checks against the stored
// text (text-plan.ts) and in-memory matching, so that all three give the same answer.
import type { Event } from "../model.ts";

export interface TextQuery {
  /** Any of these (OR). */
  include: string[];
  /** None of these (`-term`, `!term`). */
  exclude: string[];
  /** All of these (`+term`). */
  required: string[];
}

const isSpace = (c: string) => /\s/.test(c);

/** A port of Prefect's parse_text_search_query: same terms, same quirks. */
export function parseTextQuery(query: string): TextQuery {
  const result: TextQuery = { include: [], exclude: [], required: [] };
  const seen = new Set<string>();
  const add = (term: string, prefix: string | null) => {
    const list = prefix === "-" || prefix === "!" ? result.exclude : prefix === "+" ? result.required : result.include;
    // A repeated term changes nothing but the work: matching is case-insensitive, so compare folded.
    const key = `${list === result.exclude ? "-" : list === result.required ? "+" : ""}${foldCase(term)}`;
    if (seen.has(key)) return;
    seen.add(key);
    list.push(term);
  };
  let i = 0;
  while (i < query.length) {
    if (isSpace(query[i]!)) {
      i++;
      continue;
    }
    let prefix: string | null = null;
    if ("-!+".includes(query[i]!)) {
      const at = i++;
      // A prefix followed by a space (or the end) is dropped, as Prefect does.
      if (i < query.length && !isSpace(query[i]!)) prefix = query[at]!;
      else continue;
    }
    if (i < query.length && query[i] === '"') {
      const start = ++i;
      while (i < query.length) {
        if (query[i] === "\\" && i + 1 < query.length) i += 2;
        else if (query[i] === '"') break;
        else i++;
      }
      const phrase = unescapePhrase(query.slice(start, i));
      if (i < query.length) i++;
      if (phrase.trim()) add(phrase, prefix);
      continue;
    }
    const start = i;
    while (i < query.length && !isSpace(query[i]!) && query[i] !== '"') i++;
    const term = query.slice(start, i);
    if (term) add(term, prefix);
  }
  return result;
}

function unescapePhrase(phrase: string): string {
  let out = "";
  for (let i = 0; i < phrase.length; i++) {
    if (phrase[i] === "\\" && i + 1 < phrase.length && (phrase[i + 1] === '"' || phrase[i + 1] === "\\")) out += phrase[++i];
    else out += phrase[i];
  }
  return out;
}

export const foldCase = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** The searched text of an event, case-folded; equal to SEARCH_TEXT_SQL over the stored JSON. */
export function searchableText(event: Event): string {
  const resource = Object.values(event.resource).join(" ");
  const related = event.related.flatMap((r) => Object.values(r)).join(" ");
  return foldCase(`${event.event} ${resource} ${related} ${JSON.stringify(event.payload)}`);
}

/**
 * The same text computed by SQLite from an event's stored JSON (`$data` is replaced by the
 * column). Text queries check events the word index has not reached yet against it.
 */
export const SEARCH_TEXT_SQL = `lower(json_extract($data, '$.event') || ' ' ||
  (SELECT group_concat(value, ' ') FROM json_each($data, '$.resource')) || ' ' ||
  coalesce((SELECT group_concat(l.value, ' ') FROM json_each($data, '$.related') r, json_each(r.value) l), '') || ' ' ||
  json_extract($data, '$.payload'))`;

export function matchesText(query: TextQuery, text: string): boolean {
  const has = (term: string) => text.includes(foldCase(term));
  if (query.include.length && !query.include.some(has)) return false;
  if (query.exclude.some(has)) return false;
  return query.required.every(has);
}

/**
 * Where words split in the word index: ASCII characters other than letters, digits and `_`, as
 * FTS5's `ascii` tokenizer splits them (migration 0002). Every other character, including all
 * non-ASCII ones, belongs to a word, so a search term free of separators occurs in a text exactly
 * when it occurs inside one of the text's words.
 */
const SPLIT = /([\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]+)/;

/**
 * The index token of a run of separators: `~` (which the tokenizer keeps in tokens, migration
 * 0002, and which no word holds, since words split at it) and each character as U+2800 + its
 * ASCII code, a token character for the tokenizer. Fixed width, so a run's prefix or suffix is
 * the token's prefix or suffix.
 */
export const SEPARATOR_MARK = "~";
const utf16 = new TextDecoder("utf-16le");
/** Built in one typed pass: a run may be a megabyte long (a body of brackets), too many arguments for a spread. */
export function separatorToken(run: string): string {
  const units = new Uint16Array(run.length);
  for (let i = 0; i < run.length; i++) units[i] = 0x2800 + run.charCodeAt(i);
  return SEPARATOR_MARK + utf16.decode(units);
}

/** A (case-folded) text as the index holds it: words and runs of separators, alternating. */
export interface Token {
  text: string;
  separator: boolean;
}

export function textTokens(text: string): Token[] {
  const tokens: Token[] = [];
  text.split(SPLIT).forEach((part, i) => {
    if (part !== "") tokens.push({ text: i % 2 ? separatorToken(part) : part, separator: i % 2 === 1 });
  });
  return tokens;
}

/**
 * Pairs of words around one run of separators, each an index token of its own (`github~.push`,
 * the run encoded), in the text's order, so that a term of two words is one token and a term of
 * more words a phrase of pairs, rather than phrases of common words and runs with long doclists.
 * Only pairs of words without digits: those with digits are mostly identifiers (ids, hashes,
 * counts), rare enough that their phrases are fast, and as pairs would mostly be distinct, tripling
 * the pairs' size. Each such pair is PAIR_GAP instead, which keeps the positions of the others.
 */
export const pairIndexed = (a: string, b: string) => !/[0-9]/.test(a) && !/[0-9]/.test(b);
export const PAIR_GAP = SEPARATOR_MARK;

export function textPairs(tokens: Token[]): string[] {
  const pairs: string[] = [];
  tokens.forEach((a, i) => {
    const b = tokens[i + 2];
    if (!a.separator && b && !b.separator) pairs.push(pairIndexed(a.text, b.text) ? a.text + tokens[i + 1]!.text + b.text : PAIR_GAP);
  });
  return pairs;
}
