// Jinja's wordwrap: each line of str.splitlines() wrapped by Python's textwrap.wrap (expand_tabs and
// replace_whitespace off), joined by `wrapstring`. textwrap splits a line with a regular expression
// whose lazy word and em-dash lookaheads rescan runs of dashes, and cuts a long word by copying
// what is left of it for every piece; here both are one pass over the line's code points, with the
// same chunks and lines as CPython 3's textwrap.
import { fail } from "../errors.ts";
import { checkLength, tick } from "../limits.ts";
import { WS } from "../methods.ts";
import { num, pyRepr } from "../python.ts";

/** textwrap's _whitespace: the only characters its chunks split at. */
const isWs = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\x0b" || c === "\x0c";
/** str.strip()'s whitespace, which drops a blank chunk at a line's ends (U+00A0 and U+3000 too). */
const PY_SPACE = new Set(WS);
const WORD = /^[\p{L}\p{N}_]$/u;
const DIGIT = /^\p{Nd}$/u;
const isWord = (c: string | undefined) => c !== undefined && WORD.test(c);
/** textwrap's `letter`, [^\d\W]. */
const isLetter = (c: string | undefined) => isWord(c) && !DIGIT.test(c!);
/** textwrap's `word_punct`, [\w!"'&.,?]. */
const isWordPunct = (c: string | undefined) => c !== undefined && ("!\"'&.,?".includes(c) || isWord(c));

type Chunk = [start: number, end: number];

/** The ends of each run of `-`, right to left, so that a dash run's length is known at once. */
function dashRunEnds(cps: string[]): Int32Array {
  const ends = new Int32Array(cps.length + 1);
  ends[cps.length] = cps.length;
  for (let i = cps.length - 1; i >= 0; i--) ends[i] = cps[i] === "-" ? ends[i + 1]! : i;
  return ends;
}

/** textwrap's wordsep_re.split(), as [start, end) pieces of the line. */
function hyphenChunks(cps: string[]): Chunk[] {
  const n = cps.length;
  const dashEnd = dashRunEnds(cps);
  // `(?<=wp) -{2,} (?=\w)` at i: a run of two dashes or more after a word or punctuation character.
  const emDash = (i: number) => cps[i] === "-" && isWordPunct(cps[i - 1]) && dashEnd[i]! - i >= 2 && isWord(cps[dashEnd[i]!]);
  const chunks: Chunk[] = [];
  for (let i = 0; i < n; ) {
    let end: number;
    if (isWs(cps[i])) {
      end = i;
      while (end < n && isWs(cps[end])) end++;
    } else if (emDash(i)) {
      end = dashEnd[i]!;
    } else {
      // A word: the fewest characters (one or more, no whitespace) after which a hyphen between
      // letters, the line's end, whitespace or an em-dash follows.
      for (let k = i + 1; ; k++) {
        const hyphen =
          cps[k] === "-" &&
          ((isLetter(cps[k - 2]) && isLetter(cps[k - 1])) || (isLetter(cps[k - 3]) && cps[k - 2] === "-" && isLetter(cps[k - 1]))) &&
          isLetter(cps[k + 1]) &&
          (isLetter(cps[k + 2]) || (cps[k + 2] === "-" && isLetter(cps[k + 3])));
        if (hyphen) {
          end = k + 1;
          break;
        }
        if (k === n || isWs(cps[k]) || emDash(k)) {
          end = k;
          break;
        }
      }
    }
    tick();
    chunks.push([i, end]);
    i = end;
  }
  return chunks;
}

/** wordsep_simple_re.split(): runs of whitespace and runs of anything else. */
function simpleChunks(cps: string[]): Chunk[] {
  const chunks: Chunk[] = [];
  for (let i = 0; i < cps.length; ) {
    const ws = isWs(cps[i]);
    let end = i + 1;
    while (end < cps.length && isWs(cps[end]) === ws) end++;
    tick();
    chunks.push([i, end]);
    i = end;
  }
  return chunks;
}

/** TextWrapper._wrap_chunks with empty indents, chunks taken from the front. */
function wrapLine(cps: string[], width: number, breakLong: boolean, breakHyphens: boolean): string[] {
  const chunks = breakHyphens ? hyphenChunks(cps) : simpleChunks(cps);
  // A chunk is blank (str.strip() leaves nothing) when its first non-space character is past its end.
  const firstNonSpace = new Int32Array(cps.length + 1);
  firstNonSpace[cps.length] = cps.length;
  for (let i = cps.length - 1; i >= 0; i--) firstNonSpace[i] = PY_SPACE.has(cps[i]!) ? firstNonSpace[i + 1]! : i;
  const blank = ([a, b]: Chunk) => firstNonSpace[a]! >= b;
  const lines: string[] = [];
  let next = 0;
  while (next < chunks.length) {
    tick();
    const line: Chunk[] = [];
    let length = 0;
    if (lines.length && blank(chunks[next]!)) next++;
    while (next < chunks.length) {
      const [a, b] = chunks[next]!;
      if (length + (b - a) > width) break;
      line.push(chunks[next++]!);
      length += b - a;
    }
    if (next < chunks.length && chunks[next]![1] - chunks[next]![0] > width) {
      // _handle_long_word: the part that fits, cut after its last hyphen unless only hyphens precede it.
      const [a, b] = chunks[next]!;
      const spaceLeft = width < 1 ? 1 : width - length;
      if (breakLong) {
        if (!Number.isInteger(spaceLeft)) fail("slice indices must be integers or None or have an __index__ method");
        let end = spaceLeft;
        if (breakHyphens && b - a > spaceLeft) {
          tick(spaceLeft);
          let hyphen = Math.min(spaceLeft, b - a) - 1;
          while (hyphen > 0 && cps[a + hyphen] !== "-") hyphen--;
          let nonHyphen = false;
          for (let j = 0; j < hyphen && !nonHyphen; j++) nonHyphen = cps[a + j] !== "-";
          if (hyphen > 0 && nonHyphen) end = hyphen + 1;
        }
        line.push([a, a + end]);
        chunks[next] = [a + end, b];
      } else if (line.length === 0) {
        line.push(chunks[next++]!);
      }
    }
    if (line.length && blank(line[line.length - 1]!)) line.pop();
    // A line's chunks are adjacent in the line of text.
    if (line.length) lines.push(cps.slice(line[0]![0], line[line.length - 1]![1]).join(""));
  }
  return lines;
}

/** str.splitlines(): the line breaks Python knows, no empty line after a final break. */
const LINE_BREAK = /\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]/;

export function wordwrap(text: string, width: unknown, breakLong: boolean, wrapstring: string, breakHyphens: boolean): string {
  const lines = text.split(LINE_BREAK);
  if (lines[lines.length - 1] === "") lines.pop();
  const w = num(width);
  // Python's textwrap refuses a width below 1, for each line it wraps.
  if (lines.length && !(w > 0)) fail(`invalid width ${pyRepr(width)} (must be > 0)`);
  const paragraphs: string[] = [];
  let length = 0;
  for (const line of lines) {
    const wrapped = wrapLine([...line], w, breakLong, breakHyphens);
    for (const piece of wrapped) length += piece.length + wrapstring.length;
    length += wrapstring.length;
    checkLength(length);
    paragraphs.push(wrapped.join(wrapstring));
  }
  return paragraphs.join(wrapstring);
}
