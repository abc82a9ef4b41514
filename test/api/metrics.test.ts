// Prometheus /metrics over real sockets, scraped and parsed with a text-format parser from npm: off by
// default; behind --metrics-token on the main listener (constant-time compared, never logged); on a
// listener of its own with --metrics-listen; and nothing secret (slugs, keys, tokens) in the output.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp } from "../support/app.ts";
import { parseScrape, scrapeMetrics } from "../support/metrics.ts";
import { rawHead, rawRequest, startLoggedServer, type LoggedServer } from "../support/raw-http.ts";

const TOKEN = "metrics-token-4b1c9e7a5d2f";
const OK_TEMPLATE = '{"event": "metrics.{{ body.n }}", "resource": {"prefect.resource.id": "metrics"}}';
const BAD_TEMPLATE = '{"event": "metrics", "resource": {{ body.missing }} }';

async function webhook(srv: LoggedServer, key: string, template: string) {
  const res = await fetch(`${srv.server.url}/api/webhooks/`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "metrics", template }),
  });
  return (await res.json()) as { id: string; slug: string };
}

test("off by default: /metrics answers 404 like any unknown API path", async () => {
  const t = await createTestApp();
  const res = await t.app.handle(new Request("http://localhost/metrics", { headers: { authorization: `Bearer ${TOKEN}` } }));
  expect(res.status).toBe(404);
  expect(await res.text()).not.toContain("inlet_");
});

describe("--metrics-token on the main listener", () => {
  let srv: LoggedServer;
  let key: string;
  let good: { id: string; slug: string };
  let bad: { id: string; slug: string };
  beforeAll(async () => {
    srv = await startLoggedServer({ metricsToken: TOKEN, probeBurst: 1, probeBlockSeconds: 60 });
    key = srv.server.ctx.serviceAccounts.create("t", "admin").api_key;
    good = await webhook(srv, key, OK_TEMPLATE);
    bad = await webhook(srv, key, BAD_TEMPLATE);
  });
  afterAll(() => srv.stop());

  test.each([
    ["no Authorization", {}],
    ["a wrong token", { authorization: "Bearer metrics-token-4b1c9e7a5d2e" }],
    ["a prefix of the token", { authorization: "Bearer metrics-token" }],
    ["an admin API key", {} as Record<string, string>],
  ])("%s → 401, nothing exposed", async (name, headers) => {
    const res = await fetch(`${srv.server.url}/metrics`, {
      headers: name === "an admin API key" ? { authorization: `Bearer ${key}` } : headers,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(await res.text()).not.toContain("inlet_");
  });

  test("hooks by webhook id, status and reason; commits and render times as histograms; limits, events, database size", async () => {
    for (let n = 0; n < 3; n++)
      expect((await fetch(`${srv.server.url}/hooks/${good.slug}`, { method: "POST", body: JSON.stringify({ n }) })).status).toBe(204);
    expect((await fetch(`${srv.server.url}/hooks/${bad.slug}`, { method: "POST", body: "{}" })).status).toBe(400);
    // An unknown hook, twice: the second is past the probe burst of 1 and refused.
    for (const _ of [1, 2]) await fetch(`${srv.server.url}/hooks/${"u".repeat(24)}`, { method: "POST" });
    expect((await rawRequest(srv.port, rawHead("GET", "/api/health", { Host: "localhost", "X-Big": "a".repeat(9000) }))).status).toBe(431);

    const m = await scrapeMetrics(`${srv.server.url}/metrics`, TOKEN);
    expect(m.value("inlet_hook_requests_total", { webhook_id: good.id, status: "204", reason: "" })).toBe(3);
    expect(m.value("inlet_hook_requests_total", { webhook_id: bad.id, status: "400" })).toBe(1);
    expect(m.samples("inlet_hook_requests_total", { webhook_id: bad.id })[0]!.labels!.reason).toBe("invalid_json");
    expect(m.value("inlet_hook_requests_total", { webhook_id: "", status: "404", reason: "not_found" })).toBe(2);
    expect(m.families.get("inlet_commit_seconds")!.type).toBe("HISTOGRAM");
    expect(m.value("inlet_commit_batch_size")).toBeGreaterThanOrEqual(1);
    expect(Number(m.samples("inlet_commit_batch_size")[0]!.sum)).toBe(4); // three events and one failure event
    expect(m.value("inlet_template_render_seconds")).toBe(4);
    const stored = srv.server.ctx.db.$client.query<{ n: number }, []>("SELECT count(*) AS n FROM events").get()!.n;
    expect(m.value("inlet_events")).toBe(stored);
    expect(m.value("inlet_database_size_bytes")).toBeGreaterThan(4096);
    expect(m.value("inlet_write_queue_depth")).toBe(0);
    expect(m.value("inlet_feed_subscribers")).toBe(0);
    expect(m.value("inlet_limit_refusals_total", { limit: "probe" })).toBe(1);
    expect(m.value("inlet_limit_refusals_total", { limit: "headers" })).toBe(1);
    expect(m.value("inlet_limit_refusals_total", { limit: "in_flight" })).toBe(0);
    expect(m.value("inlet_failure_events_suppressed_total")).toBeNaN(); // none yet: no sample
    expect(m.value("process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  test("the event count follows new events without counting the table again", async () => {
    const before = (await scrapeMetrics(`${srv.server.url}/metrics`, TOKEN)).value("inlet_events");
    expect((await fetch(`${srv.server.url}/hooks/${good.slug}`, { method: "POST", body: JSON.stringify({ n: 9 }) })).status).toBe(204);
    expect((await scrapeMetrics(`${srv.server.url}/metrics`, TOKEN)).value("inlet_events")).toBe(before + 1);
  });

  test("no slug, key or token in the output, and the token in no log line", async () => {
    const { text } = await scrapeMetrics(`${srv.server.url}/metrics`, TOKEN);
    for (const secret of [good.slug, bad.slug, key, TOKEN]) expect(text).not.toContain(secret);
    expect(srv.lines.join("\n")).not.toContain(TOKEN);
  });
});

describe("--metrics-listen", () => {
  let srv: LoggedServer;
  beforeAll(async () => void (srv = await startLoggedServer({ metricsListen: "127.0.0.1:0" })));
  afterAll(() => srv.stop());

  test("serves /metrics on its own port without a token, and only that; the main listener keeps it off", async () => {
    const url = srv.server.metricsUrl!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(url).port).not.toBe(String(srv.port));
    const m = await scrapeMetrics(url);
    expect(m.families.has("inlet_hook_requests_total")).toBe(true);
    expect((await fetch(url.replace("/metrics", "/api/health"))).status).toBe(404);
    expect((await fetch(`${srv.server.url}/metrics`)).status).toBe(404);
    expect(srv.lines.some((l) => l.includes(`metrics on ${url}`))).toBe(true);
  });
});

test("the exposition parses whole: every family has a type and help", async () => {
  const { Metrics } = await import("../../src/metrics/metrics.ts");
  const { text } = await new Metrics().render();
  const m = parseScrape(text);
  expect(m.families.size).toBeGreaterThanOrEqual(12);
  for (const f of m.families.values()) expect(f.help.length).toBeGreaterThan(5);
});
