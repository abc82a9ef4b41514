// jinja2-humanize-extension's filters with the semantics of Python's `humanize` package (checked
// against humanize 4.4). Webhook data has no datetime objects, so, as in Python, a number (or a
// string that int() accepts) is a number of seconds and anything unparseable is returned as str().
// Extension: an ISO-8601 date/time string is read as a datetime (Python would echo it). Dates are
// computed in UTC; the clock is injectable (RenderOptions.now).
import { bind } from "../args.ts";
import { fail } from "../errors.ts";
import { formatSpec, group, printf, strFormat } from "../format.ts";
import { floatRepr, isNumber, numberRepr, isString, num, pyStr, tuple } from "../python.ts";
import type { Filter } from "./sequences.ts";
import { FLOAT_LITERAL } from "./strings.ts";

let clock: () => Date = () => new Date();

export function setClock(now?: () => Date): () => void {
  const previous = clock;
  if (now) clock = now;
  return () => void (clock = previous);
}

/** Python's int(): numbers truncate, strings must be integer literals. */
function pyInt(v: unknown): number | null {
  if (isNumber(v)) return Number.isFinite(num(v)) ? Math.trunc(num(v)) : null;
  if (!isString(v)) return null;
  const t = String(v).trim();
  return /^[+-]?\d+(_\d+)*$/.test(t) ? Number(t.replace(/_/g, "")) : null;
}

function pyFloat(v: unknown): number | null {
  if (isNumber(v)) return num(v);
  if (!isString(v)) return null;
  const t = String(v).trim().replace(/_/g, "");
  return FLOAT_LITERAL.test(t) ? Number(t) : null;
}

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function parseDate(v: unknown): Date | null {
  if (!isString(v) || !ISO.test(String(v).trim())) return null;
  let t = String(v).trim().replace(" ", "T");
  if (/T/.test(t) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(t)) t += "Z";
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A timedelta as Python normalises it: days (may be negative), 0 ≤ seconds < 86400, microseconds. */
interface Delta {
  days: number;
  seconds: number;
  micro: number;
}

function delta(totalMicro: number): Delta {
  const days = Math.floor(totalMicro / 86_400e6);
  const rest = totalMicro - days * 86_400e6;
  const seconds = Math.floor(rest / 1e6);
  return { days, seconds, micro: Math.round(rest - seconds * 1e6) };
}

const total = (d: Delta) => d.days * 86_400e6 + d.seconds * 1e6 + d.micro;
const absDelta = (d: Delta) => (d.days < 0 ? delta(-total(d)) : d);

/** humanize's _date_and_delta: [date or null, delta]. */
function dateAndDelta(value: unknown, now: Date): [Date | null, Delta | null] {
  const date = parseDate(value);
  if (date) return [date, absDelta(delta((now.getTime() - date.getTime()) * 1000))];
  const seconds = pyInt(value);
  if (seconds === null) return [null, null];
  return [new Date(now.getTime() - seconds * 1000), absDelta(delta(seconds * 1e6))];
}

const plural = (n: number, one: string, many: string) => printf(n === 1 ? one : many, n);
/** Commas between groups of three digits of a number's leading integer part (`-1,234.5`). */
const withCommas = (text: string) => text.replace(/^(-?)(\d+)/, (_m, sign: string, digits: string) => sign + group(digits, ","));
const intcommaInt = (n: number) => withCommas(String(n));

function naturaldelta(value: unknown, months: unknown, minimumUnit: unknown): string {
  const unit = pyStr(minimumUnit).toLowerCase();
  if (!["seconds", "milliseconds", "microseconds"].includes(unit)) fail(`Minimum unit '${pyStr(minimumUnit)}' not supported`);
  const secs = pyInt(value);
  if (secs === null) return pyStr(value);
  const d = delta(secs * 1e6);
  const seconds = Math.abs(d.seconds);
  let days = Math.abs(d.days);
  const years = Math.floor(days / 365);
  days %= 365;
  const numMonths = Math.floor(days / 30.5);
  if (!years && days < 1) {
    if (seconds === 0) return unit === "milliseconds" ? "0 milliseconds" : unit === "microseconds" ? "0 microseconds" : "a moment";
    if (seconds === 1) return "a second";
    if (seconds < 60) return `${seconds} seconds`;
    if (seconds < 120) return "a minute";
    if (seconds < 3600) return plural(Math.floor(seconds / 60), "%d minute", "%d minutes");
    if (seconds < 7200) return "an hour";
    return plural(Math.floor(seconds / 3600), "%d hour", "%d hours");
  }
  if (years === 0) {
    if (days === 1) return "a day";
    if (months !== true || !numMonths) return plural(days, "%d day", "%d days");
    return numMonths === 1 ? "a month" : `${numMonths} months`;
  }
  if (years === 1) {
    if (!numMonths && !days) return "a year";
    if (!numMonths || months !== true) return plural(days, "1 year, %d day", "1 year, %d days");
    return numMonths === 1 ? "1 year, 1 month" : `1 year, ${numMonths} months`;
  }
  return `${intcommaInt(years)} years`;
}

function naturaltime(value: unknown, args: unknown[]): string {
  const [future, months, minimumUnit, when] = bind("humanize_naturaltime", args, [
    ["future", false],
    ["months", true],
    ["minimum_unit", "seconds"],
    ["when", null],
  ]);
  const now = parseDate(when) ?? clock();
  const [date, d] = dateAndDelta(value, now);
  if (!date || !d) return pyStr(value);
  const isFuture = parseDate(value) ? date.getTime() > now.getTime() : future === true;
  const text = naturaldelta(Math.trunc(total(d) / 1e6), months, minimumUnit);
  if (text === "a moment") return "now";
  return isFuture ? `${text} from now` : `${text} ago`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function dayOf(value: unknown): Date | null {
  const m = isString(value) && ISO.test(String(value).trim()) ? /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value).trim()) : null;
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
}

function naturalday(value: unknown, withYear = false): string {
  const day = dayOf(value);
  if (!day) return pyStr(value);
  const now = clock();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = Math.round((day.getTime() - today) / 86_400_000);
  if (days === 0) return "today";
  if (days === 1) return "tomorrow";
  if (days === -1) return "yesterday";
  const text = `${MONTHS[day.getUTCMonth()]} ${String(day.getUTCDate()).padStart(2, "0")}`;
  return withYear ? `${text} ${day.getUTCFullYear()}` : text;
}

function naturaldate(value: unknown): string {
  const day = dayOf(value);
  if (!day) return pyStr(value);
  const now = clock();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return naturalday(value, Math.abs(day.getTime() - today) / 86_400_000 >= (5 * 365) / 12);
}

const UNITS = ["microseconds", "milliseconds", "seconds", "minutes", "hours", "days", "months", "years"];

function precisedelta(value: unknown, args: unknown[]): string {
  const [minimumUnit, suppress, format] = bind("humanize_precisedelta", args, [
    ["minimum_unit", "seconds"],
    ["suppress", []],
    ["format", "%0.2f"],
  ]);
  const [date, d] = dateAndDelta(value, clock());
  if (!date || !d) return pyStr(value);
  const unitOf = (name: unknown) =>
    UNITS.indexOf(pyStr(name).toLowerCase()) >= 0 ? UNITS.indexOf(pyStr(name).toLowerCase()) : fail(`unknown unit '${pyStr(name)}'`);
  const sup = new Set((Array.isArray(suppress) ? suppress : []).map(unitOf));
  let min = unitOf(minimumUnit);
  if (sup.has(min)) {
    const next = UNITS.findIndex((_, u) => u > min && !sup.has(u));
    min = next >= 0 ? next : fail("Minimum unit is suppressed and no suitable replacement was found");
  }
  for (let u = 0; u < min; u++) sup.add(u);
  const qr = (v: number, div: number, unit: number): [number, number] =>
    unit === min ? [v / div, 0] : sup.has(unit) ? [0, v] : [Math.floor(v / div), v - Math.floor(v / div) * div];
  const carry = (a: number, b: number, ratio: number, unit: number): [number, number] =>
    unit === min ? [a + b / ratio, 0] : sup.has(unit) ? [0, b + a * ratio] : [a, b];
  let days = d.days,
    secs = d.seconds,
    usecs = d.micro;
  let years, months, hours, minutes, msecs;
  [years, days] = qr(days, 365, 7);
  [months, days] = qr(days, 30.5, 6);
  [days, secs] = carry(days, secs, 86400, 5);
  [hours, secs] = qr(secs, 3600, 4);
  [minutes, secs] = qr(secs, 60, 3);
  [secs, usecs] = carry(secs, usecs, 1e6, 2);
  [msecs, usecs] = qr(usecs, 1000, 1);
  [usecs] = carry(usecs, 0, 1, 0);
  const values = [years, months, days, hours, minutes, secs, msecs, usecs];
  const texts: string[] = [];
  for (let i = 0; i < 8; i++) {
    const unit = 7 - i;
    const v = values[i]!;
    if (v > 0 || (!texts.length && unit === min)) {
      const name = UNITS[unit]!;
      const word = v === 1 ? name.slice(0, -1) : name;
      const n = unit === min && v % 1 > 0 ? printf(pyStr(format), v) : unit === 7 ? intcommaInt(Math.trunc(v)) : printf("%d", v);
      texts.push(`${n} ${word}`);
    }
    if (unit === min) break;
  }
  return texts.length === 1 ? texts[0]! : `${texts.slice(0, -1).join(", ")} and ${texts[texts.length - 1]}`;
}

function intcomma(value: unknown, args: unknown[]): string {
  const [ndigits] = bind("humanize_intcomma", args, [["ndigits", null]]);
  let n: number | null;
  let float = false;
  if (isString(value)) {
    const t = String(value).replace(/,/g, "");
    float = t.includes(".");
    n = float ? pyFloat(t) : pyInt(t);
  } else n = isNumber(value) ? num(value) : null;
  if (n === null) return pyStr(value);
  const text = ndigits !== null ? formatSpec(n, `.${num(ndigits)}f`) : isString(value) ? (float ? floatRepr(n) : String(n)) : pyStr(value);
  return withCommas(text);
}

const POWERS = [
  "thousand",
  "million",
  "billion",
  "trillion",
  "quadrillion",
  "quintillion",
  "sextillion",
  "septillion",
  "octillion",
  "nonillion",
  "decillion",
];

function intword(value: unknown, args: unknown[]): string {
  const [format] = bind("humanize_intword", args, [["format", "%.1f"]]);
  let v = pyInt(value);
  if (v === null) return pyStr(value);
  const sign = v < 0 ? "-" : "";
  v = Math.abs(v);
  if (v < 1e3) return sign + numberRepr(v);
  for (let i = 1; i <= POWERS.length; i++) {
    if (v < 10 ** (3 * (i + 1))) {
      let chopped = v / 10 ** (3 * i);
      let word = POWERS[i - 1]!;
      if (Number(printf(pyStr(format), chopped)) === 1000 && i < POWERS.length) {
        chopped = v / 10 ** (3 * (i + 1));
        word = POWERS[i]!;
      }
      return sign + printf(`${pyStr(format)} ${word}`, chopped);
    }
  }
  return sign + numberRepr(v);
}

/** Python's Fraction(x).limit_denominator(1000), on the exact value of the double. */
function limitDenominator(x: number, max = 1000): [number, number] {
  let [n, d] = exactFraction(x);
  if (d <= BigInt(max)) return [Number(n), Number(d)];
  const target = [n, d] as const;
  let [p0, q0, p1, q1] = [0n, 1n, 1n, 0n];
  for (;;) {
    const a = n / d;
    const q2 = q0 + a * q1;
    if (q2 > BigInt(max)) break;
    [p0, q0, p1, q1] = [p1, q1, p0 + a * p1, q2];
    [n, d] = [d, n - a * d];
  }
  const k = (BigInt(max) - q0) / q1;
  const b1 = [p0 + k * p1, q0 + k * q1] as const;
  const dist = (p: bigint, q: bigint) => {
    const v = p * target[1] - target[0] * q;
    return v < 0n ? -v : v;
  };
  // |p/q - t| compared as |p*td - tn*q| / (q*td): cross-multiply the denominators.
  return dist(p1, q1) * b1[1] <= dist(b1[0], b1[1]) * q1 ? [Number(p1), Number(q1)] : [Number(b1[0]), Number(b1[1])];
}

function exactFraction(x: number): [bigint, bigint] {
  let d = 1n;
  let v = x;
  while (!Number.isInteger(v)) {
    v *= 2;
    d *= 2n;
  }
  return [BigInt(v), d];
}

const SUPERSCRIPT: Record<string, string> = {
  "0": "⁰",
  "1": "¹",
  "2": "²",
  "3": "³",
  "4": "⁴",
  "5": "⁵",
  "6": "⁶",
  "7": "⁷",
  "8": "⁸",
  "9": "⁹",
  "-": "⁻",
};

function scientific(value: unknown, precision: unknown): string {
  const v = pyFloat(value);
  if (v === null) return pyStr(value);
  // humanize splits "inf" or "nan" at an "e" it does not hold.
  if (!Number.isFinite(v)) fail("not enough values to unpack (expected 2, got 1)");
  const [mant, exp] = formatSpec(v, `.${Math.trunc(num(precision))}e`).split("e");
  const e = exp!.replace(/^\+?(-?)0*(.+)$/, "$1$2");
  return `${mant} x 10${[...e].map((c) => SUPERSCRIPT[c]).join("")}`;
}

function metric(value: unknown, args: unknown[]): string {
  const [unit, precision] = bind("humanize_metric", args, [
    ["unit", ""],
    ["precision", 3],
  ]);
  let v = num(value);
  if (Number.isNaN(v)) return fail(`humanize_metric needs a number, not ${pyStr(value)}`);
  const exponent = v !== 0 ? Math.floor(Math.log10(Math.abs(v))) : 0;
  const p = num(precision);
  if (exponent >= 27 || exponent < -24) return scientific(v, p - 1) + pyStr(unit);
  v /= 10 ** (Math.floor(exponent / 3) * 3);
  const prefix =
    exponent >= 3 ? "kMGTPEZY"[Math.floor(exponent / 3) - 1]! : exponent < 0 ? "mμnpfazy"[Math.floor((-exponent - 1) / 3)]! : "";
  const digits = formatSpec(v, `.${p - (((exponent % 3) + 3) % 3) - 1}f`);
  const u = pyStr(unit);
  const space = !(u || prefix) || ["°", "′", "″"].includes(u) ? "" : " ";
  return `${digits}${space}${prefix}${u}`;
}

function naturalsize(value: unknown, args: unknown[]): string {
  const [binary, gnu, format] = bind("humanize_naturalsize", args, [
    ["binary", false],
    ["gnu", false],
    ["format", "%.1f"],
  ]);
  const bytes = pyFloat(value) ?? fail(`could not convert string to float: ${pyStr(value)}`);
  const g = gnu === true;
  const suffixes = g
    ? [..."KMGTPEZY"]
    : binary === true
      ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
      : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  const base = g || binary === true ? 1024 : 1000;
  const abs = Math.abs(bytes);
  if (abs === 1 && !g) return printf("%d Byte", bytes);
  if (abs < base) return printf(g ? "%dB" : "%d Bytes", bytes);
  let unit = base;
  for (const [i, s] of suffixes.entries()) {
    unit = base ** (i + 2);
    if (abs < unit) return printf(pyStr(format) + (g ? "%s" : " %s"), tuple([(base * bytes) / unit, s]));
  }
  return printf(pyStr(format) + (g ? "%s" : " %s"), tuple([(base * bytes) / unit, suffixes[suffixes.length - 1]]));
}

export const HUMANIZE_FILTERS: [string, Filter][] = [
  [
    "humanize_naturaldelta",
    (v, ...a) => {
      const [months, minimumUnit] = bind("humanize_naturaldelta", a, [
        ["months", true],
        ["minimum_unit", "seconds"],
      ]);
      const date = parseDate(v);
      return naturaldelta(date ? Math.trunc(Math.abs(clock().getTime() - date.getTime()) / 1000) : v, months, minimumUnit);
    },
  ],
  ["humanize_naturaltime", (v, ...a) => naturaltime(v, a)],
  ["humanize_naturalday", (v) => naturalday(v)],
  ["humanize_naturaldate", (v) => naturaldate(v)],
  ["humanize_precisedelta", (v, ...a) => precisedelta(v, a)],
  ["humanize_naturalsize", (v, ...a) => naturalsize(v, a)],
  ["humanize_intcomma", (v, ...a) => intcomma(v, a)],
  ["humanize_intword", (v, ...a) => intword(v, a)],
  [
    "humanize_apnumber",
    (v) => {
      const n = pyInt(v);
      return n === null ? pyStr(v) : n >= 0 && n < 10 ? "zero one two three four five six seven eight nine".split(" ")[n]! : String(n);
    },
  ],
  [
    "humanize_ordinal",
    (v, ...a) => {
      bind("humanize_ordinal", a, [["gender", "male"]]);
      const n = pyInt(v);
      if (n === null) return pyStr(v);
      const m = ((n % 100) + 100) % 100;
      return n + (m >= 11 && m <= 13 ? "th" : ["th", "st", "nd", "rd", "th", "th", "th", "th", "th", "th"][((n % 10) + 10) % 10]!);
    },
  ],
  [
    "humanize_fractional",
    (v) => {
      const x = pyFloat(v);
      if (x === null) return pyStr(v);
      // Python's Fraction refuses these (and the loop below would never end on them).
      if (Number.isNaN(x)) fail("cannot convert float NaN to integer");
      if (!Number.isFinite(x)) fail("cannot convert float infinity to integer");
      const whole = Math.trunc(x);
      const [n, d] = limitDenominator(x - whole);
      // Python prints every digit of a whole number (1e308 too), never an exponent.
      const digits = BigInt(whole).toString();
      if (whole && !n && d === 1) return digits;
      return whole ? `${digits} ${n}/${d}` : `${n}/${d}`;
    },
  ],
  ["humanize_scientific", (v, ...a) => scientific(v, bind("humanize_scientific", a, [["precision", 2]])[0])],
  [
    "humanize_clamp",
    (v, ...a) => {
      const [floor, ceil, format, floorToken, ceilToken] = bind("humanize_clamp", a, [
        ["floor", null],
        ["ceil", null],
        ["format", "{:}"],
        ["floor_token", "<"],
        ["ceil_token", ">"],
      ]);
      if (v === null) return null;
      let value = v;
      let token = "";
      if (floor !== null && num(v) < num(floor)) [value, token] = [floor, pyStr(floorToken)];
      else if (ceil !== null && num(v) > num(ceil)) [value, token] = [ceil, pyStr(ceilToken)];
      return token + strFormat(pyStr(format), [value], {});
    },
  ],
  ["humanize_metric", (v, ...a) => metric(v, a)],
];
