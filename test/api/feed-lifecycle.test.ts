// The feed over time: a reader that stops reading, heartbeats on idle connections, revoked
// credentials, and shutdown.
import { expect, test } from "bun:test";
import { Elysia } from "elysia";
import { Feed } from "../../src/feed/feed.ts";
import { feedSseRoutes } from "../../src/feed/sse.ts";
import { feedWsRoutes } from "../../src/feed/websocket.ts";
import { createTestApp } from "../support/app.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { startServer } from "../../src/server.ts";
import { FeedClient, SseClient, startFeedServer } from "../support/feed.ts";
import { waitUntil } from "../support/wait.ts";

// A subscriber in another process, so that it can be frozen (SIGSTOP) and really stop reading.
const STALL_CLIENT = `
const ws = new WebSocket(process.env.FEED_URL, ["prefect"]);
let count = 0;
ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token: process.env.FEED_KEY }));
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  if (m.type === "auth_success") ws.send(JSON.stringify({ type: "filter", filter: { event: { prefix: ["stall."] } }, backfill: false }));
  else count++;
};
ws.onclose = (e) => { console.log(JSON.stringify({ code: e.code, reason: e.reason, count })); process.exit(0); };
`;

test("a subscriber that stops reading is dropped with a clear reason; ingestion and other subscribers are unaffected", async () => {
  const s = await startFeedServer();
  const feed = s.ctx.feed;
  const healthy = await FeedClient.subscribe(s, { event: { prefix: ["stall."] } }, { backfill: false });
  const child = Bun.spawn([process.execPath, "-e", STALL_CLIENT], {
    env: { ...process.env, FEED_URL: s.wsUrl, FEED_KEY: s.adminKey },
    stdout: "pipe",
  });
  try {
    await waitUntil(() => feed.size === 2, "the second subscriber");
    process.kill(child.pid, "SIGSTOP");

    // 1 MiB events: the socket buffers fill within a few dozen, then the 16 MiB queue bound.
    const pad = "x".repeat(1024 * 1024);
    let sent = 0;
    const slowest: number[] = [];
    while (feed.size === 2 && sent < 200) {
      const t0 = performance.now();
      const res = await s.api("POST", "/api/events", [
        { event: `stall.${sent}`, resource: { "prefect.resource.id": "stall" }, payload: { pad } },
      ]);
      slowest.push(performance.now() - t0);
      expect(res.status).toBe(204);
      sent++;
    }
    expect(feed.size).toBe(1);
    // Ingestion never waited for the stuck reader: no request took long (generous for slow CI).
    expect(Math.max(...slowest)).toBeLessThan(1000);
    await waitUntil(() => healthy.events().length === sent, `${sent} events at the healthy subscriber`, 20_000);
    expect(healthy.ids()).toEqual(s.storedIds((e) => e.event.startsWith("stall.")));

    process.kill(child.pid, "SIGCONT");
    const report = JSON.parse(await new Response(child.stdout).text()) as { code: number; reason: string; count: number };
    expect(report.code).toBe(1013);
    expect(report.reason).toBe("Too slow: more than 10000 events or 16 MiB waiting; reconnect to resume");
    expect(report.count).toBeLessThan(sent);
  } finally {
    child.kill("SIGKILL");
    healthy.ws.close();
    await s.stop();
  }
}, 60_000);

test("idle connections get heartbeats: websocket pings and event-stream comments", async () => {
  const t = createTestApp();
  const feed = new Feed(t.ctx, { heartbeatMs: 20 });
  const app = new Elysia().use(feedWsRoutes(t.ctx, feed)).use(feedSseRoutes(t.ctx, feed)).listen({ port: 0, hostname: "127.0.0.1" });
  try {
    const base = `127.0.0.1:${app.server!.port}`;
    const ws = new FeedClient(`ws://${base}/api/events/out`);
    await ws.auth(t.adminKey);
    ws.send({ type: "filter", filter: {} });
    const sse = new SseClient(await fetch(`http://${base}/events/stream`, { headers: { authorization: `Bearer ${t.adminKey}` } }));
    await waitUntil(() => ws.pings >= 3 && sse.frames.filter((f) => f.comment === "heartbeat").length >= 3, "three heartbeats each");
    // Pongs are answered automatically, so a live client is never taken for a dead one.
    expect(ws.closed).toBeNull();

    // A revoked key ends the feed at the next heartbeat, as it would end any other request.
    const account = t.ctx.serviceAccounts.list().find((a) => a.name === "test-admin")!;
    t.ctx.serviceAccounts.delete(account.id);
    expect(await ws.waitForClose()).toEqual({ code: 1008, reason: "The credentials are no longer valid" });
    await sse.close();
  } finally {
    feed.close();
    await app.stop(true);
  }
});

test("closing the live feeds ends websockets with 1001 and streams with an end frame, so the server can stop", async () => {
  const s = await startFeedServer();
  const ws = await FeedClient.subscribe(s, {}, { backfill: false });
  const sse = new SseClient(await fetch(`${s.url}/api/events/stream`, { headers: { authorization: `Bearer ${s.adminKey}` } }));
  await waitUntil(() => sse.frames.length > 0 && s.ctx.feed.size === 2, "both subscriptions");
  await s.stop();
  expect(await ws.waitForClose()).toEqual({ code: 1001, reason: "The server is shutting down" });
  await waitUntil(() => sse.done, "the stream to end");
  expect(sse.frames.at(-1)).toEqual({ event: "end", data: '{"reason":"shutdown","message":"The server is shutting down"}' });
});

// server.ts ends the feeds between stopping the listener and awaiting it; Bun's stop(false) would
// otherwise wait for open feeds for ever.
test("stop() alone ends open feeds and finishes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "inlet-feed-stop-"));
  const running = await startServer({ ...resolveConfig({ "data-dir": dir }, {}), host: "127.0.0.1", port: 0 }, silentLogger);
  const key = running.ctx.serviceAccounts.create("stopper", "admin").api_key;
  const ws = new FeedClient(`${running.url.replace(/^http/, "ws")}/api/events/out`);
  await ws.auth(key);
  ws.send({ type: "filter", filter: {} });
  const sse = new SseClient(await fetch(`${running.url}/api/events/stream`, { headers: { authorization: `Bearer ${key}` } }));
  await waitUntil(() => running.ctx.feed.size === 2, "both subscriptions");
  await running.stop();
  expect(await ws.waitForClose()).toEqual({ code: 1001, reason: "The server is shutting down" });
  await waitUntil(() => sse.done, "the stream to end");
  rmSync(dir, { recursive: true, force: true });
}, 10_000);
