// Jinja's filters over strings and numbers (jinja2/filters.py semantics). With autoescape off,
// Jinja's Markup-returning filters (escape, urlize, xmlattr, indent …) return plain strings here:
// only `safe`, `tojson` and `from_cloud_event` print raw, everything else is JSON-escaped.
import { bind, REQUIRED, splitArgs } from "../args.ts";
import { fail } from "../errors.ts";
import { checkLength, checkString } from "../limits.ts";
import { printf } from "../format.ts";
import { capitalize, replace, strip } from "../methods.ts";
import {
  isFloat, isMapping, isNumber, isString, mkFloat, mkInt, num, PyFloat, PyInt, pyRepr, pyStr, Safe, tuple, typeName,
} from "../python.ts";
import type { Filter } from "./sequences.ts";

const s = (v: unknown) => pyStr(v);

export function htmlEscape(v: unknown): string {
  return s(v).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" })[c]!);
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
  const [length, killwords, end, leeway] = bind("truncate", args, [["length", 255], ["killwords", false], ["end", "..."], ["leeway", 5]]);
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
  const [width, breakLong, wrapstr, breakHyphens] = bind("wordwrap", args, [["width", 79], ["break_long_words", true], ["wrapstr", null], ["break_on_hyphens", true]]);
  const w = num(width);
  // Python's textwrap refuses a width below 1.
  if (!(w > 0)) fail(`invalid width ${pyRepr(width)} (must be > 0)`);
  const sep = wrapstr === null ? "\n" : s(wrapstr);
  void breakHyphens;
  const wrapLine = (line: string): string[] => {
    const out: string[] = [];
    let cur = "";
    for (const word of line.split(/(?<=\s)(?=\S)/)) {
      let chunk = word;
      if ((cur + chunk).trimEnd().length <= w) {
        cur += chunk;
        continue;
      }
      if (cur.trim()) out.push(cur.trimEnd());
      cur = "";
      while (breakLong === true && chunk.trimEnd().length > w) {
        out.push(chunk.slice(0, w));
        chunk = chunk.slice(w);
      }
      cur = chunk;
    }
    if (cur.trim()) out.push(cur.trimEnd());
    return out;
  };
  return checkString(s(value).split(/\r\n|\r|\n/).map((line) => wrapLine(line).join(sep)).join(sep));
}

function indent(value: unknown, args: unknown[]): string {
  const [width, first, blank] = bind("indent", args, [["width", 4], ["first", false], ["blank", false]]);
  const pad = isString(width) ? String(width) : " ".repeat(Math.max(0, (checkLength(num(width)), num(width))));
  const lines = s(value).split("\n");
  checkLength(s(value).length + pad.length * lines.length);
  const out = lines.map((line, i) => ((i === 0 && first !== true) || (line === "" && blank !== true) ? line : pad + line));
  return out.join("\n");
}

const RADIX_PREFIX: Record<number, string> = { 16: "0x", 8: "0o", 2: "0b", 10: "" };

function toInt(value: unknown, args: unknown[]): unknown {
  const [dflt, base] = bind("int", args, [["default", 0], ["base", 10]]);
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
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) && Number.isFinite(f) ? Math.trunc(f) : (dflt as number);
}

function toFloat(value: unknown, args: unknown[]): unknown {
  const [dflt] = bind("float", args, [["default", new PyFloat(0)]]);
  if (isNumber(value)) return mkFloat(num(value));
  if (!isString(value)) return dflt;
  const text = String(value).trim().toLowerCase().replace(/_/g, "");
  if (/^[+-]?(inf|infinity)$/.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(text)) return NaN;
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(text) ? mkFloat(Number(text)) : dflt;
}

function filesizeformat(value: unknown, args: unknown[]): string {
  const [binary] = bind("filesizeformat", args, [["binary", false]]);
  const bytes = isNumber(value) ? num(value) : Number(s(value));
  const base = binary === true ? 1024 : 1000;
  const prefixes = binary === true ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"] : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
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
  const [precision, method] = bind("round", args, [["precision", 0], ["method", "common"]]);
  if (!isNumber(value)) return fail(`type ${typeName(value)} doesn't define __round__ method`);
  const x = num(value);
  const p = num(precision);
  if (method === "common") return isFloat(value) ? mkFloat(roundHalfEven(x, p)) : value instanceof PyInt ? value : x;
  const f = 10 ** p;
  if (method === "floor") return mkFloat(Math.floor(x * f) / f);
  if (method === "ceil") return mkFloat(Math.ceil(x * f) / f);
  return fail("method must be common, ceil or floor");
}

function urlQuote(v: unknown, safe: string): string {
  return [...new TextEncoder().encode(s(v))]
    .map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) || safe.includes(String.fromCharCode(b)) ? String.fromCharCode(b) : "%" + b.toString(16).toUpperCase().padStart(2, "0")))
    .join("");
}

function urlencode(value: unknown): string {
  if (isString(value) || !(isMapping(value) || Array.isArray(value))) return urlQuote(value, "/");
  const pairs = isMapping(value) ? Object.keys(value).map((k) => [k, value[k]]) : (value as unknown[]).map((p) => (Array.isArray(p) ? p : fail("urlencode needs pairs")));
  return pairs.map(([k, v]) => `${urlQuote(k, "").replace(/%20/g, "+")}=${urlQuote(v, "").replace(/%20/g, "+")}`).join("&");
}

function urlize(value: unknown, args: unknown[]): string {
  const [trimUrlLimit, nofollow, target, rel] = bind("urlize", args, [["trim_url_limit", null], ["nofollow", false], ["target", null], ["rel", null]]);
  const relValues = new Set(["noopener", ...(rel ? s(rel).split(/\s+/) : []), ...(nofollow === true ? ["nofollow"] : [])]);
  const relAttr = ` rel="${[...relValues].sort().join(" ")}"`;
  const targetAttr = target ? ` target="${htmlEscape(target)}"` : "";
  const shorten = (u: string) => (trimUrlLimit !== null && u.length > num(trimUrlLimit) ? u.slice(0, num(trimUrlLimit)) + "..." : u);
  return s(value).split(/(\s+)/).map((word) => {
    const m = /^([(<]*)(.*?)([.,)>\n]*)$/s.exec(word)!;
    const [, head, middle, tail] = m;
    let href: string | null = null;
    if (/^https?:\/\//.test(middle!)) href = middle!;
    else if (/^www\./.test(middle!) || /^[\w.-]+\.(com|net|org)$/.test(middle!)) href = "https://" + middle;
    else if (/^(mailto:)?[^@\s:]+@[\w.-]+\.\w+$/.test(middle!)) {
      const address = middle!.replace(/^mailto:/, "");
      return `${head}<a href="mailto:${htmlEscape(address)}">${htmlEscape(address)}</a>${tail}`;
    }
    if (!href) return htmlEscape(word);
    return `${htmlEscape(head)}<a href="${htmlEscape(href)}"${relAttr}${targetAttr}>${htmlEscape(shorten(middle!))}</a>${htmlEscape(tail)}`;
  }).join("");
}

function xmlattr(value: unknown, args: unknown[]): string {
  const [autospace] = bind("xmlattr", args, [["autospace", true]]);
  if (!isMapping(value)) return fail("xmlattr requires a mapping");
  const parts: string[] = [];
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
  return s(v).split(/([-\s({[<]+)/).filter((x) => x).map((w) => (w ? w[0]!.toUpperCase() + w.slice(1).toLowerCase() : w)).join("");
}

function striptags(v: unknown): string {
  const text = s(v).replace(/<!--.*?-->/gs, "").replace(/<[^>]*>/g, "");
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
  const unescaped = text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] === "#" ? String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : named[e.toLowerCase()] ?? m);
  return unescaped.split(/\s+/).filter((w) => w).join(" ");
}

export const STRING_FILTERS: [string, Filter][] = [
  ["upper", (v) => s(v).toUpperCase()],
  ["lower", (v) => s(v).toLowerCase()],
  ["capitalize", (v) => capitalize(s(v))],
  ["title", jinjaTitle],
  ["trim", (v, ...a) => strip(s(v), bind("trim", a, [["chars", null]])[0], true, true)],
  ["center", (v, ...a) => {
    const w = num(bind("center", a, [["width", 80]])[0]);
    checkLength(w);
    const text = s(v);
    const gap = w - text.length;
    if (gap <= 0) return text;
    const left = Math.floor(gap / 2) + (gap & w & 1);
    return " ".repeat(left) + text + " ".repeat(gap - left);
  }],
  ["indent", (v, ...a) => indent(v, a)],
  ["replace", (v, ...a) => {
    const [old, repl, count] = bind("replace", a, [["old", REQUIRED], ["new", REQUIRED], ["count", null]]);
    return replace(s(v), s(old), s(repl), count === null ? -1 : num(count));
  }],
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
  ["format", (v, ...a) => {
    const [positional, kw] = splitArgs(a);
    if (positional.length && Object.keys(kw).length) fail("can't handle positional and keyword arguments at the same time");
    return printf(s(v), Object.keys(kw).length ? kw : tuple(positional));
  }],
  ["pprint", (v) => pprint(v)],
  ["int", (v, ...a) => toInt(v, a)],
  ["float", (v, ...a) => toFloat(v, a)],
  ["round", (v, ...a) => round(v, a)],
  ["abs", (v) => {
    if (!isNumber(v)) return fail(`bad operand type for abs(): '${typeName(v)}'`);
    if (v instanceof PyInt) return new PyInt(v.value < 0n ? -v.value : v.value);
    return v instanceof PyFloat ? new PyFloat(Math.abs(v.value)) : Math.abs(num(v));
  }],
  ["filesizeformat", (v, ...a) => filesizeformat(v, a)],
];

/** pprint.pformat(width=80): sorted dict keys; one item per line when the repr is too wide. */
export function pprint(v: unknown, indentBy = 0): string {
  const flat = flatRepr(v);
  if (flat.length + indentBy <= 80 || (!Array.isArray(v) && !isMapping(v))) return flat;
  const inner = indentBy + 1;
  if (Array.isArray(v)) {
    const [open, close] = flat.startsWith("(") ? ["(", ")"] : ["[", "]"];
    return open + v.map((x) => pprint(x, inner)).join(",\n" + " ".repeat(inner)) + close;
  }
  const keys = Object.keys(v as object).sort();
  return "{" + keys.map((k) => {
    const key = pyRepr(k) + ": ";
    return key + pprint((v as Record<string, unknown>)[k], inner + key.length);
  }).join(",\n" + " ".repeat(inner)) + "}";
}

function flatRepr(v: unknown): string {
  if (isMapping(v)) return "{" + Object.keys(v).sort().map((k) => `${pyRepr(k)}: ${flatRepr(v[k])}`).join(", ") + "}";
  if (Array.isArray(v)) {
    const r = pyRepr(v);
    const inner = v.map(flatRepr).join(", ");
    return r.startsWith("(") ? (v.length === 1 ? `(${inner},)` : `(${inner})`) : `[${inner}]`;
  }
  return pyRepr(v);
}
