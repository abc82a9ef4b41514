// The admin UI's pure helpers: what the search box sends, how problems and API messages read, the
// chart's windows and buckets, and the editor's completion keys and tokens.
import { describe, expect, test } from "bun:test";
import { StringStream } from "@codemirror/language";
import { parseTextQuery } from "../../../src/events/filter/text-search.ts";
import { readableMessage } from "../../../web/src/lib/messages.ts";
import { problemText } from "../../../web/src/lib/problem-text.ts";
import { curlCommand, readableBody, sampleFromStored } from "../../../web/src/lib/raw-request.ts";
import { requireEveryTerm } from "../../../web/src/lib/search.ts";
import { keysAt, sampleBody } from "../../../web/src/lib/template-completion.ts";
import { jinjaJsonParser } from "../../../web/src/lib/template-language.ts";
import { buckets, chartWindow, feedWindow, rangeFromQuery } from "../../../web/src/lib/time-range.ts";

describe("the search box: every word is required", () => {
  test.each([
    ["deploy", "+deploy"],
    ["deploy failed", "+deploy +failed"],
    ['"main branch" bot', '+"main branch" +bot'],
    ["alpha -beta !gamma +delta", "+alpha -beta !gamma +delta"],
    ["  spaced   out  ", "+spaced +out"],
  ])("%p → %p", (typed, sent) => {
    expect(requireEveryTerm(typed)).toBe(sent);
  });

  test("the server reads the result as required terms, exclusions kept", () => {
    expect(parseTextQuery(requireEveryTerm('alpha "two words" -beta'))).toEqual({
      include: [],
      required: ["alpha", "two words"],
      exclude: ["beta"],
    });
  });
});

describe("problem and message text", () => {
  test.each([
    ["expected variable end", 1, "Line 1: expected variable end"],
    ["line 1: expected variable end", 1, "Line 1: expected variable end"],
    ["The template did not render valid JSON (line 4, column 9: x)", 4, "The template did not render valid JSON (line 4, column 9: x)"],
    ["no line here", undefined, "No line here"],
  ])("%p at line %p → %p", (message, line, text) => {
    expect(problemText(message, line)).toBe(text);
  });

  test("API field names become labels, and the enforcement rule a sentence", () => {
    expect(readableMessage("service_account_id: no service account has this id")).toBe("Service account: no service account has this id");
    expect(readableMessage("enforce_webhook_auth is on: every webhook needs a service account (service_account_id)")).not.toMatch(
      /enforce_webhook_auth|service_account_id/,
    );
    expect(readableMessage("Wrong email or password")).toBe("Wrong email or password");
  });
});

describe("time ranges", () => {
  const now = Date.parse("2026-01-02T03:00:00.000Z");

  test("presets end now; all time has no bound on the feed but charts the last week", () => {
    expect(feedWindow({ name: "15m" }, now)).toEqual({ since: "2026-01-02T02:45:00.000Z" });
    expect(feedWindow({ name: "all" }, now)).toBeNull();
    expect(chartWindow({ name: "all" }, now)).toEqual({ since: now - 7 * 86_400_000, until: now });
  });

  test("a custom range keeps its bounds; a broken one is no bound at all", () => {
    const r = { name: "custom" as const, from: "2026-01-01T00:00:00.000Z", to: "2026-01-01T06:00:00.000Z" };
    expect(feedWindow(r, now)).toEqual({ since: r.from, until: r.to });
    expect(feedWindow({ name: "custom", from: "yesterday-ish" }, now)).toBeNull();
    expect(rangeFromQuery(new URLSearchParams("range=bogus"))).toEqual({ name: "all" });
  });

  test("about sixty buckets, never more than count-by's thousand, never under a second", () => {
    for (const ms of [60_000, 900_000, 86_400_000, 7 * 86_400_000, 400 * 86_400_000]) {
      const { time_interval } = buckets({ since: 0, until: ms });
      const n = Math.ceil(ms / 1000 / time_interval);
      expect(n).toBeLessThanOrEqual(60);
      expect(time_interval).toBeGreaterThanOrEqual(1);
    }
  });
});

describe("editor completion from the sample request", () => {
  const sample = { method: "POST", headers: "", query: "", body: '{"order": {"id": 7, "lines": [1]}, "x-y": true}' };

  test("keys at a path, with what each holds", () => {
    expect(keysAt(sampleBody(sample), [])).toEqual([
      { label: "order", type: "property", detail: "object" },
      { label: "x-y", type: "property", detail: "boolean" },
    ]);
    expect(keysAt(sampleBody(sample), ["order"]).map((o) => o.label)).toEqual(["id", "lines"]);
    expect(keysAt(sampleBody(sample), ["order", "id"])).toEqual([]);
  });

  test("a form body is read as the server reads it; anything else offers nothing", () => {
    expect(sampleBody({ ...sample, body: "model=a&name=b" })).toEqual({ model: "a", name: "b" });
    expect(sampleBody({ ...sample, body: "{broken" })).toBeNull();
    expect(sampleBody({ ...sample, body: "plain text" })).toBeNull();
  });
});

describe("Jinja-in-JSON tokens", () => {
  function tokens(line: string): string[] {
    const state = jinjaJsonParser.startState!(4);
    const stream = new StringStream(line, 4, 2);
    const out: string[] = [];
    while (!stream.eol()) {
      stream.start = stream.pos;
      const style = jinjaJsonParser.token(stream, state);
      if (stream.pos === stream.start) throw new Error(`no progress at ${stream.pos}`);
      if (style) out.push(`${style}:${stream.current()}`);
    }
    return out;
  }

  test("keys, strings and tags inside strings", () => {
    expect(tokens('{"event": "a.{{ body.x | lower }}"}')).toEqual([
      "bracket:{",
      'propertyName:"event"',
      "punctuation::",
      'string:"a.',
      "meta:{{",
      "variableName:body",
      "operator:.",
      "variableName:x",
      "operator:|",
      "variableName:lower",
      "meta:}}",
      'string:"',
      "bracket:}",
    ]);
  });

  test("statements, comments and literals", () => {
    expect(tokens("{% if x %}1{% endif %}{# note #}null")).toEqual([
      "meta:{%",
      "keyword:if",
      "variableName:x",
      "meta:%}",
      "number:1",
      "meta:{%",
      "keyword:endif",
      "meta:%}",
      "comment:{#",
      "comment: note #}",
      "atom:null",
    ]);
  });
});

describe("a kept request", () => {
  const kept = {
    event_id: "e1",
    webhook_id: "w1",
    received: "2026-01-02T03:04:05.000Z",
    method: "POST",
    query: "a=1",
    headers: { "content-type": "application/json", host: "example.com", "x-note": "it's" },
    body: '{"a":1}',
    body_encoding: "utf-8" as const,
  };

  test("as curl: its method, query, headers (not the ones curl sets) and body, quoted for a shell", () => {
    expect(curlCommand(kept, "https://inlet.example/hooks/abc")).toBe(
      "curl -X POST 'https://inlet.example/hooks/abc?a=1' \\\n  -H 'content-type: application/json' \\\n  -H 'x-note: it'\\''s' \\\n  --data-binary '{\"a\":1}'",
    );
  });

  test("bytes that are not text are decoded from base64 on the way into curl", () => {
    const binary = { ...kept, query: "", headers: {}, body: "AAEC", body_encoding: "base64" as const };
    expect(curlCommand(binary, "http://h/hooks/x")).toBe(
      "printf %s 'AAEC' | base64 -d | curl -X POST 'http://h/hooks/x' \\\n  --data-binary @-",
    );
    expect(readableBody(binary)).toBe("(3 bytes that are not UTF-8 text)");
    expect(sampleFromStored(binary)).toBeNull();
  });

  test("read pretty-printed, and loaded into the playground as it came", () => {
    expect(readableBody(kept)).toBe('{\n  "a": 1\n}');
    expect(sampleFromStored(kept)).toEqual({
      method: "POST",
      query: "a=1",
      headers: "content-type: application/json\nhost: example.com\nx-note: it's",
      body: '{"a":1}',
    });
  });
});
