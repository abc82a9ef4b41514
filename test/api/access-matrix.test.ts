// Every mounted route × every kind of caller, against the access level each route declares and the
// level this file expects of it. Changing a route's level is a change in two places (the route's
// options and ACCESS below); a route mounted without a line here fails the first test.
import { beforeAll, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { accessControl, declaredAccess, requireDeclaredAccess } from "../../src/auth/access.ts";
import type { Access } from "../../src/auth/guard.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { ORIGIN } from "../support/people.ts";

/** The level each route must have: `METHOD path` as Elysia lists it in app.routes. */
const ACCESS: Record<string, Access> = {
  "GET /api/health": "public",
  "GET /api/ready": "public",
  "GET /api/auth/setup": "public",
  "POST /api/auth/setup": "public",
  "POST /api/auth/login": "public",
  "POST /api/auth/logout": "public",
  "GET /api/auth/me": "public",
  // An HTTP GET that upgrades; the websocket's first message is authorized as `read`.
  "GET /api/events/out": "public",
  "GET /api/events/stream": "read",
  "POST /api/events/": "write",
  "POST /api/events/filter": "read",
  "GET /api/events/filter/next": "read",
  "POST /api/events/count-by/:countable": "read",
  "GET /api/events/:id": "read",
  "GET /api/events/:id/request": "read",
  "POST /api/service-accounts/": "write",
  "GET /api/service-accounts/": "read",
  "GET /api/service-accounts/:id": "read",
  "DELETE /api/service-accounts/:id": "write",
  "POST /api/service-accounts/:id/rotate-key": "write",
  "GET /api/users/": "admin",
  "POST /api/users/": "admin",
  "GET /api/users/:id": "admin",
  "PATCH /api/users/:id": "admin",
  "DELETE /api/users/:id": "admin",
  "POST /api/webhooks/": "write",
  "POST /api/webhooks/filter": "read",
  "GET /api/webhooks/:id": "read",
  "GET /api/webhooks/:id/requests": "read",
  "PUT /api/webhooks/:id": "write",
  "PATCH /api/webhooks/:id": "write",
  "DELETE /api/webhooks/:id": "write",
  "POST /api/webhooks/:id/rotate": "write",
  "POST /api/webhooks/:id/replay": "admin",
  "GET /api/settings/": "read",
  "PATCH /api/settings/": "write",
  "POST /api/templates/validate": "read",
  "POST /api/templates/render": "read",
  "GET /api/destinations/": "admin",
  "POST /api/destinations/": "admin",
  "GET /api/destinations/:id": "admin",
  "PUT /api/destinations/:id": "admin",
  "PATCH /api/destinations/:id": "admin",
  "DELETE /api/destinations/:id": "admin",
  "POST /api/destinations/:id/test": "admin",
  "POST /api/destinations/:id/rotate-secret": "admin",
  "POST /api/destinations/:id/retry-failed": "admin",
  "GET /api/automations/:id/deliveries": "read",
  "POST /api/deliveries/:id/retry": "admin",
  "POST /api/automations/": "write",
  "POST /api/automations/filter": "read",
  "POST /api/automations/count": "read",
  "GET /api/automations/related-to/:resource_id": "read",
  "DELETE /api/automations/owned-by/:resource_id": "write",
  "GET /api/automations/:id": "read",
  "PUT /api/automations/:id": "write",
  "PATCH /api/automations/:id": "write",
  "DELETE /api/automations/:id": "write",
  "POST /api/automations/dry-run": "read",
  "ALL /hooks/:slug": "public",
  "GET /": "public",
  "ALL /*": "public",
};

/**
 * Bodies that pass each route's schema: request validation runs before the access check, so without
 * one a refused caller would see 422 rather than 401/403.
 */
const BODIES: Record<string, unknown> = {
  "POST /api/auth/setup": { token: "not-the-setup-token", email: "matrix@example.com", password: "matrix password" },
  "POST /api/auth/login": { email: "nobody@example.com", password: "wrong password" },
  "POST /api/service-accounts/": { name: "matrix" },
  "POST /api/users/": { email: "new@example.com", password: "a long enough password", role: "viewer" },
  "PATCH /api/users/:id": {},
  "POST /api/webhooks/": { name: "matrix", template: "{}" },
  "POST /api/webhooks/filter": {},
  "PUT /api/webhooks/:id": { name: "matrix", description: "", template: "{}" },
  "PATCH /api/webhooks/:id": {},
  "POST /api/webhooks/:id/replay": { since: "2026-01-01T00:00:00Z", dry_run: true },
  "PATCH /api/settings/": {},
  "POST /api/templates/validate": { template: "{}" },
  "POST /api/templates/render": { template: "{}" },
  "POST /api/destinations/": { name: "matrix", type: "slack", config: { url: "http://127.0.0.1:9/x" } },
  "PUT /api/destinations/:id": { name: "matrix", config: {} },
  "PATCH /api/destinations/:id": {},
  "POST /api/destinations/:id/retry-failed": { since: "2026-01-01T00:00:00Z" },
  "POST /api/automations/filter": {},
};

const PLACEHOLDER_ID = "00000000-0000-4000-8000-000000000000";

type Caller = "none" | "webhook key" | "viewer" | "admin key";
const CALLERS: Caller[] = ["none", "webhook key", "viewer", "admin key"];

/** The status class a caller must get from a route of this level: a refusal, or anything the handler says. */
function expected(level: Access, caller: Caller): 401 | 403 | "allowed" {
  if (level === "public") return "allowed";
  if (caller === "none") return 401;
  if (caller === "webhook key") return 403;
  if (caller === "viewer" && level !== "read") return 403;
  return "allowed";
}

interface Route {
  method: string;
  path: string;
  hooks?: unknown;
}

const keyOf = (r: Route) => `${r.method} ${r.path}`;

describe("access matrix: every route × every caller", () => {
  let t: TestApp;
  let webhookKey: string;
  let viewerId: string;
  let routes: Route[];

  beforeAll(async () => {
    t = createTestApp();
    webhookKey = t.ctx.serviceAccounts.create("sender", "webhook").api_key;
    viewerId = (await t.ctx.users.create({ email: "viewer@example.com", password: "viewer password", role: "viewer" })).id;
    routes = t.app.routes as Route[];
  });

  /** One request as this caller; a fresh viewer session each time, since one route signs out. */
  function send(route: Route, caller: Caller): Promise<Response> {
    const path = route.path
      .replace(/:[^/]+/g, PLACEHOLDER_ID)
      .replace("*", "placeholder")
      .replace(/(.)\/$/, "$1");
    const method = route.method === "ALL" ? "GET" : route.method;
    const headers: Record<string, string> = {};
    if (caller === "viewer") {
      headers.cookie = `inlet_session=${t.ctx.sessions.create(viewerId)!.token}`;
      headers.origin = ORIGIN;
    }
    const key = caller === "admin key" ? t.adminKey : caller === "webhook key" ? webhookKey : null;
    return t.request(method, path, { key, headers, body: BODIES[keyOf(route)] });
  }

  test("every mounted route declares the level listed here, and every listed route is mounted", () => {
    const declared = Object.fromEntries(routes.map((r) => [keyOf(r), declaredAccess(r)]));
    expect(declared).toEqual(ACCESS);
  });

  test("refused callers get 401/403 with the catalogue's shape, and change nothing", async () => {
    const counts = () =>
      ["service_accounts", "users", "webhooks", "events", "sessions", "automations"].map(
        (table) => (t.ctx.db.$client.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
      );
    const before = counts();
    let sessionsOpened = 0;
    const wrong: string[] = [];
    for (const route of routes) {
      const level = ACCESS[keyOf(route)]!;
      for (const caller of CALLERS) {
        const want = expected(level, caller);
        if (want === "allowed") continue;
        if (caller === "viewer") sessionsOpened++;
        const res = await send(route, caller);
        const body = res.status === want ? await res.json() : null;
        if (res.status !== want || body.error.code !== (want === 401 ? "unauthorized" : "forbidden")) {
          wrong.push(`${keyOf(route)} as ${caller}: ${res.status}, expected ${want}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    const after = counts();
    after[4]! -= sessionsOpened; // the test's own viewer sessions
    expect(after).toEqual(before);
  });

  test("allowed callers get past the check (the handler may still refuse the placeholder id)", async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const level = ACCESS[keyOf(route)]!;
      for (const caller of CALLERS) {
        if (expected(level, caller) !== "allowed") continue;
        const res = await send(route, caller);
        checked++;
        // Not read otherwise: the live feed's answer is a stream that does not end.
        const text = [401, 403, 500].includes(res.status) ? await res.text() : (await res.body?.cancel(), "");
        // The guard's own refusals; a handler may answer 403 for its own reasons (a bad page token).
        const code = (res.status === 401 || res.status === 403) && text.startsWith("{") ? JSON.parse(text).error?.code : undefined;
        const refused = level !== "public" && (code === "unauthorized" || code === "forbidden");
        if (refused || res.status === 500) wrong.push(`${keyOf(route)} as ${caller}: ${res.status} ${text}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(routes.length);
  });
});

describe("a route without an access level", () => {
  test("is refused when the app is put together, by name", () => {
    const app = new Elysia()
      .use(accessControl())
      .get("/declared", () => "ok", { access: "public" })
      .post("/forgotten", () => "ok");
    expect(() => requireDeclaredAccess(app.routes)).toThrow("POST /forgotten");
    expect(declaredAccess(app.routes[0]!)).toBe("public");
  });

  test("cannot claim a level that needs credentials without the stores to check them", () => {
    expect(() => new Elysia().use(accessControl()).get("/x", () => "ok", { access: "read" })).toThrow("needs the credential stores");
  });
});
