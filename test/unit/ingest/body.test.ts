import { describe, expect, test } from "bun:test";
import { BodyTooLargeError, parseBody, parseForm, queryMapping, readBodyLimited, templateHeaders } from "../../../src/ingest/body.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("parseBody (DESIGN §4)", () => {
  test.each([
    ["application/json", '{"a": [1, 2]}', { a: [1, 2] }],
    ["application/json; charset=utf-8", "[1, 2]", [1, 2]],
    ["application/json", "15", 15],
    ["application/json", '"text"', "text"],
    ["application/json", "{broken", "{broken"],
    ["text/plain", '{"a": 1}', { a: 1 }],
    ["text/plain", "plain words", "plain words"],
    [null, '{"a": 1}', { a: 1 }],
    ["application/x-www-form-urlencoded", "model=recommendations&friendly_name=Recommendations%20[Products]", { model: "recommendations", friendly_name: "Recommendations [Products]" }],
    ["application/x-www-form-urlencoded", "a=1&a=2", { a: "2" }],
    ["application/x-www-form-urlencoded", "x=a+b", { x: "a b" }],
  ])("%s %j → %j", (type, body, expected) => {
    expect(parseBody(type, bytes(body))).toEqual(expected as never);
  });

  test("an empty body is the empty string, whatever the type", () => {
    expect(parseBody("application/json", new Uint8Array())).toBe("");
    expect(parseBody(null, new Uint8Array())).toBe("");
  });

  test("form mappings have no prototype, so keys like __proto__ or constructor are plain data", () => {
    const form = parseForm("__proto__=x&constructor=y");
    expect(Object.getPrototypeOf(form)).toBeNull();
    expect(form.__proto__).toBe("x");
    expect(form["constructor"] as unknown).toBe("y");
  });
});

describe("templateHeaders and queryMapping", () => {
  test("lowercases names and drops Authorization", () => {
    const h = templateHeaders(new Headers({ "X-GitHub-Event": "push", Authorization: "Bearer s3cret" }));
    expect(h).toEqual({ "x-github-event": "push" });
  });

  test("query strings become a flat mapping, last value wins", () => {
    expect(queryMapping("http://localhost/hooks/x?a=1&b=two%20words&a=3#frag")).toEqual({ a: "3", b: "two words" });
    expect(queryMapping("http://localhost/hooks/x")).toEqual({});
  });
});

describe("readBodyLimited", () => {
  const req = (body: BodyInit, headers: Record<string, string> = {}) => new Request("http://localhost/", { method: "POST", body, headers });

  test("reads a body up to the limit", async () => {
    expect(new TextDecoder().decode(await readBodyLimited(req("hello"), 5))).toBe("hello");
  });

  test("refuses a declared Content-Length over the limit before reading", async () => {
    let pulled = 0;
    const body = new ReadableStream({ pull(c) { pulled++; c.enqueue(new Uint8Array(10)); } });
    const r = new Request("http://localhost/", { method: "POST", body, headers: { "content-length": "100" } });
    await expect(readBodyLimited(r, 50)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(pulled).toBeLessThanOrEqual(1);
  });

  test("stops reading a chunked body as soon as it passes the limit", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({ pull(c) { pulled++; c.enqueue(new Uint8Array(1024)); } });
    await expect(readBodyLimited(req(endless), 4096)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(pulled).toBeLessThan(10);
  });
});
