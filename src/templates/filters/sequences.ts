// Jinja's filters over sequences and mappings (jinja2/filters.py semantics). Attribute paths
// ("user.name", "0") go through the sandbox's memberLookup, never through JS property access.
import { bind, REQUIRED, splitArgs } from "../args.ts";
import { fail } from "../errors.ts";
import { chargeChars, chargeItems, checkLength, tick } from "../limits.ts";
import { memberLookup } from "../sandbox.ts";
import {
  hashKey,
  isFloat,
  isMapping,
  isNumber,
  isString,
  namedTuple,
  num,
  pyCompare,
  pyEq,
  pyStr,
  truthy,
  tuple,
  typeName,
} from "../python.ts";
import { add } from "../operators.ts";

export type Filter = (value: unknown, ...args: unknown[]) => unknown;

export function items(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (isString(value)) return (chargeItems(value.length), [...String(value)]);
  if (isMapping(value)) return (chargeItems(Object.keys(value).length), Object.keys(value));
  return fail(`'${typeName(value)}' object is not iterable`);
}

export function attrGetter(attribute: unknown, dflt?: unknown): (x: unknown) => unknown {
  const parts =
    typeof attribute === "number"
      ? [attribute]
      : pyStr(attribute)
          .split(".")
          .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (x) => {
    let v = x;
    for (const p of parts) v = memberLookup(v, p);
    return v === undefined ? dflt : v;
  };
}

const fold = (v: unknown, caseSensitive: unknown) => (!caseSensitive && isString(v) ? String(v).toLowerCase() : v);

function sortKey(args: { attribute: unknown; caseSensitive: unknown }) {
  const get = args.attribute === null || args.attribute === undefined ? (x: unknown) => x : attrGetter(args.attribute);
  return (x: unknown) => fold(get(x), args.caseSensitive);
}

function sorted(list: unknown[], key: (x: unknown) => unknown, reverse: unknown): unknown[] {
  // A step per item and per comparison: a long sort meets the deadline inside the native sort.
  const keyed = list.map((x) => (tick(), [key(x), x] as const));
  keyed.sort((a, b) => (tick(), pyCompare(a[0], b[0])));
  const out = keyed.map((k) => k[1]);
  return reverse === true ? stableReverseSort(keyed) : out;
}

/** Python's sorted(reverse=True) keeps equal elements in their original order. */
function stableReverseSort(keyed: (readonly [unknown, unknown])[]): unknown[] {
  const groups: unknown[][] = [];
  for (const [k, x] of keyed) {
    tick();
    const last = groups[groups.length - 1];
    if (last && pyEq((last as any).key, k)) last.push(x);
    else groups.push(Object.assign([x], { key: k }));
  }
  return groups.reverse().flat();
}

function minmax(value: unknown, args: unknown[], name: string, sign: number): unknown {
  const [caseSensitive, attribute] = bind(name, args, [
    ["case_sensitive", false],
    ["attribute", null],
  ]);
  const list = items(value);
  if (list.length === 0) return undefined;
  const key = sortKey({ attribute, caseSensitive });
  let best = list[0];
  let bestKey = key(best);
  for (let i = 1; i < list.length; i++) {
    tick();
    const k = key(list[i]);
    if (pyCompare(k, bestKey) * sign < 0) [best, bestKey] = [list[i], k];
  }
  return best;
}

function selectOrReject(value: unknown, args: unknown[], keep: boolean, byAttr: boolean, tests: Map<string, Filter>, ctx: unknown) {
  const [positional, kw] = splitArgs(args);
  let get = (x: unknown) => x;
  let rest = positional;
  if (byAttr) {
    if (rest.length === 0) fail("missing attribute for selectattr/rejectattr");
    get = attrGetter(rest[0]);
    rest = rest.slice(1);
  }
  let test: (x: unknown) => boolean;
  if (rest.length === 0) test = truthy;
  else {
    const name = pyStr(rest[0]);
    const fn = tests.get(name) ?? fail(`No test named '${name}'.`);
    const targs = rest.slice(1);
    if (Object.keys(kw).length) targs.push({ ...kw, __keywords: true });
    test = (x) => fn.call(ctx, x, ...targs) === true;
  }
  return items(value).filter((x) => (tick(), test(get(x)) === keep));
}

export function makeSequenceFilters(filters: Map<string, Filter>, tests: Map<string, Filter>): [string, Filter][] {
  return [
    [
      "batch",
      (value, ...args) => {
        const [size, fill] = bind("batch", args, [
          ["linecount", REQUIRED],
          ["fill_with", null],
        ]);
        // Jinja's do_batch: a batch closes when it holds exactly `linecount` items, so a count that
        // no length equals (0 aside, which closes an empty first batch) leaves one batch.
        const linecount = isNumber(size) ? num(size) : NaN;
        const out: unknown[][] = [];
        let batch: unknown[] = [];
        for (const item of items(value)) {
          tick();
          if (batch.length === linecount) {
            out.push(batch);
            batch = [];
          }
          batch.push(item);
        }
        if (batch.length === 0) return out;
        if (fill !== null) {
          if (!isNumber(size)) fail(`'<' not supported between instances of 'int' and '${typeName(size)}'`);
          if (batch.length < linecount) {
            if (isFloat(size)) fail("can't multiply sequence by non-int of type 'float'");
            tick(linecount - batch.length); // padding for batch(10**9) stops at the step budget
            while (batch.length < linecount) batch.push(fill);
          }
        }
        out.push(batch);
        return out;
      },
    ],
    [
      "slice",
      (value, ...args) => {
        const [slices, fill] = bind("slice", args, [
          ["slices", REQUIRED],
          ["fill_with", null],
        ]);
        const seq = items(value);
        // As Jinja's do_slice, which divides by the count and then runs range() over it.
        if (!isNumber(slices)) fail(`unsupported operand type(s) for //: 'int' and '${typeName(slices)}'`);
        if (isFloat(slices)) fail("'float' object cannot be interpreted as an integer");
        const n = num(slices);
        if (n === 0) fail("integer division or modulo by zero");
        // n chunks cost n steps, counted before any is made: slice(10**9) stops at the step budget.
        if (n > 0) tick(n);
        const per = Math.floor(seq.length / n);
        const extra = seq.length % n;
        const out: unknown[][] = [];
        let offset = 0;
        for (let i = 0; i < n; i++) {
          const start = offset + i * per;
          if (i < extra) offset++;
          const chunk = seq.slice(start, offset + (i + 1) * per);
          if (fill !== null && i >= extra) chunk.push(fill);
          out.push(chunk);
        }
        return out;
      },
    ],
    ["first", (value) => items(value)[0]],
    [
      "last",
      (value) => {
        const l = items(value);
        return l[l.length - 1];
      },
    ],
    ["length", (value) => (isMapping(value) ? Object.keys(value).length : value === undefined ? 0 : items(value).length)],
    ["list", (value) => [...items(value)]],
    ["reverse", (value) => (isString(value) ? [...String(value)].reverse().join("") : [...items(value)].reverse())],
    [
      "random",
      (value) => {
        const l = items(value);
        return l.length ? l[Math.floor(Math.random() * l.length)] : fail("No random item, sequence was empty.");
      },
    ],
    [
      "items",
      (value) => {
        if (value === undefined) return [];
        if (!isMapping(value)) return fail(`Can only get item pairs from a mapping, not ${typeName(value)}`);
        return Object.keys(value).map((k) => tuple([k, value[k]]));
      },
    ],
    [
      "dictsort",
      (value, ...args) => {
        const [caseSensitive, by, reverse] = bind("dictsort", args, [
          ["case_sensitive", false],
          ["by", "key"],
          ["reverse", false],
        ]);
        if (!isMapping(value)) return fail("dictsort requires a mapping");
        const pos = by === "key" ? 0 : by === "value" ? 1 : fail("You can only sort by either 'key' or 'value'");
        const pairs = Object.keys(value).map((k) => tuple([k, value[k]]));
        return sorted(pairs, (p) => fold((p as unknown[])[pos], caseSensitive), reverse);
      },
    ],
    [
      "sort",
      (value, ...args) => {
        const [reverse, caseSensitive, attribute] = bind("sort", args, [
          ["reverse", false],
          ["case_sensitive", false],
          ["attribute", null],
        ]);
        return sorted(items(value), sortKey({ attribute, caseSensitive }), reverse);
      },
    ],
    [
      "unique",
      (value, ...args) => {
        const [caseSensitive, attribute] = bind("unique", args, [
          ["case_sensitive", false],
          ["attribute", null],
        ]);
        const key = sortKey({ attribute, caseSensitive });
        // Jinja keeps a set of the keys seen; a key's hash text stands in for Python's hash.
        const seen = new Set<string>();
        const out: unknown[] = [];
        for (const x of items(value)) {
          const k = hashKey(key(x));
          if (k === null || !seen.has(k)) k !== null && seen.add(k), out.push(x);
        }
        return out;
      },
    ],
    ["max", (value, ...args) => minmax(value, args, "max", -1)],
    ["min", (value, ...args) => minmax(value, args, "min", 1)],
    [
      "sum",
      (value, ...args) => {
        const [attribute, start] = bind("sum", args, [
          ["attribute", null],
          ["start", 0],
        ]);
        const get = attribute === null ? (x: unknown) => x : attrGetter(attribute);
        // Adding lists one at a time copies the total so far each time; a list this sum made itself
        // takes the next items in place instead (the result is the same list of items).
        let acc = start;
        let own = false;
        for (const x of items(value)) {
          tick();
          const v = get(x);
          if (own && Array.isArray(v)) {
            checkLength((acc as unknown[]).length + v.length);
            chargeItems(v.length);
            for (const item of v) (acc as unknown[]).push(item);
          } else {
            acc = add(acc, v);
            own = Array.isArray(acc);
          }
        }
        return acc;
      },
    ],
    [
      "join",
      (value, ...args) => {
        const [d, attribute] = bind("join", args, [
          ["d", ""],
          ["attribute", null],
        ]);
        const get = attribute === null ? (x: unknown) => x : attrGetter(attribute);
        const sep = pyStr(d);
        let length = 0;
        const parts = items(value).map((x) => {
          tick();
          const part = pyStr(get(x));
          length += part.length + sep.length;
          checkLength(length);
          return part;
        });
        chargeChars(length);
        return parts.join(sep);
      },
    ],
    [
      "map",
      function (this: unknown, value, ...args) {
        const [positional, kw] = splitArgs(args);
        if (positional.length === 0 && Object.hasOwn(kw, "attribute")) {
          const get = attrGetter(kw.attribute, Object.hasOwn(kw, "default") ? kw.default : undefined);
          return items(value).map((x) => (tick(), get(x)));
        }
        if (positional.length === 0) return fail("map requires a filter name or attribute=");
        const name = pyStr(positional[0]);
        const f = filters.get(name) ?? fail(`No filter named '${name}'.`);
        const rest = positional.slice(1);
        if (Object.keys(kw).length) rest.push({ ...kw, __keywords: true });
        return items(value).map((x) => (tick(), f.call(this, x, ...rest)));
      },
    ],
    [
      "select",
      function (this: unknown, value, ...args) {
        return selectOrReject(value, args, true, false, tests, this);
      },
    ],
    [
      "reject",
      function (this: unknown, value, ...args) {
        return selectOrReject(value, args, false, false, tests, this);
      },
    ],
    [
      "selectattr",
      function (this: unknown, value, ...args) {
        return selectOrReject(value, args, true, true, tests, this);
      },
    ],
    [
      "rejectattr",
      function (this: unknown, value, ...args) {
        return selectOrReject(value, args, false, true, tests, this);
      },
    ],
    [
      "groupby",
      (value, ...args) => {
        const [attribute, dflt, caseSensitive] = bind("groupby", args, [
          ["attribute", REQUIRED],
          ["default", null],
          ["case_sensitive", false],
        ]);
        const get = attrGetter(attribute, dflt === null ? undefined : dflt);
        const key = (x: unknown) => fold(get(x), caseSensitive);
        const groups: [unknown, unknown[], unknown][] = [];
        for (const x of sorted(items(value), key, false)) {
          tick();
          const k = key(x);
          const last = groups[groups.length - 1];
          if (last && pyEq(last[2], k)) last[1].push(x);
          else groups.push([caseSensitive ? k : get(x), [x], k]);
        }
        return groups.map(([k, list]) => namedTuple([k, list], ["grouper", "list"]));
      },
    ],
    [
      "attr",
      (value, ...args) => {
        const [name] = bind("attr", args, [["name", REQUIRED]]);
        // Jinja's attr() reads attributes, never mapping items.
        return isMapping(value) || !isString(name) ? undefined : memberLookup(value, name);
      },
    ],
  ];
}
