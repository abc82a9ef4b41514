// API request bodies: JSON objects, sent as JSON.
import { describe, expect, test } from "bun:test";
import { createTestApp } from "../support/app.ts";
import { createWebhook } from "../support/hooks.ts";
import { ORIGIN, people } from "../support/people.ts";

const TEMPLATE = '{"event": "edge.test", "resource": {"prefect.resource.id": "edge.test"}}';
const JSON_TYPE = { "content-type": "application/json" };
const FORM_TYPE = { "content-type": "application/x-www-form-urlencoded" };

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
    expect(t.ctx.webhooks.get(w.id)).toMatchObject({ name: w.name, enabled: true, updated: Date.parse((w as unknown as { updated: string }).updated) });
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
