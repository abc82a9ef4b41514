// Known nunjucks server-side template injection payloads (22 of 26 ran code on vanilla nunjucks in
// Bun; the public write-ups of `range.constructor` / `cycler` / `joiner` escapes) must run no code;
// denial-of-service payloads must stop.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memberLookup } from "../../../src/templates/sandbox.ts";
import { failure, render, request } from "../../support/templates.ts";

const dir = mkdtempSync(join(tmpdir(), "inlet-ssti-"));
const target = join(dir, "pwned");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const js = `require('fs').writeFileSync('${target}', 'x')`;
const bunJs = `Bun.write('${target}', 'x')`;
const node = `process.getBuiltinModule('fs').writeFileSync('${target}', 'x')`;

const PAYLOADS: [string, string][] = [
  ["range.constructor", `{{ range.constructor("${bunJs}")() }}`],
  ["range.constructor (process)", `{{ range.constructor("${node}")() }}`],
  ["cycler.constructor", `{{ cycler.constructor("${bunJs}")() }}`],
  ["joiner.constructor", `{{ joiner.constructor("${bunJs}")() }}`],
  ["lipsum.constructor", `{{ lipsum.constructor("${bunJs}")() }}`],
  ["namespace.constructor", `{{ namespace.constructor("${bunJs}")() }}`],
  ["body.constructor.constructor", `{{ body.constructor.constructor("${bunJs}")() }}`],
  ["string literal constructor", `{{ "".constructor.constructor("${bunJs}")() }}`],
  ["string method call", `{{ "".sub.call.constructor("${bunJs}")() }}`],
  ["list constructor", `{{ [].constructor.constructor("${bunJs}")() }}`],
  ["bare constructor", `{{ constructor.constructor("${bunJs}")() }}`],
  ["computed key", `{{ range["constr" ~ "uctor"]("${bunJs}")() }}`],
  ["key from the body", `{{ range[body.k](body.code)() }}`],
  ["key from the body, member chain", `{{ body[body.k][body.k](body.code)() }}`],
  ["__proto__ via subscript", `{{ body["__proto__"]["constructor"]["constructor"](body.code)() }}`],
  ["set __proto__", `{% set __proto__ = body %}{{ constructor.constructor(body.code)() }}{{ k }}`],
  ["Bun global", `{{ Bun.spawnSync(["touch", "${target}"]) }}`],
  ["process global", `{{ process.getBuiltinModule("fs").writeFileSync("${target}", "x") }}`],
  ["globalThis", `{{ globalThis.Bun.write("${target}", "x") }}`],
  ["require", `{{ require("fs").writeFileSync("${target}", "x") }}`],
  ["macro .constructor", `{% macro m() %}{% endmacro %}{{ m.constructor("${bunJs}")() }}`],
  ["macro .call/.apply", `{% macro m() %}{% endmacro %}{{ m.call.call(m.constructor, 1, body.code)() }}`],
  ["loop object", `{% for x in [1] %}{{ loop.constructor.constructor("${bunJs}")() }}{% endfor %}`],
  ["caller", `{% macro m() %}{{ caller.constructor("${bunJs}")() }}{% endmacro %}{% call m() %}{% endcall %}`],
  ["_-prefixed member", `{{ "".__class__.__mro__ }}{{ range._fn }}{{ namespace()._data }}`],
  ["filter function reference", `{{ (body|map("upper")).constructor.constructor(body.code)() }}`],
  ["regex literal", `{{ "a".replace(r/a/g, "b") }}`],
  ["include a file", `{% include "/etc/passwd" %}`],
];

describe("SSTI payloads run no code", () => {
  test.each(PAYLOADS)("%s", (_name, template) => {
    const req = request({ k: "constructor", code: js });
    let output = "";
    try {
      output = render(template, req);
    } catch (e) {
      expect((e as Error).name).toBe("TemplateError");
    }
    expect(existsSync(target)).toBe(false);
    expect(output).not.toContain("function");
    expect(output).not.toContain("native code");
  });
});

describe("member access", () => {
  test("prototype members read as undefined, calls on them are refused", () => {
    expect(
      render("{{ body.constructor }}|{{ body.__proto__ }}|{{ body.prototype }}|{{ body.toString }}|{{ body.hasOwnProperty }}", request({})),
    ).toBe("||||");
    expect(failure("{{ body.toString() }}", request({})).reason).toBe("template_error");
  });

  test("own data keys stay reachable, including _-prefixed ones (a dict lookup, as in Jinja)", () => {
    expect(render("{{ body._links.self }}|{{ body['_id'] }}", request({ _links: { self: "u" }, _id: 3 }))).toBe("u|3");
  });

  test("a key object whose toString changes between calls is never used as a key", () => {
    let calls = 0;
    const key = { toString: () => (calls++ === 0 ? "safe" : "constructor") };
    expect(memberLookup({ safe: 1 }, key)).toBeUndefined();
    expect(memberLookup(() => 1, key)).toBeUndefined();
    expect(calls).toBe(0);
  });

  test("{% set __proto__ %} only sets a variable", () => {
    expect(render("{% set __proto__ = {'x': 1} %}{{ x }}|{{ __proto__.x }}|{{ constructor }}")).toBe("|1|");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  test("mutating dict and list methods are not callable (ImmutableSandboxedEnvironment)", () => {
    for (const t of ["{{ body.pop('a') }}", "{{ body.update({}) }}", "{{ body.l.append(1) }}", "{{ body.clear() }}"]) {
      expect(failure(t, request({ a: 1, l: [] })).reason).toBe("template_error");
    }
  });
});

describe("denial-of-service payloads fail fast with template_limit", () => {
  const big = "x".repeat(20_000);
  test.each([
    ["center(1e8)", `{{ "x"|center(100000000) }}`],
    ["indent(1e8)", `{{ "a\nb"|indent(100000000) }}`],
    ["str.center(1e8)", `{{ "x".center(100000000) }}`],
    ["replace('', big)", `{{ body.big|replace("", body.big) }}`],
    ["str.replace('', big)", `{{ body.big.replace("", body.big) }}`],
    ["string repetition", `{{ "x" * 100000000 }}`],
    ["list repetition", `{{ [1, 2] * 100000000 }}`],
    // A plain `set` in a loop is the iteration's own (Jinja's scoping); a namespace carries across.
    [
      "doubling through a namespace",
      `{% set ns = namespace(s=body.big) %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}`,
    ],
    [
      "doubling through a namespace, with join",
      `{% set ns = namespace(s=body.big) %}{% for i in range(100) %}{% set ns.s = [ns.s, ns.s]|join %}{% endfor %}`,
    ],
    ["range(0, 1e8)", `{{ range(0, 100000000)|length }}`],
    ["nested loops over the body", `{% for a in body.items %}{% for b in body.items %}{{ b }}{% endfor %}{% endfor %}`],
    ["recursive macro", `{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}`],
    ["format width", `{{ "%100000000s"|format("x") }}`],
    ["zfill", `{{ "1".zfill(100000000) }}`],
    ["slice into 1e9 chunks", `{{ body.items|slice(1000000000)|list }}`],
    ["batch padded to 1e9", `{{ body.items|batch(1000000000, "x")|list }}`],
    // Ints are exact past 2^53, as in Python, up to 4300 digits (Python's limit for printing one).
    ["a huge power", `{{ 7 ** 1000000000 }}`],
    [
      "squaring through a namespace",
      `{% set ns = namespace(n=3 ** 40) %}{% for i in range(100) %}{% set ns.n = ns.n * ns.n %}{% endfor %}`,
    ],
    ["a 5000-digit literal", `{{ ${"9".repeat(5000)} }}`],
    ["range over 2**64", `{{ range(2 ** 64)|length }}`],
  ])("%s", (_name, template) => {
    const started = performance.now();
    const err = failure(template, request({ big, items: Array.from({ length: 5000 }, (_, i) => i) }));
    expect(err.reason).toBe("template_limit");
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
