// Jinja's operators with Python's semantics. nunjucks compiles them to JS operators, where
// `x + 1` on a missing x is NaN, `"1" == 1` is true and `[] or "x"` is `[]`; Jinja fails on
// undefined operands (UndefinedError) and on mixed types (TypeError) instead.
import { fail, limit } from "./errors.ts";
import { chargeChars, checkLength, tick } from "./limits.ts";
import { printf } from "./format.ts";
import {
  bigOf,
  intBits,
  isCaseInsensitive,
  isFloat,
  isMapping,
  isNumber,
  isString,
  MAX_INT_BITS,
  mkFloat,
  mkInt,
  num,
  pyCompare,
  pyEq,
  PyInt,
  pyStr,
  typeName,
} from "./python.ts";

function operands(op: string, a: unknown, b: unknown): void {
  if (a === undefined || b === undefined) {
    fail(`'${op}' on an undefined value (a missing variable, key or attribute)`);
  }
}

const unsupported = (op: string, a: unknown, b: unknown): never =>
  fail(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);

type Exact = (x: bigint, y: bigint) => bigint;

/**
 * A number operation as Python does it: float if either side is, else an int, exact at any size
 * (`exact` recomputes it on BigInts when an operand or the result is past JS's exact integers).
 */
function numeric(op: string, a: unknown, b: unknown, f: (x: number, y: number) => number, exact: Exact | null) {
  if (!isNumber(a) || !isNumber(b)) return unsupported(op, a, b);
  const r = f(num(a), num(b));
  if (exact === null || isFloat(a) || isFloat(b)) return mkFloat(r);
  if (!(a instanceof PyInt || b instanceof PyInt || !Number.isSafeInteger(r))) return r;
  return mkInt(exact(bigOf(a), bigOf(b)));
}

/** Python's floor division and modulo: they round toward negative infinity, BigInt's toward zero. */
const floorDivBig: Exact = (x, y) => x / y - (x % y !== 0n && x < 0n !== y < 0n ? 1n : 0n);
const modBig: Exact = (x, y) => {
  const r = x % y;
  return r !== 0n && r < 0n !== y < 0n ? r + y : r;
};

/** Refuses a product or power before computing it when its least possible size is past the int limit. */
function bounded(leastBits: number): void {
  if (leastBits > MAX_INT_BITS) limit("integer too large (an int holds at most 4300 digits here)");
}

export function add(a: unknown, b: unknown): unknown {
  operands("+", a, b);
  if (isString(a) && isString(b)) {
    checkLength(a.length + b.length);
    return String(a) + String(b);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    checkLength(a.length + b.length);
    // A new list each time: copying and allocating cost more than reading, a step per 4 items.
    tick((a.length + b.length) >> 2);
    return a.concat(b);
  }
  return numeric(
    "+",
    a,
    b,
    (x, y) => x + y,
    (x, y) => x + y,
  );
}

export const sub = (a: unknown, b: unknown) => (
  operands("-", a, b),
  numeric(
    "-",
    a,
    b,
    (x, y) => x - y,
    (x, y) => x - y,
  )
);

export function mul(a: unknown, b: unknown): unknown {
  operands("*", a, b);
  const repeat = (seq: unknown, n: unknown) => {
    if (!Number.isInteger(n as number) && typeof n !== "boolean") return unsupported("*", a, b);
    const times = Math.max(0, num(n));
    if (isString(seq)) {
      checkLength(seq.length * times);
      return String(seq).repeat(times);
    }
    checkLength((seq as unknown[]).length * times);
    tick((seq as unknown[]).length * times);
    return Array.from({ length: times }, () => seq as unknown[]).flat();
  };
  if (isString(a) || Array.isArray(a)) return repeat(a, b);
  if (isString(b) || Array.isArray(b)) return repeat(b, a);
  return numeric(
    "*",
    a,
    b,
    (x, y) => x * y,
    (x, y) => (bounded(intBits(x) + intBits(y) - 1), x * y),
  );
}

function nonZero(b: unknown): void {
  if (isNumber(b) && num(b) === 0) fail(isFloat(b) ? "float division by zero" : "division by zero");
}

export function div(a: unknown, b: unknown): unknown {
  operands("/", a, b);
  if (isNumber(a) && isNumber(b)) nonZero(b);
  return numeric("/", a, b, (x, y) => x / y, null);
}

export function floorDiv(a: unknown, b: unknown): unknown {
  operands("//", a, b);
  if (isNumber(a) && isNumber(b)) nonZero(b);
  return numeric("//", a, b, (x, y) => Math.floor(x / y), floorDivBig);
}

export function mod(a: unknown, b: unknown): unknown {
  operands("%", a, b);
  if (isString(a)) return printf(String(a), b);
  if (isNumber(a) && isNumber(b)) nonZero(b);
  return numeric("%", a, b, (x, y) => x - y * Math.floor(x / y), modBig);
}

export function pow(a: unknown, b: unknown): unknown {
  operands("**", a, b);
  if (isNumber(a) && isNumber(b) && !isFloat(a) && !isFloat(b) && num(b) < 0) {
    if (num(a) === 0) fail("0.0 cannot be raised to a negative power");
    return mkFloat(num(a) ** num(b));
  }
  return numeric(
    "**",
    a,
    b,
    (x, y) => x ** y,
    (x, y) => (bounded((intBits(x) - 1) * Number(y) + 1), x ** y),
  );
}

export function neg(a: unknown): unknown {
  if (a === undefined) fail("'-' on an undefined value (a missing variable, key or attribute)");
  if (!isNumber(a)) fail(`bad operand type for unary -: '${typeName(a)}'`);
  if (a instanceof PyInt) return mkInt(-a.value);
  return isFloat(a) ? mkFloat(-num(a)) : -num(a);
}

export function pos(a: unknown): unknown {
  if (a === undefined) fail("'+' on an undefined value (a missing variable, key or attribute)");
  if (!isNumber(a)) fail(`bad operand type for unary +: '${typeName(a)}'`);
  return typeof a === "boolean" ? num(a) : a;
}

/** `~` converts both sides with str(); undefined is the empty string (Jinja does the same). */
export function concat(a: unknown, b: unknown): string {
  const [x, y] = [pyStr(a), pyStr(b)];
  checkLength(x.length + y.length);
  return x + y;
}

export function contains(container: unknown, item: unknown): boolean {
  if (isString(container)) {
    if (!isString(item)) fail(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    chargeChars(container.length);
    return String(container).includes(String(item));
  }
  if (Array.isArray(container)) {
    tick(container.length >> 4);
    return container.some((x) => pyEq(x, item));
  }
  if (isMapping(container)) {
    if (!isString(item)) return false;
    const key = isCaseInsensitive(container) ? String(item).toLowerCase() : String(item);
    return Object.hasOwn(container, key);
  }
  if (container === undefined) return false;
  return fail(`argument of type '${typeName(container)}' is not iterable`);
}

export function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case "==":
    case "===":
      return pyEq(a, b);
    case "!=":
    case "!==":
      return !pyEq(a, b);
  }
  if (a === undefined || b === undefined) operands(op, a, b);
  const c = pyCompare(a, b, op);
  return op === "<" ? c < 0 : op === ">" ? c > 0 : op === "<=" ? c <= 0 : c >= 0;
}
