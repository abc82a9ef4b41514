// Prefect's tojson: Jinja's htmlsafe_json_dumps with json.dumps(sort_keys=True), i.e. Python's
// separators (", " and ": "), ensure_ascii, and < > & ' escaped. The result is Markup: printed as
// it is, never JSON-escaped again.
import { bind } from "../args.ts";
import { fail } from "../errors.ts";
import { chargeChars, checkString, tick } from "../limits.ts";
import { floatRepr, isMapping, numberRepr, PyFloat, PyInt, Safe, typeName } from "../python.ts";

const ESCAPES: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027" };

function str(s: string): string {
  chargeChars(s.length);
  let out = JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  out = out.replace(/[<>&']/g, (c) => ESCAPES[c]!);
  return out;
}

/**
 * Python sorts str keys by code point; JS sorts UTF-16 units, which differ only where a surrogate
 * (a character above U+FFFF) meets a unit from U+E000 up. Keys without surrogates sort natively;
 * others are compared as arrays of code points, each made once.
 */
function sortKeys(keys: string[]): string[] {
  tick(keys.length);
  if (!keys.some((k) => /[\ud800-\udfff]/.test(k))) return keys.sort();
  const points = new Map(keys.map((k) => [k, [...k].map((c) => c.codePointAt(0)!)]));
  return keys.sort((a, b) => {
    tick();
    const x = points.get(a)!;
    const y = points.get(b)!;
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
}

function dump(v: unknown, indent: string | null, depth: number): string {
  tick();
  if (v === null) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "number") return Number.isFinite(v) ? numberRepr(v) : Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (v instanceof PyInt) return v.value.toString();
  if (typeof v === "string") return str(v);
  if (v instanceof Safe) return str(v.val);
  const nl = indent === null ? "" : "\n" + indent.repeat(depth + 1);
  const end = indent === null ? "" : "\n" + indent.repeat(depth);
  const sep = indent === null ? ", " : ",";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return "[" + nl + v.map((x) => dump(x, indent, depth + 1)).join(sep + nl) + end + "]";
  }
  if (isMapping(v)) {
    const keys = sortKeys(Object.keys(v));
    if (keys.length === 0) return "{}";
    return "{" + nl + keys.map((k) => `${str(k)}: ${dump(v[k], indent, depth + 1)}`).join(sep + nl) + end + "}";
  }
  return fail(`Object of type ${typeName(v)} is not JSON serializable`);
}

export function toJson(value: unknown, ...args: unknown[]): Safe {
  const [indent] = bind("tojson", args, [["indent", null]]);
  const pad = indent === null ? null : typeof indent === "string" ? indent : " ".repeat(Number(indent));
  return new Safe(checkString(dump(value, pad, 0)));
}
