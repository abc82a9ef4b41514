// The only methods a template can call: Python's non-mutating str, list and dict methods (what
// ImmutableSandboxedEnvironment allows and Jinja users call). Looked up in Maps, so no name can
// reach a JavaScript prototype.
import { bind, REQUIRED, splitArgs } from "./args.ts";
import { fail } from "./errors.ts";
import { chargeChars, chargeItems, checkLength, checkString, tick } from "./limits.ts";
import { strFormat } from "./format.ts";
import { isCaseInsensitive, isString, num, pyEq, pyStr, tuple, typeName, type Dict } from "./python.ts";

type Method<T> = (self: T, args: unknown[]) => unknown;

export const WS =
  " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

const WS_SET = new Set(WS);

export function strip(s: string, chars: unknown, left: boolean, right: boolean): string {
  // A set of the characters: looking each one up in a long `chars` text would cost its length.
  const set = chars === undefined || chars === null ? WS_SET : charSet(pyStr(chars));
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.has(s[a]!)) a++;
  if (right) while (b > a && set.has(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function charSet(chars: string): Set<string> {
  chargeChars(chars.length);
  const set = new Set<string>();
  for (let i = 0; i < chars.length; i++) set.add(chars[i]!);
  return set;
}

export function split(s: string, sep: unknown, maxsplit: number, fromRight = false): string[] {
  if (sep === undefined || sep === null) {
    const words = strip(s, null, true, true)
      .split(/[\s\x1c-\x1f\x85]+/u)
      .filter((w) => w !== "");
    if (maxsplit < 0 || words.length <= maxsplit + 1) return words;
    const trimmed = strip(s, null, true, true);
    if (fromRight) {
      const tail = words.slice(words.length - maxsplit);
      let cut = trimmed.length;
      for (const w of [...tail].reverse()) cut = trimmed.lastIndexOf(w, cut - 1);
      return [strip(trimmed.slice(0, cut), null, false, true), ...tail];
    }
    const head = words.slice(0, maxsplit);
    let pos = 0;
    for (const w of head) pos = trimmed.indexOf(w, pos) + w.length;
    return [...head, strip(trimmed.slice(pos), null, true, false)];
  }
  const d = pyStr(sep);
  if (d === "") fail("empty separator");
  const parts = s.split(d);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return fromRight
    ? [parts.slice(0, parts.length - maxsplit).join(d), ...parts.slice(parts.length - maxsplit)]
    : [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(d)];
}

/** Python's str.replace: literal, optionally limited to `count` replacements. */
export function replace(s: string, old: string, repl: string, count = -1): string {
  const n = count < 0 ? Infinity : count;
  if (old === "") {
    const slots = Math.min(n, s.length + 1);
    checkLength(s.length + slots * repl.length);
    const chars = [...s];
    return chars.map((c, i) => (i < slots ? repl + c : c)).join("") + (slots > chars.length ? repl : "");
  }
  const parts = s.split(old);
  const used = Math.min(n, parts.length - 1);
  checkLength(s.length + used * (repl.length - old.length));
  if (used === parts.length - 1) return parts.join(repl);
  return parts.slice(0, used + 1).join(repl) + old + parts.slice(used + 1).join(old);
}

export function title(s: string): string {
  let out = "";
  let prevCased = false;
  for (const ch of s) {
    const cased = ch.toLowerCase() !== ch.toUpperCase();
    out += cased ? (prevCased ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    prevCased = cased;
  }
  return out;
}

export const capitalize = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s);

function affix(self: string, args: unknown[], fn: "startsWith" | "endsWith"): boolean {
  const [prefix, start, end] = bind(fn === "startsWith" ? "startswith" : "endswith", args, [
    ["prefix", REQUIRED],
    ["start", null],
    ["end", null],
  ]);
  const sub = self.slice(start === null ? 0 : num(start), end === null ? undefined : num(end));
  const options = Array.isArray(prefix) ? prefix : [prefix];
  return options.some((p) => (isString(p) ? sub[fn](String(p)) : fail(`${fn} first arg must be str or a tuple of str`)));
}

function justify(self: string, args: unknown[], name: string, where: "l" | "r" | "c"): string {
  const [width, fillchar] = bind(name, args, [
    ["width", REQUIRED],
    ["fillchar", " "],
  ]);
  const f = pyStr(fillchar);
  if ([...f].length !== 1) fail("The fill character must be exactly one character long");
  const w = num(width);
  checkLength(w);
  chargeChars(w);
  const gap = w - self.length;
  if (gap <= 0) return self;
  if (where === "l") return self + f.repeat(gap);
  if (where === "r") return f.repeat(gap) + self;
  const left = Math.floor(gap / 2) + (gap & w & 1);
  return f.repeat(left) + self + f.repeat(gap - left);
}

const find = (self: string, args: unknown[], name: string, last: boolean) => {
  const [sub, start, end] = bind(name, args, [
    ["sub", REQUIRED],
    ["start", null],
    ["end", null],
  ]);
  const from = start === null ? 0 : num(start);
  const hay = self.slice(0, end === null ? undefined : num(end));
  const i = last ? hay.lastIndexOf(pyStr(sub)) : hay.indexOf(pyStr(sub), from);
  return i >= from ? i : -1;
};

const is = (re: RegExp) => (s: string) => s !== "" && re.test(s);

export const STR_METHODS = new Map<string, Method<string>>([
  ["upper", (s) => s.toUpperCase()],
  ["lower", (s) => s.toLowerCase()],
  ["casefold", (s) => s.toLowerCase()],
  ["swapcase", (s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("")],
  ["title", (s) => title(s)],
  ["capitalize", (s) => capitalize(s)],
  ["strip", (s, a) => strip(s, bind("strip", a, [["chars", null]])[0], true, true)],
  ["lstrip", (s, a) => strip(s, bind("lstrip", a, [["chars", null]])[0], true, false)],
  ["rstrip", (s, a) => strip(s, bind("rstrip", a, [["chars", null]])[0], false, true)],
  [
    "split",
    (s, a) => {
      const [sep, max] = bind("split", a, [
        ["sep", null],
        ["maxsplit", -1],
      ]);
      return split(s, sep, num(max));
    },
  ],
  [
    "rsplit",
    (s, a) => {
      const [sep, max] = bind("rsplit", a, [
        ["sep", null],
        ["maxsplit", -1],
      ]);
      return split(s, sep, num(max), true);
    },
  ],
  ["splitlines", (s) => s.split(/\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]/).filter((x, i, all) => i < all.length - 1 || x !== "")],
  ["startswith", (s, a) => affix(s, a, "startsWith")],
  ["endswith", (s, a) => affix(s, a, "endsWith")],
  [
    "replace",
    (s, a) => {
      const [old, repl, count] = bind("replace", a, [
        ["old", REQUIRED],
        ["new", REQUIRED],
        ["count", -1],
      ]);
      return replace(s, pyStr(old), pyStr(repl), num(count));
    },
  ],
  ["find", (s, a) => find(s, a, "find", false)],
  ["rfind", (s, a) => find(s, a, "rfind", true)],
  [
    "index",
    (s, a) => {
      const i = find(s, a, "index", false);
      return i < 0 ? fail("substring not found") : i;
    },
  ],
  [
    "count",
    (s, a) => {
      const [sub] = bind("count", a, [["sub", REQUIRED]]);
      const needle = pyStr(sub);
      return needle === "" ? [...s].length + 1 : s.split(needle).length - 1;
    },
  ],
  [
    "join",
    (s, a) => {
      const [items] = bind("join", a, [["iterable", REQUIRED]]);
      const list = Array.isArray(items) ? items : isString(items) ? [...String(items)] : fail("can only join an iterable");
      tick(list.length);
      // Measured before joining, so that a list of many long strings never builds its huge text.
      let length = 0;
      const parts = list.map((x) => {
        const part = isString(x) ? String(x) : fail(`sequence item: expected str instance, ${typeName(x)} found`);
        length += part.length + s.length;
        checkLength(length);
        return part;
      });
      chargeChars(length);
      return checkString(parts.join(s));
    },
  ],
  [
    "format",
    (s, a) => {
      const [positional, kw] = splitArgs(a);
      return strFormat(s, positional, kw);
    },
  ],
  ["isdigit", is(/^\p{Nd}+$/u)],
  ["isdecimal", is(/^\p{Nd}+$/u)],
  ["isnumeric", is(/^\p{N}+$/u)],
  ["isalpha", is(/^\p{L}+$/u)],
  ["isalnum", is(/^[\p{L}\p{N}]+$/u)],
  ["isspace", is(/^\s+$/u)],
  ["isupper", (s) => /\p{Lu}/u.test(s) && !/\p{Ll}/u.test(s)],
  ["islower", (s) => /\p{Ll}/u.test(s) && !/\p{Lu}/u.test(s)],
  ["istitle", (s) => s !== s.toLowerCase() && title(s) === s],
  [
    "zfill",
    (s, a) => {
      const w = num(bind("zfill", a, [["width", REQUIRED]])[0]);
      checkLength(w);
      const sign = /^[+-]/.test(s) ? s[0]! : "";
      return sign + s.slice(sign.length).padStart(w - sign.length, "0");
    },
  ],
  ["center", (s, a) => justify(s, a, "center", "c")],
  ["ljust", (s, a) => justify(s, a, "ljust", "l")],
  ["rjust", (s, a) => justify(s, a, "rjust", "r")],
  [
    "partition",
    (s, a) => {
      const sep = pyStr(bind("partition", a, [["sep", REQUIRED]])[0]);
      const i = s.indexOf(sep);
      return tuple(i < 0 ? [s, "", ""] : [s.slice(0, i), sep, s.slice(i + sep.length)]);
    },
  ],
  [
    "rpartition",
    (s, a) => {
      const sep = pyStr(bind("rpartition", a, [["sep", REQUIRED]])[0]);
      const i = s.lastIndexOf(sep);
      return tuple(i < 0 ? ["", "", s] : [s.slice(0, i), sep, s.slice(i + sep.length)]);
    },
  ],
  [
    "removeprefix",
    (s, a) => {
      const p = pyStr(bind("removeprefix", a, [["prefix", REQUIRED]])[0]);
      return p && s.startsWith(p) ? s.slice(p.length) : s;
    },
  ],
  [
    "removesuffix",
    (s, a) => {
      const p = pyStr(bind("removesuffix", a, [["suffix", REQUIRED]])[0]);
      return p && s.endsWith(p) ? s.slice(0, -p.length) : s;
    },
  ],
]);

// The methods that read the whole string (a case mapping, a search, a split) are charged by its length.
for (const name of [
  "upper",
  "lower",
  "casefold",
  "swapcase",
  "title",
  "capitalize",
  "split",
  "rsplit",
  "splitlines",
  "replace",
  "find",
  "rfind",
  "index",
  "count",
  "format",
  "isdigit",
  "isdecimal",
  "isnumeric",
  "isalpha",
  "isalnum",
  "isspace",
  "isupper",
  "islower",
  "istitle",
  "partition",
  "rpartition",
]) {
  const method = STR_METHODS.get(name)!;
  STR_METHODS.set(name, (s, a) => (chargeChars(s.length), method(s, a)));
}

export const LIST_METHODS = new Map<string, Method<unknown[]>>([
  [
    "count",
    (l, a) => {
      const [x] = bind("count", a, [["value", REQUIRED]]);
      tick(l.length >> 4);
      return l.filter((y) => pyEq(x, y)).length;
    },
  ],
  [
    "index",
    (l, a) => {
      const [x] = bind("index", a, [["value", REQUIRED]]);
      chargeItems(l.length);
      const i = l.findIndex((y) => pyEq(x, y));
      return i < 0 ? fail("value is not in list") : i;
    },
  ],
]);

const charged = <T>(list: T[]): T[] => (chargeItems(list.length), list);

export const DICT_METHODS = new Map<string, Method<Dict>>([
  [
    "get",
    (d, a) => {
      const [key, dflt] = bind("get", a, [
        ["key", REQUIRED],
        ["default", null],
      ]);
      if (!isString(key)) return dflt;
      const k = isCaseInsensitive(d) ? String(key).toLowerCase() : String(key);
      return Object.hasOwn(d, k) ? d[k] : dflt;
    },
  ],
  ["keys", (d, a) => (bind("keys", a, []), charged(Object.keys(d)))],
  ["values", (d, a) => (bind("values", a, []), charged(Object.values(d)))],
  ["items", (d, a) => (bind("items", a, []), charged(Object.keys(d)).map((k) => tuple([k, d[k]])))],
]);
