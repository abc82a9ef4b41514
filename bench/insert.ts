// Insert cost on the acknowledgement path: `bun bench/insert.ts [N] [file|memory]` (default 20,000,
// memory). Times SqliteEventStore.insert in batches of 50 realistic webhook events (a GitHub push
// through the default template's shape), µs per event, without and with the text indexer
// catching up between batches (its own cost is reported apart: the server runs it only while no
// webhook is arriving, so it is not on the acknowledgement path).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import examples from "@octokit/webhooks-examples";
import { openDatabase, type Db } from "../src/db/open.ts";
import type { Event } from "../src/events/model.ts";
import { SqliteEventStore } from "../src/events/store/sqlite-store.ts";
import { indexBatch } from "../src/events/store/text-index.ts";

const N = Number(process.argv[2] ?? 20_000);
const FILE = process.argv[3] === "file";
const BATCH = 50;
const pushExample = (examples as { name: string; examples: Record<string, unknown>[] }[]).find((e) => e.name === "push")!.examples[0]!;

function makeEvent(i: number): Event {
  const now = Date.now();
  return {
    id: Bun.randomUUIDv7(),
    occurred: new Date(now).toISOString(),
    received: new Date(now).toISOString(),
    event: "github.push",
    resource: { "prefect.resource.id": `github.repo.${i % 50}`, "prefect.resource.name": `repo-${i % 50}` },
    related: [
      {
        "prefect.resource.id": "prefect-cloud.webhook.0190f3b4-3a2b-7cde-8f00-000000000001",
        "prefect.resource.role": "webhook",
        "prefect.resource.name": "github",
      },
    ],
    payload: {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "GitHub-Hookshot/abc123", "x-github-delivery": Bun.randomUUIDv7() },
      body: { ...pushExample, after: Bun.randomUUIDv7("hex") },
    },
    follows: null,
  };
}

function run(withIndexer: boolean): { insertUs: number; indexUs: number } {
  const dir = FILE ? mkdtempSync(join(tmpdir(), "inlet-insert-")) : "";
  const db: Db = openDatabase({ path: FILE ? join(dir, "inlet.db") : ":memory:" });
  const store = new SqliteEventStore(db);
  const events = Array.from({ length: N }, (_, i) => makeEvent(i));
  let insertMs = 0;
  let indexMs = 0;
  for (let done = 0; done < N; done += BATCH) {
    const batch = events.slice(done, done + BATCH);
    let t0 = performance.now();
    store.insert(batch);
    insertMs += performance.now() - t0;
    if (withIndexer) {
      t0 = performance.now();
      while (indexBatch(db.$client) > 0);
      indexMs += performance.now() - t0;
    }
  }
  db.$client.close();
  if (FILE) rmSync(dir, { recursive: true, force: true });
  return { insertUs: (insertMs * 1000) / N, indexUs: (indexMs * 1000) / N };
}

run(false); // warm-up
const without = run(false);
const withIndexer = run(true);
console.log(`${N.toLocaleString()} events, batches of ${BATCH}, ${FILE ? "file (synchronous=FULL, WAL)" : "in-memory"} database`);
console.log(`SqliteEventStore.insert, indexer idle:          ${without.insertUs.toFixed(1)} µs/event`);
console.log(
  `SqliteEventStore.insert, indexer between batches: ${withIndexer.insertUs.toFixed(1)} µs/event (indexing itself, off the request path: ${withIndexer.indexUs.toFixed(1)} µs/event)`,
);
