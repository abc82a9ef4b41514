// Reading a client's JSON field by field: each reader either returns the value in its parsed shape
// or throws a 422 whose message starts with the field's path (`trigger.triggers[2].within: …`), so
// that a client can tell exactly what to fix.
import { invalid } from "../errors.ts";
import { isJsonObject, jsonTypeName } from "../json.ts";

export type Json = Record<string, unknown>;

/** A 422 naming the field. */
export const fieldError = (field: string, detail: string) => invalid(`${field}: ${detail}`, { field });

/** Absent and null both mean "not given" (Prefect's optional fields are nullable). */
export const given = (value: unknown) => value !== undefined && value !== null;

export function object(value: unknown, field: string): Json {
  if (value === undefined) throw fieldError(field, "Field required");
  if (!isJsonObject(value)) throw fieldError(field, `must be an object, got ${jsonTypeName(value)}`);
  return value;
}

export function text(value: unknown, field: string, max: number, opts: { min?: number } = {}): string {
  if (typeof value !== "string") throw fieldError(field, `must be a string, got ${jsonTypeName(value)}`);
  if (value.length < (opts.min ?? 0))
    throw fieldError(field, opts.min === 1 ? "must not be empty" : `must be at least ${opts.min} characters`);
  if (value.length > max) throw fieldError(field, `must be at most ${max} characters`);
  return value;
}

export function optionalText(value: unknown, field: string, max: number, fallback: string): string {
  return given(value) ? text(value, field, max) : fallback;
}

export function bool(value: unknown, field: string): boolean {
  if (typeof value !== "boolean") throw fieldError(field, `must be true or false, got ${jsonTypeName(value)}`);
  return value;
}

export function list(value: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw fieldError(field, `must be a list, got ${jsonTypeName(value)}`);
  if (value.length > max) throw fieldError(field, `must have at most ${max} items`);
  return value;
}

/** A list of strings read as a set (Prefect's `after`, `expect`, `for_each`, `tags`): duplicates dropped, order kept. */
export function stringSet(value: unknown, field: string, maxItems: number, maxChars: number): string[] {
  if (!given(value)) return [];
  const items = list(value, field, maxItems).map((item, i) => text(item, `${field}[${i}]`, maxChars, { min: 1 }));
  return [...new Set(items)];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === "string" && UUID.test(value);

export function uuid(value: unknown, field: string): string {
  if (!isUuid(value)) throw fieldError(field, "must be a UUID");
  return value.toLowerCase();
}
