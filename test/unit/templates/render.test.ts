import { describe, expect, test } from "bun:test";
import { compileTemplate, LIMITS, renderTemplate, TemplateCache, TemplateError, validateTemplate } from "../../../src/templates/render.ts";
import { failure, render, request } from "../../support/templates.ts";
import { PREFECT_GITHUB_PR } from "../../fixtures/templates/prefect.ts";

describe("JSON-safe interpolation", () => {
  const nasty = 'Fix "quoted" C:\\path\nsecond line\ttab \u0001 bell é 😀 </script>';

  test("a string printed inside a JSON string keeps the document valid and decodes to the value", () => {
    const out = render('{"msg": "{{ body.head_commit.message }}"}', request({ head_commit: { message: nasty } }));
    expect(JSON.parse(out)).toEqual({ msg: nasty });
  });

  test("every character that needs escaping is escaped, in short strings and long ones alike", () => {
    const specials = ['"', "\\", "\n", "\u0000", "\u001f", "\t"];
    for (const special of specials) {
      for (const text of [`a${special}b`, `${"x".repeat(100)}${special}`, special]) {
        const out = render('{"v": "{{ body.v }}"}', request({ v: text }));
        expect(JSON.parse(out)).toEqual({ v: text });
      }
    }
    expect(render("{{ body.v }}", request({ v: "plain é 😀 text" }))).toBe("plain é 😀 text");
  });

  test("dict and list reprs are escaped too: the JSON value is exactly Jinja's str()", () => {
    const out = render('{"d": "{{ body }}"}', request({ q: 'say "hi"', b: "back\\slash" }));
    expect(JSON.parse(out).d).toBe(`{'q': 'say "hi"', 'b': 'back\\\\slash'}`);
  });

  test("numbers, booleans and None print as Python and need no escaping", () => {
    expect(
      render(
        '{"n": {{ body.n }}, "f": {{ body.f }}, "b": "{{ body.b }}", "z": "{{ body.z }}"}',
        request({ n: 15, f: 2.5, b: true, z: null }),
      ),
    ).toBe('{"n": 15, "f": 2.5, "b": "True", "z": "None"}');
  });

  test("|safe prints raw; tojson output is never escaped again", () => {
    expect(render("{{ body.raw|safe }}", request({ raw: '{"a": "b"}' }))).toBe('{"a": "b"}');
    const out = render('{"payload": {{ body|tojson }}}', request({ msg: nasty }));
    expect(JSON.parse(out)).toEqual({ payload: { msg: nasty } });
  });

  test("macro output and captured blocks are not escaped twice", () => {
    const req = request({ m: 'a"b' });
    expect(JSON.parse(render('{% macro q(x) %}{{ x }}{% endmacro %}{"v": "{{ q(body.m) }}"}', req)).v).toBe('a"b');
    expect(JSON.parse(render('{% set c %}{{ body.m }}{% endset %}{"v": "{{ c }}"}', req)).v).toBe('a"b');
  });
});

// Every template from Prefect's webhook docs (Prefect Cloud's webhooks page) renders to the same event.
describe("Prefect's documented templates", () => {
  test("static template is returned unrendered", () => {
    const tpl = '{\n  "event": "model.refreshed",\n  "resource": {"prefect.resource.id": "product.models.recommendations"}\n}';
    expect(render(tpl, request("", {}, "GET"))).toBe(tpl);
  });

  test("dynamic form template, and default()", () => {
    const tpl =
      '{"event": "model.refreshed", "resource": {"prefect.resource.id": "product.models.{{ body.model }}", "prefect.resource.name": "{{ body.friendly_name|default(body.model) }}", "producing-team": "Data Science"}}';
    const out = JSON.parse(render(tpl, request({ model: "recommendations", friendly_name: "Recommendations [Products]" })));
    expect(out.resource).toEqual({
      "prefect.resource.id": "product.models.recommendations",
      "prefect.resource.name": "Recommendations [Products]",
      "producing-team": "Data Science",
    });
    expect(JSON.parse(render(tpl, request({ model: "m" }))).resource["prefect.resource.name"]).toBe("m");
  });

  test("how-to template quotes run_count", () => {
    const tpl =
      '{"event": "model-update", "resource": {"prefect.resource.id": "product.models.{{ body.model_id}}", "prefect.resource.name": "{{ body.friendly_name }}", "run_count": "{{body.run_count}}"}}';
    const out = JSON.parse(render(tpl, request({ model_id: "my_model_123", friendly_name: "My Awesome Model", run_count: "15" })));
    expect(out.resource.run_count).toBe("15");
  });

  test("headers are case-insensitive by index, attribute and .get()", () => {
    const req = request("", { "content-length": "228" });
    expect(
      render(
        "{{ headers['Content-Length'] }}|{{ headers['content-length'] }}|{{ headers['CoNtEnt-LeNgTh'] }}|{{ headers.get('CONTENT-LENGTH') }}|{{ headers.get('x-missing', 'd') }}",
        req,
      ),
    ).toBe("228|228|228|228|d");
  });

  test("pass-through {{ body|tojson }} sorts keys like Jinja", () => {
    expect(render("{{ body|tojson }}", request({ foo: "foo", bar: "bar" }))).toBe('{"bar": "bar", "foo": "foo"}');
  });

  test("Terraform payload template", () => {
    const tpl =
      '{"event": "test.body.passthrough", "resource": {"prefect.resource.id": "test.body-passthrough", "prefect.resource.name": "body-passthrough"}, "payload": {{ body | tojson }}}';
    expect(JSON.parse(render(tpl, request({ foo: "foo", bar: "bar" }))).payload).toEqual({ foo: "foo", bar: "bar" });
  });

  test("GitHub example: headers.get, flow_run_id, booleans as True, truncate", () => {
    const tpl = PREFECT_GITHUB_PR;
    const id = "0b5c6a0e-1c5d-4b43-9f09-123456789abc";
    const body = {
      action: "closed",
      pull_request: { number: 42, merged: true, title: "T".repeat(150), body: `resumes https://app/flow-run/${id}` },
    };
    const out = JSON.parse(render(tpl, request(body, { "x-github-event": "pull_request" })));
    expect(out.event).toBe("github.pull_request.closed");
    expect(out.resource["prefect.resource.id"]).toBe(`prefect.flow-run.${id}`);
    expect(out.resource["pr.merged"]).toBe("True");
    expect(out.resource["pr.number"]).toBe("42");
    expect(out.resource["pr.title"]).toBe("T".repeat(97) + "...");
    const none = JSON.parse(render(tpl, request({}, {}, "GET")));
    expect(none.event).toBe("github.unknown.no-action");
    expect(none.resource).toEqual({ "prefect.resource.id": "github.pr.0", "pr.number": "0", "pr.merged": "False", "pr.title": "" });
  });
});

describe("errors: distinct reasons, the line, no internals", () => {
  test.each([
    ["syntax error", "line one\n{{ body.x }\nthree", "template_syntax", 2],
    ["unknown filter", "\n\n{{ body|nosuchfilter }}", "template_syntax", 3],
    ["unknown test", "{{ 1 is nosuchtest }}", "template_syntax", 1],
    ["undefined arithmetic", "ok\n{{ missing + 1 }}", "template_error", 2],
    ["type error", "\n{% set x = 'a' + 1 %}", "template_error", 2],
    ["call of a missing method", "\n\n\n{{ body.nope() }}", "template_error", 4],
    ["from_cloud_event without attributes", "{{ body|from_cloud_event(headers) }}", "template_error", 1],
    ["range over 100", "\n{% for i in range(101) %}{% endfor %}", "template_limit", 2],
    ["11 for loops", "{% for a in [] %}{% endfor %}\n".repeat(11), "template_limit", 11],
    [
      "loops nested 3 deep",
      "{% for a in [] %}\n{% for b in [] %}\n{% for c in [] %}{% endfor %}{% endfor %}{% endfor %}",
      "template_limit",
      3,
    ],
    ["include", "{% include 'x' %}", "template_syntax", 1],
    ["a with tag without '='", "\n{% with a %}x{% endwith %}", "template_syntax", 2],
    ["a with tag missing a comma", "{% with a = 1 b = 2 %}{% endwith %}", "template_syntax", 1],
    ["an exponent without digits", "one\ntwo\n{{ 1e }}", "template_syntax", 3],
    ["a number with a stray letter", "{{ 1abc }}", "template_syntax", 1],
    ["a binary literal with a 2", "\n{{ 0b12 }}", "template_syntax", 2],
    ["a trailing underscore", "{{ 1_ }}", "template_syntax", 1],
    ["brackets that do not match", "\n{{ [1, 2) }}", "template_syntax", 2],
    ["a fraction's doubled underscore", "{{ 1.0__5 }}", "template_syntax", 1],
    ["a trailing comma in a macro's parameters", "\n{% macro f(a,) %}{% endmacro %}", "template_syntax", 2],
    [
      "a trailing comma in a call block's parameters",
      "{% macro f() %}{% endmacro %}\n\n{% call(x,) f() %}{% endcall %}",
      "template_syntax",
      3,
    ],
    ["unpacking too few values", "\n{% set a, b = [1] %}", "template_error", 2],
    ["wordwrap to width 0 (Python's textwrap refuses it)", '{{ "a b"|wordwrap(0) }}', "template_error", 1],
    ["slice into 0 parts", "\n\n{{ [1]|slice(0)|list }}", "template_error", 3],
    ["slice into 2.0 parts", "{{ [1]|slice(2.0)|list }}", "template_error", 1],
  ])("%s → %s on line %d", (_name, template, reason, line) => {
    const err = failure(template, request({}));
    expect(err).toBeInstanceOf(TemplateError);
    expect(err.reason).toBe(reason as TemplateError["reason"]);
    expect(err.line).toBe(line as number);
    expect(err.message).toStartWith(`line ${line}: `);
    expect(err.message).not.toMatch(/node_modules|\/work\/|at .*\(|\.js:\d|\.ts:\d|\n/);
  });

  test("validateTemplate gives line and message, null when fine", () => {
    expect(validateTemplate('{"event": "{{ body.x }}"}')).toBeNull();
    expect(validateTemplate("plain text")).toBeNull();
    const bad = validateTemplate("{% for a in [] %}{% for b in [] %}\n{% for c in [] %}{% endfor %}{% endfor %}{% endfor %}");
    expect(bad).toEqual({
      line: 2,
      message: "Contains nested for loops at a depth of 3. Templates can nest for loops no more than 2 loops deep.",
    });
    expect(validateTemplate("{{ x")?.line).toBe(1);
    expect(validateTemplate("x".repeat(LIMITS.templateChars + 1) + "{{ 1 }}")?.message).toContain("longer than");
  });

  test("ten loops nested two deep are allowed", () => {
    const ten = "{% for a in [1] %}{% for b in [1] %}{% endfor %}{% endfor %}".repeat(5);
    expect(validateTemplate(ten)).toBeNull();
  });
});

describe("limits", () => {
  test("a render over a huge body stops at the deadline with template_limit", () => {
    const body = { items: Array.from({ length: 300_000 }, (_, i) => ({ id: i, name: `item ${i}` })) };
    const tpl = compileTemplate(
      "{% for a in body.items %}{% for b in body.items %}{% if a.id == b.id %}{{ a.name }}{% endif %}{% endfor %}{% endfor %}",
    );
    let err: unknown;
    try {
      renderTemplate(tpl, request(body), { deadlineMs: 50 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as TemplateError).reason).toBe("template_limit");
  });

  test("the deadline stops a render that stays under the step budget", () => {
    const body = { big: "y".repeat(200_000), items: Array.from({ length: 1000 }, (_, i) => i) };
    const err = (() => {
      try {
        renderTemplate(
          compileTemplate("{% for i in body.items %}{% for j in range(100) %}{% set x = body.big|upper %}{% endfor %}{% endfor %}"),
          request(body),
          { deadlineMs: 20 },
        );
      } catch (e) {
        return e as TemplateError;
      }
    })();
    expect(err?.reason).toBe("template_limit");
    expect(err?.message).toContain("deadline");
  });

  test("output larger than the maximum event size fails", () => {
    const err = failure("{% for i in range(100) %}{{ body.s }}{% endfor %}", request({ s: "z".repeat(20_000) }));
    expect(err.reason).toBe("template_limit");
  });

  test("the budget of one render does not leak into the next", () => {
    failure("{{ range(1000) }}");
    expect(render("{% for i in range(100) %}{% for j in range(100) %}{% endfor %}{% endfor %}ok")).toBe("ok");
  });

  test("compiled templates are cached by source", () => {
    const src = "{{ body.cache_probe }}";
    const cache = new TemplateCache(2);
    expect(cache.compile(src)).toBe(cache.compile(src));
  });

  test("the cache keeps the most recently used templates, up to its size", () => {
    const cache = new TemplateCache(2);
    const a = cache.compile("{{ body.a }}");
    const b = cache.compile("{{ body.b }}");
    expect(cache.compile("{{ body.a }}")).toBe(a);
    cache.compile("{{ body.c }}");
    expect(cache.compile("{{ body.a }}")).toBe(a);
    expect(cache.compile("{{ body.b }}")).not.toBe(b);
  });
});
