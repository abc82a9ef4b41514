import { describe, expect, test } from "bun:test";
import { BodyTooLargeError, parseBody, parseForm, queryMapping, readBodyLimited } from "../../../src/ingest/body.ts";
import { templateHeaders } from "../../../src/ingest/headers.ts";
import { PyFloat } from "../../../src/templates/python.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("parseBody", () => {
  test.each([
    ["application/json", '{"a": [1, 2]}', { a: [1, 2] }],
    ["application/json; charset=utf-8", "[1, 2]", [1, 2]],
    ["application/json", "15", 15],
    ["application/json", '"text"', "text"],
    ["application/json", "{broken", "{broken"],
    ["text/plain", '{"a": 1}', { a: 1 }],
    ["text/plain", "plain words", "plain words"],
    [null, '{"a": 1}', { a: 1 }],
    [
      "application/x-www-form-urlencoded",
      "model=recommendations&friendly_name=Recommendations%20[Products]",
      { model: "recommendations", friendly_name: "Recommendations [Products]" },
    ],
    ["application/x-www-form-urlencoded", "a=1&a=2", { a: "2" }],
    ["application/x-www-form-urlencoded", "x=a+b", { x: "a b" }],
  ])("%s %j → %j", (type, body, expected) => {
    expect(parseBody(type, bytes(body))).toEqual(expected as never);
  });

  test("an empty body is the empty string, whatever the type", () => {
    expect(parseBody("application/json", new Uint8Array())).toBe("");
    expect(parseBody(null, new Uint8Array())).toBe("");
  });

  test("integral floats in JSON stay floats (Python's json.loads), and serialize back as json.dumps writes them", () => {
    const body = parseBody("application/json", bytes('{"t": 21.0, "e": 1E3, "h": 0.5, "n": 2, "s": "v1.0", "l": [-0.0, 3]}')) as Record<
      string,
      unknown
    >;
    expect(body.t).toEqual(new PyFloat(21));
    expect(body.e).toEqual(new PyFloat(1000));
    expect([body.h, body.n, body.s]).toEqual([0.5, 2, "v1.0"]);
    expect(body.l).toEqual([new PyFloat(-0), 3]);
    expect(JSON.stringify(body)).toBe('{"t":21.0,"e":1000.0,"h":0.5,"n":2,"s":"v1.0","l":[-0.0,3]}');
  });

  test("the float-keeping parser never changes what JSON.parse would accept or build", () => {
    // Duplicate keys with different values: that parser refuses them; JSON.parse's result (last wins) stands.
    expect(parseBody("application/json", bytes('{"a": 1.0, "a": 2}'))).toEqual({ a: 2 });
    // A "__proto__" key is an own property, never the object's prototype.
    const body = parseBody("application/json", bytes('{"__proto__": {"polluted": 1.0}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect((body as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(body)).toEqual(["__proto__"]);
    expect(parseBody("application/json", bytes("[1.0, {broken"))).toBe("[1.0, {broken");
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
    const body = new ReadableStream({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(10));
      },
    });
    const r = new Request("http://localhost/", { method: "POST", body, headers: { "content-length": "100" } });
    await expect(readBodyLimited(r, 50)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(pulled).toBeLessThanOrEqual(1);
  });

  test("stops reading a chunked body as soon as it passes the limit", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(1024));
      },
    });
    await expect(readBodyLimited(req(endless), 4096)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(pulled).toBeLessThan(10);
  });
});
