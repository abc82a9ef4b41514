// JSON integers past JavaScript's exact range (±2^53), kept digit for digit. Senders use 64-bit ids
// (Discord and Twitter snowflakes, some payment and telemetry ids); Prefect, in Python, stores and
// returns them exactly, where JSON.parse would round 1234567890123456789 to 1234567890123456800.

// Bun has JSON.rawJSON and the reviver's source text; the admin UI runs this file in browsers too,
// where an older one lacks them and simply rounds, as before.
const native = JSON as unknown as { rawJSON?(text: string): object; isRawJSON?(v: unknown): boolean };

/** JSON.rawJSON: a value JSON.stringify writes as the given JSON text (here, an integer's digits). */
export const rawJson = (text: string): object => native.rawJSON!(text);

/** Whether a value is such a raw JSON value (an integer kept exact). */
export const isRawJson = (v: unknown): boolean => native.isRawJSON?.(v) ?? false;

/** Only a text with a run of 16 digits can hold an integer past 2^53 (9,007,199,254,740,992). */
export const LONG_DIGITS = /\d{16}/;

const INTEGER = /^-?\d+$/;

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

const keepLongIntegers: Reviver = (_key, value, context) =>
  typeof value === "number" && !Number.isSafeInteger(value) && context?.source !== undefined && INTEGER.test(context.source)
    ? rawJson(context.source)
    : value;

/**
 * JSON.parse, except that integers past 2^53 come back as raw JSON values, which JSON.stringify
 * writes out exactly as they came in. For events on their way to and from storage: the values are
 * not computed with, only kept and passed on.
 */
export function parseJsonExact(text: string): unknown {
  return LONG_DIGITS.test(text) ? JSON.parse(text, keepLongIntegers as Parameters<typeof JSON.parse>[1]) : JSON.parse(text);
}
