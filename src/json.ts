// JSON numbers as Python reads them. Integers past JavaScript's exact range (±2^53) keep every
// digit: senders use 64-bit ids (X/Twitter snowflakes, some payment and telemetry ids), and Prefect,
// in Python, stores and returns them exactly, where JSON.parse would round 1234567890123456789 to
// 1234567890123456800. Integral floats stay floats: Prefect stores a sender's `21.0` as `21.0`.

// Bun has JSON.rawJSON and the reviver's source text; the admin UI runs this file in browsers too,
// where an older one lacks them and simply rounds, as before.
const native = JSON as unknown as { rawJSON?(text: string): object; isRawJSON?(v: unknown): boolean };

/** JSON.rawJSON: a value JSON.stringify writes as the given JSON text (here, an integer's digits). */
export const rawJson = (text: string): object => native.rawJSON!(text);

/** Whether a value is such a raw JSON value (an integer kept exact). */
export const isRawJson = (v: unknown): boolean => native.isRawJSON?.(v) ?? false;

/** A JSON object, as parsed: not an array, null, or a raw number (which JavaScript sees as an object). */
export const isJsonObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !isRawJson(v);

/** The JSON type of a parsed value, as messages name it: null, array, number (a kept integer too), object, string, boolean. */
export function jsonTypeName(v: unknown): string {
  if (v === null) return "null";
  if (isRawJson(v)) return "number";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

// A cheap test for texts that may hold such numbers (only those take the slower parse): an integer
// token of 16 digits or more (past 2^53, 9,007,199,254,740,992, it needs more than a double), or a
// number token with a fraction or an exponent whose value may be integral (`21.0`, `1e3`). A JSON
// number starts the text or follows `:`, `[` or `,`; digits inside strings (hex hashes, say) do not
// count, and one that looks like a number all the same only costs the slower parse.
const KEPT_NUMBER = String.raw`\s*-?\d(?:\d{15}|\d*(?:\.0+(?![0-9])|(?:\.\d+)?[eE]))`;
const KEPT_NUMBER_INSIDE = new RegExp(`[:,[]${KEPT_NUMBER}`);
const KEPT_NUMBER_FIRST = new RegExp(`^${KEPT_NUMBER}`);

/** Whether JSON.parse might change a number of this text that Python's json.loads would keep. */
export const mayHoldKeptNumbers = (text: string): boolean => KEPT_NUMBER_INSIDE.test(text) || KEPT_NUMBER_FIRST.test(text);

const INTEGER = /^-?\d+$/;

/** Python's repr of a float with an integral value, which its json.dumps writes: `21.0`, `1e+16`. */
export function integralFloatJson(n: number): string {
  if (Object.is(n, -0)) return "-0.0";
  return Math.abs(n) < 1e16 ? n.toFixed(1) : n.toExponential();
}

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

/**
 * The deepest JSON an event may hold, and so the deepest JSON from a sender that is parsed (a body,
 * a rendered event, a posted one): SQLite's JSON functions (text search, counts) refuse documents
 * nested deeper, and Python's json.loads (Prefect's) stops near its recursion limit of 1000 too.
 * Deeper values would cost every recursive walk over them (serializing, a template printing them)
 * a call stack's worth of work before it fails.
 */
export const MAX_JSON_DEPTH = 1000;

/** Thrown instead of parsing JSON text nested deeper than asked. */
export class JsonTooDeepError extends SyntaxError {
  constructor() {
    super(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    this.name = "JsonTooDeepError";
  }
}

/** A media type (lowercased, without parameters) that says JSON: application/json or a structured syntax suffix (RFC 6839 §3.1). */
export const isJsonType = (type: string): boolean => type === "application/json" || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(type);

/** Whether JSON text nests arrays and objects deeper than `limit`; brackets inside strings do not count. One pass. */
export function nestedDeeper(json: string, limit: number): boolean {
  // The depth is at most the number of opening brackets, which native searches count quickly.
  let opens = 0;
  for (const bracket of ["{", "["]) {
    for (let i = json.indexOf(bracket); i !== -1 && opens <= limit; i = json.indexOf(bracket, i + 1)) opens++;
  }
  if (opens <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // an escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * JSON.parse, with each number replaced by `number(source, value)` (its text as written, and what
 * JSON.parse made of it) in texts that may hold one JSON.parse would change. The two callers:
 * storage (parseJsonExact) and the template language (python.ts parseJson). Text nested deeper
 * than `maxDepth` is refused (JsonTooDeepError) after one linear scan, before it is parsed.
 */
export function parseNumbers(text: string, number: (source: string, value: number) => unknown, maxDepth = Infinity): unknown {
  if (maxDepth !== Infinity && nestedDeeper(text, maxDepth)) throw new JsonTooDeepError();
  if (!mayHoldKeptNumbers(text)) return JSON.parse(text);
  const reviver: Reviver = (_key, value, context) =>
    typeof value === "number" && context?.source !== undefined ? number(context.source, value) : value;
  return JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]);
}

/** Keeps the numbers JSON.parse would change: long integers (rounded) and integral floats (`21.0` → 21). */
function keepNumber(source: string, value: number): unknown {
  if (INTEGER.test(source)) return Number.isSafeInteger(value) ? value : rawJson(source);
  return Number.isInteger(value) ? rawJson(integralFloatJson(value)) : value;
}

/**
 * JSON.parse, except that the numbers Python's json.loads would keep are kept, as raw JSON values
 * JSON.stringify writes out again: integers past 2^53 digit for digit, and integral floats as
 * floats (`21.0`, as Prefect stores them). For events on their way to and from storage: the
 * values are not computed with, only kept and passed on. Text from a sender is parsed with
 * maxDepth MAX_JSON_DEPTH.
 */
export function parseJsonExact(text: string, maxDepth = Infinity): unknown {
  return parseNumbers(text, keepNumber, maxDepth);
}
