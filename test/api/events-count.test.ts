import { afterAll, describe, expect, test } from "bun:test";
import { indexPending } from "../../src/events/store/text-index.ts";
import { createTestApp, fixedClock, type TestApp } from "../support/app.ts";

const NOW = Date.parse("2026-03-10T12:30:00Z");
const ev = (occurred: string, event: string, resource: Record<string, string>) => ({ occurred, event, resource });

// On a database file, so that the counts run on the read worker, as in a server. The tests that
// only read share one app (one worker for the file); one that writes or moves the clock makes its own.
const opened: TestApp[] = [];
let sharedApp: Promise<TestApp> | null = null;
const shared = () => (sharedApp ??= setup());
afterAll(async () => void (await Promise.all(opened.splice(0).map((t) => t.close()))));

async function setup(): Promise<TestApp> {
  const t = createTestApp({ clock: fixedClock(NOW), database: "file" });
  opened.push(t);
  const res = await t.request("POST", "/api/events", {
    body: [
      ev("2026-03-08T10:00:00Z", "github.push", { "prefect.resource.id": "repo.a", "prefect.resource.name": "Repo A (old name)" }),
      ev("2026-03-09T10:00:00Z", "github.push", { "prefect.resource.id": "repo.a", "prefect.resource.name": "Repo A" }),
      ev("2026-03-10T09:15:00Z", "github.pr", { "prefect.resource.id": "repo.b", "prefect.name": "Legacy B" }),
      ev("2026-03-10T11:59:59Z", "stripe.charge", { "prefect.resource.id": "ch_1" }),
      ev("2026-03-10T12:00:00Z", "github.pr", { "prefect.resource.id": "repo.a", "prefect.resource.name": "Repo A" }),
    ],
  });
  expect(res.status).toBe(204);
  return t;
}

async function countBy(t: TestApp, countable: string, body: unknown) {
  const res = await t.request("POST", `/api/events/count-by/${countable}`, { body });
  return { status: res.status, body: await res.json() };
}

const since = (iso: string) => ({ filter: { occurred: { since: iso } } });

describe("POST /api/events/count-by/{countable}", () => {
  test("event: by name, count descending then label", async () => {
    const t = await shared();
    const { status, body } = await countBy(t, "event", since("2026-03-01T00:00:00Z"));
    expect(status).toBe(200);
    expect(body).toEqual([
      { value: "github.pr", label: "github.pr", count: 2, start_time: "2026-03-10T09:15:00.000Z", end_time: "2026-03-10T12:00:00.000Z" },
      {
        value: "github.push",
        label: "github.push",
        count: 2,
        start_time: "2026-03-08T10:00:00.000Z",
        end_time: "2026-03-09T10:00:00.000Z",
      },
      {
        value: "stripe.charge",
        label: "stripe.charge",
        count: 1,
        start_time: "2026-03-10T11:59:59.000Z",
        end_time: "2026-03-10T11:59:59.000Z",
      },
    ]);
  });

  test("resource: labelled with the latest prefect.resource.name, else prefect.name, else the id", async () => {
    const t = await shared();
    const { body } = await countBy(t, "resource", since("2026-03-01T00:00:00Z"));
    expect(body.map((c: { value: string; label: string; count: number }) => [c.value, c.label, c.count])).toEqual([
      ["repo.a", "Repo A", 3],
      ["repo.b", "Legacy B", 1], // ties sort by label, byte-wise: "L" before "c"
      ["ch_1", "ch_1", 1],
    ]);
  });

  test("day: one-day buckets from the 2024-04-01 pivot, zero-filled, ending with the current day", async () => {
    const t = await shared();
    const { body } = await countBy(t, "day", { filter: { occurred: { since: "2026-03-07T06:00:00Z", until: "2026-03-20T00:00:00Z" } } });
    expect(body.map((c: { label: string; count: number }) => [c.label, c.count])).toEqual([
      ["2026-03-07T00:00:00+00:00", 0],
      ["2026-03-08T00:00:00+00:00", 1],
      ["2026-03-09T00:00:00+00:00", 1],
      ["2026-03-10T00:00:00+00:00", 3],
    ]);
    expect(body[0]).toEqual({
      value: "0",
      label: "2026-03-07T00:00:00+00:00",
      count: 0,
      start_time: "2026-03-07T00:00:00.000Z",
      end_time: "2026-03-07T23:59:59.999Z",
    });
    expect(body[3].value).toBe("3");
  });

  test("time: buckets of time_interval × time_unit, half-open so that 12:00:00 falls in the next bucket", async () => {
    const t = await shared();
    const { body } = await countBy(t, "time", {
      filter: { occurred: { since: "2026-03-10T09:00:00Z", until: "2026-03-10T12:30:00Z" } },
      time_unit: "hour",
      time_interval: 1.5,
    });
    expect(body.map((c: { label: string; count: number }) => [c.label, c.count])).toEqual([
      ["2026-03-10T09:00:00+00:00", 1],
      ["2026-03-10T10:30:00+00:00", 1],
      ["2026-03-10T12:00:00+00:00", 1],
    ]);
  });

  test("with a text filter, one query counts every time bucket, with the counts of a count per bucket", async () => {
    // In memory, so that the count runs inline, on the connection whose statements are counted here.
    const t = createTestApp({ clock: fixedClock(NOW) });
    const events = Array.from({ length: 200 }, (_, i) => ({
      occurred: new Date(NOW - i * 1_234_567).toISOString(),
      event: "sensor.reading",
      resource: { "prefect.resource.id": `sensor.${i % 3}` },
      payload: { note: i % 3 === 0 ? `needle number ${i}` : `hay ${i}` },
    }));
    expect((await t.request("POST", "/api/events", { body: events })).status).toBe(204);
    indexPending(t.ctx.db.$client);
    // Every statement the count prepares, to see how often the word index is read.
    const statements: string[] = [];
    const client = t.ctx.db.$client;
    const [prepare, query] = [client.prepare.bind(client), client.query.bind(client)];
    client.prepare = ((sql: string) => (statements.push(sql), prepare(sql))) as typeof client.prepare;
    client.query = ((sql: string) => (statements.push(sql), query(sql))) as typeof client.query;
    const { status, body } = await countBy(t, "time", {
      filter: { occurred: { since: "2026-03-07T00:00:00Z" }, text: { query: "needle" } },
      time_unit: "hour",
    });
    expect(status).toBe(200);
    expect(body).toHaveLength(85);
    const expected = body.map(
      (c: { start_time: string; end_time: string }) =>
        events.filter(
          (e, i) => i % 3 === 0 && e.occurred >= c.start_time && e.occurred <= c.end_time && e.occurred >= "2026-03-07T00:00:00.000Z",
        ).length,
    );
    expect(body.map((c: { count: number }) => c.count)).toEqual(expected);
    expect(expected.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(10);
    expect(statements.filter((sql) => sql.includes("MATCH")).length).toBe(1);
    expect(statements.filter((sql) => sql.includes("events_words_grams")).length).toBe(1);
  });

  test("the filter applies to every countable", async () => {
    const t = await shared();
    const body = { filter: { occurred: { since: "2026-03-01T00:00:00Z" }, event: { prefix: ["github."] } } };
    expect((await countBy(t, "event", body)).body.map((c: { count: number }) => c.count)).toEqual([2, 2]);
    expect((await countBy(t, "resource", body)).body.map((c: { value: string }) => c.value)).toEqual(["repo.a", "repo.b"]);
  });

  test.each([
    [
      "a window that needs more than 1000 buckets",
      "time",
      { filter: { occurred: { since: "2026-03-10T00:00:00Z" } }, time_unit: "second" },
      "The given interval would create 45000 buckets, which is too many. Please increase the interval or reduce the time range to produce 1000 buckets or fewer.",
    ],
    // Prefect makes `day` a one-day `time` count first: time_unit and time_interval cannot widen its buckets.
    [
      "days since 1970, whatever time_unit says",
      "day",
      {
        filter: { occurred: { since: "1970-01-01T00:00:00Z" }, text: { query: '"fuzz + a \u0000"' } },
        time_unit: "week",
        time_interval: 100,
      },
      "The given interval would create 20523 buckets, which is too many. Please increase the interval or reduce the time range to produce 1000 buckets or fewer.",
    ],
    ["an interval below 0.01", "time", { filter: {}, time_interval: 0.001 }, "time_interval: The minimum interval is 0.01"],
    ["an unknown time unit", "time", { filter: {}, time_unit: "month" }, "time_unit: must be one of week, day, hour, minute, second"],
    ["a missing filter", "event", {}, "filter: Field required"],
    ["an unknown filter key", "event", { filter: { evnt: {} } }, "filter.evnt: unknown key"],
    ["an unknown countable", "colour", { filter: {} }, "countable: must be one of event, resource, day, time"],
  ])("rejects %s → 422", async (_, countable, body, message) => {
    const t = await shared();
    const res = await countBy(t, countable, body);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: { code: "validation", message } });
  });
});
