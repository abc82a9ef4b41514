import { describe, expect, test } from "bun:test";
import { UserStore } from "../../src/auth/users.ts";
import { openMemoryDatabase } from "../../src/db/open.ts";
import { createTestApp, type TestApp } from "../support/app.ts";

const ORIGIN = { origin: "http://localhost" };

async function signIn(t: TestApp, email: string, password: string): Promise<string> {
  const res = await t.request("POST", "/api/auth/login", { key: null, body: { email, password }, headers: ORIGIN });
  expect(res.status).toBe(200);
  return /inlet_session=([^;]*)/.exec(res.headers.get("set-cookie")!)![1]!;
}

/** An app with an admin and a viewer, each signed in. */
async function withPeople() {
  const t = createTestApp();
  const admin = await t.ctx.users.create({ email: "admin@example.com", password: "admin password", role: "admin" });
  const viewer = await t.ctx.users.create({ email: "viewer@example.com", password: "viewer password", role: "viewer" });
  const as = (cookie: string) => (method: string, path: string, body?: unknown) =>
    t.request(method, path, { key: null, body, headers: { cookie: `inlet_session=${cookie}`, ...ORIGIN } });
  return {
    t,
    admin,
    viewer,
    asAdmin: as(await signIn(t, "admin@example.com", "admin password")),
    asViewer: as(await signIn(t, "viewer@example.com", "viewer password")),
  };
}

describe("UserStore", () => {
  test("emails are trimmed and lowercased; passwords stored as Argon2id; the hash never leaves", async () => {
    const db = openMemoryDatabase();
    const store = new UserStore(db);
    const user = await store.create({ email: "  Ada@Example.COM ", password: "12345678", role: "viewer" });
    expect(user).toEqual({ id: user.id, email: "ada@example.com", role: "viewer", created: user.created, updated: user.updated });
    const row = db.$client.query("SELECT password_hash FROM users").get() as { password_hash: string };
    expect(row.password_hash).toStartWith("$argon2id$");
    expect(await store.verify("ADA@example.com", "12345678")).toEqual(user);
    expect(await store.verify("ada@example.com", "12345679")).toBeNull();
  });

  test.each([
    [{ email: "not-an-email", password: "12345678", role: "admin" }, "validation"],
    [{ email: "a@example.com", password: "1234567", role: "admin" }, "validation"],
    [{ email: "a@example.com", password: "12345678", role: "root" }, "validation"],
  ])("create(%j) → %s", async (input, code) => {
    const store = new UserStore(openMemoryDatabase());
    await expect(store.create(input as never)).rejects.toMatchObject({ code });
    expect(store.count()).toBe(0);
  });

  test("a duplicate email (any case) → conflict", async () => {
    const store = new UserStore(openMemoryDatabase());
    await store.create({ email: "a@example.com", password: "12345678", role: "admin" });
    await expect(store.create({ email: "A@EXAMPLE.com", password: "12345678", role: "viewer" })).rejects.toMatchObject({
      code: "conflict",
    });
  });
});

describe("/api/users (admins manage users)", () => {
  test("an admin creates, lists, changes and deletes users; no response carries a hash", async () => {
    const { asAdmin, viewer } = await withPeople();
    const created = await asAdmin("POST", "/api/users", { email: "New@Example.com", password: "new password", role: "viewer" });
    expect(created.status).toBe(201);
    const user = await created.json();
    expect(user).toMatchObject({ email: "new@example.com", role: "viewer" });

    const list = await (await asAdmin("GET", "/api/users")).json();
    expect(list.map((u: { email: string }) => u.email)).toEqual(["admin@example.com", "viewer@example.com", "new@example.com"]);
    expect(JSON.stringify(list)).not.toMatch(/hash|argon/i);

    const promoted = await asAdmin("PATCH", `/api/users/${viewer.id}`, { role: "admin" });
    expect(promoted.status).toBe(200);
    expect((await promoted.json()).role).toBe("admin");

    expect((await asAdmin("DELETE", `/api/users/${user.id}`)).status).toBe(204);
    expect((await asAdmin("DELETE", `/api/users/${user.id}`)).status).toBe(404);
  });

  test.each([
    [{ email: "admin@example.com", password: "whatever1", role: "viewer" }, 409],
    [{ email: "x@example.com", password: "short", role: "viewer" }, 422],
    [{ email: "nope", password: "long enough", role: "viewer" }, 422],
    [{ email: "x@example.com", password: "long enough", role: "owner" }, 422],
    [{ email: "x@example.com", password: "long enough" }, 422],
  ])("create %j → %d, nothing stored", async (body, status) => {
    const { t, asAdmin } = await withPeople();
    const res = await asAdmin("POST", "/api/users", body);
    expect(res.status).toBe(status);
    expect(t.ctx.users.count()).toBe(2);
  });

  test("a new password ends the user's sessions", async () => {
    const { t, asAdmin, asViewer, viewer } = await withPeople();
    expect((await asViewer("GET", "/api/auth/me")).status).toBe(200);
    expect((await asAdmin("PATCH", `/api/users/${viewer.id}`, { password: "brand new pass" })).status).toBe(200);
    expect((await asViewer("GET", "/api/auth/me")).status).toBe(401);
    expect(await t.ctx.users.verify("viewer@example.com", "brand new pass")).not.toBeNull();
  });

  test("an admin can neither delete nor demote themselves, and the last admin stays", async () => {
    const { t, admin, asAdmin } = await withPeople();
    expect((await asAdmin("DELETE", `/api/users/${admin.id}`)).status).toBe(422);
    expect((await asAdmin("PATCH", `/api/users/${admin.id}`, { role: "viewer" })).status).toBe(422);
    // Through an API key (no "self"), the last-admin rule still holds.
    const res = await t.request("PATCH", `/api/users/${admin.id}`, { body: { role: "viewer" } });
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toContain("last admin");
    expect(t.ctx.users.get(admin.id)!.role).toBe("admin");
  });
});

describe("viewers read and change nothing", () => {
  test.each([
    ["GET", "/api/users", undefined],
    ["POST", "/api/users", { email: "x@example.com", password: "long enough", role: "admin" }],
    ["POST", "/api/service-accounts", { name: "sneaky" }],
    ["POST", "/api/events", []],
    ["POST", "/api/webhooks/", { name: "w", template: "{}" }],
    ["PATCH", "/api/settings", { enforce_webhook_auth: true }],
    ["DELETE", "/api/service-accounts/anything", undefined],
  ])("%s %s → 403", async (method, path, body) => {
    const { t, asViewer } = await withPeople();
    const res = await asViewer(method, path, body);
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("forbidden");
    expect(t.ctx.serviceAccounts.list().map((a) => a.name)).toEqual(["test-admin"]);
    expect(t.ctx.users.count()).toBe(2);
  });

  test("a viewer may read service accounts, but never a key", async () => {
    const { asViewer } = await withPeople();
    const res = await asViewer("GET", "/api/service-accounts");
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).not.toContain("api_key");
  });

  test.each([
    ["GET", "/api/auth/me", undefined],
    ["GET", "/api/service-accounts", undefined],
    ["POST", "/api/webhooks/filter", {}],
    ["POST", "/api/templates/validate", { template: "{}" }],
  ])("read-only %s %s is allowed (not 401/403)", async (method, path, body) => {
    const { asViewer } = await withPeople();
    const res = await asViewer(method, path, body);
    expect([401, 403]).not.toContain(res.status);
  });
});
