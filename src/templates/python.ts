// The template language's values are JSON values seen through Python's eyes: what Jinja would
// print for them, how they compare and what counts as true. Conventions:
//   JS undefined → Jinja's (chainable) Undefined;  null → None;
//   an integral JS number → int, any other number → float, PyFloat → an integral float (2.0),
//   PyInt → an int past JS's exact range (±2^53);
//   arrays → list (or tuple, when in `tuples`);  plain objects → dict;  Safe → Markup (printed raw).
import { integralFloatJson, MAX_JSON_DEPTH, parseNumbers, rawJson } from "../json.ts";
import { fail, limit } from "./errors.ts";
import { chargeChars, tick } from "./limits.ts";

/** A float with an integral value: JS cannot tell `2.0` from `2`, Python prints them differently. */
export class PyFloat {
  constructor(readonly value: number) {}
  /** In stored events (the default payload's body) it is a float, as json.dumps writes it: `21.0`. */
  toJSON(): object {
    return rawJson(integralFloatJson(this.value));
  }
}

/**
 * An int past JS's exact integers (±2^53), where Python's ints stay exact: a sender's 64-bit id
 * prints, compares and adds digit for digit. Arithmetic between ints moves to it when a result
 * leaves the exact range (operators.ts), and back to a JS number when it returns.
 */
export class PyInt {
  constructor(readonly value: bigint) {}
  /** In stored events it is the JSON number it came from, every digit of it. */
  toJSON(): object {
    return rawJson(this.value.toString());
  }
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The largest int a template may make, in bits: about Python's limit for printing one (4300
 * digits), so that `10 ** 10 ** 9` fails at once instead of computing for minutes.
 */
export const MAX_INT_BITS = Math.ceil(4300 * Math.log2(10));

/** Bits in an int's magnitude. */
export const intBits = (n: bigint): number => (n === 0n ? 0 : (n < 0n ? -n : n).toString(2).length);

/** An int result: a JS number while it is exact, a PyInt past that. */
export function mkInt(n: bigint): number | PyInt {
  if (n <= MAX_EXACT && n >= -MAX_EXACT) return Number(n);
  if (intBits(n) > MAX_INT_BITS) limit("integer too large (an int holds at most 4300 digits here)");
  return new PyInt(n);
}

/** The exact integer of an int operand (a number that is an integer, a bool or a PyInt). */
export const bigOf = (v: unknown): bigint => (v instanceof PyInt ? v.value : BigInt(num(v)));

/** `21.0` stays a float (Python prints it so), an int past 2^53 stays exact; others are JS numbers. */
function pythonNumber(token: string): number | PyFloat | PyInt {
  const n = Number(token);
  if (!Number.isInteger(n)) return n;
  if (/[.eE]/.test(token)) return new PyFloat(n);
  return Number.isSafeInteger(n) ? n : new PyInt(BigInt(token));
}

/**
 * JSON.parse, except that numbers keep what Python's json.loads keeps: a body's `21.0` prints as
 * `21.0` in a template, and `1234567890123456789` as itself, as in Prefect. Like json.loads, it
 * refuses JSON nested deeper than its recursion limit (JsonTooDeepError).
 */
export function parseJson(text: string): unknown {
  return parseNumbers(text, pythonNumber, MAX_JSON_DEPTH);
}

/** Markup: a string that is printed as it is, never escaped (the `safe` and `tojson` results). */
export class Safe {
  constructor(readonly val: string) {}
  toString(): string {
    return this.val;
  }
  get length(): number {
    return this.val.length;
  }
}

const tupleSet = new WeakSet<unknown[]>();
export const tuple = <T extends unknown[]>(items: T): T => (tupleSet.add(items), items);
export const isTuple = (v: unknown): boolean => Array.isArray(v) && tupleSet.has(v);

/** Tuples whose fields also have names, like groupby's (grouper, list). */
export const tupleNames = new WeakMap<unknown[], string[]>();
export const namedTuple = <T extends unknown[]>(items: T, names: string[]): T => (tupleNames.set(items, names), tuple(items));

/** Header mappings, whose lookups ignore case (keys are stored lowercased), have this prototype. */
const HEADERS: object = Object.freeze(Object.create(null));
export const headerMapping = (): Dict => Object.create(HEADERS);
export const isCaseInsensitive = (v: object): boolean => Object.getPrototypeOf(v) === HEADERS;

/** Template-internal objects (loop, cycler, namespace …): their own attribute and method tables. */
export abstract class Opaque {
  abstract attr(name: string): unknown;
  abstract call(name: string, args: unknown[]): unknown;
  abstract repr(): string;
}

export type Dict = Record<string, unknown>;

export function isMapping(v: unknown): v is Dict {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || proto === HEADERS;
}

export const isString = (v: unknown): v is string | Safe => typeof v === "string" || v instanceof Safe;
export const isNumber = (v: unknown): v is number | PyFloat | PyInt | boolean =>
  typeof v === "number" || v instanceof PyFloat || v instanceof PyInt || typeof v === "boolean";
export const isFloat = (v: unknown): boolean => v instanceof PyFloat || (typeof v === "number" && !Number.isInteger(v));
export const isInt = (v: unknown): v is number | PyInt => (typeof v === "number" && Number.isInteger(v)) || v instanceof PyInt;

/** Make a float result: integral values keep their float-ness so that `4/2` prints `2.0`. */
export const mkFloat = (n: number): number | PyFloat => (Number.isInteger(n) ? new PyFloat(n) : n);

/** The value as a JS number (a PyInt rounds to the nearest double, as Python's float() does). */
export function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (v instanceof PyFloat) return v.value;
  if (v instanceof PyInt) return Number(v.value);
  if (typeof v === "boolean") return v ? 1 : 0;
  return NaN;
}

export function typeName(v: unknown): string {
  if (v === undefined) return "Undefined";
  if (v === null) return "NoneType";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (v instanceof PyFloat) return "float";
  if (v instanceof PyInt) return "int";
  if (typeof v === "string") return "str";
  if (v instanceof Safe) return "Markup";
  if (Array.isArray(v)) return tupleSet.has(v) ? "tuple" : "list";
  if (typeof v === "function") return "function";
  if (v instanceof Opaque) return v.constructor.name;
  return "dict";
}

/** Python's repr() of a float: shortest round-trip digits, exponent form outside 1e-4 ≤ |x| < 1e16. */
export function floatRepr(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const sign = n < 0 ? "-" : "";
  const [mant, expText] = Math.abs(n).toExponential().split("e");
  const exp = Number(expText);
  const digits = mant!.replace(".", "");
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    return `${sign}${whole}.${digits.slice(exp + 1) || "0"}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

export function numberRepr(n: number): string {
  if (!Number.isInteger(n)) return floatRepr(n);
  if (Object.is(n, -0)) return "0";
  return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
}

const STR_ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };
// Characters repr() escapes, besides the quote: backslash, controls, Latin-1's non-printing ones,
// lone surrogates (the `u` flag reads a valid pair as one character) and the line/paragraph separators.
const STR_SPECIAL = "[\\\\\\x00-\\x1f\\x7f-\\xa0\\xad\\u2028\\u2029]|[\\ud800-\\udfff]";
const SPECIAL_IN_SINGLE = new RegExp(`'|${STR_SPECIAL}`, "gu");
const SPECIAL_IN_DOUBLE = new RegExp(`"|${STR_SPECIAL}`, "gu");

/** repr() of a str: single quotes unless the text holds ' and no ". */
export function strRepr(s: string): string {
  chargeChars(s.length);
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const escaped = s.replace(q === "'" ? SPECIAL_IN_SINGLE : SPECIAL_IN_DOUBLE, (ch) => {
    if (ch === q) return "\\" + ch;
    const known = STR_ESCAPES[ch];
    if (known !== undefined) return known;
    const c = ch.charCodeAt(0);
    return c <= 0xff ? "\\x" + c.toString(16).padStart(2, "0") : "\\u" + c.toString(16).padStart(4, "0");
  });
  return q + escaped + q;
}

export function pyRepr(v: unknown): string {
  if (typeof v === "string") return strRepr(v);
  if (v instanceof Safe) return `Markup(${strRepr(v.val)})`;
  if (Array.isArray(v)) {
    const inner = v.map((x) => (tick(), pyRepr(x))).join(", ");
    if (!tupleSet.has(v)) return `[${inner}]`;
    return v.length === 1 ? `(${inner},)` : `(${inner})`;
  }
  if (isMapping(v)) {
    const parts = Object.keys(v).map((k) => (tick(), `${strRepr(k)}: ${pyRepr(v[k])}`));
    return `{${parts.join(", ")}}`;
  }
  return pyStr(v);
}

/** str(): what `{{ value }}` prints before JSON-safe escaping. */
export function pyStr(v: unknown): string {
  switch (typeof v) {
    case "string":
      return v;
    case "undefined":
      return "";
    case "boolean":
      return v ? "True" : "False";
    case "number":
      return numberRepr(v);
    case "function":
      return "<function>";
  }
  if (v === null) return "None";
  if (v instanceof Safe) return v.val;
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (v instanceof PyInt) return v.value.toString();
  if (v instanceof Opaque) return v.repr();
  return pyRepr(v);
}

export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === "" || v === 0) return false;
  if (v === true || typeof v === "string" || typeof v === "number") return true;
  if (v instanceof PyFloat) return v.value !== 0;
  if (v instanceof PyInt) return true; // never 0: zero is a JS number
  if (v instanceof Safe) return v.val !== "";
  if (Array.isArray(v)) return v.length > 0;
  if (isMapping(v)) {
    for (const _ in v) return true;
    return false;
  }
  return true;
}

export function pyEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isNumber(a) && isNumber(b)) return compareNumbers(a, b) === 0;
  if (isString(a) && isString(b)) return String(a) === String(b);
  // Containers are compared item by item, each a step: comparing deep or long ones is charged.
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => (tick(), pyEq(x, b[i])));
  }
  if (isMapping(a) && isMapping(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => (tick(), Object.hasOwn(b, k) && pyEq(a[k], b[k])));
  }
  return false;
}

const identities = new WeakMap<object, number>();
let lastIdentity = 0;
const identity = (v: object): string => {
  let id = identities.get(v);
  if (id === undefined) identities.set(v, (id = ++lastIdentity));
  return `@${id}`;
};

/**
 * A text that two values share exactly when pyEq finds them equal, so that sets of values (unique)
 * cost a hash lookup per item rather than a comparison with every earlier one. null for a value
 * equal to nothing, not even itself (NaN); a container holding one is keyed by its identity,
 * as pyEq then only finds it equal to itself.
 */
export function hashKey(v: unknown): string | null {
  tick();
  switch (typeof v) {
    case "undefined":
      return "u";
    case "string":
      return `s${v}`;
    case "boolean":
      return v ? "i1" : "i0";
    case "number":
      if (Number.isNaN(v)) return null;
      if (!Number.isInteger(v)) return `f${v}`;
      return `i${Number.isSafeInteger(v) ? v : BigInt(v)}`;
  }
  if (v === null) return "N";
  if (v instanceof Safe) return `s${v.val}`;
  if (v instanceof PyInt) return `i${v.value}`;
  if (v instanceof PyFloat) return hashKey(v.value);
  if (Array.isArray(v) || isMapping(v)) {
    // Length-prefixed parts, so that no two different contents read alike.
    const part = (text: string) => `${text.length}:${text}`;
    let out = Array.isArray(v) ? `[${v.length};` : "{";
    const entries = Array.isArray(v)
      ? v.map((x) => ["", x] as const)
      : Object.keys(v)
          .sort()
          .map((k) => [part(k), v[k]] as const);
    for (const [key, value] of entries) {
      const inner = hashKey(value);
      if (inner === null) return identity(v);
      out += key + part(inner);
    }
    return out;
  }
  return typeof v === "object" || typeof v === "function" ? identity(v as object) : null;
}

/** Python ordering: numbers with numbers, strings with strings, sequences element-wise. */
export function pyCompare(a: unknown, b: unknown, op = "<"): number {
  if (isNumber(a) && isNumber(b)) return compareNumbers(a, b);
  if (isString(a) && isString(b)) {
    const x = String(a);
    const y = String(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      tick();
      if (!pyEq(a[i], b[i])) return pyCompare(a[i], b[i], op);
    }
    return a.length - b.length;
  }
  return fail(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

/**
 * -1, 0 or 1, or NaN when a NaN makes them unordered. Exact where a PyInt is involved, as Python
 * compares an int with a float by their exact values: 2**53 + 1 is not 2.0**53.
 */
export function compareNumbers(a: number | PyFloat | PyInt | boolean, b: number | PyFloat | PyInt | boolean): number {
  if (a instanceof PyInt || b instanceof PyInt) {
    const x = exactOrder(a);
    const y = exactOrder(b);
    if (x === null || y === null) return NaN;
    // Equal integer parts: the one with a fraction left over is the larger.
    if (x.whole !== y.whole) return x.whole < y.whole ? -1 : 1;
    return Math.sign(x.fraction - y.fraction);
  }
  const x = num(a);
  const y = num(b);
  return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
}

/** A number as its floor (exact) and the fraction above it; ±infinity as an integer past any int. */
function exactOrder(v: number | PyFloat | PyInt | boolean): { whole: bigint; fraction: number } | null {
  if (v instanceof PyInt) return { whole: v.value, fraction: 0 };
  const n = num(v);
  if (Number.isNaN(n)) return null;
  if (!Number.isFinite(n)) return { whole: n > 0 ? 1n << 20000n : -(1n << 20000n), fraction: 0 };
  const floor = Math.floor(n);
  return { whole: BigInt(floor), fraction: n - floor };
}
