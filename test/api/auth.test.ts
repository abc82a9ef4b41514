import { describe, expect, test } from "bun:test";
import { SESSION_TTL_MS } from "../../src/auth/sessions.ts";
import { fixedClock, createTestApp, type TestApp } from "../support/app.ts";

const ORIGIN = { origin: "http://localhost" };

function cookieOf(res: Response): string {
  const header = res.headers.get("set-cookie") ?? "";
  const m = /inlet_session=([^;]*)/.exec(header);
  if (!m) throw new Error(`no session cookie in ${header}`);
  return m[1]!;
}

async function setupAdmin(t: TestApp, email = "admin@example.com", password = "correct horse") {
  const token = t.ctx.setup.issue();
  const res = await t.request("POST", "/api/auth/setup", { key: null, body: { token, email, password }, headers: ORIGIN });
  expect(res.status).toBe(201);
  return cookieOf(res);
}

async function login(t: TestApp, email: string, password: string, headers: Record<string, string> = ORIGIN) {
  return t.request("POST", "/api/auth/login", { key: null, body: { email, password }, headers });
}

const withCookie = (cookie: string, extra: Record<string, string> = {}) => ({
  key: null,
  headers: { cookie: `inlet_session=${cookie}`, ...extra },
});

describe("first-run setup", () => {
  test("the setup link creates the first admin once, signs them in, and is spent", async () => {
    const t = createTestApp();
    expect(await (await t.request("GET", "/api/auth/setup", { key: null })).json()).toEqual({ needed: true });
    const token = t.ctx.setup.issue();

    const wrong = await t.request("POST", "/api/auth/setup", {
      key: null,
      body: { token: "nope", email: "a@example.com", password: "longenough" },
      headers: ORIGIN,
    });
    expect(wrong.status).toBe(403);
    expect(t.ctx.users.count()).toBe(0);

    const res = await t.request("POST", "/api/auth/setup", {
      key: null,
      body: { token, email: "Admin@Example.com", password: "longenough" },
      headers: ORIGIN,
    });
    expect(res.status).toBe(201);
    const user = await res.json();
    expect(user).toMatchObject({ email: "admin@example.com", role: "admin" });
    expect(JSON.stringify(user)).not.toMatch(/hash|argon/);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^inlet_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax$/);

    const again = await t.request("POST", "/api/auth/setup", {
      key: null,
      body: { token, email: "b@example.com", password: "longenough" },
      headers: ORIGIN,
    });
    expect(again.status).toBe(409);
    expect(t.ctx.users.count()).toBe(1);
    expect(await (await t.request("GET", "/api/auth/setup", { key: null })).json()).toEqual({ needed: false });
  });

  test("a short password is refused and the link stays usable", async () => {
    const t = createTestApp();
    const token = t.ctx.setup.issue();
    const res = await t.request("POST", "/api/auth/setup", {
      key: null,
      body: { token, email: "a@example.com", password: "short" },
      headers: ORIGIN,
    });
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toContain("at least 8");
    expect(t.ctx.users.count()).toBe(0);
    const retry = await t.request("POST", "/api/auth/setup", {
      key: null,
      body: { token, email: "a@example.com", password: "long enough now" },
      headers: ORIGIN,
    });
    expect(retry.status).toBe(201);
  });

  test("the cookie is Secure when the base URL is https", async () => {
    const t = createTestApp({ config: { baseUrl: "https://inlet.example.com" } });
    const token = t.ctx.setup.issue();
    const res = await t.request("POST", "/api/auth/setup", {
      key: null,
      body: { token, email: "a@example.com", password: "longenough" },
      headers: { origin: "https://inlet.example.com" },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("set-cookie")).toContain("; Secure");
  });
});

describe("sign-in and sessions", () => {
  test("login sets a session cookie that the API accepts; the database holds only its hash", async () => {
    const t = createTestApp();
    await setupAdmin(t);
    const res = await login(t, "ADMIN@example.com", "correct horse");
    expect(res.status).toBe(200);
    const token = cookieOf(res);
    const me = await (await t.request("GET", "/api/auth/me", withCookie(token))).json();
    expect(me).toMatchObject({ kind: "user", email: "admin@example.com", role: "admin" });
    expect((await t.request("GET", "/api/service-accounts", withCookie(token))).status).toBe(200);
    const rows = t.ctx.db.$client.query("SELECT * FROM sessions").all();
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  test.each([
    ["a wrong password", "admin@example.com", "wrong password"],
    ["an unknown email", "nobody@example.com", "correct horse"],
  ])("%s → 401 with the same message, no cookie", async (_name, email, password) => {
    const t = createTestApp();
    await setupAdmin(t);
    const res = await login(t, email, password);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "Wrong email or password" } });
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  test("five failures lock that IP + email for 15 minutes (429 with Retry-After), even for the right password", async () => {
    const clock = fixedClock();
    const t = createTestApp({ clock });
    await setupAdmin(t);
    for (let i = 0; i < 5; i++) expect((await login(t, "admin@example.com", "nope-nope")).status).toBe(401);
    const locked = await login(t, "admin@example.com", "correct horse");
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(800);
    expect((await locked.json()).error.code).toBe("too_many_requests");
    clock.advance(15 * 60 * 1000);
    expect((await login(t, "admin@example.com", "correct horse")).status).toBe(200);
  });

  test("a user deleted while their password is being checked → 401, no cookie, no session", async () => {
    const t = createTestApp();
    await setupAdmin(t);
    const doomed = await t.ctx.users.create({ email: "doomed@example.com", password: "doomed password", role: "viewer" });
    // The deletion lands between the password check and the session's creation.
    const verify = t.ctx.users.verify.bind(t.ctx.users);
    t.ctx.users.verify = async (email, password) => {
      const user = await verify(email, password);
      expect(t.ctx.users.delete(doomed.id)).toBe(true);
      return user;
    };
    const res = await login(t, "doomed@example.com", "doomed password");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "Wrong email or password" } });
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(t.ctx.db.$client.query("SELECT count(*) AS n FROM sessions").get()).toEqual({ n: 1 });
  });

  test("sign-out deletes the session row and clears the cookie", async () => {
    const t = createTestApp();
    const token = await setupAdmin(t);
    const res = await t.request("POST", "/api/auth/logout", withCookie(token, ORIGIN));
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toContain("Max-Age=0");
    expect(t.ctx.db.$client.query("SELECT count(*) AS n FROM sessions").get()).toEqual({ n: 0 });
    expect((await t.request("GET", "/api/service-accounts", withCookie(token))).status).toBe(401);
    expect((await t.request("GET", "/api/auth/me", withCookie(token))).status).toBe(401);
  });

  test("sessions expire after 7 days without use, and slide forward while used", async () => {
    const clock = fixedClock();
    const t = createTestApp({ clock });
    const token = await setupAdmin(t);
    clock.advance(2 * 60 * 60 * 1000);
    const used = await t.request("GET", "/api/service-accounts", withCookie(token));
    expect(used.status).toBe(200);
    expect(used.headers.get("set-cookie")).toContain("Max-Age=604800");
    clock.advance(SESSION_TTL_MS - 1000);
    expect((await t.request("GET", "/api/service-accounts", withCookie(token))).status).toBe(200);
    clock.advance(SESSION_TTL_MS + 1);
    expect((await t.request("GET", "/api/service-accounts", withCookie(token))).status).toBe(401);
  });

  test("a forged or malformed cookie is just unauthenticated", async () => {
    const t = createTestApp();
    await setupAdmin(t);
    for (const value of ["x", "A".repeat(43), "../../etc"]) {
      expect((await t.request("GET", "/api/service-accounts", withCookie(value))).status).toBe(401);
    }
  });
});

describe("CSRF: cookie-authenticated changes need a matching Origin or Referer", () => {
  test.each([
    ["no Origin or Referer", {}, 403],
    ["a foreign Origin", { origin: "http://evil.example" }, 403],
    ["the string null as Origin", { origin: "null" }, 403],
    ["a foreign Referer", { referer: "http://evil.example/page" }, 403],
    ["this server's Origin", { origin: "http://localhost" }, 201],
    ["this server's Referer", { referer: "http://localhost/service-accounts" }, 201],
  ])("%s → %d", async (_name, headers, status) => {
    const t = createTestApp();
    const token = await setupAdmin(t);
    const res = await t.request("POST", "/api/service-accounts", {
      ...withCookie(token, headers as Record<string, string>),
      body: { name: "x" },
    });
    expect(res.status).toBe(status);
    expect(t.ctx.serviceAccounts.list().some((a) => a.name === "x")).toBe(status === 201);
  });

  test("the configured base URL counts as this server (reverse proxy rewriting Host)", async () => {
    const t = createTestApp({ config: { baseUrl: "https://hooks.example.com" } });
    await setupAdmin(t, "a@example.com", "longenough");
    const cookie = cookieOf(await login(t, "a@example.com", "longenough", { origin: "https://hooks.example.com" }));
    const res = await t.request("POST", "/api/service-accounts", {
      ...withCookie(cookie, { origin: "https://hooks.example.com" }),
      body: { name: "y" },
    });
    expect(res.status).toBe(201);
  });

  test("API keys need no Origin (they are not sent by browsers on their own)", async () => {
    const t = createTestApp();
    expect((await t.request("POST", "/api/service-accounts", { body: { name: "z" } })).status).toBe(201);
  });

  test("a cross-site login is refused (login CSRF)", async () => {
    const t = createTestApp();
    await setupAdmin(t);
    const res = await login(t, "admin@example.com", "correct horse", { origin: "http://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });
});
