import { afterAll, describe, expect, test } from "bun:test";
import { createTestApp, fixedClock, workerReads, type TestApp } from "../support/app.ts";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * 3_600_000).toISOString();
const id = (n: number) => `0190f3b4-3a2b-7cde-8f00-${String(n).padStart(12, "0")}`;
const hook = (name: string) => ({
  "prefect.resource.id": `prefect-cloud.webhook.${name}`,
  "prefect.resource.role": "webhook",
  "prefect.resource.name": name,
});

/** Six events, one hour apart, newest first by number (id(1) is the newest). */
const EVENTS = [
  {
    id: id(1),
    occurred: at(1),
    event: "github.push",
    resource: { "prefect.resource.id": "github.repo.inlet", env: "prod" },
    related: [hook("gh")],
    payload: { message: "Fix timeout" },
  },
  {
    id: id(2),
    occurred: at(2),
    event: "github.pull_request.opened",
    resource: { "prefect.resource.id": "github.repo.inlet", env: "staging" },
    related: [hook("gh"), { "prefect.resource.id": "github.user.kiki", "prefect.resource.role": "actor" }],
    payload: { number: 15 },
  },
  {
    id: id(3),
    occurred: at(3),
    event: "stripe.charge.failed",
    resource: { "prefect.resource.id": "stripe.charge.ch_1", env: "prod" },
    related: [hook("stripe")],
    payload: { error: "card_declined" },
  },
  {
    id: id(4),
    occurred: at(4),
    event: "stripe.charge.succeeded",
    resource: { "prefect.resource.id": "stripe.charge.ch_2" },
    related: [hook("stripe")],
    payload: {},
  },
  {
    id: id(5),
    occurred: at(5),
    event: "iot.sensor.reading",
    resource: { "prefect.resource.id": "iot.sensor.7", kind: "thermo" },
    payload: { t: 21.5 },
  },
  { id: id(6), occurred: at(24 * 200), event: "old.event", resource: { "prefect.resource.id": "old" }, payload: {} },
];

// On a database file, so that the filter reads run on the read worker, as in a server. The tests that
// only read share one app (one worker for the file); one that writes or moves the clock makes its own.
const opened: TestApp[] = [];
let sharedApp: Promise<TestApp> | null = null;
const shared = () => (sharedApp ??= setup());
afterAll(async () => void (await Promise.all(opened.splice(0).map((t) => t.close()))));

async function setup(): Promise<TestApp> {
  const t = createTestApp({ clock: fixedClock(NOW), database: "file" });
  opened.push(t);
  expect((await t.request("POST", "/api/events", { body: EVENTS })).status).toBe(204);
  return t;
}

async function filter(t: TestApp, body: unknown) {
  const res = await t.request("POST", "/api/events/filter", { body });
  expect(res.status).toBe(200);
  return (await res.json()) as { events: { id: string }[]; total: number; next_page: string | null };
}

const ids = (page: { events: { id: string }[] }) => page.events.map((e) => Number(e.id.slice(-12)));

describe("POST /api/events/filter", () => {
  test("runs on the read worker, as in a server, not inline", async () => {
    const t = await shared();
    const before = workerReads(t.ctx);
    await filter(t, {});
    await filter(t, { filter: { event: { prefix: ["github."] } } });
    expect(workerReads(t.ctx)).toBe(before + 2);
    // In memory (the default), the same reads run inline.
    await using m = createTestApp({ clock: fixedClock(NOW) });
    await filter(m, {});
    expect(workerReads(m.ctx)).toBe(0);
  });

  test("with no body, returns the default window (180 days), newest first, with total and no next page", async () => {
    const t = await shared();
    const res = await t.request("POST", "/api/events/filter");
    expect(res.status).toBe(200);
    const page = await res.json();
    expect(ids(page)).toEqual([1, 2, 3, 4, 5]);
    expect(page.total).toBe(5);
    expect(page.next_page).toBeNull();
    expect(page.events[0]).toEqual({ ...EVENTS[0], received: new Date(NOW).toISOString(), occurred: at(1), follows: null });
  });

  test.each([
    ["occurred window, both ends inclusive", { occurred: { since: at(4), until: at(2) } }, [2, 3, 4]],
    ["occurred since 300 days ago reaches the old event", { occurred: { since: at(24 * 300) } }, [1, 2, 3, 4, 5, 6]],
    ["event.prefix", { event: { prefix: ["stripe."] } }, [3, 4]],
    ["event.exclude_prefix", { event: { exclude_prefix: ["github.", "iot."] } }, [3, 4]],
    ["event.name", { event: { name: ["github.push", "iot.sensor.reading"] } }, [1, 5]],
    ["event.exclude_name", { event: { exclude_name: ["github.push"] } }, [2, 3, 4, 5]],
    ["resource.id", { resource: { id: ["github.repo.inlet"] } }, [1, 2]],
    ["resource.id_prefix", { resource: { id_prefix: ["stripe.charge."] } }, [3, 4]],
    ["resource.labels with a value", { resource: { labels: { env: "prod" } } }, [1, 3]],
    ["resource.labels negated (absent labels never match)", { resource: { labels: { env: "!prod" } } }, [2]],
    ["resource.labels glob on the resource id", { resource: { labels: { "prefect.resource.id": "*.charge.ch_[12]" } } }, [3, 4]],
    ["resource.labels empty value list matches nothing", { resource: { labels: { env: [] } } }, []],
    [
      "resource.distinct keeps the latest event per resource",
      { resource: { id_prefix: ["github.", "stripe."], distinct: true } },
      [1, 3, 4],
    ],
    ["related.id", { related: { id: ["prefect-cloud.webhook.stripe"] } }, [3, 4]],
    ["related.role", { related: { role: ["actor"] } }, [2]],
    ["related.resources_in_roles", { related: { resources_in_roles: [["github.user.kiki", "actor"]] } }, [2]],
    [
      "related.labels with prefect.resource.role",
      { related: { labels: { "prefect.resource.role": "webhook", "prefect.resource.name": "g*" } } },
      [1, 2],
    ],
    ["related as a list is ANDed", { related: [{ id: ["prefect-cloud.webhook.gh"] }, { role: ["actor"] }] }, [2]],
    ["related.id never matches the primary resource", { related: { id: ["github.repo.inlet"] } }, []],
    ["any_resource.id matches primary or related", { any_resource: { id: ["github.user.kiki", "iot.sensor.7"] } }, [2, 5]],
    ["any_resource.id_prefix", { any_resource: { id_prefix: ["prefect-cloud.webhook.st"] } }, [3, 4]],
    ["any_resource.labels", { any_resource: { labels: { kind: "therm*" } } }, [5]],
    ["id", { id: { id: [id(2), id(5), id(6)] } }, [2, 5]],
    ["text, case-insensitive, over payload", { text: { query: "TIMEOUT declined" } }, [1, 3]],
    ["text with exclusion and a required term", { text: { query: "stripe -declined" } }, [4]],
    ["text with a short term", { text: { query: "+gh +15" } }, [2]],
    ["order ASC", { order: "ASC", event: { prefix: ["github."] } }, [2, 1]],
    [
      "several fields are ANDed",
      { event: { prefix: ["github."] }, resource: { labels: { env: "prod" } }, related: { id: ["prefect-cloud.webhook.gh"] } },
      [1],
    ],
  ])("%s", async (_, f, expected) => {
    const t = await shared();
    const page = await filter(t, { filter: f });
    expect(ids(page)).toEqual(expected);
    expect(page.total).toBe(expected.length);
  });

  test("pages through next_page with the first total until next_page is null", async () => {
    const t = await shared();
    const first = await filter(t, { limit: 2 });
    expect(ids(first)).toEqual([1, 2]);
    expect(first.total).toBe(5);
    expect(first.next_page).toStartWith("http://localhost/api/events/filter/next?page-token=");
    const seen = [...ids(first)];
    let next = first.next_page;
    while (next) {
      const res = await t.request("GET", next.replace("http://localhost", ""));
      expect(res.status).toBe(200);
      const page = await res.json();
      expect(page.total).toBe(5);
      seen.push(...ids(page));
      next = page.next_page;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  test("a next page keeps the first page's window: later events do not shift it", async () => {
    const t = await setup();
    const first = await filter(t, { limit: 4 });
    (t.ctx.clock as ReturnType<typeof fixedClock>).advance(60_000);
    await t.request("POST", "/api/events", { body: [{ event: "late.event", resource: { "prefect.resource.id": "late" } }] });
    const second = await (await t.request("GET", first.next_page!.replace("http://localhost", ""))).json();
    expect(ids(second)).toEqual([5]);
  });

  test.each([
    ["an unknown filter key, named", { filter: { resource: { lables: { env: "prod" } } } }, "filter.resource.lables: unknown key"],
    ["an unknown body key", { filtre: {} }, "filtre: unknown key"],
    ["limit 0", { limit: 0 }, "limit: must be an integer from 1 to 50"],
    ["limit 51", { limit: 51 }, "limit: must be an integer from 1 to 50"],
    ["limit 2.5", { limit: 2.5 }, "limit: must be an integer from 1 to 50"],
    [
      "a wrong type, with its path",
      { filter: { event: { prefix: "github." } } },
      "filter.event.prefix: must be a list of strings, got string",
    ],
    ["a body that is not an object", [1], "body: must be a JSON object"],
    [
      "more than 1000 values in one filter",
      {
        filter: {
          resource: { id: Array.from({ length: 600 }, (_, i) => `r.${i}`) },
          related: { resources_in_roles: Array.from({ length: 401 }, (_, i) => [`w.${i}`, "webhook"]) },
        },
      },
      "filter: has 1002 values (names, ids, prefixes, labels); at most 1000",
    ],
  ])("rejects %s → 422", async (_, body, message) => {
    const t = await shared();
    const res = await t.request("POST", "/api/events/filter", { body });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ error: { code: "validation", message } });
  });

  test("long lists of globs and prefixes work (SQLite limits how deeply an expression nests)", async () => {
    const t = await shared();
    const decoys = (n: number, glob: string) => Array.from({ length: n }, (_, i) => `${glob}${i}*`);
    const globs = await filter(t, { filter: { resource: { labels: { env: [...decoys(997, "nomatch"), "pro*"] } } } });
    expect(ids(globs)).toEqual([1, 3]);
    const prefixes = await filter(t, { filter: { event: { prefix: [...decoys(998, "none.").map((p) => p.slice(0, -1)), "stripe."] } } });
    expect(ids(prefixes)).toEqual([3, 4]);
    const counted = await t.request("POST", "/api/events/count-by/event", {
      body: { filter: { event: { exclude_prefix: decoys(999, "x").map((p) => p.slice(0, -1)) } } },
    });
    expect(counted.status).toBe(200);
  });

  test("requires authentication", async () => {
    const t = await shared();
    expect((await t.request("POST", "/api/events/filter", { body: {}, key: null })).status).toBe(401);
  });
});

describe("GET /api/events/filter/next", () => {
  test.each([
    ["no token", ""],
    ["garbage", "?page-token=abc"],
    [
      "a token without a signature",
      `?page-token=${Buffer.from(JSON.stringify({ filter: {}, count: 9, page_size: 1, offset: 1 })).toString("base64url")}`,
    ],
  ])("%s → 403 invalid_page_token", async (_, query) => {
    const t = await shared();
    const res = await t.request("GET", `/api/events/filter/next${query}`);
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("invalid_page_token");
  });

  test("a token whose filter was edited (to widen it) → 403", async () => {
    const t = await shared();
    const first = await filter(t, { filter: { event: { prefix: ["stripe."] } }, limit: 1 });
    const token = new URL(first.next_page!).searchParams.get("page-token")!;
    const [body, mac] = token.split(".");
    const state = JSON.parse(Buffer.from(body!, "base64url").toString());
    delete state.filter.event;
    const forged = `${Buffer.from(JSON.stringify(state)).toString("base64url")}.${mac}`;
    const res = await t.request("GET", `/api/events/filter/next?page-token=${forged}`);
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("invalid_page_token");
  });

  test("a token from another server (another secret) → 403", async () => {
    const a = await setup();
    const b = await setup();
    const first = await filter(a, { limit: 1 });
    const res = await b.request("GET", first.next_page!.replace("http://localhost", ""));
    expect(res.status).toBe(403);
  });
});
