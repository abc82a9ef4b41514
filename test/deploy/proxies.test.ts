// deploy/nginx.conf and deploy/Caddyfile, run for real in front of Inlet: hooks, the API, the
// WebSocket feed (the upgrade must pass) and the event stream (it must not be buffered) all work
// through each, and the proxy's request id reaches Inlet's log.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { FeedClient, SseClient, startFeedServer, type FeedServer } from "../support/feed.ts";
import { startCaddy, startNginx, type RunningProxy } from "../support/proxies.ts";
import { waitUntil } from "../support/wait.ts";

let s: FeedServer;
beforeAll(async () => {
  s = await startFeedServer();
});
afterAll(async () => {
  await s.stop();
});

const TEMPLATE = '{"event": "proxy.{{ body.via }}", "resource": {"prefect.resource.id": "proxy.{{ body.n }}"}}';

describe.each([
  ["nginx", startNginx],
  ["Caddy", startCaddy],
] as const)("behind %s, as deploy/ configures it", (name, start) => {
  let proxy: RunningProxy;
  let hookPath: string;
  beforeAll(async () => {
    proxy = await start(Number(new URL(s.url).port));
    const hook = await s.webhook(TEMPLATE, `through ${name}`);
    hookPath = new URL(hook.url).pathname;
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  test("readiness, a hook and the API answer through it, with the proxy's request id", async () => {
    const ready = await fetch(`${proxy.url}/api/ready`);
    expect(ready.status).toBe(200);
    const id = ready.headers.get("x-request-id");
    // nginx's $request_id is 32 hex digits, Caddy's a UUID: either way the proxy's, not a v7 of Inlet's.
    expect(id).toMatch(/^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12})$/);

    const hook = await fetch(`${proxy.url}${hookPath}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ via: name, n: 1 }),
    });
    expect(hook.status).toBe(204);
    const filter = await fetch(`${proxy.url}/api/events/filter`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ filter: { event: { name: [`proxy.${name}`] } } }),
    });
    expect(filter.status).toBe(200);
    expect((await filter.json()).events.map((e: { event: string }) => e.event)).toEqual([`proxy.${name}`]);
  });

  test("the WebSocket feed upgrades through it and delivers a new event", async () => {
    const client = await FeedClient.subscribe(
      { ...s, wsUrl: `${proxy.url.replace(/^http/, "ws")}/api/events/out` },
      {
        event: { prefix: [`proxy.ws.${name}`] },
      },
    );
    try {
      const res = await fetch(`${proxy.url}${hookPath}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ via: `ws.${name}`, n: 2 }),
      });
      expect(res.status).toBe(204);
      await waitUntil(() => client.events().length === 1, "the event over the proxied websocket", 10_000);
      expect(client.events()[0]).toMatchObject({ event: `proxy.ws.${name}`, resource: { "prefect.resource.id": "proxy.2" } });
    } finally {
      client.ws.close();
    }
  });

  test("the event stream is passed on as it is written, not when a buffer fills", async () => {
    const response = await fetch(`${proxy.url}/api/events/stream?event_prefix=proxy.sse.${name}`, {
      headers: { authorization: `Bearer ${s.adminKey}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const stream = new SseClient(response);
    try {
      // The ready frame is a few bytes: a buffering proxy would hold it back.
      await waitUntil(() => stream.frames.length > 0, "the stream's first frame through the proxy", 10_000);
      const res = await fetch(`${proxy.url}${hookPath}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ via: `sse.${name}`, n: 3 }),
      });
      expect(res.status).toBe(204);
      await waitUntil(() => stream.events().length === 1, "the event on the proxied stream", 10_000);
      expect(stream.events()[0]!.event).toBe(`proxy.sse.${name}`);
      expect(stream.done).toBe(false);
    } finally {
      await stream.close();
    }
  });
});
