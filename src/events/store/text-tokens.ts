// The word index's view of an event's searched text (filter/text-search.ts says what is searched):
// the text as SQLite computes it from the stored JSON, and the tokens and word pairs the index
// holds of it (text-index.ts writes them, text-plan.ts reads them).

/**
 * The same text computed by SQLite from an event's stored JSON (`$data` is replaced by the
 * column). Text queries check events the word index has not reached yet against it.
 */
export const SEARCH_TEXT_SQL = `lower(json_extract($data, '$.event') || ' ' ||
  (SELECT group_concat(value, ' ') FROM json_each($data, '$.resource')) || ' ' ||
  coalesce((SELECT group_concat(l.value, ' ') FROM json_each($data, '$.related') r, json_each(r.value) l), '') || ' ' ||
  json_extract($data, '$.payload'))`;

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
