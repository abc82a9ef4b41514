import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { databasePath } from "../../../src/config.ts";
import { openDatabase, openMemoryDatabase } from "../../../src/db/open.ts";
import { toEvent } from "../../../src/events/model.ts";
import { deleteExpiredBatch, sweep } from "../../../src/events/store/retention.ts";
import { SqliteEventStore } from "../../../src/events/store/sqlite-store.ts";
import { silentLogger } from "../../../src/log.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-06-01T00:00:00Z");
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const event = (n: number, ageDays: number, pad = "") =>
  toEvent(
    {
      event: `e.${n}`,
      occurred: new Date(NOW - ageDays * DAY).toISOString(),
      resource: { "prefect.resource.id": `r.${n}` },
      related: [{ "prefect.resource.id": "w", "prefect.resource.role": "webhook" }],
      payload: { pad },
    },
    { now: NOW },
  );

const count = (db: ReturnType<typeof openMemoryDatabase>, table: string) =>
  (db.$client.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

test("a sweep deletes events older than the retention period with their resource rows, and keeps the rest", async () => {
  const db = openMemoryDatabase();
  const store = new SqliteEventStore(db);
  store.insert([event(1, 40), event(2, 31), event(3, 29), event(4, 0)]);
  const deleted = await sweep({ client: db.$client, retentionDays: 30, now: () => NOW, logger: silentLogger, batch: 1 });
  expect(deleted).toBe(2);
  expect(db.$client.query("SELECT event FROM events ORDER BY seq").all()).toEqual([{ event: "e.3" }, { event: "e.4" }]);
  expect(count(db, "event_resources")).toBe(4);
  expect(db.$client.query("SELECT count(*) AS n FROM event_resources WHERE event_seq NOT IN (SELECT seq FROM events)").get()).toEqual({
    n: 0,
  });
});

test("an event received before the cutoff expires whatever its occurred says; commit order finds it", () => {
  const db = openMemoryDatabase();
  const received = (n: number, daysAgo: number, occurred: string) =>
    toEvent({ event: `e.${n}`, occurred, resource: { "prefect.resource.id": `r.${n}` } }, { now: NOW - daysAgo * DAY });
  new SqliteEventStore(db).insert([
    received(1, 40, "9999-01-01T00:00:00Z"),
    received(2, 35, "2026-05-31T00:00:00Z"),
    received(3, 1, "9999-01-01T00:00:00Z"),
  ]);
  expect(deleteExpiredBatch(db.$client, NOW - 30 * DAY)).toBe(2);
  expect(db.$client.query("SELECT event FROM events").all()).toEqual([{ event: "e.3" }]);
});

test("deletion runs in small batches", () => {
  const db = openMemoryDatabase();
  new SqliteEventStore(db).insert(Array.from({ length: 7 }, (_, i) => event(i, 100)));
  expect(deleteExpiredBatch(db.$client, NOW - 30 * DAY, 3)).toBe(3);
  expect(count(db, "events")).toBe(4);
});

test("freed pages are given back to the file system", async () => {
  const dir = mkdtempSync(join(tmpdir(), "inlet-retention-"));
  dirs.push(dir);
  const path = databasePath(dir);
  const db = openDatabase({ path });
  const store = new SqliteEventStore(db);
  for (let b = 0; b < 20; b++) store.insert(Array.from({ length: 50 }, (_, i) => event(b * 50 + i, 60, "x".repeat(2000))));
  db.$client.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const pagesBefore = (db.$client.query("PRAGMA page_count").get() as { page_count: number }).page_count;
  await sweep({ client: db.$client, retentionDays: 30, now: () => NOW, logger: silentLogger });
  db.$client.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const pagesAfter = (db.$client.query("PRAGMA page_count").get() as { page_count: number }).page_count;
  expect(count(db, "events")).toBe(0);
  expect((db.$client.query("PRAGMA freelist_count").get() as { freelist_count: number }).freelist_count).toBe(0);
  expect(pagesAfter).toBeLessThan(pagesBefore / 4);
  expect(statSync(path).size).toBeLessThan((pagesBefore * 4096) / 4);
  db.$client.close();
});

test("a database without incremental auto-vacuum still finishes its sweep (nothing to give back)", async () => {
  const { Database } = await import("bun:sqlite");
  const client = new Database(":memory:");
  client.exec(
    "CREATE TABLE events (seq INTEGER PRIMARY KEY, occurred INTEGER, received INTEGER, pad TEXT); CREATE TABLE event_resources (event_seq INTEGER)",
  );
  const insert = client.prepare("INSERT INTO events (occurred, received, pad) VALUES (?, ?, ?)");
  for (let i = 0; i < 200; i++) insert.run(NOW - 60 * DAY, NOW, "x".repeat(3000));
  expect(await sweep({ client, retentionDays: 30, now: () => NOW, logger: silentLogger })).toBe(200);
  expect((client.query("PRAGMA freelist_count").get() as { freelist_count: number }).freelist_count).toBeGreaterThan(0);
});
