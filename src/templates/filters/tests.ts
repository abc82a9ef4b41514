// Jinja's built-in tests (jinja2/tests.py), with Python's notion of types.
import { bind, REQUIRED } from "../args.ts";
import { callables } from "../globals.ts";
import { compare, contains, mod } from "../operators.ts";
import { isFloat, isInt, isMapping, isNumber, isString, pyEq, Safe } from "../python.ts";
import type { Filter } from "./sequences.ts";

const cmp =
  (op: string) =>
  (v: unknown, ...a: unknown[]) =>
    compare(op, v, bind(op, a, [["other", REQUIRED]])[0]);

export function makeTests(filters: Map<string, Filter>, tests: Map<string, Filter>): [string, Filter][] {
  const isUpper = (v: unknown) => isString(v) && String(v) === String(v).toUpperCase();
  const isLower = (v: unknown) => isString(v) && String(v) === String(v).toLowerCase();
  return [
    ["defined", (v) => v !== undefined],
    ["undefined", (v) => v === undefined],
    ["none", (v) => v === null],
    ["boolean", (v) => typeof v === "boolean"],
    ["true", (v) => v === true],
    ["false", (v) => v === false],
    ["integer", (v) => isInt(v)],
    ["float", (v) => isFloat(v)],
    ["number", (v) => isNumber(v)],
    ["string", (v) => isString(v)],
    ["mapping", (v) => isMapping(v)],
    ["sequence", (v) => isString(v) || Array.isArray(v) || isMapping(v)],
    ["iterable", (v) => isString(v) || Array.isArray(v) || isMapping(v) || v === undefined],
    ["callable", (v) => typeof v === "function" && callables.has(v)],
    ["escaped", (v) => v instanceof Safe || v === undefined],
    // Jinja's `value % 2 == 1` and `value % num == 0`, with Python's (exact) modulo.
    ["odd", (v) => isNumber(v) && pyEq(mod(v, 2), 1)],
    ["even", (v) => isNumber(v) && pyEq(mod(v, 2), 0)],
    ["divisibleby", (v, ...a) => isNumber(v) && pyEq(mod(v, bind("divisibleby", a, [["num", REQUIRED]])[0]), 0)],
    ["lower", isLower],
    ["upper", isUpper],
    ["sameas", (v, ...a) => v === bind("sameas", a, [["other", REQUIRED]])[0]],
    ["in", (v, ...a) => contains(bind("in", a, [["seq", REQUIRED]])[0], v)],
    ["filter", (v) => isString(v) && filters.has(String(v))],
    ["test", (v) => isString(v) && tests.has(String(v))],
    ...(["eq", "==", "equalto"] as const).map((n) => [n, cmp("==")] as [string, Filter]),
    ...(["ne", "!="] as const).map((n) => [n, cmp("!=")] as [string, Filter]),
    ...(["lt", "<", "lessthan"] as const).map((n) => [n, cmp("<")] as [string, Filter]),
    ...(["le", "<="] as const).map((n) => [n, cmp("<=")] as [string, Filter]),
    ...(["gt", ">", "greaterthan"] as const).map((n) => [n, cmp(">")] as [string, Filter]),
    ...(["ge", ">="] as const).map((n) => [n, cmp(">=")] as [string, Filter]),
  ];
}
