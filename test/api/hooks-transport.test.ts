// What reaches /hooks over a real socket, byte by byte: chunked bodies (with trailers, malformed)
// and senders that go away half-way. The answer a sender hears must match what was stored, and
// a sender's broken request is not the server's error.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { rawConnection, rawExchange, startLoggedServer, statusOf, type LoggedServer } from "../support/raw-http.ts";
import { waitUntil } from "../support/wait.ts";

const TEMPLATE = '{"event": "transport.{{ body.n }}", "resource": {"prefect.resource.id": "transport"}}';
let srv: LoggedServer;
let slug: string;

beforeAll(async () => {
  srv = await startLoggedServer();
  const key = srv.server.ctx.serviceAccounts.create("t", "admin").api_key;
  const res = await fetch(`${srv.server.url}/api/webhooks/`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "transport", template: TEMPLATE }),
  });
  slug = ((await res.json()) as { slug: string }).slug;
});
afterAll(() => srv.stop());
beforeEach(() => void (srv.lines.length = 0));

const stored = () => (srv.server.ctx.db.$client.query("SELECT count(*) AS n FROM events").get() as { n: number }).n;
const errors = () => srv.lines.filter((l) => / (ERROR|WARN) /.test(l));
const hookLines = () => srv.lines.filter((l) => / \/hooks\/\*\*\* \d{3} /.test(l));
const head = (extra = "") =>
  `POST /hooks/${slug} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n${extra}`;
const chunked = (body: string) => `${head("Transfer-Encoding: chunked\r\n")}\r\n${body}`;

describe("chunked bodies", () => {
  test.each([
    ["one chunk", '8\r\n{"n": 1}\r\n0\r\n\r\n'],
    ["several chunks, one with an extension", '3\r\n{"n\r\n5;name=value\r\n": 1}\r\n0\r\n\r\n'],
  ])("%s → 204, stored once", async (_name, body) => {
    const before = stored();
    const answer = await rawExchange(srv.port, chunked(body));
    expect(statusOf(answer)).toBe(204);
    await srv.server.ctx.events.drain();
    expect(stored()).toBe(before + 1);
    expect(errors()).toEqual([]);
  });

  // RFC 9112 §7.1.2 allows fields after the last chunk. Bun's HTTP parser hands the body over at the
  // last chunk, then reads the trailer as a new request and answers it 400 on the same connection.
  test.each([
    ["one trailer field", '8\r\n{"n": 1}\r\n0\r\nX-Checksum: abc\r\n\r\n'],
    ["two trailer fields", '8\r\n{"n": 1}\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n'],
  ])("with %s: the answer matches what was stored (204 and once, or refused and nothing)", async (_name, body) => {
    const before = stored();
    const answer = await rawExchange(srv.port, chunked(body));
    await waitUntil(() => hookLines().length === 1, "the request's log line");
    await srv.server.ctx.events.drain();
    const status = statusOf(answer);
    expect([204, 400]).toContain(status!);
    expect(stored() - before).toBe(status === 204 ? 1 : 0);
    expect(errors()).toEqual([]);
  });

  test.each([
    ["a chunk size that is not hex", "zz\r\nabc\r\n0\r\n\r\n"],
    ["a negative chunk size", "-1\r\nabc\r\n0\r\n\r\n"],
    ["a chunk size past any limit", "ffffffffffffffffff\r\nabc"],
    ["no CRLF after a chunk's data", '8\r\n{"n": 1}XX0\r\n\r\n'],
    ["a control character in a chunk extension", '8;\x01\r\n{"n": 1}\r\n0\r\n\r\n'],
  ])("malformed (%s) → refused, nothing stored, no error logged", async (_name, body) => {
    const before = stored();
    const answer = await rawExchange(srv.port, chunked(body));
    expect(statusOf(answer)).toBe(400);
    await waitUntil(() => hookLines().length === 1, "the request's log line");
    expect(stored()).toBe(before);
    expect(errors()).toEqual([]);
    expect(hookLines()[0]).not.toContain(" 500 ");
  });
});

describe("a sender that goes away half-way", () => {
  test.each([
    ["a Content-Length body", () => `${head("Content-Length: 100\r\n")}\r\n{"n": `],
    ["a chunked body", () => chunked('4\r\n{"n"\r\n')],
    ["a chunked body over the size limit", () => chunked(`200000\r\n${"x".repeat(100)}`)],
  ])("in %s: one quiet line, no 500, no error, nothing stored", async (_name, partial) => {
    const before = stored();
    const conn = await rawConnection(srv.port);
    conn.socket.write(partial());
    // Once the server has the request (its handler is reading the body), the sender vanishes.
    await waitUntil(() => srv.server.requestsInProgress() === 1, "the request to be in progress");
    conn.socket.destroy();
    await waitUntil(() => hookLines().length === 1, "the request's log line");
    expect(stored()).toBe(before);
    expect(errors()).toEqual([]);
    expect(hookLines()[0]).not.toContain(" 500 ");
    expect(srv.lines.some((l) => / DEBUG .*connection closed before the body arrived/.test(l))).toBe(true);
  });
});
