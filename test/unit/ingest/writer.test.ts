import { describe, expect, test } from "bun:test";
import { openMemoryDatabase } from "../../../src/db/open.ts";
import { EventBus } from "../../../src/events/bus.ts";
import { toEvent } from "../../../src/events/model.ts";
import { EventStore } from "../../../src/events/store.ts";
import { FailureLimiter } from "../../../src/ingest/failures.ts";
import { GroupCommitWriter, QueueFullError, StorageError } from "../../../src/ingest/writer.ts";
import { silentLogger } from "../../../src/log.ts";

const make = (n: number) => toEvent({ event: `e.${n}`, resource: { "prefect.resource.id": `r.${n}` } }, { now: Date.now() });

function setup(opts?: ConstructorParameters<typeof GroupCommitWriter>[3]) {
  const db = openMemoryDatabase();
  const store = new EventStore(db);
  const bus = new EventBus();
  const published: string[] = [];
  bus.subscribe((list) => published.push(...list.map((s) => s.event.event)));
  let commits = 0;
  const original = store.insert.bind(store);
  store.insert = (list) => (commits++, original(list));
  return { db, store, bus, published, writer: new GroupCommitWriter(store, bus, silentLogger, opts), commits: () => commits };
}

describe("GroupCommitWriter", () => {
  test("requests of the same turn share one commit; each resolves only once its event is stored", async () => {
    const s = setup();
    const writes = Array.from({ length: 50 }, (_, i) => s.writer.write(make(i)));
    expect(s.store.count()).toBe(0);
    const stored = await Promise.all(writes);
    expect(s.commits()).toBe(1);
    expect(stored.map((x) => x!.event.event)).toEqual(Array.from({ length: 50 }, (_, i) => `e.${i}`));
    expect(s.store.count()).toBe(50);
    expect(s.published).toHaveLength(50);
  });

  test("a full batch commits at once, and the order of commits is the order of writes", async () => {
    const s = setup({ maxBatch: 10 });
    const writes = Array.from({ length: 25 }, (_, i) => s.writer.write(make(i)));
    expect(s.store.count()).toBe(20);
    await Promise.all(writes);
    expect(s.commits()).toBe(3);
    const seqOrder = s.db.$client.query("SELECT event FROM events ORDER BY seq").all().map((r) => (r as { event: string }).event);
    expect(seqOrder).toEqual(Array.from({ length: 25 }, (_, i) => `e.${i}`));
    expect(s.published).toEqual(seqOrder);
  });

  test("a failed commit rejects every request of its batch with StorageError, stores and publishes nothing", async () => {
    const s = setup();
    s.db.$client.exec("CREATE TRIGGER no BEFORE INSERT ON event_resources BEGIN SELECT RAISE(ABORT, 'no'); END");
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => s.writer.write(make(i))));
    expect(results.every((r) => r.status === "rejected" && r.reason instanceof StorageError)).toBe(true);
    expect(s.store.count()).toBe(0);
    expect(s.published).toEqual([]);
  });

  test("refuses at once when the queue is full", () => {
    const s = setup({ maxQueue: 3, maxBatch: 100 });
    for (let i = 0; i < 3; i++) void s.writer.write(make(i));
    expect(() => s.writer.write(make(3))).toThrow(QueueFullError);
  });

  test("flush commits what is pending (used on shutdown)", () => {
    const s = setup();
    void s.writer.write(make(1));
    s.writer.flush();
    expect(s.store.count()).toBe(1);
  });
});

describe("FailureLimiter", () => {
  test("allows a burst, then refills over time and reports how many were dropped", () => {
    const limiter = new FailureLimiter(3, 60);
    const t0 = 1_000_000;
    expect([1, 2, 3, 4, 5].map(() => limiter.take("w", t0).allowed)).toEqual([true, true, true, false, false]);
    expect(limiter.take("other", t0).allowed).toBe(true);
    expect(limiter.take("w", t0 + 1000)).toEqual({ allowed: true, suppressed: 2 });
    expect(limiter.take("w", t0 + 1000)).toEqual({ allowed: false, suppressed: 1 });
  });
});
