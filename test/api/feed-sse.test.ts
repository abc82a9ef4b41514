// GET /api/events/stream against a real server, read with fetch as `curl -N` would.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { burst, postJson, SseClient, startFeedServer, type FeedServer } from "../support/feed.ts";
import { waitUntil } from "../support/wait.ts";

let s: FeedServer;
beforeAll(async () => void (s = await startFeedServer()));
afterAll(() => s.stop());

const open = async (query: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${s.url}/api/events/stream${query}`, { headers: { authorization: `Bearer ${s.adminKey}`, ...headers } });
  expect(res.status).toBe(200);
  const client = new SseClient(res);
  await waitUntil(() => client.frames.length > 0, "the ready frame");
  return client;
};

test("the stream opens with a ready frame and the headers proxies need, then sends matching events with id = event id", async () => {
  const client = await open("?event_prefix=sse.a.&event_prefix=sse.b.");
  expect(client.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
  expect(client.response.headers.get("x-accel-buffering")).toBe("no");
  expect(client.response.headers.get("cache-control")).toBe("no-cache, no-transform");
  expect(client.frames[0]).toEqual({ event: "ready", data: "{}" });

  const hook = await s.webhook('{"event":"sse.{{ body.k }}.{{ body.n }}","resource":{"prefect.resource.id":"sse.{{ body.n }}"}}');
  await burst(60, 10, (n) => postJson(hook.url, { k: ["a", "b", "c"][n % 3], n }));
  const expected = s.storedIds((e) => /^sse\.[ab]\./.test(e.event));
  expect(expected).toHaveLength(40);
  await waitUntil(() => client.events().length >= 40, "40 events");
  expect(client.events().map((e) => e.id)).toEqual(expected);
  expect(client.frames.filter((f) => f.id).map((f) => f.id)).toEqual(expected);
  await client.close();
});

test("resource, related and since select, and Last-Event-ID resumes right after the last event seen", async () => {
  const hook = await s.webhook('{"event":"resume.{{ body.n }}","resource":{"prefect.resource.id":"resume"}}', "resume-hook");
  const hookResource = `prefect-cloud.webhook.${hook.id}`;
  const first = await open(`?resource=resume&related=${encodeURIComponent(hookResource)}`);
  await burst(10, 1, (n) => postJson(hook.url, { n }));
  await waitUntil(() => first.events().length >= 10, "10 events");
  const lastSeen = first.frames.filter((f) => f.id).at(4)!.id!;
  await first.close();

  // Missed while disconnected: everything after the fifth event, and more sent since.
  await burst(5, 1, (n) => postJson(hook.url, { n: 10 + n }));
  const resumed = await open(`?resource=resume`, { "last-event-id": lastSeen });
  const all = s.storedIds((e) => e.event.startsWith("resume."));
  await waitUntil(() => resumed.events().length >= 10, "the 10 missed events");
  await burst(2, 1, (n) => postJson(hook.url, { n: 20 + n }));
  await waitUntil(() => resumed.events().length >= 12, "2 live events");
  expect(resumed.events().map((e) => e.id)).toEqual(s.storedIds((e) => e.event.startsWith("resume.")).slice(5));
  expect(all).toHaveLength(15);
  await resumed.close();

  // `since` backfills (oldest first); a resource that matches nothing sends nothing.
  const since = new Date(Date.now() - 60_000).toISOString();
  const replay = await open(`?resource=resume&since=${since}`);
  await waitUntil(() => replay.events().length >= 17, "the backfill");
  expect(replay.events().map((e) => e.id)).toEqual(s.storedIds((e) => e.event.startsWith("resume.")));
  const none = await open(`?resource=elsewhere&since=${since}`);
  await replay.close();
  expect(none.events()).toEqual([]);
  await none.close();
});

test.each([
  [
    "an unknown parameter",
    "?evnet=x",
    422,
    "evnet: unknown query parameter (expected one of event, event_prefix, resource, resource_prefix, related, since)",
  ],
  ["a bad since", "?since=yesterday", 422, "since: must be an ISO-8601 date-time"],
])("%s → 422 naming it", async (_name, query, status, message) => {
  const res = await fetch(`${s.url}/api/events/stream${query}`, { headers: { authorization: `Bearer ${s.adminKey}` } });
  expect(res.status).toBe(status);
  expect(await res.json()).toEqual({ error: { code: "validation", message } });
});

test("a malformed Last-Event-ID is a 422; no credentials is a 401; a webhook key is a 403", async () => {
  const bad = await fetch(`${s.url}/api/events/stream`, { headers: { authorization: `Bearer ${s.adminKey}`, "last-event-id": "nope" } });
  expect(bad.status).toBe(422);
  expect((await fetch(`${s.url}/api/events/stream`)).status).toBe(401);
  const webhookKey = s.ctx.serviceAccounts.create("sse-sender", "webhook").api_key;
  expect((await fetch(`${s.url}/api/events/stream`, { headers: { authorization: `Bearer ${webhookKey}` } })).status).toBe(403);
});

test("Last-Event-ID resumes after an event whatever its occurred time (one from 1900 too)", async () => {
  // A sender with a wrong clock: the template takes `occurred` from the body.
  const hook = await s.webhook(
    '{"event":"clock.{{ body.n }}","occurred":"{{ body.at }}","resource":{"prefect.resource.id":"clock"}}',
    "clock-hook",
  );
  await postJson(hook.url, { n: 0, at: "1900-01-01T00:00:00Z" });
  const [old] = s.storedIds((e) => e.event === "clock.0");
  await postJson(hook.url, { n: 1, at: new Date().toISOString() });
  const resumed = await open("?resource=clock", { "last-event-id": old! });
  await waitUntil(() => resumed.events().length >= 1, "the event after the one from 1900");
  expect(resumed.events().map((e) => e.id)).toEqual(s.storedIds((e) => e.event === "clock.1"));
  await resumed.close();
});
