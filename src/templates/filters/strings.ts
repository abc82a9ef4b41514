// Jinja's filters over strings and numbers (jinja2/filters.py semantics). With autoescape off,
// Jinja's Markup-returning filters (escape, urlize, xmlattr, indent …) return plain strings here:
// only `safe`, `tojson` and `from_cloud_event` print raw, everything else is JSON-escaped.
import { bind, REQUIRED, splitArgs } from "../args.ts";
import { fail } from "../errors.ts";
import { chargeChars, chargeItems, checkLength, tick } from "../limits.ts";
import { printf } from "../format.ts";
import { capitalize, replace, strip } from "../methods.ts";
import {
  isFloat,
  isMapping,
  isNumber,
  isString,
  isTuple,
  mkFloat,
  mkInt,
  num,
  PyFloat,
  PyInt,
  pyRepr,
  pyStr,
  Safe,
  truthy,
  tuple,
  typeName,
} from "../python.ts";
import type { Filter } from "./sequences.ts";
import { striptags } from "./striptags.ts";
import { wordwrap as wrapWords } from "./wordwrap.ts";

const s = (v: unknown) => pyStr(v);

export function htmlEscape(v: unknown): string {
  const text = s(v);
  if (!/[&<>"']/.test(text)) return text;
  // One native pass per character rather than a callback per match: `&` first, as MarkupSafe does.
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&#34;").replace(/'/g, "&#39;");
}

/** Python's round(): half to even on the exact binary value. */
export function roundHalfEven(x: number, precision: number): number {
  if (!Number.isFinite(x)) return x;
  if (precision < 0) return roundHalfEven(x / 10 ** -precision, 0) * 10 ** -precision;
  const p = Math.min(precision, 20);
  const exact = Math.abs(x).toFixed(Math.min(100, p + 60));
  const tie = new RegExp(`\\.\\d{${p}}50*$`).test(exact) || (p === 0 && /^\d+\.50*$/.test(exact));
  const factor = 10 ** p;
  if (!tie) return Number((Math.round(Math.abs(x) * factor) / factor).toFixed(p)) * Math.sign(x) || 0 * x;
  const down = Math.floor(Math.abs(x) * factor);
  const even = down % 2 === 0 ? down : down + 1;
  return (Math.sign(x) * even) / factor;
}

function truncate(value: unknown, args: unknown[]): string {
  const [length, killwords, end, leeway] = bind("truncate", args, [
    ["length", 255],
    ["killwords", false],
    ["end", "..."],
    ["leeway", 5],
  ]);
  const text = s(value);
  const len = num(length);
  const e = s(end);
  if (len < e.length) fail("expected length >= len(end)");
  if (len < 0) fail("expected leeway >= 0");
  // text.length counts UTF-16 units, never fewer than Python's code points.
  if (text.length <= len + num(leeway) || [...text].length <= len + num(leeway)) return text;
  const cut = [...text].slice(0, len - e.length).join("");
  if (killwords === true) return cut + e;
  const space = cut.lastIndexOf(" ");
  return (space < 0 ? cut : cut.slice(0, space)) + e;
}

function wordwrap(value: unknown, args: unknown[]): string {
  const [width, breakLong, wrapstr, breakHyphens] = bind("wordwrap", args, [
    ["width", 79],
    ["break_long_words", true],
    ["wrapstring", null],
    ["break_on_hyphens", true],
  ]);
  const text = s(value);
  chargeChars(text.length);
  return wrapWords(text, width, truthy(breakLong), wrapstr === null ? "\n" : s(wrapstr), truthy(breakHyphens));
}

function indent(value: unknown, args: unknown[]): string {
  const [width, first, blank] = bind("indent", args, [
    ["width", 4],
    ["first", false],
    ["blank", false],
  ]);
  const pad = isString(width) ? String(width) : " ".repeat(Math.max(0, (checkLength(num(width)), num(width))));
  const lines = s(value).split("\n");
  checkLength(s(value).length + pad.length * lines.length);
  chargeItems(lines.length);
  const out = lines.map((line, i) => ((i === 0 && first !== true) || (line === "" && blank !== true) ? line : pad + line));
  return out.join("\n");
}

/**
 * A decimal float literal. Written `\d+(\.\d*)?` rather than `\d+\.?\d*`: the two read the same
 * texts, but the second can split a run of digits between its two parts in every way, which on a
 * long run with a bad end is quadratic backtracking.
 */
export const FLOAT_LITERAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

const RADIX_PREFIX: Record<number, string> = { 16: "0x", 8: "0o", 2: "0b", 10: "" };

function toInt(value: unknown, args: unknown[]): unknown {
  const [dflt, base] = bind("int", args, [
    ["default", 0],
    ["base", 10],
  ]);
  if (value instanceof PyInt) return value;
  if (isNumber(value)) return Math.trunc(num(value));
  if (!isString(value)) return dflt as number;
  const text = String(value).trim().replace(/_/g, "");
  const b = num(base);
  const digits = b === 16 ? /^[+-]?(0x)?[0-9a-f]+$/i : b === 8 ? /^[+-]?(0o)?[0-7]+$/i : b === 2 ? /^[+-]?(0b)?[01]+$/i : /^[+-]?\d+$/;
  if (digits.test(text)) {
    const n = parseInt(text.replace(/^([+-]?)0[xob]/i, "$1"), b);
    // Past 2^53 the digits are read exactly, as Python's int() reads them (up to its 4300 digits).
    if (Number.isSafeInteger(n) || !(b in RADIX_PREFIX) || text.length > 4300) return n;
    const magnitude = BigInt(RADIX_PREFIX[b] + text.replace(/^[+-]?(0[xob])?/i, ""));
    return mkInt(text.startsWith("-") ? -magnitude : magnitude);
  }
  const f = Number(text);
  return FLOAT_LITERAL.test(text) && Number.isFinite(f) ? Math.trunc(f) : (dflt as number);
}

function toFloat(value: unknown, args: unknown[]): unknown {
  const [dflt] = bind("float", args, [["default", new PyFloat(0)]]);
  if (isNumber(value)) return mkFloat(num(value));
  if (!isString(value)) return dflt;
  const text = String(value).trim().toLowerCase().replace(/_/g, "");
  if (/^[+-]?(inf|infinity)$/.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(text)) return NaN;
  return FLOAT_LITERAL.test(text) ? mkFloat(Number(text)) : dflt;
}

function filesizeformat(value: unknown, args: unknown[]): string {
  const [binary] = bind("filesizeformat", args, [["binary", false]]);
  const bytes = isNumber(value) ? num(value) : Number(s(value));
  const base = binary === true ? 1024 : 1000;
  const prefixes =
    binary === true ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"] : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  if (bytes === 1) return "1 Byte";
  if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
  let unit = 0;
  for (let i = 0; i < prefixes.length; i++) {
    unit = base ** (i + 2);
    if (bytes < unit) return `${printf("%.1f", (base * bytes) / unit)} ${prefixes[i]}`;
  }
  return `${printf("%.1f", (base * bytes) / unit)} ${prefixes[prefixes.length - 1]}`;
}

function round(value: unknown, args: unknown[]): unknown {
  const [precision, method] = bind("round", args, [
    ["precision", 0],
    ["method", "common"],
  ]);
  if (!isNumber(value)) return fail(`type ${typeName(value)} doesn't define __round__ method`);
  const x = num(value);
  const p = num(precision);
  if (method === "common") return isFloat(value) ? mkFloat(roundHalfEven(x, p)) : value instanceof PyInt ? value : x;
  const f = 10 ** p;
  if (method === "floor") return mkFloat(Math.floor(x * f) / f);
  if (method === "ceil") return mkFloat(Math.ceil(x * f) / f);
  return fail("method must be common, ceil or floor");
}

/**
 * Python's urllib.parse.quote: letters, digits, `_.-~` and `safe` stay, the rest is percent-encoded
 * UTF-8 (a lone surrogate as U+FFFD). encodeURIComponent leaves `!'()*` too, so those are encoded
 * after it, and `/` restored where safe.
 */
function urlQuote(v: unknown, safe: string): string {
  const text = s(v);
  chargeChars(text.length);
  const quoted = encodeURIComponent(text.toWellFormed()).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  return safe.includes("/") ? quoted.replace(/%2F/g, "/") : quoted;
}

function urlencode(value: unknown): string {
  if (isString(value) || !(isMapping(value) || Array.isArray(value))) return urlQuote(value, "/");
  const pairs = isMapping(value)
    ? Object.keys(value).map((k) => [k, value[k]])
    : (value as unknown[]).map((p) => (Array.isArray(p) ? p : fail("urlencode needs pairs")));
  return pairs.map(([k, v]) => (tick(), `${urlQuote(k, "").replace(/%20/g, "+")}=${urlQuote(v, "").replace(/%20/g, "+")}`)).join("&");
}

/**
 * A word as leading `(` `<`, the middle, and trailing `.,)>` and newlines: what the pattern
 * /^([(<]*)(.*?)([.,)>\n]*)$/s captures, found without its lazy middle (which rescans the trailing
 * run from every position of a long one).
 */
function trimPunctuation(word: string): [string, string, string] {
  let a = 0;
  while (a < word.length && (word[a] === "(" || word[a] === "<")) a++;
  let b = word.length;
  while (b > a && ".,)>\n".includes(word[b - 1]!)) b--;
  return [word.slice(0, a), word.slice(a, b), word.slice(b)];
}

function urlize(value: unknown, args: unknown[]): string {
  const [trimUrlLimit, nofollow, target, rel] = bind("urlize", args, [
    ["trim_url_limit", null],
    ["nofollow", false],
    ["target", null],
    ["rel", null],
  ]);
  const relValues = new Set(["noopener", ...(rel ? s(rel).split(/\s+/) : []), ...(nofollow === true ? ["nofollow"] : [])]);
  const relAttr = ` rel="${[...relValues].sort().join(" ")}"`;
  const targetAttr = target ? ` target="${htmlEscape(target)}"` : "";
  const shorten = (u: string) => (trimUrlLimit !== null && u.length > num(trimUrlLimit) ? u.slice(0, num(trimUrlLimit)) + "..." : u);
  const text = s(value);
  chargeChars(text.length);
  return text
    .split(/(\s+)/)
    .map((word) => {
      const [head, middle, tail] = trimPunctuation(word);
      let href: string | null = null;
      if (/^https?:\/\//.test(middle!)) href = middle!;
      else if (/^www\./.test(middle!) || /^[\w.-]+\.(com|net|org)$/.test(middle!)) href = "https://" + middle;
      else if (/^(mailto:)?[^@\s:]+@[\w.-]+\.\w+$/.test(middle!)) {
        const address = middle!.replace(/^mailto:/, "");
        return `${head}<a href="mailto:${htmlEscape(address)}">${htmlEscape(address)}</a>${tail}`;
      }
      if (!href) return htmlEscape(word);
      return `${htmlEscape(head)}<a href="${htmlEscape(href)}"${relAttr}${targetAttr}>${htmlEscape(shorten(middle!))}</a>${htmlEscape(tail)}`;
    })
    .join("");
}

function xmlattr(value: unknown, args: unknown[]): string {
  const [autospace] = bind("xmlattr", args, [["autospace", true]]);
  if (!isMapping(value)) return fail("xmlattr requires a mapping");
  const parts: string[] = [];
  chargeItems(Object.keys(value).length);
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (v === null || v === undefined) continue;
    if (/[\s/>=]/.test(k)) fail(`Invalid character in attribute name: ${pyRepr(k)}`);
    parts.push(`${htmlEscape(k)}="${htmlEscape(v)}"`);
  }
  const out = parts.join(" ");
  return out && autospace === true ? " " + out : out;
}

function jinjaTitle(v: unknown): string {
  return s(v)
    .split(/([-\s({[<]+)/)
    .filter((x) => x)
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1).toLowerCase() : w))
    .join("");
}

export const STRING_FILTERS: [string, Filter][] = [
  ["upper", (v) => s(v).toUpperCase()],
  ["lower", (v) => s(v).toLowerCase()],
  ["capitalize", (v) => capitalize(s(v))],
  ["title", jinjaTitle],
  ["trim", (v, ...a) => strip(s(v), bind("trim", a, [["chars", null]])[0], true, true)],
  [
    "center",
    (v, ...a) => {
      const w = num(bind("center", a, [["width", 80]])[0]);
      checkLength(w);
      chargeChars(w);
      const text = s(v);
      const gap = w - text.length;
      if (gap <= 0) return text;
      const left = Math.floor(gap / 2) + (gap & w & 1);
      return " ".repeat(left) + text + " ".repeat(gap - left);
    },
  ],
  ["indent", (v, ...a) => indent(v, a)],
  [
    "replace",
    (v, ...a) => {
      const [old, repl, count] = bind("replace", a, [
        ["old", REQUIRED],
        ["new", REQUIRED],
        ["count", null],
      ]);
      return replace(s(v), s(old), s(repl), count === null ? -1 : num(count));
    },
  ],
  ["truncate", (v, ...a) => truncate(v, a)],
  ["wordwrap", (v, ...a) => wordwrap(v, a)],
  ["wordcount", (v) => (s(v).match(/\w+/gu) ?? []).length],
  ["striptags", striptags],
  ["escape", htmlEscape],
  ["e", htmlEscape],
  ["forceescape", htmlEscape],
  ["urlencode", urlencode],
  ["urlize", (v, ...a) => urlize(v, a)],
  ["xmlattr", (v, ...a) => xmlattr(v, a)],
  ["safe", (v) => (v instanceof Safe ? v : new Safe(s(v)))],
  ["string", (v) => (v instanceof Safe ? v : s(v))],
  [
    "format",
    (v, ...a) => {
      const [positional, kw] = splitArgs(a);
      if (positional.length && Object.keys(kw).length) fail("can't handle positional and keyword arguments at the same time");
      return printf(s(v), Object.keys(kw).length ? kw : tuple(positional));
    },
  ],
  ["pprint", (v) => pprint(v)],
  ["int", (v, ...a) => toInt(v, a)],
  ["float", (v, ...a) => toFloat(v, a)],
  ["round", (v, ...a) => round(v, a)],
  [
    "abs",
    (v) => {
      if (!isNumber(v)) return fail(`bad operand type for abs(): '${typeName(v)}'`);
      if (v instanceof PyInt) return new PyInt(v.value < 0n ? -v.value : v.value);
      return v instanceof PyFloat ? new PyFloat(Math.abs(v.value)) : Math.abs(num(v));
    },
  ],
  ["filesizeformat", (v, ...a) => filesizeformat(v, a)],
];

// The filters that read a whole string (a case mapping, a search, a copy) are charged by its
// length; a value that is not a string is charged as its repr is made.
for (const [i, [name, filter]] of STRING_FILTERS.entries()) {
  if (
    [
      "upper",
      "lower",
      "capitalize",
      "title",
      "trim",
      "center",
      "indent",
      "replace",
      "truncate",
      "wordcount",
      "escape",
      "e",
      "forceescape",
      "int",
      "float",
    ].includes(name)
  ) {
    STRING_FILTERS[i] = [name, (v, ...a) => (chargeChars(isString(v) ? v.length : 0), filter(v, ...a))];
  }
}

/**
 * pprint.pformat(width=80): sorted dict keys; one item per line when the repr is too wide. Whether
 * a value's repr fits is found by building it only up to the room left, so each value costs a
 * bounded amount whatever it holds (a deep value's repr is not built again at every level).
 */
export function pprint(value: unknown): string {
  const out: string[] = [];
  let length = 0;
  const emit = (text: string) => {
    length += text.length;
    checkLength(length);
    out.push(text);
  };
  const walk = (v: unknown, indentBy: number): void => {
    const flat = flatWithin(v, 80 - indentBy);
    if (flat !== null) return emit(flat);
    if (!Array.isArray(v) && !isMapping(v)) return emit(pyRepr(v));
    const inner = indentBy + 1;
    const sep = ",\n" + " ".repeat(inner);
    if (Array.isArray(v)) {
      const tuple = isTuple(v);
      emit(tuple ? "(" : "[");
      v.forEach((x, i) => {
        if (i) emit(sep);
        walk(x, inner);
      });
      return emit(!tuple ? "]" : v.length === 1 ? ",)" : ")");
    }
    emit("{");
    Object.keys(v)
      .sort()
      .forEach((k, i) => {
        if (i) emit(sep);
        const key = pyRepr(k) + ": ";
        emit(key);
        walk(v[k], inner + key.length);
      });
    emit("}");
  };
  walk(value, 0);
  return out.join("");
}

/** The one-line repr with sorted dict keys, or null when it is longer than `room`. */
function flatWithin(v: unknown, room: number): string | null {
  tick();
  if (isString(v) && v.length + 2 > room) return null;
  const container = Array.isArray(v) ? v : isMapping(v) ? Object.keys(v) : null;
  if (container === null) {
    const repr = pyRepr(v);
    return repr.length <= room ? repr : null;
  }
  // Each item takes at least one character (a key and its value five) and a separator of two.
  if ((Array.isArray(v) ? 3 : 7) * container.length > room) return null;
  const tuple = isTuple(v);
  let text = Array.isArray(v) ? (tuple ? "(" : "[") : "{";
  const items = Array.isArray(v) ? v : container.sort();
  for (let i = 0; i < items.length; i++) {
    if (i) text += ", ";
    let item: unknown = items[i];
    if (!Array.isArray(v)) {
      const key = items[i] as string;
      if (key.length + 4 > room - text.length) return null;
      text += pyRepr(key) + ": ";
      item = (v as Record<string, unknown>)[key];
    }
    const repr = flatWithin(item, room - text.length - 1);
    if (repr === null) return null;
    text += repr;
  }
  text += !Array.isArray(v) ? "}" : !tuple ? "]" : v.length === 1 ? ",)" : ")";
  return text.length <= room ? text : null;
}
