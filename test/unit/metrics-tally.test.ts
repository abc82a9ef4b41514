// The stored-event count /metrics shows is counted once and then moved by commits and retention.
import { expect, test } from "bun:test";
import { openMemoryDatabase } from "../../src/db/open.ts";
import { toEvent } from "../../src/events/model.ts";
import { InlineCommitter } from "../../src/events/store/committer.ts";
import { sweep } from "../../src/events/store/retention.ts";
import { SqliteEventStore } from "../../src/events/store/sqlite-store.ts";
import { silentLogger } from "../../src/log.ts";
import { Metrics } from "../../src/metrics/metrics.ts";
import { EventTally, observedCommitter } from "../../src/metrics/observe.ts";
import { parseScrape } from "../support/metrics.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-06-01T00:00:00Z");
const event = (n: number, ageDays: number) =>
  toEvent(
    { event: `e.${n}`, occurred: new Date(NOW - ageDays * DAY).toISOString(), resource: { "prefect.resource.id": `r.${n}` } },
    { now: NOW },
  );

test("counted once on first read, then moved by commits (duplicates not counted) and retention deletions", async () => {
  const db = openMemoryDatabase();
  const metrics = new Metrics();
  let counts = 0;
  const tally = new EventTally(() => {
    counts++;
    return (db.$client.query("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  });
  const committer = observedCommitter(new InlineCommitter(db.$client), metrics, tally);
  const store = new SqliteEventStore(db, { committer });
  await Promise.all([event(1, 40), event(2, 40), event(3, 0)].map((e) => store.write(e)));
  expect(tally.value()).toBe(3);
  const dup = event(4, 0);
  await store.write(dup);
  await store.write(dup);
  expect(tally.value()).toBe(4);
  const deleted = await sweep({
    client: db.$client,
    retentionDays: 30,
    now: () => NOW,
    logger: silentLogger,
    onDeleted: (n) => {
      metrics.retentionDeletions.inc(n);
      tally.removed(n);
    },
    batch: 1,
  });
  expect(deleted).toBe(2);
  expect(tally.value()).toBe(2);
  expect(counts).toBe(1);
  const m = parseScrape((await metrics.render()).text);
  expect(m.value("inlet_retention_deleted_events_total")).toBe(2);
  expect(m.value("inlet_commit_batch_size")).toBe(3); // one batch of three, then two of one
  await store.close();
});
