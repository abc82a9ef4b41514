// API request bodies: JSON objects, bounded in bytes and nesting before anything parses or
// validates them, whoever sends them (the bounds hold before sign-in too).
import { describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app.ts";
import { createWebhook, storedEvents } from "../support/hooks.ts";
import { ORIGIN, people } from "../support/people.ts";

const TEMPLATE = '{"event": "edge.test", "resource": {"prefect.resource.id": "edge.test"}}';
const JSON_TYPE = { "content-type": "application/json" };
const FORM_TYPE = { "content-type": "application/x-www-form-urlencoded" };

const nestedArrays = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const nestedObjects = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);

describe("a body that is not a JSON object where one is expected → 422, nothing changes", () => {
  const bodies: [string, string, Record<string, string>][] = [
    ["true", "true", JSON_TYPE],
    ["an array", "[]", JSON_TYPE],
    ["a number", "5", JSON_TYPE],
    ["a string", '"name"', JSON_TYPE],
    ["a form", "description=changed", FORM_TYPE],
    ["plain text", '{"name": "renamed"}', { "content-type": "text/plain" }],
  ];

  test.each(bodies)("PATCH and PUT /api/webhooks/{id} with %s", async (_name, body, headers) => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: TEMPLATE });
    for (const method of ["PATCH", "PUT"]) {
      const res = await t.request(method, `/api/webhooks/${w.id}`, { body, headers });
      expect([method, res.status]).toEqual([method, 422]);
      expect((await res.json()).error.code).toBe("validation");
    }
    expect(t.ctx.webhooks.get(w.id)).toMatchObject({
      name: w.name,
      enabled: true,
      updated: Date.parse((w as unknown as { updated: string }).updated),
    });
  });

  test.each(bodies)("PATCH /api/settings and /api/users/{id} with %s", async (_name, body, headers) => {
    const t = createTestApp();
    const { admin, viewerId } = await people(t);
    for (const path of ["/api/settings", `/api/users/${viewerId}`]) {
      const res = await t.request("PATCH", path, { key: null, body, headers: { ...headers, cookie: admin, origin: ORIGIN } });
      expect([path, res.status]).toEqual([path, 422]);
    }
    expect(t.ctx.users.get(viewerId)!.role).toBe("viewer");
  });

  test.each([
    ["POST /api/webhooks/", "/api/webhooks/"],
    ["POST /api/service-accounts", "/api/service-accounts"],
    ["POST /api/templates/validate", "/api/templates/validate"],
  ])("%s with a form body → 422, nothing created", async (_name, path) => {
    const t = createTestApp();
    const res = await t.request("POST", path, { body: `name=x&template=${encodeURIComponent(TEMPLATE)}`, headers: FORM_TYPE });
    expect(res.status).toBe(422);
    expect(t.ctx.webhooks.list()).toHaveLength(0);
    expect(t.ctx.serviceAccounts.list()).toHaveLength(1);
  });

  test("POST /api/webhooks/filter with invalid JSON → 400 invalid_json (not every webhook)", async () => {
    const t = createTestApp();
    await createWebhook(t, { template: TEMPLATE });
    const res = await t.request("POST", "/api/webhooks/filter", { body: "{nope", headers: JSON_TYPE });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "invalid_json", message: "The request body is not valid JSON" } });
  });

  test("still accepted: no body, an empty body or null on the filters, {} on PATCH", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: TEMPLATE });
    expect((await t.request("POST", "/api/webhooks/filter")).status).toBe(200);
    expect((await t.request("POST", "/api/webhooks/filter", { body: "null", headers: JSON_TYPE })).status).toBe(200);
    expect((await t.request("POST", "/api/events/filter", { body: "", headers: JSON_TYPE })).status).toBe(200);
    expect((await t.request("PATCH", `/api/webhooks/${w.id}`, { body: {} })).status).toBe(204);
    expect((await t.request("POST", `/api/webhooks/${w.id}/rotate`)).status).toBe(200);
    expect((await t.request("POST", "/api/events", { body: [{ event: "a", resource: { "prefect.resource.id": "b" } }] })).status).toBe(204);
  });
});

describe("deeply nested JSON is refused before it is parsed or validated", () => {
  const targets: [string, string, (t: TestApp) => Promise<string>, (inner: string) => string][] = [
    ["POST", "/api/webhooks/", async () => "/api/webhooks/", (v) => `{"name": ${v}, "template": "x"}`],
    [
      "PUT",
      "/api/webhooks/{id}",
      async (t) => `/api/webhooks/${(await createWebhook(t, { template: TEMPLATE })).id}`,
      (v) => `{"name": ${v}}`,
    ],
    ["POST", "/api/service-accounts", async () => "/api/service-accounts", (v) => `{"name": ${v}}`],
    ["POST", "/api/templates/render", async () => "/api/templates/render", (v) => `{"template": "x", "request": {"headers": {"a": ${v}}}}`],
    ["POST", "/api/auth/setup", async () => "/api/auth/setup", (v) => `{"token": "x", "email": ${v}, "password": "longenough"}`],
    ["POST", "/api/auth/login", async () => "/api/auth/login", (v) => `{"email": ${v}, "password": "longenough"}`],
    [
      "POST",
      "/api/events",
      async () => "/api/events",
      (v) => `[{"event": "a", "resource": {"prefect.resource.id": "b"}, "payload": {"a": ${v}}}]`,
    ],
    ["POST", "/api/events/filter", async () => "/api/events/filter", (v) => `{"filter": {"event": {"name": ${v}}}}`],
  ];

  test.each(targets)("%s %s, 5,000 levels, without signing in → 422 json_too_deep, nothing stored", async (method, _label, path, wrap) => {
    const t = createTestApp();
    const url = await path(t);
    const webhooks = t.ctx.webhooks.list().length;
    for (const inner of [nestedArrays(5000), nestedObjects(5000)]) {
      const res = await t.request(method, url, { key: null, body: wrap(inner), headers: { ...JSON_TYPE, origin: ORIGIN } });
      expect(res.status).toBe(422);
      expect((await res.json()).error.code).toBe("json_too_deep");
    }
    expect(t.ctx.webhooks.list()).toHaveLength(webhooks);
    expect(t.ctx.serviceAccounts.list()).toHaveLength(1);
    expect(t.ctx.users.count()).toBe(0);
    await t.ctx.events.drain();
    expect(storedEvents(t)).toHaveLength(0);
  });

  test("14,000 nested objects in a sign-in (84 KB) are refused without the memory they used to cost", async () => {
    const t = createTestApp();
    const body = `{"email": ${nestedObjects(14_000)}, "password": "x"}`;
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    const res = await t.request("POST", "/api/auth/login", { key: null, body, headers: { ...JSON_TYPE, origin: ORIGIN } });
    expect(res.status).toBe(422);
    // Before the bound, this request took the process to 1.3 GB; a linear scan needs next to nothing.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    expect(t.ctx.users.count()).toBe(0);
  });

  test("a body over the API's byte limit → 413, nothing created; nesting within the limits is accepted", async () => {
    const t = createTestApp({ config: { apiMaxJsonBytes: 2000 } });
    const big = await t.request("POST", "/api/service-accounts", { body: { name: "x".repeat(100), pad: "y".repeat(3000) } });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe("payload_too_large");
    expect(t.ctx.serviceAccounts.list()).toHaveLength(1);

    const u = createTestApp();
    // Events may nest as deep as storage allows (1000 levels in all); the API's own bodies far less.
    const payload = JSON.parse(nestedObjects(990));
    const stored = await u.request("POST", "/api/events", { body: [{ event: "deep", resource: { "prefect.resource.id": "d" }, payload }] });
    expect(stored.status).toBe(204);
    const shallow = await u.request("POST", "/api/templates/render", { body: { template: TEMPLATE, request: { headers: { a: "b" } } } });
    expect(shallow.status).toBe(200);
  });
});
