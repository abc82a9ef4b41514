// Where a rendered template stops being JSON. JavaScriptCore's JSON.parse does not report a
// position, and "line 3, column 18" is what a user needs to fix a template, so this scanner walks
// the text with JSON's grammar (RFC 8259) and reports the first place it breaks.

export interface JsonProblem {
  line: number;
  column: number;
  message: string;
}

class Stop extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

function scan(text: string): void {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const describe = () => (i >= text.length ? "end of input" : `${JSON.stringify(text[i])}`);
  const expect = (what: string): never => {
    throw new Stop(i, `expected ${what}, found ${describe()}`);
  };

  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) throw new Stop(i, "unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) throw new Stop(i, "control character (e.g. a raw newline) inside a string; escape it or use |tojson");
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Stop(i, "invalid \\u escape");
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new Stop(i, `invalid escape \\${e ?? ""} inside a string`);
      } else i++;
    }
  };

  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') expect("a property name in double quotes");
        string();
        ws();
        if (text[i] !== ":") expect("':' after a property name");
        i++;
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") return void i++;
        expect("',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") return void i++;
        expect("',' or ']'");
      }
    }
    if (c === '"') return string();
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m && m[0]) return void (i += m[0].length);
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) return void (i += word.length);
    }
    expect("a JSON value");
  };

  value();
  ws();
  if (i < text.length) throw new Stop(i, `unexpected ${describe()} after the JSON value`);
}

/** The first JSON syntax problem in `text`, or null if it parses. */
export function findJsonProblem(text: string): JsonProblem | null {
  try {
    scan(text);
    return null;
  } catch (err) {
    // Nesting deep enough to exhaust the stack: still not JSON we can place precisely.
    if (!(err instanceof Stop)) return { line: 1, column: 1, message: "not valid JSON (nested too deeply to locate the error)" };
    const before = text.slice(0, err.index);
    const line = before.split("\n").length;
    const column = err.index - before.lastIndexOf("\n");
    return { line, column, message: err.message };
  }
}
