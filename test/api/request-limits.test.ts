// Slow and greedy clients over real sockets: a body trickled in a byte at a time is cut off at
// --body-timeout-ms, and one address cannot hold more than --max-requests-per-address requests,
// so that everyone else (and /api/health) keeps being answered.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rawConnection, statusOf, startLoggedServer, type LoggedServer, type RawConnection } from "../support/raw-http.ts";
import { waitUntil } from "../support/wait.ts";

const TEMPLATE = '{"event": "limits.test", "resource": {"prefect.resource.id": "limits"}}';
/** Far below the runtime's 30 s idle timeout, which a trickle keeps from ever firing. */
const BODY_TIMEOUT_MS = 400;
const CAP = 3;

/** Sends the request head, then one byte of its body every 50 ms until the server closes the connection. */
async function trickle(port: number, head: string, localAddress?: string): Promise<RawConnection & { started: number }> {
  const conn = await rawConnection(port, localAddress);
  const started = performance.now();
  conn.socket.write(head);
  const timer = setInterval(() => conn.socket.write("x"), 50);
  conn.closed.finally(() => clearInterval(timer));
  return { ...conn, started };
}

/**
 * Resolves to what the server sent once it closed the connection, or "still open" after `ms`: a
 * bound on the wait, not a sleep (it resolves as soon as the connection closes).
 */
function closedWithin(conn: RawConnection, ms: number): Promise<string> {
  return Promise.race([conn.closed, Bun.sleep(ms).then(() => "still open")]);
}

const post = (path: string, length: number, extra = "") =>
  `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

/** A server with the given limits and one webhook. */
async function serverWithHook(limits: { bodyTimeoutMs: number; maxRequestsPerAddress: number }) {
  const srv = await startLoggedServer(limits);
  const key = srv.server.ctx.serviceAccounts.create("t", "admin").api_key;
  const res = await fetch(`${srv.server.url}/api/webhooks/`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "limits", template: TEMPLATE }),
  });
  const { slug } = (await res.json()) as { slug: string };
  const stored = () => (srv.server.ctx.db.$client.query("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  return { srv, slug, stored };
}

describe("--body-timeout-ms", () => {
  let srv: LoggedServer;
  let slug: string;
  let stored: () => number;
  beforeAll(
    async () => void ({ srv, slug, stored } = await serverWithHook({ bodyTimeoutMs: BODY_TIMEOUT_MS, maxRequestsPerAddress: 256 })),
  );
  afterAll(() => srv.stop());

  test("a hook body trickled in → 408 and the connection closed at the deadline; health answers meanwhile; nothing stored", async () => {
    const before = stored();
    const conn = await trickle(srv.port, post(`/hooks/${slug}`, 100_000));
    expect((await fetch(`${srv.server.url}/api/health`)).status).toBe(200);
    const answer = await closedWithin(conn, 10_000);
    expect(performance.now() - conn.started).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS);
    expect(statusOf(answer)).toBe(408);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer).toMatch(/\r\n\r\n$/); // hook answers stay empty
    await waitUntil(() => srv.server.requestsInProgress() === 0, "the request to end");
    expect(stored()).toBe(before);
    expect(srv.lines.filter((l) => / ERROR /.test(l))).toEqual([]);
  });

  test("a sign-in body trickled in → 408 with the error catalogue's body", async () => {
    const conn = await trickle(srv.port, post("/api/auth/login", 100_000));
    const answer = await closedWithin(conn, 10_000);
    expect(statusOf(answer)).toBe(408);
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toEqual({
      error: { code: "request_timeout", message: "The request body did not arrive in time" },
    });
  });

  test("a body that arrives in time, even in pieces, is answered as usual", async () => {
    const before = stored();
    const conn = await rawConnection(srv.port);
    const body = '{"n": 1}';
    conn.socket.write(post(`/hooks/${slug}`, body.length, "Connection: close\r\n"));
    conn.socket.write(body.slice(0, 3));
    conn.socket.write(body.slice(3));
    expect(statusOf(await conn.closed)).toBe(204);
    await srv.server.ctx.events.drain();
    expect(stored()).toBe(before + 1);
  });

  test("a body nobody reads (unknown hook) is not drained for as long as it trickles: answered and closed at once", async () => {
    const conn = await trickle(srv.port, post("/hooks/no-such-hook-slug-at-all", 100_000));
    const answer = await closedWithin(conn, 10_000);
    expect(statusOf(answer)).toBe(404);
    expect(performance.now() - conn.started).toBeLessThan(BODY_TIMEOUT_MS);
  });
});

describe("--max-requests-per-address", () => {
  let srv: LoggedServer;
  let slug: string;
  beforeAll(async () => void ({ srv, slug } = await serverWithHook({ bodyTimeoutMs: 60_000, maxRequestsPerAddress: CAP })));
  afterAll(() => srv.stop());

  test("past the cap, one address is refused 429 and closed, while another address is served; a freed place is usable again", async () => {
    // 127.0.0.2 is another address on Linux's loopback (127.0.0.0/8).
    const held = await Promise.all(Array.from({ length: CAP }, () => trickle(srv.port, post(`/hooks/${slug}`, 100_000), "127.0.0.2")));
    await waitUntil(() => srv.server.requestsInProgress("127.0.0.2") === CAP, "the held requests to be in progress");

    const refused = await rawConnection(srv.port, "127.0.0.2");
    refused.socket.write("GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const answer = await closedWithin(refused, 5_000);
    expect(statusOf(answer)).toBe(429);
    expect(answer).toMatch(/\r\nretry-after: 1\r\n/i);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer).toContain('"code":"too_many_requests"');

    const hook = await rawConnection(srv.port, "127.0.0.2");
    hook.socket.write(`POST /hooks/${slug} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}`);
    const hookAnswer = await closedWithin(hook, 5_000);
    expect(statusOf(hookAnswer)).toBe(429);
    expect(hookAnswer).toMatch(/\r\n\r\n$/);

    expect((await fetch(`${srv.server.url}/api/health`)).status).toBe(200); // from 127.0.0.1

    held[0]!.socket.destroy();
    await waitUntil(() => srv.server.requestsInProgress("127.0.0.2") === CAP - 1, "a place to be freed");
    const again = await rawConnection(srv.port, "127.0.0.2");
    again.socket.write("GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    expect(statusOf(await closedWithin(again, 5_000))).toBe(200);
    for (const c of held) c.socket.destroy();
    await waitUntil(() => srv.server.requestsInProgress() === 0, "every request to end");
  });
});
