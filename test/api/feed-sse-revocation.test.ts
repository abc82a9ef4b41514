// GET /api/events/stream and the websocket feed end when the credentials they were opened with stop
// being valid, as any other request with them would be refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { SESSION_TTL_MS } from "../../src/auth/sessions.ts";
import { Feed } from "../../src/feed/feed.ts";
import { feedSseRoutes } from "../../src/feed/sse.ts";
import { createTestApp, fixedClock } from "../support/app.ts";
import { createWebhook, hook } from "../support/hooks.ts";
import { FeedClient, SseClient, startFeedServer, type FeedServer } from "../support/feed.ts";
import { waitUntil } from "../support/wait.ts";

let s: FeedServer;
beforeAll(async () => void (s = await startFeedServer()));
afterAll(() => s.stop());

/** Well under the feed's 15 s heartbeat: the stream must end when the credentials go, not at its next check. */
const PROMPTLY_MS = 3000;

async function openStream(headers: Record<string, string>): Promise<SseClient> {
  const res = await fetch(`${s.url}/api/events/stream`, { headers });
  expect(res.status).toBe(200);
  const client = new SseClient(res);
  await waitUntil(() => client.frames.length > 0, "the ready frame");
  return client;
}

async function expectEnded(client: SseClient): Promise<void> {
  await waitUntil(() => client.done, "the stream to end", PROMPTLY_MS);
  expect(client.frames.at(-1)).toEqual({
    event: "end",
    data: JSON.stringify({ reason: "unauthorized", message: "The credentials are no longer valid" }),
  });
}

async function signIn(email: string, password: string, role: "admin" | "viewer") {
  const user = await s.ctx.users.create({ email, password, role });
  const res = await fetch(`${s.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(200);
  const cookie = /inlet_session=[^;]*/.exec(res.headers.get("set-cookie")!)![0];
  return { user, cookie };
}

describe("API keys", () => {
  test.each([
    ["deleted", (id: string) => s.api("DELETE", `/api/service-accounts/${id}`)],
    ["rotated", (id: string) => s.api("POST", `/api/service-accounts/${id}/rotate-key`)],
  ])("a stream opened with a key that is then %s ends at once", async (_what, revoke) => {
    const account = s.ctx.serviceAccounts.create(`sse-${_what}`, "admin");
    const client = await openStream({ authorization: `Bearer ${account.api_key}` });
    const other = await openStream({ authorization: `Bearer ${s.adminKey}` });
    expect((await revoke(account.id)).status).toBeLessThan(300);
    await expectEnded(client);
    // Streams on other credentials carry on.
    expect(other.done).toBe(false);
    await other.close();
  });

  test("a key deleted by another process (the offline CLI) ends the stream at the next heartbeat", async () => {
    await using t = createTestApp({ database: "file" });
    const account = t.ctx.serviceAccounts.create("sse-offline", "admin");
    const feed = new Feed(t.ctx, { heartbeatMs: 20 });
    const app = new Elysia().use(feedSseRoutes(t.ctx, feed));
    const client = new SseClient(
      await app.handle(new Request("http://localhost/events/stream", { headers: { authorization: `Bearer ${account.api_key}` } })),
    );
    await waitUntil(() => client.frames.some((f) => f.comment === "heartbeat"), "a heartbeat");
    // Straight to the database, as another process would: this one hears of no revocation.
    t.ctx.db.$client.query("DELETE FROM service_accounts WHERE id = ?").run(account.id);
    await expectEnded(client);
    expect(feed.size).toBe(0);
  });
});

describe("sessions", () => {
  test.each([
    ["signed out", (cookie: string) => fetch(`${s.url}/api/auth/logout`, { method: "POST", headers: { cookie } })],
    ["deleted", (_cookie: string, id: string) => s.api("DELETE", `/api/users/${id}`)],
    ["demoted (which signs them out)", (_cookie: string, id: string) => s.api("PATCH", `/api/users/${id}`, { role: "viewer" })],
    [
      "given a new password (which signs them out)",
      (_cookie: string, id: string) => s.api("PATCH", `/api/users/${id}`, { password: "a new password" }),
    ],
  ])("a stream opened by a user who is then %s ends at once", async (what, revoke) => {
    const { user, cookie } = await signIn(`${what.split(" ")[0]}@example.com`, "user password", "admin");
    const client = await openStream({ cookie });
    expect((await revoke(cookie, user.id)).status).toBeLessThan(300);
    await expectEnded(client);
  });

  test("a stream on a session that expires ends, and sends nothing after the expiry", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock, database: "file" });
    await t.ctx.users.create({ email: "watcher@example.com", password: "watch password", role: "viewer" });
    const login = await t.request("POST", "/api/auth/login", {
      key: null,
      body: { email: "watcher@example.com", password: "watch password" },
    });
    const cookie = /inlet_session=[^;]*/.exec(login.headers.get("set-cookie")!)![0];
    const w = await createWebhook(t, { template: '{"event":"tick.{{ body.n }}","resource":{"prefect.resource.id":"tick"}}' });

    const res = await t.app.handle(new Request("http://localhost/api/events/stream", { headers: { cookie } }));
    expect(res.status).toBe(200);
    const client = new SseClient(res);
    expect((await hook(t, w.slug, { body: '{"n": 1}', headers: { "content-type": "application/json" } })).status).toBe(204);
    await waitUntil(() => client.events().length === 1, "the first event");

    clock.advance(SESSION_TTL_MS + 1);
    expect((await hook(t, w.slug, { body: '{"n": 2}', headers: { "content-type": "application/json" } })).status).toBe(204);
    await expectEnded(client);
    expect(client.events().map((e) => e.event)).toEqual(["tick.1"]);
  });
});

describe("the websocket feed", () => {
  test("a feed authenticated with a key that is then deleted closes at once with 1008", async () => {
    const account = s.ctx.serviceAccounts.create("ws-deleted", "admin");
    const client = await FeedClient.subscribe(s, {}, { token: account.api_key });
    const other = await FeedClient.subscribe(s, {});
    expect((await s.api("DELETE", `/api/service-accounts/${account.id}`)).status).toBe(204);
    expect(await client.waitForClose(PROMPTLY_MS)).toEqual({ code: 1008, reason: "The credentials are no longer valid" });
    expect(other.closed).toBeNull();
    other.ws.close();
  });

  test("a feed on a session that is then signed out closes at once with 1008", async () => {
    const { cookie } = await signIn("ws-out@example.com", "user password", "viewer");
    const client = new FeedClient(s.wsUrl, { cookie, origin: s.url });
    await client.auth(null);
    client.send({ type: "filter", filter: {} });
    expect((await fetch(`${s.url}/api/auth/logout`, { method: "POST", headers: { cookie, origin: s.url } })).status).toBeLessThan(300);
    expect(await client.waitForClose(PROMPTLY_MS)).toEqual({ code: 1008, reason: "The credentials are no longer valid" });
  });
});
