// A body of a megabyte of nested brackets, the shape that once cost a hook seconds of the request
// thread (parsing it, then failing to serialize it twice), costs what a megabyte of flat text
// costs: JSON nested deeper than events may be is found by one scan and kept as text, and the
// text indexer indexes the stored event like any other.
import { describe, expect, test } from "bun:test";
import { parseEventFilter } from "../../src/events/filter/filter.ts";
import { queryEvents } from "../../src/events/store/query.ts";
import { indexPending, textWatermark } from "../../src/events/store/text-index.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { createWebhook, FAILED, hook, storedEvents } from "../support/hooks.ts";

const STATIC = '{"event": "sensor.reading", "resource": {"prefect.resource.id": "sensor.1"}}';
const HALF = 500_000;

/** Median time of a few hooks, each answered `status`. */
async function hookMs(t: TestApp, slug: string, body: string, contentType: string, status: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const res = await hook(t, slug, { body, headers: { "content-type": contentType } });
    times.push(performance.now() - started);
    expect(res.status).toBe(status);
  }
  return times.sort((a, b) => a - b)[1]!;
}

describe("a megabyte of nested brackets", () => {
  const deep = "[".repeat(HALF) + "]".repeat(HALF);

  // Machine-independent: the same hook, the same size of body, only the shape differs.
  test("sent as text/plain, costs a hook no more than as much flat text, and is stored as text", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC });
    const flatMs = await hookMs(t, w.slug, "x".repeat(2 * HALF), "text/plain", 204);
    const deepMs = await hookMs(t, w.slug, deep, "text/plain", 204);
    expect(deepMs).toBeLessThan(4 * flatMs + 20);
    const stored = storedEvents(t);
    expect(stored.filter((e) => e.event === FAILED)).toEqual([]);
    expect(stored.filter((e) => e.payload.body === deep)).toHaveLength(3);
  });

  test("sent as application/json, is refused (400, a failure event) for less than storing as much flat JSON", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC });
    const flatMs = await hookMs(t, w.slug, `["${"x".repeat(2 * HALF - 4)}"]`, "application/json", 204);
    const deepMs = await hookMs(t, w.slug, deep, "application/json", 400);
    expect(deepMs).toBeLessThan(4 * flatMs + 20);
    const failures = storedEvents(t).filter((e) => e.event === FAILED);
    expect(failures).toHaveLength(3);
    expect(failures[0]!.payload).toMatchObject({ reason: "invalid_event", body: "[not shown: nested too deeply]", rendered: null });
    expect(failures[0]!.payload.error).toBe("The request body is JSON nested deeper than 1000 levels: no event can hold it");
  });

  test("a template sees it as text, and a template rendering it is refused as too deep, quickly", async () => {
    const t = createTestApp();
    const seen = await createWebhook(t, {
      template: '{"event": "{{ body is string }}", "resource": {"prefect.resource.id": "x"}, "payload": {}}',
    });
    expect((await hook(t, seen.slug, { body: deep, headers: { "content-type": "text/plain" } })).status).toBe(204);
    expect(storedEvents(t).at(-1)!.event).toBe("True");
    const echo = await createWebhook(t, {
      template: '{"event": "e", "resource": {"prefect.resource.id": "x"}, "payload": {"b": {{ body|safe }}}}',
    });
    expect((await hook(t, echo.slug, { body: deep, headers: { "content-type": "text/plain" } })).status).toBe(400);
    const failure = storedEvents(t).at(-1)!;
    expect(failure.event).toBe(FAILED);
    expect(failure.payload.reason).toBe("invalid_event");
    expect(failure.payload.error).toContain("nested too deeply");
  });

  test("the text indexer indexes the stored event without error, and text search finds it", async () => {
    await using t = createTestApp({ database: "file" });
    const w = await createWebhook(t, { template: STATIC });
    // One run of separators a megabyte long, as the index encodes it (text-tokens.ts separatorToken).
    const body = `${"[".repeat(2 * HALF + 40_000)} needle`;
    expect((await hook(t, w.slug, { body, headers: { "content-type": "text/plain" } })).status).toBe(204);
    expect(indexPending(t.ctx.db.$client)).toBe(1);
    expect(textWatermark(t.ctx.db.$client)).toBe(1);
    const found = queryEvents(t.ctx.db, parseEventFilter({ text: { query: "needle" } }, Date.now()), { limit: 10 });
    expect(found.map((s) => s.event.payload.body)).toEqual([body]);
    // And through the events API, whose read runs on the read worker.
    const res = await t.request("POST", "/api/events/filter", { body: { filter: { text: { query: "needle" } } } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { events: { payload: { body: string } }[] }).events.map((e) => e.payload.body)).toEqual([body]);
  });

  test("nor does an event deeper than SQLite reads (stored before events were limited) stop the indexer", () => {
    const t = createTestApp();
    const client = t.ctx.db.$client;
    const insert = (id: string, payload: string) =>
      client
        .query("INSERT INTO events (id, occurred, received, event, resource_id, data) VALUES (?, 0, 0, 'legacy', 'r', ?)")
        .run(id, `{"id":"${id}","event":"legacy","resource":{"prefect.resource.id":"r"},"related":[],"payload":${payload}}`);
    insert("00000000-0000-7000-8000-000000000001", "[".repeat(3000) + "]".repeat(3000));
    insert("00000000-0000-7000-8000-000000000002", '{"word":"findable"}');
    expect(indexPending(client)).toBe(2);
    expect(textWatermark(client)).toBe(2);
    const found = queryEvents(
      t.ctx.db,
      parseEventFilter({ text: { query: "findable" }, occurred: { since: "1970-01-01T00:00:00Z" } }, Date.now()),
      { limit: 10 },
    );
    expect(found.map((s) => s.event.id)).toEqual(["00000000-0000-7000-8000-000000000002"]);
  });
});

describe("a body just within the nesting limit", () => {
  test("whose event is too deep to store: the failure event is stored, with the body as JSON text", async () => {
    const t = createTestApp();
    // No payload in the template: the default payload puts the body two levels further down.
    const w = await createWebhook(t, { template: '{"event": "deep", "resource": {"prefect.resource.id": "deep"}}' });
    const body = "[".repeat(999) + "]".repeat(999);
    expect((await hook(t, w.slug, { body, headers: { "content-type": "application/json" } })).status).toBe(400);
    const [failure, ...rest] = storedEvents(t);
    expect(rest).toEqual([]);
    expect(failure).toMatchObject({ event: FAILED, payload: { reason: "invalid_event", body } });
  });
});
