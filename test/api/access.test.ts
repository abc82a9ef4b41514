import { describe, expect, test } from "bun:test";
import { createTestApp } from "../support/app.ts";

describe("API access", () => {
  test("health needs no key and reports the database", async () => {
    const t = createTestApp();
    const res = await t.request("GET", "/api/health", { key: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "ok" });
  });

  test.each([
    ["no Authorization header", undefined],
    ["a malformed key", "Bearer nope"],
    ["a well-formed but unknown key", `Bearer inlet_${"A".repeat(43)}`],
    ["the wrong scheme", "Basic dXNlcjpwYXNz"],
  ])("%s → 401 with the catalogue's error shape", async (_name, authorization) => {
    const t = createTestApp();
    const res = await t.request("GET", "/api/service-accounts", { key: null, headers: authorization ? { authorization } : {} });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: "unauthorized", message: "A valid API key is required (Authorization: Bearer <key>)" },
    });
  });

  test("a webhook-role key cannot use the management API (403)", async () => {
    const t = createTestApp();
    const hookKey = t.ctx.serviceAccounts.create("sender", "webhook").api_key;
    const res = await t.request("GET", "/api/service-accounts", { key: hookKey });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("forbidden");
  });

  test("unknown routes answer a JSON 404, and malformed JSON a 400, without internals", async () => {
    const t = createTestApp();
    const missing = await t.request("GET", "/api/nope");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: "not_found", message: "Not found" } });
    const bad = await t.request("POST", "/api/events", { body: "[{", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "invalid_json", message: "The request body is not valid JSON" } });
    expect(text).not.toMatch(/at |\.ts|node_modules|SyntaxError/);
  });
});

describe("service accounts API", () => {
  test("create shows the key once; it is stored only as a hash and works as a bearer token", async () => {
    const t = createTestApp();
    const res = await t.request("POST", "/api/service-accounts", { body: { name: "ci", role: "admin" } });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toMatchObject({ name: "ci", role: "admin" });
    expect(created.api_key).toMatch(/^inlet_[A-Za-z0-9_-]{43}$/);

    const rows = t.ctx.db.$client.query("SELECT * FROM service_accounts").all();
    expect(JSON.stringify(rows)).not.toContain(created.api_key);

    const list = await (await t.request("GET", "/api/service-accounts", { key: created.api_key })).json();
    expect(list.map((a: { name: string }) => a.name)).toEqual(["test-admin", "ci"]);
    expect(JSON.stringify(list)).not.toContain("api_key");
  });

  test("a second account with the same name (ignoring case and spaces) → 409, nothing created", async () => {
    const t = createTestApp();
    expect((await t.request("POST", "/api/service-accounts", { body: { name: "ci" } })).status).toBe(201);
    const again = await t.request("POST", "/api/service-accounts", { body: { name: " CI ", role: "webhook" } });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: { code: "conflict", message: 'A service account named "CI" already exists' } });
    const names = (await (await t.request("GET", "/api/service-accounts")).json()).map((a: { name: string }) => a.name);
    expect(names).toEqual(["test-admin", "ci"]);
  });

  test("rotate-key invalidates the old key at once; delete removes the account", async () => {
    const t = createTestApp();
    const created = await (await t.request("POST", "/api/service-accounts", { body: { name: "ci" } })).json();
    const rotated = await (await t.request("POST", `/api/service-accounts/${created.id}/rotate-key`)).json();
    expect(rotated.api_key).not.toBe(created.api_key);
    expect((await t.request("GET", "/api/service-accounts", { key: created.api_key })).status).toBe(401);
    expect((await t.request("GET", "/api/service-accounts", { key: rotated.api_key })).status).toBe(200);
    expect((await t.request("DELETE", `/api/service-accounts/${created.id}`)).status).toBe(204);
    expect((await t.request("DELETE", `/api/service-accounts/${created.id}`)).status).toBe(404);
    expect((await t.request("GET", "/api/service-accounts", { key: rotated.api_key })).status).toBe(401);
  });

  test.each([
    [{}, 422],
    [{ name: "" }, 422],
    [{ name: "x", role: "root" }, 422],
  ])("invalid body %j → %d, nothing created", async (body, status) => {
    const t = createTestApp();
    const res = await t.request("POST", "/api/service-accounts", { body });
    expect(res.status).toBe(status);
    expect((await res.json()).error.code).toBe("validation");
    expect(t.ctx.serviceAccounts.list()).toHaveLength(1);
  });
});
