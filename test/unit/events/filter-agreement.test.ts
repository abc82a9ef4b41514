// SQL (find.ts/query.ts) and in-memory matching (match.ts) must select exactly the same events:
// the live feed decides with one, the event list with the other.
import { describe, expect, test } from "bun:test";
import { openMemoryDatabase } from "../../../src/db/open.ts";
import { countEvents, queryEvents } from "../../../src/events/store/query.ts";
import { parseEventFilter } from "../../../src/events/filter/filter.ts";
import { matchesFilter } from "../../../src/events/filter/match.ts";
import { toEvent, type Event } from "../../../src/events/model.ts";
import { SqliteEventStore } from "../../../src/events/store/sqlite-store.ts";
import { indexBatch, indexPending } from "../../../src/events/store/text-index.ts";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const hours = (h: number) => new Date(NOW - h * 3_600_000).toISOString();
const id = (n: number) => `0190f3b4-3a2b-7cde-8f00-${String(n).padStart(12, "0")}`;
const hook = (name: string) => ({
  "prefect.resource.id": `prefect-cloud.webhook.${name}`,
  "prefect.resource.role": "webhook",
  "prefect.resource.name": name,
});

const inputs: Record<string, unknown>[] = [
  {
    event: "github.push",
    resource: { "prefect.resource.id": "github.repo.inlet", "prefect.resource.name": "inlet", env: "prod" },
    related: [hook("gh")],
    payload: { ref: "main", message: "Fix Timeout in retry loop" },
  },
  {
    event: "github.pull_request.opened",
    resource: { "prefect.resource.id": "github.repo.inlet", env: "staging" },
    related: [hook("gh"), { "prefect.resource.id": "github.user.kiki", "prefect.resource.role": "actor", team: "core" }],
    payload: { number: 15 },
  },
  {
    event: "github.pull_request.closed",
    resource: { "prefect.resource.id": "github.repo.docs", "prefect.resource.name": "docs" },
    related: [hook("gh"), { "prefect.resource.id": "github.user.ada", "prefect.resource.role": "actor", team: "docs" }],
    payload: { merged: true },
  },
  {
    event: "stripe.charge.succeeded",
    resource: { "prefect.resource.id": "stripe.charge.ch_1", amount: "1200", "a.b": "dotted" },
    related: [hook("stripe")],
    payload: { amount: 1200, currency: "EUR" },
  },
  {
    event: "stripe.charge.failed",
    resource: { "prefect.resource.id": "stripe.charge.ch_2", amount: "99" },
    related: [hook("stripe")],
    payload: { error: "card_declined", note: 'ÉCHEC: "quoted" \\ back' },
  },
  {
    event: "iot.sensor.reading",
    resource: { "prefect.resource.id": "iot.sensor.[7]", kind: "thermo*", 'we"ird': "yes" },
    payload: { t: 21.5 },
  },
  {
    event: "iot.sensor.reading",
    resource: { "prefect.resource.id": "iot.sensor.8", kind: "hygro" },
    related: [{ "prefect.resource.id": "iot.sensor.[7]", "prefect.resource.role": "peer" }],
    payload: { h: 40 },
  },
  {
    event: "cron.job.failed",
    resource: { "prefect.resource.id": "cron.job.backup", "prefect.resource.role": "primary-with-role" },
    related: [hook("cron"), hook("cron-2")],
    payload: { exit: 2, log: "disk full; retry later" },
  },
  {
    event: "cron.job.succeeded",
    resource: { "prefect.resource.id": "cron.job.backup" },
    related: [{ "prefect.resource.id": "cron.job.backup", "prefect.resource.role": "self" }],
    payload: {},
  },
  {
    event: "prefect-cloud.webhook.failed",
    resource: { "prefect.resource.id": "prefect-cloud.webhook.gh", "prefect.resource.name": "gh" },
    payload: { reason: "template_error", error: "line 3: unexpected '}'" },
  },
  { event: "Github.Push", resource: { "prefect.resource.id": "GitHub.Repo.Inlet" }, payload: { ok: "MiXeD" } },
  { event: "ab", resource: { "prefect.resource.id": "x" }, payload: { s: "a b" } },
  // SQL text cannot hold NUL: a label key or value with one must still be found.
  { event: "nul.label", resource: { "prefect.resource.id": "nul\u0000id", "k\u0000ey": "v\u0000al" } },
];
const events: Event[] = inputs.map((input, i) => toEvent({ id: id(i + 1), occurred: hours(i * 5), ...input }, { now: NOW }));
const db = openMemoryDatabase();
new SqliteEventStore(db).insert(events);
// Text filters read the word index up to its watermark and the text past it: same answers at any progress.
const halfIndexed = openMemoryDatabase();
new SqliteEventStore(halfIndexed).insert(events);
indexBatch(halfIndexed.$client, 5);
const indexed = openMemoryDatabase();
new SqliteEventStore(indexed).insert(events);
indexPending(indexed.$client);
const databases = [
  ["not indexed", db],
  ["half indexed", halfIndexed],
  ["indexed", indexed],
] as const;

const filters: Record<string, unknown>[] = [
  {},
  { occurred: { since: hours(20), until: hours(5) } },
  { event: { prefix: ["github."] } },
  { event: { prefix: ["github.", "stripe."], exclude_prefix: ["github.pull_request"] } },
  { event: { name: ["iot.sensor.reading", "ab"], exclude_name: ["ab"] } },
  { event: { prefix: [] } },
  { resource: { id: ["github.repo.inlet", "x"] } },
  { resource: { id_prefix: ["stripe.", "iot.sensor.["] } },
  { resource: { labels: { env: "prod" } } },
  { resource: { labels: { env: "!prod" } } },
  { resource: { labels: { env: ["!prod", "!staging"] } } },
  { resource: { labels: { env: [] } } },
  { resource: { labels: { "prefect.resource.id": "github.*" } } },
  { resource: { labels: { "prefect.resource.id": ["iot.sensor.[[]7]", "cron.job.?ackup"] } } },
  { resource: { labels: { "prefect.resource.id": "iot.sensor.[!0-7]" } } },
  { resource: { labels: { "prefect.resource.name": ["in*", "d?cs"], env: "*" } } },
  { resource: { labels: { kind: "thermo[*]" } } },
  { resource: { labels: { kind: "thermo*" } } },
  { resource: { labels: { "a.b": "dot*" } } },
  { resource: { labels: { 'we"ird': "y*" } } },
  { resource: { labels: { "k\u0000ey": "v\u0000*" } } },
  { resource: { labels: { "k\u0000ey": "!v\u0000al" } } },
  { resource: { id: ["nul\u0000id"] } },
  { resource: { labels: { "prefect.resource.role": "primary-*" } } },
  { resource: { labels: { amount: "[z-a]*" } } },
  { resource: { labels: { amount: "[!z-a]*" } } },
  { related: { id: ["prefect-cloud.webhook.gh"] } },
  { related: { role: ["actor"] } },
  { related: { role: [""] } },
  { related: { id: ["cron.job.backup"] } },
  {
    related: {
      resources_in_roles: [
        ["prefect-cloud.webhook.cron", "webhook"],
        ["github.user.ada", "actor"],
      ],
    },
  },
  { related: { labels: { team: "core" } } },
  { related: { labels: { "prefect.resource.role": "web*", "prefect.resource.name": "!gh" } } },
  { related: { labels: { "prefect.resource.id": "*.user.*" } } },
  { related: [{ role: ["webhook"] }, { role: ["actor"] }] },
  { related: { id: [], role: [] } },
  { related: {} },
  { any_resource: { id: ["iot.sensor.[7]"] } },
  { any_resource: { id_prefix: ["github.user."] } },
  { any_resource: { labels: { "prefect.resource.role": "primary-with-role" } } },
  { any_resource: { labels: { "prefect.resource.role": "!webhook" } } },
  { any_resource: [{ id_prefix: ["cron."] }, { labels: { "prefect.resource.name": "cron-2" } }] },
  { id: { id: [id(1), id(4).toUpperCase(), id(99)] } },
  { text: { query: "timeout" } },
  { text: { query: "TIMEOUT -retry" } },
  { text: { query: "github +inlet -staging" } },
  { text: { query: '"disk full; retry" stripe' } },
  { text: { query: '"\\"quoted\\""' } },
  { text: { query: "écHEC" } },
  { text: { query: "ÉCHEC" } },
  { text: { query: "a b" } },
  { text: { query: "+ab -x" } },
  { text: { query: "mixed" } },
  { text: { query: '"currency":"eur"' } },
  { text: { query: "   " } },
  { text: { query: "!gh webhook" } },
  { text: { query: "imeou" } },
  { text: { query: "charge.fail" } },
  { text: { query: "ll_req" } },
  { text: { query: "ub.pull_request.op" } },
  { text: { query: 'github -pull_request -"disk"' } },
  { text: { query: "+charge -declined" } },
  { text: { query: '"full; retry" -stripe +disk' } },
  { text: { query: "nothinglikethis" } },
  { text: { query: "stripe -nothinglikethis" } },
  { text: { query: ".[7]" } },
  { text: { query: "1200 -eur" } },
  { text: { query: "échec" } },
  // Terms with separators: phrases of tokens, the first ending a word or separator run, the last starting one.
  { text: { query: "github.push" } },
  { text: { query: "hub.pu" } },
  { text: { query: "b.push" } },
  { text: { query: "ub.pull_request.op -closed" } },
  { text: { query: "github.push -opened" } },
  { text: { query: "github -github.pull_request" } },
  { text: { query: "+github.pull -request.closed" } },
  { text: { query: ".push" } },
  { text: { query: "push." } },
  { text: { query: "." } },
  { text: { query: '":"' } },
  { text: { query: '"fix timeout"' } },
  { text: { query: '"timeout in retry loop" -"in retry"' } },
  { text: { query: '"line 3: unexpected" "sensor.[7]"' } },
  { text: { query: '"push inlet"' } },
  { text: { query: "sensor.[" } },
  { text: { query: "-inlet.prod charge_" } },
  { text: { query: "ch_1 -dotted.x" } },
  { text: { query: "tub.push" } },
  { text: { query: "charge.ch_" } },
  { text: { query: "stripe.charge.ch_ -succeeded" } },
  { text: { query: "github.pull_request.closed" } },
  { text: { query: '"ub.repo.inlet github.pu"' } },
  { text: { query: "e.ch_2 -failed" } },
  { text: { query: "sensor.8 -sensor.[7" } },
  { text: { query: '"\\"ok\\":\\"mixed\\"}"' } },
  { event: { prefix: ["github"] }, related: { role: ["actor"] }, text: { query: "kiki ada" }, order: "ASC" },
  { resource: { labels: { env: "*" } }, any_resource: { id_prefix: ["github.user"] }, occurred: { since: hours(8) } },
];

describe("SQL and in-memory matching agree", () => {
  test.each(filters.map((f) => [JSON.stringify(f), f] as const))("%s", (_, input) => {
    const filter = parseEventFilter(input, NOW);
    const expected = events
      .filter((e) => matchesFilter(filter, e))
      .map((e) => e.id)
      .sort();
    for (const [state, db] of filter.text === undefined ? databases.slice(0, 1) : databases) {
      for (const mode of ["list", "probe"] as const) {
        const got = queryEvents(db, filter, { limit: 1000, mode }).map((s) => s.event.id);
        expect({ state, mode, ids: [...got].sort() }).toEqual({ state, mode, ids: expected });
      }
      expect({ state, n: countEvents(db, filter) }).toEqual({ state, n: expected.length });
      // afterSeq: 0 takes the general count, bypassing the event_resources-only and text-only shortcuts.
      expect({ state, n: countEvents(db, filter, { afterSeq: 0 }) }).toEqual({ state, n: expected.length });
    }
  });

  test("the fixture set is varied enough that every filter but the empty ones excludes something", () => {
    const selective = filters.filter((f) => {
      const filter = parseEventFilter(f, NOW);
      return events.some((e) => !matchesFilter(filter, e));
    });
    expect(selective.length).toBeGreaterThan(filters.length - 8);
  });
});
