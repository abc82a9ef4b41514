// Python's two string formatting languages: printf-style (`"%s" % x`, the `format` filter, and the
// humanize formats such as "%.1f") and str.format's mini-language (`"{:,}".format(x)`, clamp).
import { fail } from "./errors.ts";
import { chargeChars, checkLength, checkString, tick } from "./limits.ts";
import { isFloat, isMapping, isNumber, isTuple, num, PyInt, pyRepr, pyStr, typeName } from "./python.ts";

const fixExp = (s: string) => s.replace(/e([+-])(\d)$/, "e$10$2");

/** Python's %g / {:g}: fixed or exponent form by the exponent, trailing zeros dropped unless alt. */
function general(x: number, precision: number, alt: boolean): string {
  const p = precision === 0 ? 1 : precision;
  if (!Number.isFinite(x)) return special(x);
  const exp = x === 0 ? 0 : Number(x.toExponential(p - 1).split("e")[1]);
  let s = exp >= -4 && exp < p ? x.toFixed(Math.max(0, p - 1 - exp)) : fixExp(x.toExponential(p - 1));
  if (!alt && s.includes(".")) s = s.replace(/\.?0+(?=e|$)/, "");
  return s;
}

const special = (x: number) => (Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf");

function toNumber(v: unknown, spec: string): number {
  if (isNumber(v)) return num(v);
  return fail(`format requires a number for '${spec}', not ${typeName(v)}`);
}

/** Digits in groups of three from the right (`1,234,567`), in one pass over them. */
export function group(intPart: string, sep: string): string {
  const first = intPart.length % 3 || 3;
  let out = intPart.slice(0, first);
  for (let i = first; i < intPart.length; i += 3) out += sep + intPart.slice(i, i + 3);
  return out;
}

/**
 * Formats a number for one conversion type; returns the digits without sign. `exact` is the value
 * of an int past JS's exact integers (a PyInt), whose integer conversions print every digit.
 */
function convert(x: number, type: string, precision: number | undefined, alt: boolean, exact: bigint | null): string {
  const a = Math.abs(x);
  const whole = (radix: number) => (exact === null ? Math.trunc(a) : exact < 0n ? -exact : exact).toString(radix);
  switch (type) {
    case "d":
    case "i":
    case "u":
    case "n":
      return exact === null && a >= 1e21 ? BigInt(Math.trunc(a)).toString() : whole(10);
    case "f":
    case "F":
      checkLength((precision ?? 6) + 20);
      return Number.isFinite(a) ? a.toFixed(precision ?? 6) : special(a);
    case "e":
    case "E":
      return Number.isFinite(a) ? fixExp(a.toExponential(precision ?? 6)) : special(a);
    case "g":
    case "G":
      return general(a, precision ?? 6, alt);
    case "%":
      return (a * 100).toFixed(precision ?? 6) + "%";
    case "x":
    case "X":
      return (alt ? "0x" : "") + whole(16);
    case "o":
      return (alt ? "0o" : "") + whole(8);
    case "b":
      return (alt ? "0b" : "") + whole(2);
  }
  return fail(`unsupported format character '${type}'`);
}

function pad(body: string, width: number, align: string, fill: string): string {
  checkLength(width);
  const gap = width - [...body].length;
  if (gap <= 0) return body;
  if (align === "<") return body + fill.repeat(gap);
  if (align === "^") return fill.repeat(gap >> 1) + body + fill.repeat(gap - (gap >> 1));
  return fill.repeat(gap) + body;
}

interface Conversion {
  end: number;
  name: string | undefined;
  flags: string;
  width: string | undefined;
  precision: string | undefined;
  type: string;
}

const FLAGS = "-#0 +";
const TYPES = "diouxXeEfFgGcrsa%";
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/**
 * The conversion at position p (a `%`), as /%(?:\(([^)]*)\))?([-#0 +]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/
 * matches it (https://docs.python.org/3/library/stdtypes.html#printf-style-string-formatting), or
 * null. Read left to right without backtracking (no other split of its parts could match where
 * this one does not), and the `)` that ends a name is looked up once for all `%(`: the pattern
 * itself rescans up to the next `)` from every `%(` and every flag.
 */
function conversionAt(t: string, p: number, nextClose: (from: number) => number): Conversion | null {
  let i = p + 1;
  let name: string | undefined;
  if (t[i] === "(") {
    const close = nextClose(i + 1);
    if (close < 0) return null;
    name = t.slice(i + 1, close);
    i = close + 1;
  }
  const flagsAt = i;
  while (i < t.length && FLAGS.includes(t[i]!)) i++;
  const flags = t.slice(flagsAt, i);
  let width: string | undefined;
  if (t[i] === "*") width = t[i++];
  else if (isDigit(t[i])) {
    const at = i;
    while (isDigit(t[i])) i++;
    width = t.slice(at, i);
  }
  let precision: string | undefined;
  if (t[i] === "." && (t[i + 1] === "*" || isDigit(t[i + 1]))) {
    const at = ++i;
    if (t[i] === "*") i++;
    else while (isDigit(t[i])) i++;
    precision = t.slice(at, i);
  }
  if (t[i] === "h" || t[i] === "l" || t[i] === "L") i++;
  const type = t[i];
  if (type === undefined || !TYPES.includes(type)) return null;
  return { end: i + 1, name, flags, width, precision, type };
}

export function printf(template: string, args: unknown): string {
  const named = isMapping(args) ? args : null;
  const list = named ? [] : isTuple(args) ? (args as unknown[]) : [args];
  let next = 0;
  const take = () => (next < list.length ? list[next++] : fail("not enough arguments for format string"));
  const convert1 = ({ name, flags, width: w, precision: p, type }: Conversion): string => {
    if (type === "%") return "%";
    const width = w === "*" ? num(take()) : w ? Number(w) : 0;
    const precision = p === "*" ? num(take()) : p !== undefined ? Number(p) : undefined;
    const value = name !== undefined ? (named && Object.hasOwn(named, name) ? named[name] : fail(`KeyError: '${name}'`)) : take();
    let body: string;
    let sign = "";
    if (type === "s" || type === "r" || type === "a") {
      body = type === "s" ? pyStr(value) : pyRepr(value);
      if (precision !== undefined) body = body.slice(0, precision);
    } else if (type === "c") {
      body = typeof value === "string" ? value : String.fromCodePoint(toNumber(value, "%c"));
    } else {
      const x = toNumber(value, `%${type}`);
      if ("diouxX".includes(type) && !Number.isInteger(x) && !isFloat(value)) fail("format requires a number");
      body = convert(x, type, precision, flags.includes("#"), value instanceof PyInt ? value.value : null);
      if (type === "X" || type === "E" || type === "G") body = body.toUpperCase();
      sign = x < 0 || Object.is(x, -0) ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
      if (flags.includes("0") && !flags.includes("-")) return sign + pad(body, width - sign.length, ">", "0");
    }
    return pad(sign + body, width, flags.includes("-") ? "<" : ">", " ");
  };
  chargeChars(template.length);
  // The first `)` at or after a position, found once for every `%(` before it (-1: none left).
  let close = -2;
  const nextClose = (from: number) => (close === -1 || close >= from ? close : (close = template.indexOf(")", from)));
  const out: string[] = [];
  let length = 0;
  const emit = (piece: string) => {
    length += piece.length;
    checkLength(length);
    out.push(piece);
  };
  let copied = 0;
  for (let p = template.indexOf("%"); p >= 0; ) {
    const conversion = conversionAt(template, p, nextClose);
    if (!conversion) {
      p = template.indexOf("%", p + 1);
      continue;
    }
    tick();
    emit(template.slice(copied, p));
    emit(convert1(conversion));
    copied = conversion.end;
    p = template.indexOf("%", copied);
  }
  emit(template.slice(copied));
  if (!named && next < list.length) fail("not all arguments converted during string formatting");
  return checkString(out.join(""));
}

const SPEC = /^(?:(.)?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s;

/** One replacement field's format spec, as in `format(value, spec)`. */
export function formatSpec(value: unknown, spec: string): string {
  const m = SPEC.exec(spec);
  if (!m) return fail(`invalid format specifier '${spec}'`);
  const [, fillCh, alignCh, signCh, , alt, zero, w, sep, p, typeCh] = m;
  const width = w ? Number(w) : 0;
  const precision = p !== undefined ? Number(p) : undefined;
  const fill = fillCh ?? (zero && !alignCh ? "0" : " ");
  if (!isNumber(value) || typeCh === "s" || (typeof value === "boolean" && !typeCh)) {
    let body = pyStr(value);
    if (precision !== undefined) body = body.slice(0, precision);
    return pad(body, width, alignCh ?? "<", fill);
  }
  const x = num(value);
  const type = typeCh ?? (isFloat(value) ? (precision !== undefined ? "g" : "") : "d");
  let body =
    type === ""
      ? pyStr(value).replace(/^-/, "")
      : type === "c"
        ? String.fromCodePoint(x)
        : convert(x, type, precision, Boolean(alt), value instanceof PyInt ? value.value : null);
  if (type !== "" && "XEG".includes(type)) body = body.toUpperCase();
  if (sep) body = body.replace(/^\d+/, (d) => group(d, sep));
  const sign = x < 0 || Object.is(x, -0) ? "-" : signCh === "+" ? "+" : signCh === " " ? " " : "";
  const align = alignCh ?? ">";
  if (align === "=" || (zero && !alignCh)) return sign + pad(body, width - sign.length, ">", fill);
  return pad(sign + body, width, align, fill);
}

/** str.format with positional `{}`/`{0}` and named `{name}` fields, `{{`/`}}` escapes. */
export function strFormat(template: string, args: unknown[], kwargs: Record<string, unknown>): string {
  let auto = 0;
  let produced = 0;
  chargeChars(template.length);
  const out = template.replace(/\{\{|\}\}|\{([^{}!:]*)(?:![rsa])?(?::([^{}]*))?\}/g, (m, field: string | undefined, spec) => {
    tick();
    if (m === "{{") return "{";
    if (m === "}}") return "}";
    let value: unknown;
    if (field === undefined || field === "") value = auto < args.length ? args[auto++] : fail("Replacement index out of range");
    else if (/^\d+$/.test(field)) value = Number(field) < args.length ? args[Number(field)] : fail("Replacement index out of range");
    else if (Object.hasOwn(kwargs, field)) value = kwargs[field];
    else return fail(`KeyError: '${field}'`);
    const piece = spec ? formatSpec(value, spec) : pyStr(value);
    // Counted as it is made: many wide fields must not build a huge text before the check.
    produced += piece.length;
    checkLength(template.length + produced);
    return piece;
  });
  return checkString(out);
}
