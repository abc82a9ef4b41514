import { describe, expect, test } from "bun:test";
import { findJsonProblem } from "../../../src/ingest/json-error.ts";

describe("findJsonProblem", () => {
  test.each([
    ['{"a": 1}', null],
    ['  [1, 2.5e3, "x\\n", true, false, null]  ', null],
    ['{"a": 1', { line: 1, column: 8, message: "expected ',' or '}', found end of input" }],
    ['{\n  "a": "b"\n  "c": 1\n}', { line: 3, column: 3, message: `expected ',' or '}', found "\\""` }],
    ['{"msg": "say "hi""}', { line: 1, column: 15, message: `expected ',' or '}', found "h"` }],
    [
      '{"msg": "two\nlines"}',
      { line: 1, column: 13, message: "control character (e.g. a raw newline) inside a string; escape it or use |tojson" },
    ],
    ["{'a': 1}", { line: 1, column: 2, message: 'expected a property name in double quotes, found "\'"' }],
    ['{"a": True}', { line: 1, column: 7, message: 'expected a JSON value, found "T"' }],
    ['{"a": 1} x', { line: 1, column: 10, message: 'unexpected "x" after the JSON value' }],
    ['"\\q"', { line: 1, column: 2, message: "invalid escape \\q inside a string" }],
  ])("%j → %j", (text, expected) => {
    expect(findJsonProblem(text)).toEqual(expected);
    if (expected === null) expect(() => JSON.parse(text)).not.toThrow();
    else expect(() => JSON.parse(text)).toThrow();
  });

  test("absurd nesting does not crash the scanner", () => {
    expect(findJsonProblem("[".repeat(200_000))).not.toBeNull();
  });
});
