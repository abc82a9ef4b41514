import { describe, expect, test } from "bun:test";
import { openMemoryDatabase, type Db } from "../../../src/db/open.ts";
import { EventBus } from "../../../src/feed/bus.ts";
import { toEvent } from "../../../src/events/model.ts";
import { SqliteEventStore } from "../../../src/events/store/sqlite-store.ts";
import { InlineCommitter, type Committer } from "../../../src/events/store/committer.ts";
import { GroupCommitWriter, QueueFullError, StorageError } from "../../../src/events/store/group-commit.ts";
import { silentLogger } from "../../../src/log.ts";

const make = (n: number) => toEvent({ event: `e.${n}`, resource: { "prefect.resource.id": `r.${n}` } }, { now: Date.now() });
const order = (db: Db) =>
  db.$client
    .query("SELECT event FROM events ORDER BY seq")
    .all()
    .map((r) => (r as { event: string }).event);

function setup(opts?: ConstructorParameters<typeof GroupCommitWriter>[3]) {
  const db = openMemoryDatabase();
  const committer = new InlineCommitter(db.$client);
  let commits = 0;
  const counted: Committer = { commit: (list) => (commits++, committer.commit(list)), close: () => committer.close() };
  const bus = new EventBus();
  const published: string[] = [];
  bus.subscribe((list) => published.push(...list.map((s) => s.event.event)));
  return {
    db,
    store: new SqliteEventStore(db),
    published,
    writer: new GroupCommitWriter(counted, bus, silentLogger, opts),
    commits: () => commits,
  };
}

describe("GroupCommitWriter", () => {
  test("requests of the same turn share one commit; each resolves only once its event is stored", async () => {
    const s = setup();
    const writes = Array.from({ length: 50 }, (_, i) => s.writer.write(make(i)));
    expect(s.store.count()).toBe(0);
    const stored = await Promise.all(writes);
    expect(s.commits()).toBe(1);
    expect(stored.map((x) => x!.event.event)).toEqual(Array.from({ length: 50 }, (_, i) => `e.${i}`));
    expect(stored.every((x) => x!.seq > 0)).toBe(true);
    expect(s.store.count()).toBe(50);
    expect(s.published).toHaveLength(50);
  });

  test("batches are bounded, and the order of commits and broadcasts is the order of writes", async () => {
    const s = setup({ maxBatch: 10 });
    await Promise.all(Array.from({ length: 25 }, (_, i) => s.writer.write(make(i))));
    expect(s.commits()).toBe(3);
    const expected = Array.from({ length: 25 }, (_, i) => `e.${i}`);
    expect(order(s.db)).toEqual(expected);
    expect(s.published).toEqual(expected);
  });

  test("writes arriving while a commit is in flight form the next batch", async () => {
    const s = setup();
    const first = s.writer.write(make(0));
    await new Promise((r) => setImmediate(r));
    const more = Array.from({ length: 5 }, (_, i) => s.writer.write(make(i + 1)));
    await Promise.all([first, ...more]);
    expect(s.commits()).toBe(2);
    expect(order(s.db)).toEqual(["e.0", "e.1", "e.2", "e.3", "e.4", "e.5"]);
  });

  test("a failed commit rejects every request of its batch with StorageError, stores and publishes nothing; the next batch works", async () => {
    const s = setup();
    s.db.$client.exec("CREATE TRIGGER no BEFORE INSERT ON event_resources BEGIN SELECT RAISE(ABORT, 'no'); END");
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => s.writer.write(make(i))));
    expect(results.every((r) => r.status === "rejected" && r.reason instanceof StorageError)).toBe(true);
    expect(s.store.count()).toBe(0);
    expect(s.published).toEqual([]);
    s.db.$client.exec("DROP TRIGGER no");
    expect((await s.writer.write(make(9)))!.event.event).toBe("e.9");
    expect(s.published).toEqual(["e.9"]);
  });

  test("an event id that is already stored resolves to null and is stored once", async () => {
    const s = setup();
    const e = make(1);
    await s.writer.write(e);
    expect(await s.writer.write(e)).toBeNull();
    expect(s.store.count()).toBe(1);
  });

  test("refuses at once when the queue is full", async () => {
    const s = setup({ maxQueue: 3 });
    const ok = [0, 1, 2].map((i) => s.writer.write(make(i)));
    expect(s.writer.hasRoom(1)).toBe(false);
    expect(() => s.writer.write(make(3))).toThrow(QueueFullError);
    await Promise.all(ok);
    expect(s.writer.hasRoom(3)).toBe(true);
  });

  test("recentlyActive tells background work whether webhooks are arriving", async () => {
    const s = setup();
    expect(s.writer.recentlyActive(100)).toBe(false);
    await s.writer.write(make(1));
    expect(s.writer.recentlyActive(100)).toBe(true);
  });

  test("drain commits everything pending (used on shutdown)", async () => {
    const s = setup();
    for (let i = 0; i < 3; i++) void s.writer.write(make(i));
    await s.writer.drain();
    expect(s.store.count()).toBe(3);
  });
});
