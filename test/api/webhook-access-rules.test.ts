// A webhook's own allowlist of sender addresses and its rate limit: a sender outside the list gets
// the answer an unknown hook gets (404, nothing stored), and one over the rate gets 429 with
// Retry-After; both are counted.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, fixedClock } from "../support/app.ts";
import { startFeedServer, type FeedServer } from "../support/feed.ts";
import { createWebhook, hook, storedEvents } from "../support/hooks.ts";

const TEMPLATE = '{"event": "rules.test", "resource": {"prefect.resource.id": "rules.{{ body.n }}"}}';
const webhookCount = (t: ReturnType<typeof createTestApp>) =>
  (t.ctx.db.$client.query("SELECT count(*) AS n FROM webhooks").get() as { n: number }).n;

describe("allowed_ips and rate_limit on the API", () => {
  test("set on create, shown on read, the burst defaulting to the rate; PATCH null clears them", async () => {
    await using t = createTestApp();
    const w = await createWebhook(t, {
      template: TEMPLATE,
      allowed_ips: ["140.82.112.0/20", " 2a0a:a440::/29 ", "192.0.2.7"],
      rate_limit: { per_minute: 120 },
    });
    const read = await (await t.request("GET", `/api/webhooks/${w.id}`)).json();
    expect(read.allowed_ips).toEqual(["140.82.112.0/20", "2a0a:a440::/29", "192.0.2.7"]);
    expect(read.rate_limit).toEqual({ per_minute: 120, burst: 120 });
    expect((await t.request("PATCH", `/api/webhooks/${w.id}`, { body: { allowed_ips: null, rate_limit: null } })).status).toBe(204);
    expect(await (await t.request("GET", `/api/webhooks/${w.id}`)).json()).toMatchObject({ allowed_ips: null, rate_limit: null });
  });

  test.each([
    [{ allowed_ips: ["10.0.0.0/8", "10.0.0.0/33"] }, "allowed_ips[1]: "],
    [{ allowed_ips: ["not an address"] }, "allowed_ips[0]: "],
    [{ allowed_ips: [] }, "allowed_ips: an empty list would refuse every sender; use null to allow any"],
    [{ allowed_ips: "10.0.0.0/8" }, "allowed_ips: must be a list of addresses or CIDR ranges, or null"],
    [{ rate_limit: { per_minute: 0 } }, "rate_limit.per_minute: must be a whole number from 1 to 1000000"],
    [{ rate_limit: { per_minute: 10, burst: 1.5 } }, "rate_limit.burst: must be a whole number from 1 to 1000000"],
    [{ rate_limit: { per_second: 10 } }, "rate_limit.per_second: is not a setting (settings: per_minute, burst)"],
  ])("%j → 422 naming the field, nothing stored", async (rules, message) => {
    await using t = createTestApp();
    const before = webhookCount(t);
    const res = await t.request("POST", "/api/webhooks/", { body: { name: "x", template: TEMPLATE, ...rules } });
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toStartWith(message);
    expect(webhookCount(t)).toBe(before);
  });
});

describe("the rate limit", () => {
  test("past the burst: 429 with Retry-After, nothing stored; the bucket refills with time", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock });
    const w = await createWebhook(t, { template: TEMPLATE, rate_limit: { per_minute: 60, burst: 2 } });
    const send = (n: number) => hook(t, w.slug, { body: JSON.stringify({ n }), headers: { "content-type": "application/json" } });
    expect((await send(1)).status).toBe(204);
    expect((await send(2)).status).toBe(204);
    const refused = await send(3);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await refused.text()).toBe("");
    expect(storedEvents(t).map((e) => e.resource["prefect.resource.id"])).toEqual(["rules.1", "rules.2"]);
    const refusals = (await t.ctx.metrics.limitRefusals.get()).values;
    expect(refusals.find((v) => v.labels.limit === "rate")?.value).toBe(1);
    clock.advance(1000);
    expect((await send(4)).status).toBe(204);
    // Other webhooks have their own buckets.
    const other = await createWebhook(t, { template: TEMPLATE, name: "other" });
    expect((await hook(t, other.slug, { body: '{"n": 5}', headers: { "content-type": "application/json" } })).status).toBe(204);
  });
});

describe("the allowlist, on a served Inlet behind a trusted proxy", () => {
  let s: FeedServer;
  beforeAll(async () => {
    s = await startFeedServer({ trustedProxies: ["127.0.0.1"] });
  });
  afterAll(async () => {
    await s.stop();
  });

  const send = (url: string, from: string) =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": from }, body: '{"n": 1}' });

  test("a sender in the list is stored; one outside gets an unknown hook's answer, nothing stored, counted", async () => {
    const created = await s.api("POST", "/api/webhooks/", {
      name: "github only",
      template: TEMPLATE,
      allowed_ips: ["140.82.112.0/20", "2a0a:a440::/29"],
    });
    expect(created.status).toBe(201);
    const { slug } = (await created.json()) as { slug: string };
    const url = `${s.url}/hooks/${slug}`;
    const before = s.storedIds().length;

    expect((await send(url, "140.82.115.9")).status).toBe(204);
    expect((await send(url, "2a0a:a440:1::5")).status).toBe(204);
    const outside = await send(url, "203.0.113.50");
    const unknown = await send(`${s.url}/hooks/${"x".repeat(slug.length)}`, "203.0.113.50");
    expect([outside.status, await outside.text()]).toEqual([unknown.status, await unknown.text()]);
    expect(outside.status).toBe(404);
    expect(s.storedIds().length - before).toBe(2);

    const refusals = (await s.ctx.metrics.limitRefusals.get()).values;
    expect(refusals.find((v) => v.labels.limit === "allowlist")?.value).toBe(1);
  });
});
