import { describe, expect, test } from "bun:test";
import { LIMITS } from "../../src/templates/render.ts";
import { createTestApp } from "../support/app.ts";
import { createWebhook, hook } from "../support/hooks.ts";

const STATIC = '{"event": "model.refreshed", "resource": {"prefect.resource.id": "product.models.recommendations"}}';

describe("webhook management", () => {
  test("create → 201 with Prefect's shape, a 22-character slug and the hook URL", async () => {
    const t = createTestApp({ config: { baseUrl: "https://inlet.example.org" } });
    const res = await t.request("POST", "/api/webhooks/", { body: { name: "models", template: STATIC } });
    expect(res.status).toBe(201);
    const w = await res.json();
    expect(Object.keys(w).sort()).toEqual([
      "created",
      "dedup_key",
      "description",
      "duplicates",
      "enabled",
      "id",
      "name",
      "service_account_id",
      "slug",
      "template",
      "updated",
      "url",
      "verification",
    ]);
    expect(w).toMatchObject({ name: "models", description: "", enabled: true, template: STATIC, service_account_id: null });
    expect(w).toMatchObject({ verification: null, dedup_key: null, duplicates: 0 });
    expect(w.slug).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(w.url).toBe(`https://inlet.example.org/hooks/${w.slug}`);
    expect((await t.request("GET", `/api/webhooks/${w.id}`)).status).toBe(200);
  });

  test("slugs are random and cannot be set", async () => {
    const t = createTestApp();
    const a = await createWebhook(t, { template: STATIC, slug: "chosen-by-the-caller-xx" });
    const b = await createWebhook(t, { template: STATIC });
    expect(a.slug).not.toBe("chosen-by-the-caller-xx");
    expect(a.slug).not.toBe(b.slug);
  });

  test("filter lists all, or by name with Prefect's any_ shape, with limit/offset", async () => {
    const t = createTestApp();
    for (const name of ["a", "b", "c"]) await createWebhook(t, { name, template: STATIC });
    const all = await (await t.request("POST", "/api/webhooks/filter")).json();
    expect(all.map((w: { name: string }) => w.name)).toEqual(["a", "b", "c"]);
    const some = await (await t.request("POST", "/api/webhooks/filter", { body: { webhooks: { name: { any_: ["a", "c"] } } } })).json();
    expect(some.map((w: { name: string }) => w.name)).toEqual(["a", "c"]);
    const page = await (await t.request("POST", "/api/webhooks/filter", { body: { limit: 1, offset: 1 } })).json();
    expect(page.map((w: { name: string }) => w.name)).toEqual(["b"]);
  });

  test("PUT replaces name/description/template (204) and keeps enabled and the service account", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC });
    await t.request("PATCH", `/api/webhooks/${w.id}`, { body: { enabled: false } });
    const res = await t.request("PUT", `/api/webhooks/${w.id}`, {
      body: { name: "renamed", description: "d", template: "{{ body|tojson }}" },
    });
    expect(res.status).toBe(204);
    const got = await (await t.request("GET", `/api/webhooks/${w.id}`)).json();
    expect(got).toMatchObject({ name: "renamed", description: "d", template: "{{ body|tojson }}", enabled: false, slug: w.slug });
  });

  test("rotate gives a new slug, keeps the rest, and the old URL answers 404 at once", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC });
    const res = await t.request("POST", `/api/webhooks/${w.id}/rotate`);
    expect(res.status).toBe(200);
    const rotated = await res.json();
    expect(rotated.slug).not.toBe(w.slug);
    expect(rotated).toMatchObject({ id: w.id, name: w.name, template: STATIC });
    expect((await hook(t, w.slug, { method: "GET" })).status).toBe(404);
    expect((await hook(t, rotated.slug, { method: "GET" })).status).toBe(204);
  });

  test("delete → 204, then 404 for the webhook and its URL", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC });
    expect((await t.request("DELETE", `/api/webhooks/${w.id}`)).status).toBe(204);
    expect((await t.request("DELETE", `/api/webhooks/${w.id}`)).status).toBe(404);
    expect((await t.request("GET", `/api/webhooks/${w.id}`)).status).toBe(404);
    expect((await hook(t, w.slug, { method: "GET" })).status).toBe(404);
  });

  test("a template with a syntax error is refused on create and update with its line (422)", async () => {
    const t = createTestApp();
    const broken = '{\n  "event": "x",\n  "resource": {"prefect.resource.id": "{{ body.id }"}\n}';
    const res = await t.request("POST", "/api/webhooks/", { body: { name: "x", template: broken } });
    expect(res.status).toBe(422);
    const err = (await res.json()).error;
    expect(err.code).toBe("template_invalid");
    expect(err.line).toBe(3);
    expect(await (await t.request("POST", "/api/webhooks/filter")).json()).toEqual([]);
    const w = await createWebhook(t, { template: STATIC });
    const upd = await t.request("PATCH", `/api/webhooks/${w.id}`, { body: { template: "{% for x in y %}" } });
    expect(upd.status).toBe(422);
    expect((await (await t.request("GET", `/api/webhooks/${w.id}`)).json()).template).toBe(STATIC);
  });

  test.each([
    ["no name", { template: STATIC }],
    ["empty name", { name: "", template: STATIC }],
    ["no template", { name: "x" }],
    ["enabled not a boolean", { name: "x", template: STATIC, enabled: "yes" }],
    ["unknown service account", { name: "x", template: STATIC, service_account_id: "00000000-0000-0000-0000-000000000000" }],
  ])("create with %s → 422, nothing created", async (_name, body) => {
    const t = createTestApp();
    const res = await t.request("POST", "/api/webhooks/", { body });
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe("validation");
    expect(t.ctx.webhooks.list()).toHaveLength(0);
  });

  test("unknown ids → 404 on get, put, patch, delete and rotate", async () => {
    const t = createTestApp();
    const id = "00000000-0000-0000-0000-000000000000";
    expect((await t.request("GET", `/api/webhooks/${id}`)).status).toBe(404);
    expect((await t.request("PUT", `/api/webhooks/${id}`, { body: { name: "a", description: "", template: STATIC } })).status).toBe(404);
    expect((await t.request("PATCH", `/api/webhooks/${id}`, { body: { enabled: false } })).status).toBe(404);
    expect((await t.request("DELETE", `/api/webhooks/${id}`)).status).toBe(404);
    expect((await t.request("POST", `/api/webhooks/${id}/rotate`)).status).toBe(404);
  });

  test("deleting a service account deletes its webhooks (as Prefect Cloud does)", async () => {
    const t = createTestApp();
    const sa = t.ctx.serviceAccounts.create("sender", "webhook");
    const w = await createWebhook(t, { template: STATIC, service_account_id: sa.id });
    expect((await t.request("DELETE", `/api/service-accounts/${sa.id}`)).status).toBe(204);
    expect((await t.request("GET", `/api/webhooks/${w.id}`)).status).toBe(404);
  });
});

describe("bad input to the management API gets a clear 422, and changes nothing", () => {
  test("settings: retention_days is a server option; unknown keys are named", async () => {
    const t = createTestApp();
    const retention = await t.request("PATCH", "/api/settings", { body: { retention_days: 1 } });
    expect(retention.status).toBe(422);
    expect((await retention.json()).error.message).toBe(
      "retention_days: is a server option (--retention-days or INLET_RETENTION_DAYS) and cannot be changed here",
    );
    const unknown = await t.request("PATCH", "/api/settings", { body: { enforce_webhook_auth: true, enforce_everything: true } });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error.message).toContain("enforce_everything");
    expect(await (await t.request("GET", "/api/settings")).json()).toEqual({ enforce_webhook_auth: false, retention_days: 30 });
  });

  test("a template longer than the limit is refused on create, and on validate, with the limit named", async () => {
    const t = createTestApp();
    const long = `{"event": "x", "resource": {"prefect.resource.id": "a"}, "pad": "${"x".repeat(LIMITS.templateChars)}"}`;
    for (const [path, body] of [
      ["/api/webhooks/", { name: "long", template: long }],
      ["/api/templates/validate", { template: long }],
    ] as const) {
      const res = await t.request("POST", path, { body });
      expect(res.status).toBe(422);
      expect((await res.json()).error.message).toBe(`template: Expected string length less or equal to ${LIMITS.templateChars}`);
    }
    expect(await (await t.request("POST", "/api/webhooks/filter")).json()).toEqual([]);
  });

  test("webhook filter: an offset alone pages (it was a SQL error without a limit); a huge one is a 422", async () => {
    const t = createTestApp();
    for (const name of ["a", "b", "c"]) await createWebhook(t, { name, template: STATIC });
    const rest = await t.request("POST", "/api/webhooks/filter", { body: { offset: 1 } });
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as { name: string }[]).map((w) => w.name)).toEqual(["b", "c"]);
    expect(await (await t.request("POST", "/api/webhooks/filter", { body: { offset: Number.MAX_SAFE_INTEGER } })).json()).toEqual([]);
    const huge = await t.request("POST", "/api/webhooks/filter", { body: { offset: 1e300 } });
    expect(huge.status).toBe(422);
    expect((await huge.json()).error.message).toStartWith("offset: ");
    const negative = await t.request("POST", "/api/webhooks/filter", { body: { limit: -1 } });
    expect((await negative.json()).error.message).toStartWith("limit: ");
    expect((await t.request("POST", "/api/webhooks/filter", { body: null })).status).toBe(200);
  });
});

describe("enforce_webhook_auth", () => {
  test("turning it on disables webhooks without a service account and blocks creating or re-enabling them", async () => {
    const t = createTestApp();
    const sa = t.ctx.serviceAccounts.create("sender", "webhook");
    const open = await createWebhook(t, { name: "open", template: STATIC });
    const secured = await createWebhook(t, { name: "secured", template: STATIC, service_account_id: sa.id });
    expect(await (await t.request("GET", "/api/settings")).json()).toEqual({ enforce_webhook_auth: false, retention_days: 30 });

    const on = await t.request("PATCH", "/api/settings", { body: { enforce_webhook_auth: true } });
    expect(await on.json()).toEqual({ enforce_webhook_auth: true, retention_days: 30 });
    expect((await (await t.request("GET", `/api/webhooks/${open.id}`)).json()).enabled).toBe(false);
    expect((await (await t.request("GET", `/api/webhooks/${secured.id}`)).json()).enabled).toBe(true);
    expect((await hook(t, open.slug, { method: "GET" })).status).toBe(404);

    const create = await t.request("POST", "/api/webhooks/", { body: { name: "new", template: STATIC } });
    expect(create.status).toBe(422);
    expect((await create.json()).error).toMatchObject({ code: "rule_violation", message: expect.stringContaining("enforce_webhook_auth") });
    const enable = await t.request("PATCH", `/api/webhooks/${open.id}`, { body: { enabled: true } });
    expect(enable.status).toBe(422);
    expect((await (await t.request("GET", `/api/webhooks/${open.id}`)).json()).enabled).toBe(false);

    // Adding a service account makes re-enabling allowed.
    expect((await t.request("PATCH", `/api/webhooks/${open.id}`, { body: { enabled: true, service_account_id: sa.id } })).status).toBe(204);
    expect((await t.request("POST", "/api/webhooks/", { body: { name: "new", template: STATIC, service_account_id: sa.id } })).status).toBe(
      201,
    );
  });
});
