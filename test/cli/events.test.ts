import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ApiClient } from "../../src/cli/client.ts";
import { tailEvents } from "../../src/cli/events-tail.ts";
import { parseTime } from "../../src/cli/events.ts";
import type { Event } from "../../src/events/model.ts";
import { deadUrl, inlet, startTestServer, type TestServer } from "../support/cli.ts";
import { waitUntil } from "../support/wait.ts";

let srv: TestServer;
const base = Date.now() - 3_600_000; // the fixtures happened during the last hour
const iso = (minutesAfterBase: number) => new Date(base + minutesAfterBase * 60_000).toISOString();

async function post(events: object[]) {
  const res = await srv.api("POST", "/api/events", events);
  expect(res.status).toBe(204);
}

beforeAll(async () => {
  srv = await startTestServer();
  await post([
    {
      id: "0190e1c2-0000-7000-8000-000000000001",
      occurred: iso(1),
      event: "github.push",
      resource: { "prefect.resource.id": "repo.inlet" },
      related: [{ "prefect.resource.id": "user.ada", "prefect.resource.role": "author" }],
    },
    {
      id: "0190e1c2-0000-7000-8000-000000000002",
      occurred: iso(2),
      event: "github.issue.opened",
      resource: { "prefect.resource.id": "repo.inlet" },
    },
    {
      id: "0190e1c2-0000-7000-8000-000000000003",
      occurred: iso(3),
      event: "stripe.charge.succeeded",
      resource: { "prefect.resource.id": "stripe.ch_1" },
    },
    {
      id: "0190e1c2-0000-7000-8000-000000000004",
      occurred: iso(40),
      event: "github.push",
      resource: { "prefect.resource.id": "repo.other" },
    },
  ]);
});
afterAll(async () => {
  await srv.stop();
});

const ev = (args: string[], opts: Parameters<typeof inlet>[1] = {}) => inlet(["events", ...args], { env: srv.env, ...opts });
const ids = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l).id.slice(-1));

describe("inlet events ls", () => {
  test("a table, newest first", async () => {
    const r = await ev(["ls", "--since", "2h"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^occurred\s+event\s+resource\s+id$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual([
      "github.push",
      "stripe.charge.succeeded",
      "github.issue.opened",
      "github.push",
    ]);
    expect(lines[1]).toContain(iso(40));
    expect(lines[1]).toContain("repo.other");
  });

  test("-o json prints NDJSON, one event per line", async () => {
    const r = await ev(["ls", "--since", "2h", "-o", "json", "--order", "asc"]);
    expect(r.code).toBe(0);
    expect(ids(r.stdout)).toEqual(["1", "2", "3", "4"]);
    const first = JSON.parse(r.stdout.split("\n")[0]!) as Event;
    expect(first).toMatchObject({ event: "github.push", resource: { "prefect.resource.id": "repo.inlet" } });
  });

  test("-o json keeps a 64-bit integer's every digit", async () => {
    const res = await fetch(`${srv.url}/api/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${srv.adminKey}`, "content-type": "application/json" },
      body: `[{"event": "x.tweet.created", "occurred": "${iso(5)}", "resource": {"prefect.resource.id": "x.tweet"}, "payload": {"id": 1588453471829446656}}]`,
    });
    expect(res.status).toBe(204);
    const r = await ev(["ls", "--since", "2h", "-o", "json", "--event", "x.tweet."]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"payload":{"id":1588453471829446656}');
  });

  test.each([
    [
      ["--event", "github."],
      ["4", "2", "1"],
    ],
    [
      ["--event", "github.issue", "--event", "stripe"],
      ["3", "2"],
    ],
    [
      ["--resource", "repo.inlet"],
      ["2", "1"],
    ],
    [
      ["--resource", "repo.*"],
      ["4", "2", "1"],
    ],
    [["--related", "user.ada"], ["1"]],
    [
      ["--since", iso(2), "--until", iso(3)],
      ["3", "2"],
    ],
    [["--until", iso(1)], ["1"]],
    [["--since", "30m"], ["4"]],
  ])("filter %j", async (flags, expected) => {
    const args = flags.includes("--since") ? flags : [...flags, "--since", "2h"];
    const r = await ev(["ls", ...args, "-o", "json"]);
    expect(r.stderr).toBe("");
    expect(ids(r.stdout)).toEqual(expected);
  });

  test("--limit takes that many, paging past the API's 50 per page, and says what is left", async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      occurred: new Date(base - 86_400_000 + i * 1000).toISOString(),
      event: "bulk.item",
      resource: { "prefect.resource.id": `bulk.${i}` },
    }));
    await post(many);
    const r = await ev(["ls", "--event", "bulk.", "--since", "3d", "--limit", "55", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(55);
    const table = await ev(["ls", "--event", "bulk.", "--since", "3d", "--limit", "5"]);
    expect(table.stdout.trimEnd().split("\n")).toHaveLength(6);
    expect(table.stderr).toBe("Showing 5 of 60 events; use --limit or filters to see others.\n");
  });

  test("nothing found", async () => {
    const r = await ev(["ls", "--event", "no.such.event"]);
    expect(r).toMatchObject({ code: 0, stdout: "No events found.\n" });
  });

  test.each([
    [["--since", "yesterday"], '--since must be an ISO-8601 time or an age like 15m, 1h, 2d; got "yesterday"'],
    [["--limit", "0"], '--limit must be a whole number from 1 to 10000, got "0"'],
    [["--order", "up"], '--order must be asc or desc, got "up"'],
    [["-o", "csv"], "Only 'json' output format is supported."],
    [["--resource", "a", "--resource", "b*"], "--resource: give either exact ids or prefixes (ID*), not both"],
    [["--bogus"], "Unknown option '--bogus'"],
  ])("bad flags %j → exit 2", async (flags, message) => {
    const r = await ev(["ls", ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith(`inlet: ${message}\nUsage: inlet events ls [options]\n`);
  });

  test("an unreachable server → exit 1 naming the URL", async () => {
    const url = await deadUrl();
    const r = await ev(["ls", "--url", url]);
    expect(r).toMatchObject({ code: 1, stderr: `Could not reach Inlet at ${url}: connection refused\n` });
  });

  test("ages and ISO times", () => {
    const now = Date.parse("2026-01-02T03:04:05.000Z");
    expect(parseTime("90s", "--since", now, "")).toBe("2026-01-02T03:02:35.000Z");
    expect(parseTime("1h", "--since", now, "")).toBe("2026-01-02T02:04:05.000Z");
    expect(parseTime("2d", "--since", now, "")).toBe("2025-12-31T03:04:05.000Z");
    expect(parseTime("1w", "--since", now, "")).toBe("2025-12-26T03:04:05.000Z");
    expect(parseTime("2026-01-01T00:00:00+01:00", "--since", now, "")).toBe("2025-12-31T23:00:00.000Z");
  });
});

describe("inlet events tail", () => {
  test("prints the last minute, then new events as they come, each once, until interrupted", async () => {
    const stop = new AbortController();
    let out = "";
    const running = ev(["tail", "--event", "tail.", "-o", "json"], { signal: stop.signal, onStdout: (all) => void (out = all) });
    await post([{ event: "tail.one", resource: { "prefect.resource.id": "t.1" } }]);
    await waitUntil(() => out.includes("tail.one"), "tail.one", 8000);
    await post([
      { event: "tail.two", resource: { "prefect.resource.id": "t.2" } },
      { event: "other.event", resource: { "prefect.resource.id": "t.3" } },
    ]);
    await waitUntil(() => out.includes("tail.two"), "tail.two", 8000);
    // A later event, seen only on a later read of the feed or poll: one that printed tail.two again
    // would have done so by then.
    await post([{ event: "tail.three", resource: { "prefect.resource.id": "t.4" } }]);
    await waitUntil(() => out.includes("tail.three"), "tail.three", 8000);
    stop.abort();
    const r = await running;
    expect(r.code).toBe(0);
    const names = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).event);
    expect(names).toEqual(["tail.one", "tail.two", "tail.three"]);
  }, 20_000);

  test("polling (no live feed) prints each event once", async () => {
    const client = new ApiClient({ url: srv.url, apiKey: srv.adminKey });
    const seen: string[] = [];
    const notices: string[] = [];
    const stop = new AbortController();
    const since = new Date(Date.now() - 60_000).toISOString();
    const done = tailEvents(
      client,
      { occurred: { since, until: new Date(Date.now() + 86_400_000).toISOString() }, event: { prefix: ["poll."] } },
      {
        signal: stop.signal,
        websocket: false,
        pollIntervalMs: 50,
        onEvent: (e) => seen.push(e.event),
        onNotice: (t) => notices.push(t),
      },
    );
    await post([{ event: "poll.a", resource: { "prefect.resource.id": "p" } }]);
    await waitUntil(() => seen.length === 1, "poll.a", 8000);
    await post([
      { event: "poll.b", resource: { "prefect.resource.id": "p" } },
      { event: "poll.c", resource: { "prefect.resource.id": "p" } },
    ]);
    await waitUntil(() => seen.length === 3, "poll.b and poll.c", 8000);
    // A later event, seen only on a later poll: one that printed poll.c again would have done so by then.
    await post([{ event: "poll.d", resource: { "prefect.resource.id": "p" } }]);
    await waitUntil(() => seen.includes("poll.d"), "poll.d", 8000);
    stop.abort();
    await done;
    expect(seen).toEqual(["poll.a", "poll.b", "poll.c", "poll.d"]);
    expect(notices).toEqual([]);
  });

  test("an unreachable server → exit 1 naming the URL", async () => {
    const url = await deadUrl();
    const r = await ev(["tail", "--url", url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toEndWith(`Could not reach Inlet at ${url}: connection refused\n`);
  });

  test("a wrong key → 'Not authenticated', exit 1", async () => {
    const r = await ev(["tail", "--api-key", "inlet_wrongwrongwrongwrongwrongwrongwrongwrongwro"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toEndWith("Not authenticated: run `inlet login --url URL --api-key KEY`\n");
  });

  test("--until → usage error", async () => {
    const r = await ev(["tail", "--until", "1h"]);
    expect(r.code).toBe(2);
  });
});
