import { describe, expect, test } from "bun:test";
import { createTestApp } from "../support/app.ts";

const DYNAMIC = '{"event": "model.refreshed", "resource": {"prefect.resource.id": "product.models.{{ body.model }}"}}';

describe("template playground API", () => {
  test("validate: 204 for a good template, 422 with line and message for a bad one", async () => {
    const t = createTestApp();
    expect((await t.request("POST", "/api/templates/validate", { body: { template: DYNAMIC } })).status).toBe(204);
    const res = await t.request("POST", "/api/templates/validate", { body: { template: "line one\n{{ body.x " } });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe("template_invalid");
    expect(error.line).toBe(2);
    expect(typeof error.message).toBe("string");
  });

  test("render: the rendered text and the event exactly as ingestion makes it, with nothing stored", async () => {
    const t = createTestApp();
    const res = await t.request("POST", "/api/templates/render", {
      body: {
        template: DYNAMIC,
        request: {
          method: "post",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: "Bearer x" },
          body: "model=churn",
        },
      },
    });
    expect(res.status).toBe(200);
    const out = await res.json();
    expect(out.error).toBeNull();
    expect(out.rendered).toBe('{"event": "model.refreshed", "resource": {"prefect.resource.id": "product.models.churn"}}');
    expect(out.event).toMatchObject({
      event: "model.refreshed",
      resource: { "prefect.resource.id": "product.models.churn" },
      related: [{ "prefect.resource.role": "webhook" }],
      payload: { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: { model: "churn" } },
    });
    expect(JSON.stringify(out)).not.toContain("Bearer x");
    expect(t.ctx.events.count()).toBe(0);
  });

  test("render with a webhook_id names that webhook as the related resource; an unknown id → 404", async () => {
    const t = createTestApp();
    const created = await (await t.request("POST", "/api/webhooks/", { body: { name: "models", template: DYNAMIC } })).json();
    const out = await (
      await t.request("POST", "/api/templates/render", { body: { template: DYNAMIC, webhook_id: created.id, request: { method: "GET" } } })
    ).json();
    expect(out.event.related).toEqual([
      {
        "prefect.resource.id": `prefect-cloud.webhook.${created.id}`,
        "prefect.resource.role": "webhook",
        "prefect.resource.name": "models",
      },
    ]);
    const missing = await t.request("POST", "/api/templates/render", {
      body: { template: DYNAMIC, webhook_id: "00000000-0000-0000-0000-000000000000" },
    });
    expect(missing.status).toBe(404);
  });

  test.each([
    ["{{ body.x ", "template_syntax"],
    ['{"event": "x"', "invalid_json"],
    ['{"event": "x", "resource": {}}', "invalid_event"],
  ])("render reports %j as %s, with a message", async (template, reason) => {
    const t = createTestApp();
    const out = await (
      await t.request("POST", "/api/templates/render", { body: { template, request: { method: "GET", headers: {}, body: "" } } })
    ).json();
    expect(out.event).toBeNull();
    expect(out.error.reason).toBe(reason);
    expect(out.error.message.length).toBeGreaterThan(0);
  });
});
