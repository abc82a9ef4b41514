// Event filter benchmark: `bun bench/filters.ts [N]` (default 1,000,000 events).
// Loads N realistic events into a fresh file database (real migrations) and times the first page
// of typical filters, `total` included, through the code the routes run (parse → page → count),
// after the background text indexer has caught up (how long that took is reported).
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../src/db/open.ts";
import { countBy } from "../src/events/store/count-by.ts";
import { queryPage } from "../src/events/store/query.ts";
import { parseEventFilter } from "../src/events/filter/filter.ts";
import type { Event } from "../src/events/model.ts";
import { SqliteEventStore } from "../src/events/store/sqlite-store.ts";
import { indexPending, mergeAll } from "../src/events/store/text-index.ts";

const N = Number(process.argv[2] ?? 1_000_000);
const ITERATIONS = 30;
const BATCH = 10_000;
const DAYS = 30;
const NOW = Date.now();

// A seeded generator (mulberry32), so that runs are comparable.
let seed = 42;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
}
const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
/** Skewed choice: a few items are common, most are rare (as webhooks and repositories are). */
const skewed = <T>(list: readonly T[]) => list[Math.floor(list.length * rand() ** 2)]!;

const SOURCES = ["github", "stripe", "grafana", "iot", "cron", "gitlab", "sentry", "shopify", "azure", "aws"];
const NOUNS = [
  "pull_request",
  "push",
  "issue",
  "deployment",
  "invoice",
  "charge",
  "alert",
  "sensor",
  "job",
  "order",
  "build",
  "release",
  "customer",
  "subscription",
  "pipeline",
  "incident",
  "device",
  "backup",
  "payment",
  "check",
];
const VERBS = ["opened", "closed", "created", "updated", "deleted", "failed", "succeeded", "started", "fired", "resolved"];
const EVENT_NAMES = SOURCES.flatMap((s) =>
  NOUNS.slice(0, 6 + (s.length % 5)).flatMap((n) => VERBS.slice(0, 3 + (n.length % 4)).map((v) => `${s}.${n}.${v}`)),
);
const RESOURCES = Array.from({ length: 5000 }, (_, i) => ({ id: `${pick(SOURCES)}.${pick(NOUNS)}.${i}`, name: `resource ${i}` }));
const WEBHOOKS = Array.from({ length: 40 }, (_, i) => ({ id: `prefect-cloud.webhook.${Bun.randomUUIDv7()}`, name: `hook-${i}` }));
const USERS = Array.from({ length: 500 }, (_, i) => `user-${i}`);
const COMMON = [
  "ok",
  "merged",
  "retry",
  "queued",
  "deploy",
  "staging",
  "production",
  "latency",
  "checkout",
  "refund",
  "offline",
  "battery",
  "warning",
];
// A long tail of rarer words (error codes, SKUs, hostnames), as real payload text has.
const WORDS = [...COMMON, ...Array.from({ length: 3000 }, (_, i) => `${pick(["err", "sku", "host", "job", "tx"])}${(i * 7919) % 100_000}`)];

function makeEvent(i: number): Event {
  const occurred = NOW - DAYS * 86_400_000 + Math.floor(((i + rand()) * (DAYS * 86_400_000)) / N);
  const resource = skewed(RESOURCES);
  const related: Event["related"] = [];
  if (rand() < 0.9) {
    const hook = skewed(WEBHOOKS);
    related.push({ "prefect.resource.id": hook.id, "prefect.resource.role": "webhook", "prefect.resource.name": hook.name });
  }
  if (rand() < 0.3) related.push({ "prefect.resource.id": `github.user.${pick(USERS)}`, "prefect.resource.role": "actor" });
  const text = Array.from({ length: 6 }, () => (rand() < 0.5 ? pick(COMMON) : pick(WORDS))).join(" ");
  return {
    id: Bun.randomUUIDv7("hex", occurred),
    occurred: new Date(occurred).toISOString(),
    received: new Date(occurred + 50).toISOString(),
    event: skewed(EVENT_NAMES),
    resource: { "prefect.resource.id": resource.id, "prefect.resource.name": resource.name, env: pick(["prod", "staging"]) },
    related,
    payload: {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "GitHub-Hookshot/abc123", "x-request-id": Bun.randomUUIDv7() },
      body: {
        action: pick(VERBS),
        number: Math.floor(rand() * 10_000),
        message: text,
        sender: { login: pick(USERS), id: Math.floor(rand() * 1e6) },
      },
    },
    follows: null,
  };
}

// BENCH_DB=path reuses a database an earlier run kept (BENCH_KEEP=1), to iterate on queries only.
const reuse = process.env.BENCH_DB;
const dir = reuse ? "" : mkdtempSync(join(tmpdir(), "inlet-bench-"));
const path = reuse ?? join(dir, "inlet.db");
const db = openDatabase({ path });
db.$client.exec("PRAGMA synchronous = NORMAL"); // loading speed only; queries are unaffected
const store = new SqliteEventStore(db);

let t0 = performance.now();
for (let done = 0; !reuse && done < N; done += BATCH) {
  const batch = Array.from({ length: Math.min(BATCH, N - done) }, (_, k) => makeEvent(done + k));
  store.insert(batch);
  if ((done / BATCH) % 10 === 0) process.stderr.write(`\rloaded ${done.toLocaleString()} events`);
}
db.$client.exec("PRAGMA wal_checkpoint(TRUNCATE)");
console.error(
  `\rloaded ${N.toLocaleString()} events in ${((performance.now() - t0) / 1000).toFixed(1)} s; database ${(statSync(path).size / 2 ** 20).toFixed(0)} MiB`,
);

// BENCH_REINDEX=1 rebuilds a reused database's text index from migration 0002 as it now reads,
// after a change to the index (the migration itself ran when the database was created).
if (reuse && process.env.BENCH_REINDEX) {
  const migration = readFileSync(join(import.meta.dir, "../drizzle/0002_text_index_words.sql"), "utf8").split("--> statement-breakpoint");
  db.$client.exec(
    "DROP TRIGGER IF EXISTS events_words_delete; DROP TABLE IF EXISTS events_words; DROP TABLE IF EXISTS events_words_grams; DROP TABLE IF EXISTS events_words_vocab; DROP TABLE IF EXISTS events_words_state",
  );
  for (const statement of migration.slice(migration.findIndex((s) => s.includes("CREATE VIRTUAL TABLE `events_words`"))))
    db.$client.exec(statement);
}

// The server indexes in the background; here the indexer runs to completion before measuring.
t0 = performance.now();
const indexed = indexPending(db.$client);
mergeAll(db.$client); // what the server's indexer does in steps once it has caught up
db.$client.exec("PRAGMA wal_checkpoint(TRUNCATE)");
const indexMs = performance.now() - t0;
const bytes = (table: string) =>
  db.$client
    .query<{ n: number | null }, [string, string]>(
      "SELECT sum(pgsize) AS n FROM dbstat WHERE name = ? OR name LIKE ? || '\\_%' ESCAPE '\\'",
    )
    .get(table, table)!.n ?? 0;
const vocab = db.$client.query<{ n: number }, []>("SELECT count(*) AS n FROM events_words_vocab").get()!.n;
console.error(
  `indexed ${indexed.toLocaleString()} events in ${(indexMs / 1000).toFixed(1)} s (${((indexMs * 1000) / Math.max(indexed, 1)).toFixed(1)} µs/event); ` +
    `word index ${(bytes("events_words") / 2 ** 20).toFixed(0)} MiB, vocabulary ${vocab.toLocaleString()} words ` +
    `(${((bytes("events_words_vocab") + bytes("sqlite_autoindex_events_words_vocab") + bytes("events_words_grams")) / 2 ** 20).toFixed(0)} MiB with its trigrams); database ${(statSync(path).size / 2 ** 20).toFixed(0)} MiB`,
);

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { median: at(0.5), p99: at(0.99) };
}

// Resources and hooks of typical popularity (the median of what the skewed generator produces).
const resourceCounts = db.$client
  .query<{ resource_id: string; n: number }, []>("SELECT resource_id, count(*) AS n FROM events GROUP BY resource_id ORDER BY n DESC")
  .all();
const typicalResource = resourceCounts[Math.floor(resourceCounts.length / 2)]!;
const busiestResource = resourceCounts[0]!;
const hookCounts = db.$client
  .query<{ resource_id: string; n: number }, []>(
    "SELECT resource_id, count(*) AS n FROM event_resources WHERE role = 'webhook' GROUP BY resource_id ORDER BY n DESC",
  )
  .all();
const typicalHook = hookCounts[Math.floor(hookCounts.length / 2)]!;
const busiestHook = hookCounts[0]!;
const RARE = [WORDS[COMMON.length + 100]!, WORDS[COMMON.length + 200]!, WORDS[COMMON.length + 300]!];
const hourAgo = (h: number) => new Date(NOW - h * 3_600_000).toISOString();

const cases: [string, () => unknown][] = [
  ["no criteria (default window, total over all)", () => page({})],
  [`resource.id, typical (${typicalResource.n} events)`, () => page({ resource: { id: [typicalResource.resource_id] } })],
  [`resource.id, busiest (${busiestResource.n} events)`, () => page({ resource: { id: [busiestResource.resource_id] } })],
  [
    "event.prefix + 1 h window",
    () => page({ event: { prefix: ["github.pull_request."] }, occurred: { since: hourAgo(25), until: hourAgo(24) } }),
  ],
  [`related.id, typical hook (${typicalHook.n} events)`, () => page({ related: { id: [typicalHook.resource_id] } })],
  [`related.id, busiest hook (${busiestHook.n} events)`, () => page({ related: { id: [busiestHook.resource_id] } })],
  [`text query: one rare word (${RARE[0]})`, () => page({ text: { query: RARE[0] } })],
  [`text query: ${RARE[1]} ${RARE[2]} -staging`, () => page({ text: { query: `${RARE[1]} ${RARE[2]} -staging` } })],
  ["text query: a common word", () => page({ text: { query: "latency" } })],
  ["text query: a dotted term (github.push)", () => page({ text: { query: "github.push" } })],
  ["text query: a term's inner part (hub.pu)", () => page({ text: { query: "hub.pu" } })],
  ["text query: a three-part name (github.pull_request.opened)", () => page({ text: { query: "github.pull_request.opened" } })],
  ["text query: a dotted term, short first part (b.push)", () => page({ text: { query: "b.push" } })],
  ["text query: github.push -opened", () => page({ text: { query: "github.push -opened" } })],
  ['text query: a quoted phrase ("push opened")', () => page({ text: { query: '"push opened"' } })],
  ["text query: a term in every event (github-hookshot)", () => page({ text: { query: "github-hookshot" } })],
  [
    "text query: a dotted term + 1 h window",
    () => page({ text: { query: "github.push" }, occurred: { since: hourAgo(25), until: hourAgo(24) } }),
  ],
  ["text query: a word part (atenc)", () => page({ text: { query: "atenc" } })],
  ["text query: common word -common word", () => page({ text: { query: "latency -staging" } })],
  ["text query + 1 h window", () => page({ text: { query: "latency" }, occurred: { since: hourAgo(25), until: hourAgo(24) } })],
  [
    "count-by day, 7 days",
    () => countBy(db, parseEventFilter({ occurred: { since: hourAgo(24 * 7) } }, Date.now()), "day", "day", 1, Date.now()),
  ],
];

function page(filter: unknown) {
  return queryPage(db, { filter: parseEventFilter(filter, Date.now()), limit: 50, offset: 0 });
}

console.log(`\n${N.toLocaleString()} events; ${ITERATIONS} iterations per filter (first page of 50, exact total)\n`);
console.log("filter".padEnd(52), "median ms".padStart(10), "p99 ms".padStart(10), "  total");
for (const [name, run] of cases) {
  const first = run() as { total?: number } | unknown[];
  const times: number[] = [];
  // A slow filter is timed fewer times (at least 5), so that one does not hold up the run.
  for (let i = 0, spent = 0; i < ITERATIONS && (i < 5 || spent < 5000); i++, spent += times.at(-1)!) {
    t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  const { median, p99 } = stats(times);
  const total = Array.isArray(first) ? `${first.length} buckets` : String((first as { total: number }).total);
  console.log(name.padEnd(52), median.toFixed(2).padStart(10), p99.toFixed(2).padStart(10), " ", total);
}

if (process.env.BENCH_KEEP || reuse) console.error(`kept ${path}`);
else {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
}
