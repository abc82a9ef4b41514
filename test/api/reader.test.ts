// The events API's reads and the live feed's backfill run on a worker thread (src/events/reads/reader.ts),
// against a real server on a database file: a slow filter must not hold up the webhooks arriving
// meanwhile, and one that runs past the time limit is answered 503 while reads go on.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MAX_WAITING_READS } from "../../src/events/reads/reader.ts";
import { workerReads } from "../support/app.ts";
import { FeedClient, startFeedServer, type FeedServer } from "../support/feed.ts";
import { waitUntil } from "../support/wait.ts";

const EVENTS = 40_000;
// Forty terms of one or two characters: too short for the word index, each is looked for in the
// text of every event in the window.
const SLOW_TEXT = Array.from({ length: 40 }, (_, i) => `${i % 10}${"abcd"[i % 4]}`).join(" ");

async function load(s: FeedServer, events = EVENTS): Promise<void> {
  for (let done = 0; done < events; done += 1000) {
    const batch = Array.from({ length: 1000 }, (_, i) => ({
      event: `load.${(done + i) % 7}.created`,
      resource: { "prefect.resource.id": `load.${(done + i) % 50}` },
      payload: { n: done + i, note: `item ${done + i} of batch ${done / 1000}, status ok` },
    }));
    const res = await s.api("POST", "/api/events", batch);
    expect(res.status).toBe(204);
  }
}

describe("reads on their own thread", () => {
  let s: FeedServer;
  beforeAll(async () => {
    s = await startFeedServer();
    await load(s);
  });
  afterAll(() => s.stop());

  test("pages, next pages and counts answer as before, from the worker", async () => {
    const first = await s.api("POST", "/api/events/filter", { filter: { event: { prefix: ["load.3."] } }, limit: 50 });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toStartWith("application/json");
    const page = (await first.json()) as { events: { event: string }[]; total: number; next_page: string };
    const expected = Array.from({ length: EVENTS }, (_, n) => n).filter((n) => n % 7 === 3).length;
    expect(page.total).toBe(expected);
    expect(page.events).toHaveLength(50);
    expect(page.events.every((e) => e.event === "load.3.created")).toBe(true);

    const next = await fetch(page.next_page, { headers: { authorization: `Bearer ${s.adminKey}` } });
    expect(next.status).toBe(200);
    const second = (await next.json()) as { events: { id: string }[]; total: number };
    expect(second.total).toBe(expected);
    expect(second.events).toHaveLength(50);

    const counts = await s.api("POST", "/api/events/count-by/event", { filter: {} });
    expect(counts.status).toBe(200);
    const byEvent = (await counts.json()) as { value: string; count: number }[];
    expect(byEvent.reduce((sum, c) => sum + c.count, 0)).toBe(EVENTS);
    expect(byEvent).toHaveLength(7);

    // A client error raised on the worker is the same 422 as before.
    const bad = await s.api("POST", "/api/events/count-by/time", { filter: {}, time_unit: "second", time_interval: 0.001 });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("validation");
  });

  test("a slow filter does not hold up a webhook that arrives meanwhile", async () => {
    const hook = await s.webhook('{"event": "reader.hook", "resource": {"prefect.resource.id": "reader"}}');
    let filterDone = false;
    const before = workerReads(s.ctx);
    const slow = s.api("POST", "/api/events/filter", { filter: { text: { query: SLOW_TEXT } } }).then((res) => {
      filterDone = true;
      return res;
    });
    await waitUntil(() => workerReads(s.ctx) > before, "the filter to reach the worker");
    const sent = await fetch(hook.url, { method: "POST" });
    expect(sent.status).toBe(204);
    // The webhook was stored and answered while the filter was still running.
    expect(filterDone).toBe(false);
    expect((await slow).status).toBe(200);
    expect(s.storedIds((e) => e.event === "reader.hook")).toHaveLength(1);
  });

  test("behind a slow read, at most MAX_WAITING_READS wait; more are refused at once with 429", async () => {
    const before = workerReads(s.ctx);
    const slow = s.api("POST", "/api/events/filter", { filter: { text: { query: SLOW_TEXT } } });
    await waitUntil(() => workerReads(s.ctx) > before, "the slow filter to reach the worker");
    const quick = Array.from({ length: MAX_WAITING_READS + 6 }, () =>
      s.api("POST", "/api/events/filter", { filter: { resource: { id: ["load.1"] } }, limit: 1 }),
    );
    const statuses = await Promise.all(quick.map((r) => r.then((res) => res.status)));
    expect(statuses.filter((code) => code === 200)).toHaveLength(MAX_WAITING_READS);
    expect(statuses.filter((code) => code === 429)).toHaveLength(6);
    expect((await slow).status).toBe(200);
  });

  test("nor does a live feed's slow backfill", async () => {
    const hook = await s.webhook('{"event": "reader.feed.hook", "resource": {"prefect.resource.id": "reader"}}');
    // Only the last batch matches, so the backfill (oldest first) reads past all the others first.
    const client = await FeedClient.subscribe(s, { text: { query: `${SLOW_TEXT} "batch 39"` } });
    const sent = await fetch(hook.url, { method: "POST" });
    expect(sent.status).toBe(204);
    expect(client.events()).toHaveLength(0);
    await waitUntil(() => client.events().length === 1000, "the backfill of the last batch", 20_000);
    expect(client.events().every((e) => (e.payload.note as string).endsWith("of batch 39, status ok"))).toBe(true);
    client.ws.close();
  });
});

test("a read past the time limit is stopped at its deadline with a 503; the next read runs at once", async () => {
  const s = await startFeedServer({ readTimeoutMs: 50 });
  try {
    await load(s);
    const slow = await s.api("POST", "/api/events/filter", { filter: { text: { query: SLOW_TEXT } } });
    expect(slow.status).toBe(503);
    const body = (await slow.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("query_timeout");
    expect(body.error.message).toContain("did not finish within 0.05 s");
    expect(slow.headers.get("retry-after")).toBe("1");

    // The worker's SQL stopped the statement at its deadline (read-deadline.ts): the next read runs at once.
    const quick = await s.api("POST", "/api/events/filter", { filter: { resource: { id: ["load.7"] } }, limit: 5 });
    expect(quick.status).toBe(200);
    expect(((await quick.json()) as { total: number }).total).toBe(EVENTS / 50);

    // A feed whose backfill runs past the limit is closed, saying why.
    const client = await FeedClient.subscribe(s, { text: { query: `${SLOW_TEXT} "batch 39"` } });
    const closed = await client.waitForClose();
    expect(closed.code).toBe(1002); // like a refused filter: reconnecting would only time out again
    expect(closed.reason).toContain("did not finish within 0.05 s");
    expect(client.events()).toHaveLength(0);
  } finally {
    await s.stop();
  }
});

test("a read waiting behind a slow one has its own, shorter wait limit: 503 with Retry-After, not the slow one's timeout", async () => {
  const s = await startFeedServer({ readWaitMs: 100 });
  try {
    await load(s, 20_000);
    const slow = s.api("POST", "/api/events/filter", { filter: { text: { query: SLOW_TEXT } } });
    const behind = await s.api("POST", "/api/events/count-by/event", { filter: { resource: { id: ["load.7"] } } });
    expect(behind.status).toBe(503);
    expect(((await behind.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: "unavailable",
      message: "Other reads kept this one waiting 0.1 s; retry shortly.",
    });
    // Seconds until the slow read's own time limit at most: when the worker is free again.
    const retry = Number(behind.headers.get("retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(30);
    // The slow read's own limit counts from its start, not from when it was asked for.
    expect((await slow).status).toBe(200);
    expect((await s.api("POST", "/api/events/count-by/event", { filter: { resource: { id: ["load.7"] } } })).status).toBe(200);
  } finally {
    await s.stop();
  }
});
