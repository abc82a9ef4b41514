// The feed registry on its own (real migrated database, no sockets), where the interleavings that a
// socket test can only make likely are made certain: commits between backfill pages, a stuck reader.
import { describe, expect, test } from "bun:test";
import { backfillStep } from "../../src/events/store/backfill.ts";
import { backfillPages } from "../../src/feed/backfill.ts";
import { Feed, requiredIds, type EndReason, type Transport } from "../../src/feed/feed.ts";
import { matchesFilter } from "../../src/events/filter/match.ts";
import { parseEventFilter } from "../../src/events/filter/filter.ts";
import { toEvent, type Event } from "../../src/events/model.ts";
import type { StoredEvent } from "../../src/events/store/event-store.ts";
import { createTestApp, workerReads } from "../support/app.ts";
import { waitUntil } from "../support/wait.ts";

class Recorder implements Transport {
  readonly received: StoredEvent[] = [];
  ended: { reason: EndReason; message: string } | null = null;
  congested = false;
  onSend: (item: StoredEvent) => void = () => {};
  send(item: StoredEvent): boolean {
    this.received.push(item);
    this.onSend(item);
    return !this.congested;
  }
  end(reason: EndReason, message: string): void {
    this.ended = { reason, message };
  }
  heartbeat(): void {}
  ids = () => this.received.map((s) => s.event.id);
}

function setup(opts: ConstructorParameters<typeof Feed>[1] = {}, database: "memory" | "file" = "memory") {
  const t = createTestApp({ database });
  const feed = new Feed(t.ctx, opts);
  const now = Date.now();
  let n = 0;
  /** Commits events and publishes them, as every writer does. */
  const commit = (count: number, fields: Partial<Event> = {}) =>
    t.ctx.bus.publish(
      t.ctx.events.insert(
        Array.from({ length: count }, () => toEvent({ event: `t.${n++}`, resource: { "prefect.resource.id": "r" }, ...fields }, { now })),
      ),
    );
  const all = () => (t.ctx.db.$client.query("SELECT id FROM events ORDER BY seq").all() as { id: string }[]).map((r) => r.id);
  const filter = parseEventFilter({}, now);
  filter.occurred.until = Number.MAX_SAFE_INTEGER;
  return { t, feed, commit, all, filter, now };
}

describe("backfill joined to live events", () => {
  test("events committed between backfill pages arrive once, live, after the backfill", async () => {
    // On a database file: the backfill's pages are read on the read worker, as in a server, while
    // the commits land on the request thread.
    const { t, feed, commit, all, filter } = setup({}, "file");
    await using _app = t;
    commit(600);
    const rec = new Recorder();
    // Every 100th backfilled event, more events are committed and published.
    rec.onSend = (item) => void (rec.received.length % 100 === 0 && item.seq <= 600 && commit(7));
    feed.subscribe(filter, rec, { filter: { ...filter, order: "ASC" } });
    await waitUntil(() => rec.received.length >= 642 || rec.ended !== null, "the backfill and the live events");
    expect(workerReads(t.ctx)).toBeGreaterThan(0);
    expect(rec.ids()).toEqual(all());
    expect(all()).toHaveLength(642);
  });

  test("a backfill page boundary inside one millisecond: more than a page share an `occurred`", async () => {
    const { t, commit, filter } = setup();
    commit(600, { occurred: "2026-01-01T00:00:00.000Z" } as Partial<Event>);
    commit(10);
    const since = {
      ...filter,
      occurred: { since: Date.parse("2025-12-31T00:00:00Z"), until: filter.occurred.until },
      order: "ASC" as const,
    };
    const pages = await Array.fromAsync(backfillPages(since, (cursor) => backfillStep(t.ctx.db, since, 10_000, undefined, cursor, 250)));
    const seqs = pages.flat().map((s) => s.seq);
    expect(pages.map((p) => p.length)).toEqual([250, 250, 110]);
    expect(seqs).toEqual(Array.from({ length: 610 }, (_, i) => i + 1));
  });

  test("the horizon pins the backfill: later commits are left to the live side", async () => {
    const { t, commit, filter } = setup();
    commit(30);
    const asc = { ...filter, order: "ASC" as const };
    const pages = await Array.fromAsync(backfillPages(asc, (cursor) => backfillStep(t.ctx.db, asc, 20, 5, cursor, 8)));
    expect(pages.flat().map((s) => s.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 6));
  });
});

describe("slow subscribers", () => {
  test("a reader that stops reading is dropped at its queue bound; ingestion and the others carry on", async () => {
    const { t, feed, commit, all, filter } = setup({ queueEvents: 50 });
    const stuck = new Recorder();
    const healthy = new Recorder();
    feed.subscribe(filter, stuck);
    feed.subscribe(filter, healthy);
    stuck.congested = true;
    commit(1); // the stuck reader accepts this one, then reports congestion and never resumes
    for (let i = 0; i < 60; i++) commit(1);
    expect(stuck.ended).toEqual({ reason: "too_slow", message: "Too slow: more than 50 events or 16 MiB waiting; reconnect to resume" });
    expect(stuck.received).toHaveLength(1);
    expect(feed.size).toBe(1);
    expect(healthy.ids()).toEqual(all());
    expect(t.ctx.events.count()).toBe(61);
  });

  test("the byte bound drops a reader holding fewer but larger events", () => {
    const { feed, commit, filter } = setup({ queueBytes: 64 * 1024 });
    const stuck = new Recorder();
    stuck.congested = true;
    feed.subscribe(filter, stuck);
    for (let i = 0; i < 20 && !stuck.ended; i++) commit(1, { payload: { pad: "x".repeat(8 * 1024) } });
    expect(stuck.ended?.reason).toBe("too_slow");
  });

  test("a congested reader that drains gets what waited, in order", () => {
    const { feed, commit, all, filter } = setup({ queueEvents: 50 });
    const rec = new Recorder();
    const sub = feed.subscribe(filter, rec);
    rec.congested = true;
    commit(30);
    expect(rec.received).toHaveLength(1);
    rec.congested = false;
    sub.resume();
    expect(rec.ids()).toEqual(all());
  });
});

test("filters apply to live events; close() ends every subscription as a shutdown", () => {
  const { feed, commit, filter } = setup();
  const rec = new Recorder();
  const onlyB = parseEventFilter({ event: { name: ["b"] } }, Date.now());
  onlyB.occurred.until = Number.MAX_SAFE_INTEGER;
  feed.subscribe(onlyB, rec);
  const other = new Recorder();
  feed.subscribe(filter, other);
  commit(1, { event: "a" } as Partial<Event>);
  commit(1, { event: "b" } as Partial<Event>);
  expect(rec.received.map((s) => s.event.event)).toEqual(["b"]);
  feed.close();
  expect([rec.ended?.reason, other.ended?.reason]).toEqual(["shutdown", "shutdown"]);
  expect(feed.size).toBe(0);
});

describe("subscribers indexed by the resource ids their filters require", () => {
  test("each subscriber gets exactly the events its filter matches, however it is indexed", () => {
    const { t, feed, filter } = setup();
    const f = (spec: Record<string, unknown>) => ({ ...parseEventFilter(spec, Date.now()), occurred: filter.occurred });
    const hookA = "prefect-cloud.webhook.a";
    const hookB = "prefect-cloud.webhook.b";
    const specs: Record<string, unknown>[] = [
      {},
      { resource: { id: ["r.1", "r.2"] } },
      { resource: { id: ["r.1"] }, event: { prefix: ["keep."] } },
      { related: { id: [hookA] } },
      { related: { role: ["webhook"], id: [hookB] } },
      { related: { resources_in_roles: [[hookB, "webhook"]] } },
      { any_resource: { id: [hookA, "r.3"] } },
      { any_resource: { id_prefix: ["r."] } },
      { event: { name: ["keep.b"] } },
    ];
    const filters = specs.map(f);
    const recorders = filters.map((fl) => {
      const rec = new Recorder();
      feed.subscribe(fl, rec);
      return rec;
    });
    // Two subscribers with one filter share a group; both are served.
    const twin = new Recorder();
    feed.subscribe(filters[3]!, twin);
    const events = [
      {
        event: "keep.a",
        resource: { "prefect.resource.id": "r.1" },
        related: [{ "prefect.resource.id": hookA, "prefect.resource.role": "webhook" }],
      },
      { event: "drop.a", resource: { "prefect.resource.id": "r.1" } },
      {
        event: "keep.b",
        resource: { "prefect.resource.id": "r.2" },
        related: [{ "prefect.resource.id": hookB, "prefect.resource.role": "webhook" }],
      },
      { event: "keep.c", resource: { "prefect.resource.id": "r.3" } },
      { event: "keep.d", resource: { "prefect.resource.id": hookA } },
      {
        event: "keep.e",
        resource: { "prefect.resource.id": "x.9" },
        related: [{ "prefect.resource.id": hookB, "prefect.resource.role": "other" }],
      },
    ].map((e) => toEvent(e, { now: Date.now() }));
    const stored = t.ctx.events.insert(events);
    t.ctx.bus.publish(stored);
    filters.forEach((fl, i) => {
      const expected = stored.filter((s) => matchesFilter(fl, s.event)).map((s) => s.event.event);
      expect({ filter: specs[i], got: recorders[i]!.received.map((s) => s.event.event) }).toEqual({ filter: specs[i], got: expected });
    });
    expect(twin.ids()).toEqual(recorders[3]!.ids());
    // Sanity: the cases above are not all empty or all full.
    expect(recorders.map((r) => r.received.length)).toEqual([6, 3, 1, 1, 1, 1, 3, 4, 1]);
  });

  test("requiredIds names the ids a filter needs, or null when it names none", () => {
    const p = (spec: Record<string, unknown>) => requiredIds(parseEventFilter(spec, Date.now()));
    expect(p({})).toBeNull();
    expect(p({ resource: { id_prefix: ["r."] } })).toBeNull();
    expect(p({ resource: { id: ["a", "b"] } })).toEqual(["a", "b"]);
    expect(p({ related: { role: ["webhook"] } })).toBeNull();
    expect(p({ related: { id: ["w"] } })).toEqual(["w"]);
    expect(p({ related: { resources_in_roles: [["w", "webhook"]] } })).toEqual(["w"]);
    expect(p({ any_resource: { id: ["x"] } })).toEqual(["x"]);
  });

  test("the index forgets a filter when its last subscriber leaves (an id named twice too)", () => {
    const { feed, commit, filter } = setup();
    const only = { ...parseEventFilter({ resource: { id: ["r", "r"] } }, Date.now()), occurred: filter.occurred };
    const a = new Recorder();
    const b = new Recorder();
    const subA = feed.subscribe(only, a);
    const subB = feed.subscribe(only, b);
    feed.unsubscribe(subA);
    commit(1);
    expect([a.received.length, b.received.length]).toEqual([0, 1]);
    feed.unsubscribe(subB);
    commit(1);
    expect(b.received.length).toBe(1);
    expect(feed.size).toBe(0);
  });
});
