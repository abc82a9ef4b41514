// parseJsonExact (src/json.ts): what JSON.parse would change is kept, so that writing the value
// again gives what Python's json.dumps gives for json.loads of the same text (expected outputs
// from Python 3: json.dumps(json.loads(text), separators=(",", ":"))).
import { describe, expect, test } from "bun:test";
import { mayHoldKeptNumbers, parseJsonExact } from "../../../src/json.ts";

describe("parseJsonExact", () => {
  test.each([
    [
      '{"id": 1588453471829446656, "neg": -9223372036854775808, "edge": 9007199254740993, "safe": 9007199254740991}',
      '{"id":1588453471829446656,"neg":-9223372036854775808,"edge":9007199254740993,"safe":9007199254740991}',
    ],
    ['{"t": 21.0, "e": 1e3, "E": 1E16, "z": -0.0, "h": 1.5, "x": 2.50e1}', '{"t":21.0,"e":1000.0,"E":1e+16,"z":-0.0,"h":1.5,"x":25.0}'],
    ['[1.0, [2, [3.0e0]], {"s": "v1.0 at 1234567890123456789"}]', '[1.0,[2,[3.0]],{"s":"v1.0 at 1234567890123456789"}]'],
    ["12345678901234567890", "12345678901234567890"],
    ["7.0", "7.0"],
  ])("%s", (text, python) => {
    expect(JSON.stringify(parseJsonExact(text))).toBe(python);
  });

  test("reads everything else as JSON.parse does, and refuses what it refuses", () => {
    for (const text of ['{"a": [1, 2.5, "21.0", null, true]}', '{"a": 1, "a": 2}', '{"__proto__": {"x": 1}}', '"1234567890123456789"']) {
      expect(parseJsonExact(text)).toEqual(JSON.parse(text));
    }
    const proto = parseJsonExact('{"__proto__": {"x": 1.0}}') as object;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(["__proto__"]);
    for (const text of ["[1.0", "{1234567890123456789: 1}", ""]) expect(() => parseJsonExact(text)).toThrow(SyntaxError);
  });

  test("only texts that may hold such a number take the slower parse", () => {
    expect(mayHoldKeptNumbers('{"sha": "4b825dc642cb6eb9a060e54b", "before": "0000000000000000000000000000000000000000"}')).toBe(false);
    expect(mayHoldKeptNumbers('{"v": "v1.0", "n": 123456789012345, "f": 21.05}')).toBe(false);
    expect(mayHoldKeptNumbers('{"n":\n  1234567890123456}')).toBe(true);
    expect(mayHoldKeptNumbers("[0, -3.00]")).toBe(true);
    expect(mayHoldKeptNumbers(" 5e2")).toBe(true);
  });
});
