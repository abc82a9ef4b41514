import { describe, expect, test } from "bun:test";
import { createTestApp } from "../support/app.ts";

const ev = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  event: "model.refreshed",
  resource: { "prefect.resource.id": "product.models.recommendations" },
  ...extra,
});
const ID1 = "0190f3b4-3a2b-7cde-8f00-000000000001";
const ID2 = "0190f3b4-3a2b-7cde-8f00-000000000002";

describe("POST /api/events and GET /api/events/{id}", () => {
  test("stores a batch (204), reads each back with defaults, and broadcasts after commit", async () => {
    await using t = createTestApp({ database: "file" });
    const seen: string[] = [];
    t.ctx.bus.subscribe((list) => seen.push(...list.map((s) => (t.ctx.events.exists(s.event.id) ? s.event.id : "missing"))));
    const res = await t.request("POST", "/api/events", {
      body: [ev(ID1), ev(ID2, { related: [{ "prefect.resource.id": "x", "prefect.resource.role": "y" }] })],
    });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(seen).toEqual([ID1, ID2]);
    const got = await (await t.request("GET", `/api/events/${ID2}`)).json();
    expect(got).toMatchObject({
      id: ID2,
      event: "model.refreshed",
      related: [{ "prefect.resource.id": "x", "prefect.resource.role": "y" }],
      payload: {},
      follows: null,
    });
    const resources = t.ctx.db.$client.query("SELECT resource_id, role, labels FROM event_resources ORDER BY rowid").all();
    expect(resources).toEqual([
      { resource_id: "product.models.recommendations", role: "", labels: "{}" },
      { resource_id: "product.models.recommendations", role: "", labels: "{}" },
      { resource_id: "x", role: "y", labels: "{}" },
    ]);
  });

  test("one invalid event rejects the whole batch with its index named; nothing is stored", async () => {
    await using t = createTestApp({ database: "file" });
    const res = await t.request("POST", "/api/events", { body: [ev(ID1), { event: "x", resource: {} }] });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: { code: "validation", message: "[1] resource: Resources must include the prefect.resource.id label" },
    });
    expect(t.ctx.events.count()).toBe(0);
  });

  test("an event nested deeper than can be stored → 422 before the body is parsed; nothing is stored", async () => {
    await using t = createTestApp({ database: "file" });
    const deep = `[{"event": "x", "resource": {"prefect.resource.id": "r"}, "payload": {"p": ${"[".repeat(100_000)}1${"]".repeat(100_000)}}}]`;
    const res = await t.request("POST", "/api/events", { body: deep, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: { code: "json_too_deep", message: "The JSON body is nested too deeply (at most 1001 levels of arrays and objects)" },
    });
    expect(t.ctx.events.count()).toBe(0);
  });

  test("a body that is not an array → 422", async () => {
    await using t = createTestApp({ database: "file" });
    const res = await t.request("POST", "/api/events", { body: ev(ID1) });
    expect(res.status).toBe(422);
    expect(t.ctx.events.count()).toBe(0);
  });

  test("a repeated id is stored once", async () => {
    await using t = createTestApp({ database: "file" });
    await t.request("POST", "/api/events", { body: [ev(ID1)] });
    expect((await t.request("POST", "/api/events", { body: [ev(ID1)] })).status).toBe(204);
    expect(t.ctx.events.count()).toBe(1);
  });

  test("unknown id → 404", async () => {
    await using t = createTestApp({ database: "file" });
    const res = await t.request("GET", `/api/events/${ID1}`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("not_found");
  });
});
