// The runtime that compiled templates call (compiler.ts emits calls to these instead of nunjucks'
// memberLookup/callWrap/suppressValue and JS operators). The sandbox rests on three rules:
//   1. a member lookup returns data only: own properties of plain mappings, list items, string
//      characters, or a template object's attribute table; never a function or a prototype member;
//   2. a call goes through a whitelist: a method table by receiver type (methods.ts), or a
//      function registered in `callables` (globals, macros, joiners);
//   3. a key is normalised once to a primitive before it is checked and used, so a key object
//      cannot answer the check with one name and the lookup with another.
import nunjucks from "nunjucks";
import { fail, limit, TemplateError } from "./errors.ts";
import { budget, checkString, LIMITS, tick } from "./limits.ts";
import { DICT_METHODS, LIST_METHODS, STR_METHODS } from "./methods.ts";
import { blockedName, callable, callables, GLOBALS, Loop, Namespace } from "./globals.ts";
import * as ops from "./operators.ts";
import {
  isCaseInsensitive,
  tupleNames,
  isMapping,
  isString,
  mkInt,
  Opaque,
  PyFloat,
  pyStr,
  Safe,
  truthy,
  tuple,
  typeName,
} from "./python.ts";

const nj = nunjucks as unknown as { runtime: Record<string, any> };
const { Frame, makeKeywordArgs, numArgs } = nj.runtime;

/** A key as a primitive: a string, an integer, or undefined for anything else. */
function normKey(key: unknown): string | number | undefined {
  if (typeof key === "string") return key;
  if (typeof key === "number") return Number.isInteger(key) ? key : undefined;
  if (key instanceof Safe) return key.val;
  if (typeof key === "boolean") return key ? 1 : 0;
  return undefined;
}

const UNSAFE = new Set(["__proto__", "constructor", "prototype"]);

function index(length: number, k: number): number {
  return k < 0 ? length + k : k;
}

export function memberLookup(obj: unknown, key: unknown): unknown {
  budget.steps++;
  // The common case first: a name looked up in a plain object from the request (`body.ref`).
  if (typeof key === "string" && typeof obj === "object" && obj !== null && Object.getPrototypeOf(obj) === Object.prototype) {
    return Object.hasOwn(obj, key) && !UNSAFE.has(key) ? (obj as Record<string, unknown>)[key] : undefined;
  }
  if (obj === undefined || obj === null) return undefined;
  const k = normKey(key);
  if (k === undefined) return undefined;
  if (typeof obj === "string" || obj instanceof Safe) {
    if (typeof k !== "number") return undefined;
    const chars = String(obj);
    const i = index(chars.length, k);
    return i >= 0 && i < chars.length ? chars[i] : undefined;
  }
  if (Array.isArray(obj)) {
    if (typeof k !== "number") {
      const names = tupleNames.get(obj);
      return names && names.includes(k) ? obj[names.indexOf(k)] : undefined;
    }
    const i = index(obj.length, k);
    return i >= 0 && i < obj.length ? obj[i] : undefined;
  }
  if (obj instanceof Opaque) return typeof k === "string" && !blockedName(k) ? obj.attr(k) : undefined;
  if (typeof k !== "string" || !isMapping(obj) || UNSAFE.has(k)) return undefined;
  // Own data keys are request data, not members: `body._links` works as in Jinja (a dict lookup).
  if (Object.hasOwn(obj, k)) return obj[k];
  if (!isCaseInsensitive(obj)) return undefined;
  const lower = k.toLowerCase();
  return Object.hasOwn(obj, lower) ? obj[lower] : undefined;
}

export function callMethod(obj: unknown, key: unknown, args: unknown[]): unknown {
  tick();
  const name = normKey(key);
  if (typeof name !== "string") return fail(`${typeName(obj)} object is not callable`);
  if (blockedName(name) || UNSAFE.has(name)) return fail(`access to attribute '${name}' of '${typeName(obj)}' object is unsafe`);
  if (obj === undefined) return fail(`cannot call '${name}': the object is undefined (a missing variable, key or attribute)`);
  let method: ((self: any, args: unknown[]) => unknown) | undefined;
  let self: unknown = obj;
  if (isString(obj)) {
    method = STR_METHODS.get(name);
    self = String(obj);
  } else if (Array.isArray(obj)) method = LIST_METHODS.get(name);
  else if (obj instanceof Opaque) return obj.call(name, args);
  else if (isMapping(obj)) {
    method = DICT_METHODS.get(name);
    if (!method && Object.hasOwn(obj, name)) return callWrap(obj[name], name, null, args);
  }
  if (!method) return fail(`'${typeName(obj)}' object has no attribute '${name}'`);
  const out = method(self, args);
  return typeof out === "string" ? checkString(out) : out;
}

export function callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
  tick();
  if (typeof fn !== "function" || !callables.has(fn)) {
    if (fn === undefined) return fail(`'${name}' is undefined`);
    return fail(`'${typeName(fn)}' object is not callable`);
  }
  return fn.apply(context, args);
}

/** nunjucks' makeMacro, plus registration as a callable and a recursion bound. */
function makeMacro(argNames: string[], kwargNames: string[], func: Function): Function {
  const inner = nj.runtime.makeMacro(argNames, kwargNames, func);
  return callable(function macro(this: unknown, ...args: unknown[]) {
    if (++budget.depth > LIMITS.macroDepth) limit(`macros nested deeper than ${LIMITS.macroDepth} calls`);
    try {
      return inner.apply(this, args);
    } finally {
      budget.depth--;
    }
  });
}

export function contextOrFrameLookup(context: TemplateContext, frame: { lookup(n: string): unknown }, name: string) {
  const v = frame.lookup(name);
  return v !== undefined ? v : context.lookup(name);
}

/** The minimal context compiled code needs (nunjucks' Context uses a plain object with a prototype). */
export class TemplateContext {
  readonly ctx: Record<string, unknown> = Object.create(null);
  constructor(
    vars: Record<string, unknown>,
    readonly blocks: Record<string, Function>,
  ) {
    for (const k of Object.keys(vars)) this.ctx[k] = vars[k];
  }
  lookup(name: string): unknown {
    if (name in this.ctx) return this.ctx[name];
    return GLOBALS.get(name);
  }
  setVariable(name: string, value: unknown): void {
    this.ctx[name] = value;
  }
  addExport(): void {}
  getVariables(): Record<string, unknown> {
    return this.ctx;
  }
  getBlock(name: string): Function {
    return this.blocks[name] ?? fail(`unknown block '${name}'`);
  }
  getSuper(): never {
    return fail("super() needs a parent template; templates have none here");
  }
}

/** Prints a value: JSON-safe unless it is Markup (`safe`, `tojson`, macros, captured blocks). */
export function jsonEscape(s: string): string {
  // Most printed values are short and clean: a scan beats the regular expression there.
  if (s.length <= 64) {
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c) break;
    }
    if (i === s.length) return s;
  } else if (!/["\\\u0000-\u001f]/.test(s)) return s;
  return JSON.stringify(s).slice(1, -1);
}

function grow(buffer: string, piece: string): string {
  const b = budget;
  b.printed += piece.length;
  if (piece.length > 256) tick(piece.length >> 8);
  const out = buffer + piece;
  if (out.length > LIMITS.stringChars || b.printed > LIMITS.printedChars) limit("the template's output is too large");
  return out;
}

/**
 * How the render in progress prints strings: "json" (the default: escaped as JSON string content)
 * or "text" (as they are, for a notification's subject and body). Renders never overlap.
 */
export const printing: { mode: "json" | "text" } = { mode: "json" };

export function out(buffer: string, value: unknown): string {
  if (value === undefined) return buffer;
  if (value instanceof Safe) return grow(buffer, value.val);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return grow(buffer, pyStr(value));
  const text = typeof value === "string" ? value : pyStr(value);
  return grow(buffer, printing.mode === "json" ? jsonEscape(text) : text);
}

/** What a `for` iterates: lists, a string's characters, a mapping's keys (or items for `k, v`). */
export function iterate(value: unknown, names: number): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === undefined) return [];
  if (isString(value)) return [...String(value)];
  if (isMapping(value)) return names === 2 ? Object.keys(value).map((k) => tuple([k, value[k]])) : Object.keys(value);
  return fail(`'${typeName(value)}' object is not iterable`);
}

export function unpack(item: unknown, n: number): unknown[] {
  const seq = Array.isArray(item) ? item : isString(item) ? [...String(item)] : fail(`cannot unpack non-iterable ${typeName(item)} object`);
  if (seq.length !== n)
    fail(seq.length > n ? `too many values to unpack (expected ${n})` : `not enough values to unpack (expected ${n}, got ${seq.length})`);
  return seq;
}

export function setAttr(target: unknown, key: string, value: unknown): void {
  if (!(target instanceof Namespace)) fail(`cannot assign attribute on a '${typeName(target)}' object; use namespace()`);
  (target as Namespace).set(key, value);
}

export function slice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  const items: unknown[] = isString(obj)
    ? [...String(obj)]
    : Array.isArray(obj)
      ? obj
      : obj === undefined
        ? []
        : fail(`'${typeName(obj)}' object is not subscriptable`);
  const st = step === null || step === undefined ? 1 : Number(normKey(step));
  if (!st) fail("slice step cannot be zero");
  const n = items.length;
  const clamp = (v: unknown, dflt: number) => {
    if (v === null || v === undefined) return dflt;
    const i = Number(normKey(v));
    const j = i < 0 ? i + n : i;
    return st > 0 ? Math.min(Math.max(j, 0), n) : Math.min(Math.max(j, -1), n - 1);
  };
  const a = clamp(start, st > 0 ? 0 : n - 1);
  const b = clamp(stop, st > 0 ? n : -1);
  const res: unknown[] = [];
  for (let i = a; st > 0 ? i < b : i > b; i += st) res.push(items[i]);
  tick(res.length >> 4);
  return isString(obj) ? res.join("") : res;
}

function handleError(error: unknown, lineno: number): TemplateError {
  const line = typeof lineno === "number" ? lineno + 1 : null;
  if (error instanceof TemplateError) return error.withLine(line);
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new TemplateError("template_limit", "the template recursed too deeply", line);
  }
  // An engine failure (a nunjucks runtime message): keep its text, never its stack.
  const message = error instanceof Error ? error.message : String(error);
  return new TemplateError("template_error", message.split("\n")[0]!, line);
}

/** The object passed to compiled templates as `runtime`. */
export const runtime = {
  Frame,
  makeKeywordArgs,
  numArgs,
  makeMacro,
  SafeString: Safe,
  markSafe: (v: unknown) => (typeof v === "string" ? new Safe(v) : v),
  handleError,
  memberLookup,
  callMethod,
  callWrap,
  contextOrFrameLookup,
  out,
  lit: grow,
  iterate,
  unpack,
  setAttr,
  slice,
  tick,
  truthy,
  loop: (items: unknown[], i: number) => new Loop(items, i),
  dict: (pairs: [string, unknown][]) => Object.fromEntries(pairs),
  tuple: (items: unknown[]) => tuple(items),
  float: (v: number) => new PyFloat(v),
  int: (digits: string) => mkInt(BigInt(digits)),
  ...ops,
};
