// The `text` filter: Prefect's query syntax (prefect/utilities/text_search_parser.py) and what it
// searches: the event name, the label values of the resource and of each related resource, and
// the payload as JSON text (what Prefect's SQL searches), joined by spaces.
//
// Case-insensitive means ASCII case folding everywhere: SQLite's lower() folds only ASCII, and
// the same folding is applied to the word index (store/text-index.ts), the checks against the
// stored text (store/text-plan.ts) and in-memory matching, so that all three give the same answer.
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

/** The searched text of an event, case-folded; equal to SEARCH_TEXT_SQL (store/text-tokens.ts) over the stored JSON. */
export function searchableText(event: Event): string {
  const resource = Object.values(event.resource).join(" ");
  const related = event.related.flatMap((r) => Object.values(r)).join(" ");
  return foldCase(`${event.event} ${resource} ${related} ${JSON.stringify(event.payload)}`);
}

export function matchesText(query: TextQuery, text: string): boolean {
  const has = (term: string) => text.includes(foldCase(term));
  if (query.include.length && !query.include.some(has)) return false;
  if (query.exclude.some(has)) return false;
  return query.required.every(has);
}
