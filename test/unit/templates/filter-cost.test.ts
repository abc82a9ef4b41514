// Every filter, test and method on a large, hostile input (400 KB strings, 100,000-item lists,
// long runs that backtracking patterns rescan): each render finishes, or stops with template_limit,
// having done at most a bounded multiple of the work the step budget stands for. The deadline is
// lifted here, so that only a finished render or the step budget can end one: work that is
// neither linear nor charged to the budget shows up as time, measured against two baselines
// taken on this machine in the same run (a render that spends the whole step budget on plain loop
// iterations, and JSON.stringify of the same input).
import { describe, expect, test } from "bun:test";
import { DICT_METHODS, LIST_METHODS, STR_METHODS } from "../../../src/templates/methods.ts";
import { filterNames, testNames } from "../../../src/templates/environment.ts";
import { compileTemplate, renderTemplate, TemplateError } from "../../../src/templates/render.ts";

const K = 400_000;
const N = 100_000;
const rep = (unit: string, n = K) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
const ints = Array.from({ length: N }, (_, i) => i);
const strs = ints.map((i) => `item-${i % 5000}-${i}`);
const objs = ints.map((i) => ({ k: `key${i % 1000}`, n: i, s: `v${i}` }));
const wide = () => Object.fromEntries(ints.map((i) => [`k${i}`, i]));
const deep = (depth: number): unknown => {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v, i];
  return v;
};
const same = () => Array.from({ length: 1000 }, () => ints.slice(0, 1000));

/** [what, template, body (made when its case runs, so that the heap holds one at a time), headers?] */
type Case = [string, string, () => unknown, Record<string, string>?];

const STRING_CASES: Case[] = [
  ["striptags: 400 KB of '<'", "{{ body|striptags|length }}", () => rep("<")],
  ["striptags: comment openers and no closer", "{{ body|striptags|length }}", () => rep("<!--")],
  ["striptags: tags and comments", "{{ body|striptags|length }}", () => rep("<a>x<!-- c -->&amp; ")],
  ["upper", "{{ body|upper|length }}", () => rep("aé")],
  ["lower", "{{ body|lower|length }}", () => rep("AÉ")],
  ["capitalize", "{{ body|capitalize|length }}", () => rep("aB")],
  ["title", "{{ body|title|length }}", () => rep("a-b(c ")],
  [
    "trim with a long set of characters",
    "{{ body.s|trim(body.c)|length }}",
    () => ({ s: rep("a", 2_000_000), c: rep("b", 2_000_000) + "a" }),
  ],
  ["center", "{{ body|center(3000000)|length }}", () => rep("x")],
  ["indent", "{{ body|indent(4)|length }}", () => rep("a\n")],
  ["replace", "{{ body|replace('a', 'bb')|length }}", () => rep("a")],
  ["replace the empty string", "{{ body|replace('', '-')|length }}", () => rep("a", K / 2)],
  ["truncate", "{{ body|truncate(200000)|length }}", () => rep("ab ")],
  ["wordwrap: one wide line of short words", "{{ body|wordwrap(1000000000)|length }}", () => rep("a ")],
  ["wordwrap: one long word", "{{ body|wordwrap(1)|length }}", () => rep("a")],
  ["wordwrap: a run of dashes", "{{ body|wordwrap(3)|length }}", () => "a" + rep("-")],
  ["wordwrap: hyphenated words", "{{ body|wordwrap(7)|length }}", () => rep("ab-cd-ef ")],
  ["wordcount", "{{ body|wordcount }}", () => rep("ab ")],
  ["escape", "{{ body|escape|length }}", () => rep("<&'\"")],
  ["e", "{{ body|e|length }}", () => rep("<&")],
  ["forceescape", "{{ body|forceescape|length }}", () => rep("<&")],
  ["urlencode: a string", "{{ body|urlencode|length }}", () => rep("a é/")],
  ["urlencode: a mapping", "{{ body|urlencode|length }}", wide],
  ["urlize: a run of trailing punctuation", "{{ body|urlize|length }}", () => rep(".") + "a"],
  ["urlize: many words", "{{ body|urlize|length }}", () => rep("www.a.com (x) a@b.org. ")],
  ["xmlattr", "{{ body|xmlattr|length }}", wide],
  ["safe", "{{ body|safe|length }}", () => rep("a")],
  ["string", "{{ body|string|length }}", () => ints],
  ["format: '%(' without ')'", "{{ body|format()|length }}", () => rep("%(")],
  ["format: a long run of flags", "{{ body|format()|length }}", () => "%" + rep("0") + "q"],
  ["format: many conversions", "{{ body|format(a=12345)|length }}", () => rep("%(a)08d ")],
  ["pprint: deep", "{{ body|pprint|length }}", () => deep(900)],
  ["pprint: wide", "{{ body|pprint|length }}", () => objs.slice(0, 20_000)],
  ["int: digits with a bad end", "{{ body|int }}", () => rep("1") + "x"],
  ["float: digits with a bad end", "{{ body|float }}", () => rep("1") + "x"],
  ["round", "{{ body|map('round')|list|length }}", () => ints.map((i) => i / 3)],
  ["abs", "{{ body|map('abs')|list|length }}", () => ints.map((i) => -i)],
  ["filesizeformat", "{{ body|map('filesizeformat')|list|length }}", () => ints],
  ["tojson: wide", "{{ body|tojson|length }}", wide],
  ["tojson: deep", "{{ body|tojson|length }}", () => deep(900)],
  [
    "tojson: keys above U+FFFF",
    "{{ body|tojson|length }}",
    () => Object.fromEntries(ints.slice(0, 20_000).map((i) => [`😀${i}\ue000`, i])),
  ],
  [
    "from_cloud_event",
    "{{ body|from_cloud_event(headers)|length }}",
    () => ({ specversion: "1.0", id: "1", source: "s", type: "t", data: { xs: strs } }),
    { "content-type": "application/cloudevents+json" },
  ],
  ["default", "{{ body.missing|default(body.s)|length }}", () => ({ s: rep("a") })],
  ["d", "{{ body.missing|d(body.s)|length }}", () => ({ s: rep("a") })],
  ["flow_run_id", "{{ body|flow_run_id }}", () => rep("flow-run/0")],
];

const SEQUENCE_CASES: Case[] = [
  ["batch", "{{ body|batch(3)|list|length }}", () => ints],
  ["batch padded to 10**9", "{{ body|batch(1000000000, 0)|list|length }}", () => ints.slice(0, 10)],
  ["slice", "{{ body|slice(1000)|list|length }}", () => ints],
  ["slice into 10**6 parts", "{{ body|slice(1000000)|list|length }}", () => ints],
  ["first", "{{ body|first|length }}", () => rep("a")],
  ["last", "{{ body|last }}", () => ints],
  ["length", "{{ body|length }}", () => rep("é")],
  ["count", "{{ body|count }}", wide],
  ["list", "{{ body|list|length }}", () => rep("a")],
  ["reverse", "{{ body|reverse|length }}", () => rep("ab")],
  ["random", "{{ body|random is number }}", () => ints],
  ["items", "{{ body|items|list|length }}", wide],
  ["dictsort", "{{ body|dictsort(by='value', reverse=true)|length }}", wide],
  ["sort", "{{ body|sort(reverse=true)|length }}", () => strs],
  ["sort by attribute", "{{ body|sort(attribute='k')|length }}", () => objs],
  ["sort lists that are all the same long list", "{{ body|sort|length }}", same],
  ["unique: 100,000 ints", "{{ body|unique|list|length }}", () => ints],
  ["unique: strings, case-insensitive", "{{ body|unique|list|length }}", () => strs],
  ["unique: equal lists", "{{ body|unique|list|length }}", same],
  ["unique by attribute", "{{ body|unique(attribute='k')|list|length }}", () => objs],
  ["max", "{{ body|max }}", () => strs],
  ["min by attribute", "{{ body|min(attribute='n') }}", () => objs],
  ["sum", "{{ body|sum }}", () => ints],
  ["sum of lists", "{{ body|sum(start=[])|length }}", () => ints.map((i) => [i])],
  ["join", "{{ body|join(',')|length }}", () => strs],
  ["join: one long string many times", "{{ ([body] * 100000)|join|length }}", () => rep("a", 1000)],
  ["map a filter", "{{ body|map('upper')|list|length }}", () => strs],
  ["map an attribute", "{{ body|map(attribute='s')|list|length }}", () => objs],
  ["select", "{{ body|select('odd')|list|length }}", () => ints],
  ["reject", "{{ body|reject('even')|list|length }}", () => ints],
  ["selectattr", "{{ body|selectattr('n', 'gt', 5)|list|length }}", () => objs],
  ["rejectattr", "{{ body|rejectattr('k', 'eq', 'key1')|list|length }}", () => objs],
  ["groupby", "{{ body|groupby('k')|length }}", () => objs],
  ["attr", "{{ body|map('attr', 'x')|list|length }}", () => ints],
  [
    "list concatenation in a loop",
    "{% set ns = namespace(l=[]) %}{% for x in body %}{% set ns.l = ns.l + [x] %}{% endfor %}{{ ns.l|length }}",
    () => ints,
  ],
  [
    "string concatenation in a loop",
    "{% set ns = namespace(s='') %}{% for x in body %}{% set ns.s = ns.s ~ x %}{% endfor %}{{ ns.s|length }}",
    () => ints,
  ],
  ["repr of a long list", "{{ body }}", () => strs],
  ["comparing long equal lists", "{{ body[0] == body[1] }}{{ body[0] < body[1] }}", same],
];

// Long digit strings (read as numbers by most, echoed by the rest) and many small numbers.
const HUMANIZE_CASES: Case[] = [
  "naturaldelta",
  "naturaltime",
  "naturalday",
  "naturaldate",
  "precisedelta",
  "naturalsize",
  "intcomma",
  "intword",
  "apnumber",
  "ordinal",
  "fractional",
  "scientific",
  "clamp",
  "metric",
].flatMap((name): Case[] => [
  [
    `humanize_${name}: long digit strings`,
    `{{ body|map('humanize_${name}')|list|length }}`,
    () =>
      name === "metric"
        ? [1e300, -1e-300]
        : name === "naturalsize"
          ? [rep("9", 300), rep("1", K)]
          : name === "fractional" || name === "scientific"
            ? [rep("1") + "x", rep("9", 300)]
            : [rep("1") + "x", rep("9", 300), rep("1", K)],
  ],
  [`humanize_${name}: many numbers`, `{{ body|map('humanize_${name}')|list|length }}`, () => ints.slice(0, 20_000)],
]);

const TEST_CASES: Case[] = [...testNames].map((name): Case => {
  const arg = [
    "divisibleby",
    "eq",
    "==",
    "equalto",
    "ne",
    "!=",
    "lt",
    "<",
    "lessthan",
    "le",
    "<=",
    "gt",
    ">",
    "greaterthan",
    "ge",
    ">=",
  ].includes(name)
    ? ", 3"
    : name === "sameas"
      ? ", none"
      : name === "in"
        ? ", body"
        : "";
  return [`test '${name}'`, `{{ body|select('${name}'${arg})|list|length }}`, () => (name === "lower" || name === "upper" ? strs : ints)];
});

const METHOD_CASES: Case[] = [
  ...[...STR_METHODS.keys()].map((name): Case => {
    const args: Record<string, string> = {
      startswith: "'aa'",
      endswith: "'aa'",
      replace: "'a', 'bb'",
      find: "'ab'",
      rfind: "'ba'",
      index: "'a'",
      count: "'aab'",
      join: "body.parts",
      format: "1",
      zfill: "3000000",
      center: "3000000",
      ljust: "3000000",
      rjust: "3000000",
      partition: "'b'",
      rpartition: "'b'",
      removeprefix: "'a'",
      removesuffix: "'a'",
      split: "'a'",
      rsplit: "none, 3",
      strip: "body.c",
      lstrip: "body.c",
      rstrip: "body.c",
    };
    const s = name === "format" ? rep("{0}") : name === "join" ? "," : rep("a");
    return [`str.${name}`, `{{ body.s.${name}(${args[name] ?? ""}) is defined }}`, () => ({ s, parts: strs, c: rep("b") + "a" })];
  }),
  ...[...LIST_METHODS.keys()].map(
    (name): Case => [`list.${name}`, `{{ body.index(99999) }}{{ body.count(5) }}{{ body.${name}(99999) }}`, () => ints],
  ),
  ...[...DICT_METHODS.keys()].map((name): Case => [`dict.${name}`, `{{ body.${name}(${name === "get" ? "'k5'" : ""}) is defined }}`, wide]),
  ["in, a long substring", "{{ body.n in body.h }}", () => ({ n: rep("a", K / 4) + "bc", h: (rep("a", K / 4) + "cb").repeat(2) })],
  ["% with many conversions", "{{ (body.t % body.d)|length }}", () => ({ t: rep("%(a)s", 20_000), d: { a: rep("x", 100) } })],
  ["str.format with many fields", "{{ body.t.format(body.v)|length }}", () => ({ t: rep("{0:,}", 20_000), v: 1234567 })],
];

const ALL: Case[] = [...STRING_CASES, ...SEQUENCE_CASES, ...HUMANIZE_CASES, ...TEST_CASES, ...METHOD_CASES];

function renderTimed(template: string, body: unknown, headers: Record<string, string> = {}): { ms: number; outcome: string } {
  const compiled = compileTemplate(template);
  const started = performance.now();
  let outcome = "ok";
  try {
    renderTemplate(compiled, { method: "POST", headers, body, query: {} }, { deadlineMs: 600_000 });
  } catch (e) {
    outcome = e instanceof TemplateError ? e.reason : `${e}`;
  }
  return { ms: performance.now() - started, outcome };
}

const fastest = (runs: number, f: () => number) => Math.min(...Array.from({ length: runs }, f));

/** A render that spends the whole step budget on loop iterations: what the budget stands for here. */
const budgetMs = fastest(3, () => {
  const { ms, outcome } = renderTimed("{% for a in body %}{% for b in body %}{% endfor %}{% endfor %}", ints.slice(0, 3000));
  if (outcome !== "template_limit") throw new Error(`the baseline should spend the step budget, got ${outcome}`);
  return ms;
});

/**
 * Generous: steps differ in cost (a loop iteration is the cheapest; a filter call on an item, a
 * date or a number format costs tens of them), while superlinear work on these inputs costs
 * hundreds of times the budget.
 */
const FACTOR = 40;

describe("every filter, test and method stays within the render budget on a large input", () => {
  test.each(ALL.map(([what, template, body, headers]) => [what, template, body, headers] as const))(
    "%s",
    (_what, template, makeBody, headers) => {
      const body = makeBody();
      const linearMs = fastest(2, () => {
        const started = performance.now();
        JSON.stringify(body);
        return performance.now() - started;
      });
      const bound = FACTOR * (budgetMs + linearMs);
      let run = renderTimed(template, body, headers);
      // A slow run on a busy machine gets a second chance; superlinear work is slow every time.
      if (run.ms > bound) run = renderTimed(template, body, headers);
      expect(["ok", "template_limit"]).toContain(run.outcome);
      expect(run.ms).toBeLessThan(bound);
    },
  );

  test("the table covers every filter, test and method", () => {
    const named = (pattern: RegExp) => new Set(ALL.flatMap(([, template]) => [...template.matchAll(pattern)].map((m) => m[1]!)));
    const filters = new Set([...named(/\|\s*(\w+)/g), ...named(/map\('(\w+)'/g)]);
    expect([...filterNames].filter((name) => !filters.has(name))).toEqual([]);
    const tests = named(/select\('([^']+)'/g);
    expect([...testNames].filter((name) => !tests.has(name))).toEqual([]);
    const methods = named(/\.(\w+)\(/g);
    expect([...STR_METHODS.keys(), ...LIST_METHODS.keys(), ...DICT_METHODS.keys()].filter((name) => !methods.has(name))).toEqual([]);
  });
});
