// Jinja inside JSON, for the template editor: one small stream tokenizer that knows both. Outside
// tags it reads JSON (strings, numbers, literals, brackets); `{{ … }}`, `{% … %}` and `{# … #}` are
// Jinja wherever they appear, inside a JSON string too, which is where templates mostly put them.
import { StreamLanguage, type StreamParser, type StringStream } from "@codemirror/language";

type Mode = "json" | "expression" | "statement" | "comment";

interface State {
  mode: Mode;
  /** The JSON string a tag was opened in, so it resumes as a string after the tag. */
  inString: boolean;
  /** The quote of a string literal open inside a tag. */
  tagStringQuote: string | null;
}

const KEYWORDS = new Set([
  "if",
  "elif",
  "else",
  "endif",
  "for",
  "endfor",
  "in",
  "not",
  "and",
  "or",
  "is",
  "set",
  "endset",
  "raw",
  "endraw",
  "filter",
  "endfilter",
  "macro",
  "endmacro",
  "with",
  "endwith",
  "raise_error",
]);
const ATOMS = new Set(["true", "false", "none", "True", "False", "None", "null"]);

function openTag(stream: StringStream, state: State): string | null {
  if (stream.match("{{")) return ((state.mode = "expression"), "meta");
  if (stream.match("{%")) return ((state.mode = "statement"), "meta");
  if (stream.match("{#")) return ((state.mode = "comment"), "comment");
  return null;
}

function insideTag(stream: StringStream, state: State): string | null {
  if (state.mode === "comment") {
    if (stream.skipTo("#}")) stream.match("#}"), (state.mode = "json");
    else stream.skipToEnd();
    return "comment";
  }
  const close = state.mode === "expression" ? /^-?\}\}/ : /^-?%\}/;
  if (stream.match(close)) return ((state.mode = "json"), "meta");
  if (stream.eatSpace()) return null;
  if (state.tagStringQuote) {
    const quote = state.tagStringQuote;
    while (!stream.eol()) {
      const c = stream.next();
      if (c === "\\") stream.next();
      else if (c === quote) {
        state.tagStringQuote = null;
        break;
      }
    }
    return "string";
  }
  const c = stream.peek()!;
  if (c === '"' || c === "'") {
    stream.next();
    state.tagStringQuote = c;
    return "string";
  }
  if (stream.match(/^\d+(\.\d+)?/)) return "number";
  const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
  if (word) {
    const w = word[0];
    if (KEYWORDS.has(w)) return "keyword";
    if (ATOMS.has(w)) return "atom";
    // A filter's name follows `|`; an attribute follows `.`.
    return "variableName";
  }
  if (stream.match(/^[|.~+\-*/%=<>!]+/)) return "operator";
  if (stream.match(/^[()[\]{}]/)) return "bracket";
  stream.next();
  return "punctuation";
}

function json(stream: StringStream, state: State): string | null {
  if (state.inString) {
    while (!stream.eol()) {
      if (stream.match(/^\{[{%#]/, false)) return "string";
      const c = stream.next();
      if (c === "\\") stream.next();
      else if (c === '"') {
        state.inString = false;
        // A string followed by a colon is an object key.
        return stream.match(/^\s*:/, false) ? "propertyName" : "string";
      }
    }
    return "string";
  }
  if (stream.eatSpace()) return null;
  const c = stream.peek()!;
  if (c === '"') {
    stream.next();
    state.inString = true;
    return json(stream, state);
  }
  if (stream.match(/^-?\d+(\.\d+)?([eE][+-]?\d+)?/)) return "number";
  if (stream.match(/^(true|false|null)\b/)) return "atom";
  if (stream.match(/^[[\]{}]/)) return "bracket";
  stream.next();
  return "punctuation";
}

export const jinjaJsonParser: StreamParser<State> = {
  name: "jinja-json",
  startState: () => ({ mode: "json", inString: false, tagStringQuote: null }),
  copyState: (s) => ({ ...s }),
  token(stream, state) {
    if (state.mode !== "json") return insideTag(stream, state);
    return openTag(stream, state) ?? json(stream, state);
  },
  languageData: { commentTokens: { block: { open: "{#", close: "#}" } } },
};

export const jinjaJson = StreamLanguage.define(jinjaJsonParser);
