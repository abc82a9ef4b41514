// Jinja's striptags, as MarkupSafe 3.0's Markup.striptags does it: comments, then tags, removed
// by repeated first-match searches; then whitespace runs as one space; then character references.
import { chargeChars, tick } from "../limits.ts";
import { WS } from "../methods.ts";
import { pyStr } from "../python.ts";

/**
 * Removes every `open … close` span as MarkupSafe's striptags loop does: the first `open` in what
 * is left, up to the first `close` at or after it (which may overlap it), again and again; a
 * removal may join an `open` across the cut. Each pass over the text in Python copies it whole;
 * here the kept text is a buffer, and only its last few characters (an `open` that a cut
 * completed) are looked at again: one pass.
 */
function removeSpans(text: string, open: string, close: string): string {
  const kept = new Uint16Array(text.length);
  let n = 0;
  let i = 0;
  const keep = (to: number) => {
    for (; i < to; i++) kept[n++] = text.charCodeAt(i);
  };
  /** Whether `word` starts at position p of kept[0, n) followed by text[i…]. */
  const at = (p: number, word: string) => {
    for (let j = 0; j < word.length; j++) {
      const q = p + j;
      const c = q < n ? kept[q] : text.charCodeAt(i + q - n);
      if (c !== word.charCodeAt(j)) return false;
    }
    return true;
  };
  for (;;) {
    // The first `open`: one the last cut completed (starting in kept's tail), else the next in text.
    let start = -1;
    for (let p = Math.max(0, n - open.length + 1); p < n && start < 0; p++) if (at(p, open)) start = p;
    if (start < 0) {
      const j = text.indexOf(open, i);
      if (j < 0) break;
      start = n + (j - i);
    }
    let end = -1;
    for (let p = start; p < n && end < 0; p++) if (at(p, close)) end = p;
    if (end < 0) {
      const k = text.indexOf(close, i + Math.max(0, start - n));
      if (k < 0) break;
      end = n + (k - i);
    }
    tick();
    // Keep what precedes the span and drop the span, which always ends in text, past kept.
    const resume = i + (end + close.length - n);
    if (start >= n) keep(i + (start - n));
    else n = start;
    i = resume;
  }
  keep(text.length);
  let out = "";
  for (let p = 0; p < n; p += 8192) out += String.fromCharCode(...kept.subarray(p, Math.min(n, p + 8192)));
  return out;
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
const PY_WHITESPACE = new RegExp(`[${WS}]+`);

/** A character reference's character; html.unescape gives U+FFFD where there is no such character. */
function charRef(code: number): string {
  return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? "\ufffd" : String.fromCodePoint(code);
}

/** MarkupSafe's striptags: comments, then tags, then runs of whitespace as one space, then entities. */
export function striptags(v: unknown): string {
  const text = pyStr(v);
  chargeChars(text.length * 2);
  const stripped = removeSpans(removeSpans(text, "<!--", "-->"), "<", ">");
  const words = stripped
    .split(PY_WHITESPACE)
    .filter((w) => w)
    .join(" ");
  return words.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] === "#" ? charRef(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (NAMED[e.toLowerCase()] ?? m),
  );
}
